-- Trigram search needs pg_trgm: shipped with PostgreSQL (contrib; a trusted extension since 13, so a database
-- owner may create it, managed services included where it is on their allow list) and loaded into PGlite by createDb().
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "incident_search" (
	"incident_id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"words" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "incident_search_words_trgm_idx" ON "incident_search" USING gin ("words" gin_trgm_ops);--> statement-breakpoint
-- IF NOT EXISTS, and the DROP below: a development database may hold the first draft of this migration (commit
-- 7c21143, a trigram index over every alert), which the timestamp of this version makes drizzle apply again.
CREATE INDEX IF NOT EXISTS "incidents_title_trgm_idx" ON "incidents" USING gin ("title" gin_trgm_ops);--> statement-breakpoint
DROP INDEX IF EXISTS "alerts_search_trgm_idx";
--> statement-breakpoint
-- The searchable words of one alert: host, type, service, message and tag (label) values, lower-cased, split on
-- white space and on punctuation that never belongs to an address, interface or circuit id (so `203.0.113.69,`
-- and `(xe-0/0/1)` become `203.0.113.69` and `xe-0/0/1`). translate() and string_to_array() rather than a
-- regular expression, and no DISTINCT here, so PostgreSQL inlines the function into the caller's query: this
-- runs for every stored alert, and a called function with its own DISTINCT cost four times as much (39 µs/alert
-- against 10, bench/searchIndexCost.ts). Callers deduplicate.
CREATE FUNCTION "teleops_search_words"(host text, alert_type text, service text, message text, tags jsonb)
  RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT w FROM unnest(string_to_array(translate(
    lower(host || ' ' || alert_type || ' ' || service || ' ' || message || ' ' || jsonb_path_query_array(tags, '$.*')::text),
    E',;"()[]{}<>|\t\n\r', '               '), ' ')) AS w
  WHERE w <> '' AND length(w) <= 200
$$;
--> statement-breakpoint
-- Adds the words of the statement's alerts to their incidents' rows in incident_search: one aggregate per
-- statement (a batch of alerts, a correlation pass), only words the incident lacks, up to 65,536 characters per
-- incident (a cut may leave part of the last word). An update counts when it gives an alert an incident or
-- changes its text.
CREATE FUNCTION "teleops_index_incident_words"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH changed AS (SELECT * FROM new_rows WHERE incident_id IS NOT NULL),
      words AS (
        SELECT DISTINCT c.tenant_id, c.incident_id, w AS word
        FROM changed c
          CROSS JOIN LATERAL teleops_search_words(c.host, c.alert_type, c.service, c.message, c.tags) AS w
      ), known AS (
        SELECT s.incident_id, unnest(string_to_array(s.words, ' ')) AS word
        FROM incident_search s WHERE s.incident_id IN (SELECT incident_id FROM words)
      ), fresh AS (
        SELECT w.tenant_id, w.incident_id, string_agg(w.word, ' ') AS added
        FROM words w
        WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.incident_id = w.incident_id AND k.word = w.word)
        GROUP BY w.tenant_id, w.incident_id
      )
      INSERT INTO incident_search AS s (incident_id, tenant_id, words)
        SELECT incident_id, tenant_id, left(added, 65536) FROM fresh
      ON CONFLICT (incident_id) DO UPDATE SET words = left(s.words || ' ' || excluded.words, 65536)
        WHERE length(s.words) < 65536;
  ELSE
    WITH changed AS (
      SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.incident_id IS NOT NULL
        AND (o.incident_id IS DISTINCT FROM n.incident_id OR o.message <> n.message OR o.tags <> n.tags
          OR o.host <> n.host OR o.alert_type <> n.alert_type OR o.service <> n.service)
    ),
      words AS (
        SELECT DISTINCT c.tenant_id, c.incident_id, w AS word
        FROM changed c
          CROSS JOIN LATERAL teleops_search_words(c.host, c.alert_type, c.service, c.message, c.tags) AS w
      ), known AS (
        SELECT s.incident_id, unnest(string_to_array(s.words, ' ')) AS word
        FROM incident_search s WHERE s.incident_id IN (SELECT incident_id FROM words)
      ), fresh AS (
        SELECT w.tenant_id, w.incident_id, string_agg(w.word, ' ') AS added
        FROM words w
        WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.incident_id = w.incident_id AND k.word = w.word)
        GROUP BY w.tenant_id, w.incident_id
      )
      INSERT INTO incident_search AS s (incident_id, tenant_id, words)
        SELECT incident_id, tenant_id, left(added, 65536) FROM fresh
      ON CONFLICT (incident_id) DO UPDATE SET words = left(s.words || ' ' || excluded.words, 65536)
        WHERE length(s.words) < 65536;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "alerts_search_words_insert" AFTER INSERT ON "alerts" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_index_incident_words"();
--> statement-breakpoint
CREATE TRIGGER "alerts_search_words_update" AFTER UPDATE ON "alerts" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_index_incident_words"();
--> statement-breakpoint
-- An incident deleted (a tenant's data reset) takes its words with it.
CREATE FUNCTION "teleops_forget_incident_words"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM incident_search WHERE incident_id IN (SELECT id FROM old_rows);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "incidents_search_words_delete" AFTER DELETE ON "incidents" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "teleops_forget_incident_words"();
--> statement-breakpoint
-- Alerts already stored when this migration runs.
WITH changed AS (SELECT * FROM alerts WHERE incident_id IS NOT NULL),
words AS (
  SELECT DISTINCT c.tenant_id, c.incident_id, w AS word
  FROM changed c
    CROSS JOIN LATERAL teleops_search_words(c.host, c.alert_type, c.service, c.message, c.tags) AS w
), known AS (
  SELECT s.incident_id, unnest(string_to_array(s.words, ' ')) AS word
  FROM incident_search s WHERE s.incident_id IN (SELECT incident_id FROM words)
), fresh AS (
  SELECT w.tenant_id, w.incident_id, string_agg(w.word, ' ') AS added
  FROM words w
  WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.incident_id = w.incident_id AND k.word = w.word)
  GROUP BY w.tenant_id, w.incident_id
)
INSERT INTO incident_search AS s (incident_id, tenant_id, words)
  SELECT incident_id, tenant_id, left(added, 65536) FROM fresh
ON CONFLICT (incident_id) DO UPDATE SET words = left(s.words || ' ' || excluded.words, 65536)
  WHERE length(s.words) < 65536;
