CREATE TABLE "incident_words" (
	"tenant_id" text NOT NULL,
	"word" text NOT NULL,
	"incident_id" text NOT NULL,
	CONSTRAINT "incident_words_tenant_id_word_incident_id_pk" PRIMARY KEY("tenant_id","word","incident_id")
);
--> statement-breakpoint
-- Every incident's listed words, one row each (ids and words as they are; nothing is lost or renumbered).
INSERT INTO "incident_words" ("tenant_id", "word", "incident_id")
  SELECT DISTINCT s.tenant_id, w, s.incident_id
  FROM incident_search s CROSS JOIN LATERAL unnest(string_to_array(s.words, ' ')) AS w
  WHERE w <> ''
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- The GIN index over each incident's whole list re-indexed every word of the list whenever one joined: on a busy
-- feed, about nine tenths of the write-ahead log (measured in the 2-minute soak), in the transaction every
-- delivery waits on. incident_words answers "which incidents hold these words" by its primary key instead, and
-- gains one row per new word.
DROP INDEX "incident_search_word_list_idx";
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "teleops_index_incident_words"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH changed AS (
      SELECT * FROM new_rows WHERE incident_id IS NOT NULL
    ),
      words AS (
        SELECT DISTINCT c.tenant_id, c.incident_id, w AS word
        FROM changed c
          CROSS JOIN LATERAL teleops_search_words(c.host, c.alert_type, c.service, c.message, c.tags) AS w
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
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- An incident deleted (a tenant's data reset) takes its words with it.
CREATE OR REPLACE FUNCTION "teleops_forget_incident_words"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM incident_search WHERE incident_id IN (SELECT id FROM old_rows);
  DELETE FROM incident_words w USING old_rows o WHERE w.tenant_id = o.tenant_id AND w.incident_id = o.id;
  RETURN NULL;
END
$$;
