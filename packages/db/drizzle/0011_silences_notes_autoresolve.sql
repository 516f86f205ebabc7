CREATE TABLE "incident_notes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "incident_notes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"incident_id" text NOT NULL,
	"author" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "silences" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"kind" text DEFAULT 'once' NOT NULL,
	"matchers" jsonb NOT NULL,
	"schedule" jsonb,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"comment" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expired_by" text,
	"expired_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "silenced_by" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "cleared_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "incident_notes_incident_idx" ON "incident_notes" USING btree ("tenant_id","incident_id","created_at");--> statement-breakpoint
CREATE INDEX "silences_tenant_ends_idx" ON "silences" USING btree ("tenant_id","ends_at");--> statement-breakpoint
CREATE INDEX "incidents_cleared_idx" ON "incidents" USING btree ("cleared_at") WHERE "incidents"."cleared_at" is not null and "incidents"."status" <> 'resolved';--> statement-breakpoint
CREATE INDEX "incidents_tenant_owner_idx" ON "incidents" USING btree ("tenant_id","owner");