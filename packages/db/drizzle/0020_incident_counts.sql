CREATE TABLE "incident_counts" (
	"tenant_id" text NOT NULL,
	"severity" text NOT NULL,
	"status" text NOT NULL,
	"slot" integer NOT NULL,
	"incidents" bigint DEFAULT 0 NOT NULL,
	"alerts" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "incident_counts_tenant_id_severity_status_slot_pk" PRIMARY KEY("tenant_id","severity","status","slot")
);
--> statement-breakpoint
-- Keeps incident_counts equal to the tenant's incidents counted by severity and status (with the sum of their
-- alert_count), whoever writes incidents: one aggregate over the statement's transition rows, added as deltas to
-- rows of the writing backend's own slot (pg_backend_pid()). Concurrent writers therefore never lock the same count
-- row, in whatever order their statements come; a row that nets to no change is not touched.
CREATE FUNCTION "teleops_count_incidents"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO incident_counts AS c (tenant_id, severity, status, slot, incidents, alerts)
      SELECT tenant_id, severity, status, pg_backend_pid(), count(*), coalesce(sum(alert_count), 0)
      FROM new_rows GROUP BY tenant_id, severity, status ORDER BY 1, 2, 3
      ON CONFLICT (tenant_id, severity, status, slot)
      DO UPDATE SET incidents = c.incidents + excluded.incidents, alerts = c.alerts + excluded.alerts;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO incident_counts AS c (tenant_id, severity, status, slot, incidents, alerts)
      SELECT tenant_id, severity, status, pg_backend_pid(), sum(n), sum(a) FROM (
        SELECT tenant_id, severity, status, 1 AS n, alert_count::bigint AS a FROM new_rows
        UNION ALL
        SELECT tenant_id, severity, status, -1, -alert_count::bigint FROM old_rows
      ) AS d
      GROUP BY tenant_id, severity, status HAVING sum(n) <> 0 OR sum(a) <> 0 ORDER BY 1, 2, 3
      ON CONFLICT (tenant_id, severity, status, slot)
      DO UPDATE SET incidents = c.incidents + excluded.incidents, alerts = c.alerts + excluded.alerts;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO incident_counts AS c (tenant_id, severity, status, slot, incidents, alerts)
      SELECT tenant_id, severity, status, pg_backend_pid(), -count(*), -coalesce(sum(alert_count), 0)
      FROM old_rows GROUP BY tenant_id, severity, status ORDER BY 1, 2, 3
      ON CONFLICT (tenant_id, severity, status, slot)
      DO UPDATE SET incidents = c.incidents + excluded.incidents, alerts = c.alerts + excluded.alerts;
  ELSE
    -- TRUNCATE: no incidents are left, of any tenant.
    DELETE FROM incident_counts;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "incidents_count_insert" AFTER INSERT ON "incidents" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_count_incidents"();
--> statement-breakpoint
CREATE TRIGGER "incidents_count_update" AFTER UPDATE ON "incidents" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_count_incidents"();
--> statement-breakpoint
CREATE TRIGGER "incidents_count_delete" AFTER DELETE ON "incidents" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_count_incidents"();
--> statement-breakpoint
CREATE TRIGGER "incidents_count_truncate" AFTER TRUNCATE ON "incidents"
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_count_incidents"();
--> statement-breakpoint
-- Folds every backend's rows into slot 0 (retention calls it), so a tenant's rows stay about 15 however many
-- connections wrote. Rows a transaction in progress holds are skipped: they are folded next time.
CREATE FUNCTION "teleops_fold_incident_counts"() RETURNS integer LANGUAGE sql AS $$
  WITH taken AS (
    DELETE FROM incident_counts
    WHERE slot <> 0 AND (tenant_id, severity, status, slot) IN (
      SELECT tenant_id, severity, status, slot FROM incident_counts WHERE slot <> 0 FOR UPDATE SKIP LOCKED)
    RETURNING tenant_id, severity, status, incidents, alerts
  ), folded AS (
    INSERT INTO incident_counts AS c (tenant_id, severity, status, slot, incidents, alerts)
      SELECT tenant_id, severity, status, 0, sum(incidents), sum(alerts)
      FROM taken GROUP BY tenant_id, severity, status ORDER BY 1, 2, 3
      ON CONFLICT (tenant_id, severity, status, slot)
      DO UPDATE SET incidents = c.incidents + excluded.incidents, alerts = c.alerts + excluded.alerts
  )
  SELECT count(*)::integer FROM taken
$$;
--> statement-breakpoint
-- The counts of the incidents already stored (the triggers above, created first, hold off writers until commit).
INSERT INTO "incident_counts" ("tenant_id", "severity", "status", "slot", "incidents", "alerts")
  SELECT "tenant_id", "severity", "status", 0, count(*), coalesce(sum("alert_count"), 0)
  FROM "incidents" GROUP BY "tenant_id", "severity", "status";
