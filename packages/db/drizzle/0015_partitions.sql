-- alerts and integration_events become partitioned by week (of the alert's event time, of the delivery's arrival),
-- so retention drops whole weeks instead of deleting rows. docs/data_dictionary.md, "Partitioning", says why
-- weekly, why the keys now carry the time, and how partitions are made.

-- The partitions of a partitioned table with their ranges (MINVALUE reads as -infinity), and whether a concurrent
-- detach of one was cut short.
CREATE FUNCTION "teleops_partitions"(parent text)
  RETURNS TABLE (name text, lower_bound timestamptz, upper_bound timestamptz, detach_pending boolean)
  LANGUAGE sql STABLE AS $$
  SELECT c.relname::text,
         CASE WHEN b[1] = 'MINVALUE' THEN '-infinity'::timestamptz ELSE trim(both '''' from b[1])::timestamptz END,
         CASE WHEN b[2] = 'MAXVALUE' THEN 'infinity'::timestamptz ELSE trim(both '''' from b[2])::timestamptz END,
         i.inhdetachpending
  FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \((.*)\) TO \((.*)\)') AS b
  WHERE i.inhparent = to_regclass(parent)
$$;
--> statement-breakpoint
-- Makes sure a partition holds each of the given times, creating what is missing: a week (Monday 00:00 UTC on) for
-- times since `weekly_from`, and for older ones (imported history) one partition spanning the whole gap between its
-- neighbours up to that week, so years of history cost one partition, not hundreds; retention drops it whole. Made
-- as a plain table then attached: ATTACH takes SHARE UPDATE EXCLUSIVE on the parent, which inserts, updates and
-- reads do not wait for (CREATE TABLE … PARTITION OF would take ACCESS EXCLUSIVE). Returns how many it created.
CREATE FUNCTION "teleops_ensure_partitions"(parent text, stamps timestamptz[],
    weekly_from timestamptz DEFAULT now() - interval '90 days')
  RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  stamp timestamptz;
  week timestamptz;
  low timestamptz;
  high timestamptz;
  part text;
  created integer := 0;
  locked boolean := false;
BEGIN
  FOR stamp IN SELECT DISTINCT s FROM unnest(stamps) AS s WHERE s IS NOT NULL LOOP
    week := date_trunc('week', stamp, 'UTC');
    -- The common case: this week's partition exists (a catalog lookup, no lock).
    CONTINUE WHEN to_regclass(format('%I', parent || '_p' || to_char(week AT TIME ZONE 'UTC', 'YYYYMMDD'))) IS NOT NULL;
    IF NOT locked THEN
      -- One creator at a time per table; a second waits, then finds the partition made.
      PERFORM pg_advisory_xact_lock(hashtext('teleops_partitions:' || parent));
      locked := true;
    END IF;
    CONTINUE WHEN EXISTS (SELECT 1 FROM teleops_partitions(parent) p WHERE stamp >= p.lower_bound AND stamp < p.upper_bound);
    IF week >= date_trunc('week', weekly_from, 'UTC') THEN
      low := week;
      high := week + interval '7 days';
      part := parent || '_p' || to_char(low AT TIME ZONE 'UTC', 'YYYYMMDD');
    ELSE
      SELECT coalesce(max(p.upper_bound), '-infinity') INTO low FROM teleops_partitions(parent) p WHERE p.upper_bound <= stamp;
      SELECT least(coalesce(min(p.lower_bound), 'infinity'), date_trunc('week', weekly_from, 'UTC')) INTO high
        FROM teleops_partitions(parent) p WHERE p.lower_bound > stamp;
      part := parent || '_until_' || to_char(high AT TIME ZONE 'UTC', 'YYYYMMDD');
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', part, parent);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%L)', parent, part,
      CASE WHEN low = '-infinity' THEN 'MINVALUE' ELSE quote_literal(low) END, high);
    created := created + 1;
  END LOOP;
  RETURN created;
END
$$;
--> statement-breakpoint
ALTER TABLE "alerts" RENAME TO "alerts_unpartitioned";
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "alerts_partitioned_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1) NOT NULL,
	"tenant_id" text NOT NULL,
	"fingerprint" text NOT NULL,
	"timestamp" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source_system" text NOT NULL,
	"host" text NOT NULL,
	"service" text NOT NULL,
	"severity" text NOT NULL,
	"alert_type" text NOT NULL,
	"message" text NOT NULL,
	"tags" jsonb NOT NULL,
	"raw_payload" jsonb NOT NULL,
	"status" text DEFAULT 'firing' NOT NULL,
	"ends_at" timestamp with time zone,
	"incident_id" text,
	"correlated_at" timestamp with time zone,
	"correlation_reason" text,
	"pending_group" text,
	"silenced_by" text
) PARTITION BY RANGE ("timestamp");
--> statement-breakpoint
SELECT teleops_ensure_partitions('alerts',
  array(SELECT DISTINCT date_trunc('week', "timestamp", 'UTC') FROM "alerts_unpartitioned")
    || array[now(), now() + interval '7 days', now() + interval '14 days']);
--> statement-breakpoint
-- Every row moves with its id; the new identity continues where the old one stood.
INSERT INTO "alerts" ("id", "tenant_id", "fingerprint", "timestamp", "received_at", "source_system", "host", "service",
    "severity", "alert_type", "message", "tags", "raw_payload", "status", "ends_at", "incident_id", "correlated_at",
    "correlation_reason", "pending_group", "silenced_by")
  OVERRIDING SYSTEM VALUE
  SELECT "id", "tenant_id", "fingerprint", "timestamp", "received_at", "source_system", "host", "service",
    "severity", "alert_type", "message", "tags", "raw_payload", "status", "ends_at", "incident_id", "correlated_at",
    "correlation_reason", "pending_group", "silenced_by"
  FROM "alerts_unpartitioned";
--> statement-breakpoint
SELECT setval('alerts_partitioned_id_seq', last_value, is_called) FROM "alerts_id_seq";
--> statement-breakpoint
-- Takes its indexes, its triggers and its identity sequence (alerts_id_seq) with it.
DROP TABLE "alerts_unpartitioned";
--> statement-breakpoint
ALTER SEQUENCE "alerts_partitioned_id_seq" RENAME TO "alerts_id_seq";
--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_id_timestamp_pk" PRIMARY KEY("id","timestamp");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_tenant_fingerprint_ts_uq" ON "alerts" USING btree ("tenant_id","fingerprint","timestamp");--> statement-breakpoint
CREATE INDEX "alerts_tenant_ts_idx" ON "alerts" USING btree ("tenant_id","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "alerts_incident_idx" ON "alerts" USING btree ("incident_id","timestamp") WHERE "alerts"."incident_id" is not null;--> statement-breakpoint
CREATE INDEX "alerts_uncorrelated_idx" ON "alerts" USING btree ("tenant_id","id") WHERE "alerts"."correlated_at" is null;--> statement-breakpoint
CREATE INDEX "alerts_unassigned_idx" ON "alerts" USING btree ("tenant_id","timestamp") WHERE "alerts"."incident_id" is null;--> statement-breakpoint
CREATE INDEX "alerts_firing_incident_host_idx" ON "alerts" USING btree ("incident_id","host","timestamp") WHERE "alerts"."status" = 'firing' and "alerts"."incident_id" is not null;--> statement-breakpoint
CREATE INDEX "alerts_pending_group_idx" ON "alerts" USING btree ("tenant_id","pending_group") WHERE "alerts"."pending_group" is not null and "alerts"."incident_id" is null;--> statement-breakpoint
-- The triggers of 0007 (unassigned counts) and 0012 (search words), on the new table. Statement-level triggers with
-- transition tables are allowed on a partitioned table (only row-level ones on a partition are not): they fire
-- for statements that name `alerts` and see the rows of every partition the statement touched. Retention drops
-- partitions without a statement on `alerts`, and corrects the counts itself.
CREATE TRIGGER "alerts_count_insert" AFTER INSERT ON "alerts" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_count_unassigned"();
--> statement-breakpoint
CREATE TRIGGER "alerts_count_update" AFTER UPDATE ON "alerts" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_count_unassigned"();
--> statement-breakpoint
CREATE TRIGGER "alerts_count_delete" AFTER DELETE ON "alerts" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_count_unassigned"();
--> statement-breakpoint
CREATE TRIGGER "alerts_search_words_insert" AFTER INSERT ON "alerts" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_index_incident_words"();
--> statement-breakpoint
CREATE TRIGGER "alerts_search_words_update" AFTER UPDATE ON "alerts" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_index_incident_words"();
--> statement-breakpoint
ALTER TABLE "integration_events" RENAME TO "integration_events_unpartitioned";
--> statement-breakpoint
CREATE TABLE "integration_events" (
	"id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"source" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"outcome" text NOT NULL,
	"http_status" integer NOT NULL,
	"dedup_key" text,
	"headers" jsonb NOT NULL,
	"payload" jsonb,
	"summary" jsonb NOT NULL,
	"error" text
) PARTITION BY RANGE ("received_at");
--> statement-breakpoint
SELECT teleops_ensure_partitions('integration_events',
  array(SELECT DISTINCT date_trunc('week', "received_at", 'UTC') FROM "integration_events_unpartitioned")
    || array[now(), now() + interval '7 days', now() + interval '14 days']);
--> statement-breakpoint
INSERT INTO "integration_events" ("id", "tenant_id", "source", "received_at", "outcome", "http_status", "dedup_key",
    "headers", "payload", "summary", "error")
  SELECT "id", "tenant_id", "source", "received_at", "outcome", "http_status", "dedup_key", "headers", "payload",
    "summary", "error"
  FROM "integration_events_unpartitioned";
--> statement-breakpoint
DROP TABLE "integration_events_unpartitioned";
--> statement-breakpoint
ALTER TABLE "integration_events" ADD CONSTRAINT "integration_events_id_received_at_pk" PRIMARY KEY("id","received_at");--> statement-breakpoint
CREATE INDEX "integration_events_tenant_time_idx" ON "integration_events" USING btree ("tenant_id","received_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "integration_events_dedup_idx" ON "integration_events" USING btree ("tenant_id","source","dedup_key");
