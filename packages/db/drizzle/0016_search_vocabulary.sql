-- Search by vocabulary (issue 17): a term is matched against the tenant's distinct words (short strings, a trigram
-- index), then the incidents holding those exact words come from a GIN index over each incident's word list as an
-- array. Before, every incident whose list had the term's trigrams was fetched and its whole list (up to 64 kB)
-- rechecked, which for a word in hundreds of incidents was most of the search's time. The trigram index over the
-- lists goes: it was also the dearest part of keeping them (every appended word re-indexed the list's trigrams).
CREATE TABLE "search_vocabulary" (
	"tenant_id" text NOT NULL,
	"word" text NOT NULL,
	CONSTRAINT "search_vocabulary_word_tenant_id_pk" PRIMARY KEY("word","tenant_id")
);
--> statement-breakpoint
INSERT INTO "search_vocabulary" ("tenant_id", "word")
  SELECT DISTINCT s.tenant_id, w FROM incident_search s CROSS JOIN LATERAL unnest(string_to_array(s.words, ' ')) AS w
  WHERE w <> ''
ON CONFLICT DO NOTHING;
--> statement-breakpoint
DROP INDEX "incident_search_words_trgm_idx";--> statement-breakpoint
CREATE INDEX "search_vocabulary_word_trgm_idx" ON "search_vocabulary" USING gin ("word" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "incident_search_word_list_idx" ON "incident_search" USING gin (string_to_array("words", ' '));
--> statement-breakpoint
-- As in 0012, with each statement's new words also added to the vocabulary (a data-modifying CTE runs whether or
-- not the statement reads it), in word order, so two writers adding overlapping words can never wait on each other
-- in a cycle.
CREATE OR REPLACE FUNCTION "teleops_index_incident_words"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH changed AS (SELECT * FROM new_rows WHERE incident_id IS NOT NULL),
      words AS (
        SELECT DISTINCT c.tenant_id, c.incident_id, w AS word
        FROM changed c
          CROSS JOIN LATERAL teleops_search_words(c.host, c.alert_type, c.service, c.message, c.tags) AS w
      ), vocabulary AS (
        INSERT INTO search_vocabulary (tenant_id, word)
          SELECT DISTINCT tenant_id, word FROM words ORDER BY tenant_id, word
        ON CONFLICT DO NOTHING
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
      ), vocabulary AS (
        INSERT INTO search_vocabulary (tenant_id, word)
          SELECT DISTINCT tenant_id, word FROM words ORDER BY tenant_id, word
        ON CONFLICT DO NOTHING
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
