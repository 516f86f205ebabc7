-- Search upkeep without splitting every stored alert's text again in SQL (issue 20, the storm): the server works out
-- an alert's words itself (packages/core/src/incidents/searchWords.ts, equal to teleops_search_words for text all in
-- ASCII, tested against it) and adds them with the alerts, in the insert's own statement; the statement marks that it
-- did so (the setting teleops.search_words, for this statement only: the trigger clears it), and the trigger leaves
-- those rows alone. Every other writer (imports, COPY, updates that give alerts an incident, text the server does not
-- split itself) still gets its words from the trigger, as before. Splitting in SQL was about 16 µs per alert, most of
-- the trigger's time and a sixth of PostgreSQL's work per storm delivery.
--
-- The upkeep itself (vocabulary, new word-incident rows, the incident's list) is one function both use.
CREATE FUNCTION "teleops_add_incident_words"(p_tenants text[], p_incidents text[], p_words text[])
  RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH words AS (
      SELECT DISTINCT u.t AS tenant_id, u.i AS incident_id, u.w AS word
      FROM unnest(p_tenants, p_incidents, p_words) AS u(t, i, w)
      WHERE u.i IS NOT NULL AND u.w IS NOT NULL
    ), vocabulary AS (
      INSERT INTO search_vocabulary (tenant_id, word)
        SELECT DISTINCT tenant_id, word FROM words ORDER BY tenant_id, word
      ON CONFLICT DO NOTHING
    ), fresh AS (
      -- New (word, incident) pairs, each found by the primary key, for incidents whose list still has room.
      SELECT w.tenant_id, w.incident_id, w.word
      FROM words w LEFT JOIN incident_search s ON s.incident_id = w.incident_id
      WHERE coalesce(length(s.words), 0) < 65536
        AND NOT EXISTS (SELECT 1 FROM incident_words k
                        WHERE k.tenant_id = w.tenant_id AND k.word = w.word AND k.incident_id = w.incident_id)
    ), listed AS (
      INSERT INTO incident_words (tenant_id, word, incident_id)
        SELECT tenant_id, word, incident_id FROM fresh ORDER BY tenant_id, word, incident_id
      ON CONFLICT DO NOTHING
    ), added AS (
      SELECT tenant_id, incident_id, string_agg(word, ' ') AS added FROM fresh GROUP BY tenant_id, incident_id
    )
    INSERT INTO incident_search AS s (incident_id, tenant_id, words)
      SELECT incident_id, tenant_id, left(added, 65536) FROM added
    ON CONFLICT (incident_id) DO UPDATE SET words = left(s.words || ' ' || excluded.words, 65536)
      WHERE length(s.words) < 65536;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "teleops_index_incident_words"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  t text[];
  i text[];
  w text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- The inserting statement added these alerts' words itself (and set this just for itself).
    IF current_setting('teleops.search_words', true) = 'written' THEN
      PERFORM set_config('teleops.search_words', '', true);
      RETURN NULL;
    END IF;
    SELECT array_agg(x.tenant_id), array_agg(x.incident_id), array_agg(x.word) INTO t, i, w
    FROM (
      SELECT DISTINCT c.tenant_id, c.incident_id, s AS word
      FROM new_rows c
        CROSS JOIN LATERAL teleops_search_words(c.host, c.alert_type, c.service, c.message, c.tags) AS s
      WHERE c.incident_id IS NOT NULL
    ) x;
  ELSE
    SELECT array_agg(x.tenant_id), array_agg(x.incident_id), array_agg(x.word) INTO t, i, w
    FROM (
      SELECT DISTINCT n.tenant_id, n.incident_id, s AS word
      FROM new_rows n JOIN old_rows o ON o.id = n.id
        CROSS JOIN LATERAL teleops_search_words(n.host, n.alert_type, n.service, n.message, n.tags) AS s
      WHERE n.incident_id IS NOT NULL
        AND (o.incident_id IS DISTINCT FROM n.incident_id OR o.message <> n.message OR o.tags <> n.tags
          OR o.host <> n.host OR o.alert_type <> n.alert_type OR o.service <> n.service)
    ) x;
  END IF;
  IF w IS NOT NULL THEN
    PERFORM teleops_add_incident_words(t, i, w);
  END IF;
  RETURN NULL;
END
$$;
