-- Trigram search needs pg_trgm: shipped with PostgreSQL (contrib, a trusted extension since 13, so the database owner may create it) and loaded into PGlite by createDb().
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "alerts_search_trgm_idx" ON "alerts" USING gin ((host || ' ' || alert_type || ' ' || service || ' ' || message || ' ' || jsonb_path_query_array(tags, '$.*')::text) gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "incidents_title_trgm_idx" ON "incidents" USING gin ("title" gin_trgm_ops);