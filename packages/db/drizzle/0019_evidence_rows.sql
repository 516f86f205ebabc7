CREATE TABLE "incident_evidence" (
	"incident_id" text NOT NULL,
	"key" text NOT NULL,
	"ranges" jsonb NOT NULL,
	"rev" bigint NOT NULL,
	CONSTRAINT "incident_evidence_incident_id_key_pk" PRIMARY KEY("incident_id","key")
);
--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "correlation_rev" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "incident_evidence" ADD CONSTRAINT "incident_evidence_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "incident_evidence_rev_idx" ON "incident_evidence" USING btree ("incident_id","rev");--> statement-breakpoint
-- Every incident's evidence moves out of its row, key by key, as revision 1 (nothing else changes: the same keys
-- and ranges, so the next pass decides exactly as before the upgrade).
INSERT INTO "incident_evidence" ("incident_id", "key", "ranges", "rev")
  SELECT i.id, k.key, k.value, 1
  FROM "incidents" i CROSS JOIN LATERAL jsonb_each(i.correlation -> 'keys') AS k
  WHERE i.correlation ? 'keys' AND jsonb_typeof(i.correlation -> 'keys') = 'object'
    AND jsonb_typeof(k.value) = 'array';
--> statement-breakpoint
UPDATE "incidents"
  SET "correlation" = jsonb_build_object('v', 2, 'signals', coalesce("correlation" -> 'signals', '[]'::jsonb), 'base', 1)
        || CASE WHEN "correlation" -> 'pinned' = 'true'::jsonb THEN '{"pinned": true}'::jsonb ELSE '{}'::jsonb END,
      "correlation_rev" = 1
  WHERE "correlation" ? 'keys';
