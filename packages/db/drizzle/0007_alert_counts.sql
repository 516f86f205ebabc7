CREATE TABLE "alert_counts" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"unassigned" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Keeps alert_counts.unassigned equal to the tenant's alerts with no incident, whoever writes alerts: one
-- aggregate over the statement's transition rows, not a trigger call per row.
CREATE FUNCTION "teleops_count_unassigned"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO alert_counts AS c (tenant_id, unassigned)
      SELECT tenant_id, count(*) FROM new_rows WHERE incident_id IS NULL GROUP BY tenant_id
      ON CONFLICT (tenant_id) DO UPDATE SET unassigned = c.unassigned + excluded.unassigned;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO alert_counts AS c (tenant_id, unassigned)
      SELECT tenant_id, sum(delta) FROM (
        SELECT tenant_id, count(*) AS delta FROM new_rows WHERE incident_id IS NULL GROUP BY tenant_id
        UNION ALL
        SELECT tenant_id, -count(*) FROM old_rows WHERE incident_id IS NULL GROUP BY tenant_id
      ) AS d
      GROUP BY tenant_id HAVING sum(delta) <> 0
      ON CONFLICT (tenant_id) DO UPDATE SET unassigned = c.unassigned + excluded.unassigned;
  ELSE
    UPDATE alert_counts AS c SET unassigned = c.unassigned - d.n
      FROM (SELECT tenant_id, count(*) AS n FROM old_rows WHERE incident_id IS NULL GROUP BY tenant_id) AS d
      WHERE c.tenant_id = d.tenant_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "alerts_count_insert" AFTER INSERT ON "alerts" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_count_unassigned"();
--> statement-breakpoint
CREATE TRIGGER "alerts_count_update" AFTER UPDATE ON "alerts" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_count_unassigned"();
--> statement-breakpoint
CREATE TRIGGER "alerts_count_delete" AFTER DELETE ON "alerts" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_count_unassigned"();
--> statement-breakpoint
INSERT INTO "alert_counts" ("tenant_id", "unassigned")
  SELECT "tenant_id", count(*) FROM "alerts" WHERE "incident_id" IS NULL GROUP BY "tenant_id";
