CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"incident_id" text,
	"details" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"file_name" text NOT NULL,
	"format" text NOT NULL,
	"actor" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"read" integer DEFAULT 0 NOT NULL,
	"imported" integer DEFAULT 0 NOT NULL,
	"duplicates" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"errors" jsonb NOT NULL,
	"incident_ids" text[] NOT NULL,
	"status" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integration_events" (
	"id" text PRIMARY KEY NOT NULL,
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
);
--> statement-breakpoint
CREATE TABLE "rca_artifacts" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"incident_id" text NOT NULL,
	"engine" text NOT NULL,
	"model" text,
	"status" text NOT NULL,
	"hypotheses" jsonb NOT NULL,
	"retrieval" jsonb NOT NULL,
	"duration_ms" integer NOT NULL,
	"error" text,
	"trace" jsonb,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reviewer" text,
	"review_notes" text,
	"reviewed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"system" text NOT NULL,
	"external_id" text NOT NULL,
	"number" text NOT NULL,
	"title" text NOT NULL,
	"status" text NOT NULL,
	"priority" text,
	"url" text,
	"incident_id" text,
	"origin" text NOT NULL,
	"raw" jsonb NOT NULL,
	"external_updated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "suspected_category" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "suspected_root_cause" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "suspected_component" text;--> statement-breakpoint
ALTER TABLE "rca_artifacts" ADD CONSTRAINT "rca_artifacts_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_tenant_id_idx" ON "audit_events" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE INDEX "audit_events_incident_idx" ON "audit_events" USING btree ("tenant_id","incident_id");--> statement-breakpoint
CREATE INDEX "imports_tenant_time_idx" ON "imports" USING btree ("tenant_id","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "integration_events_tenant_time_idx" ON "integration_events" USING btree ("tenant_id","received_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "integration_events_dedup_idx" ON "integration_events" USING btree ("tenant_id","source","dedup_key");--> statement-breakpoint
CREATE INDEX "rca_artifacts_incident_idx" ON "rca_artifacts" USING btree ("tenant_id","incident_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_system_external_uq" ON "tickets" USING btree ("tenant_id","system","external_id");--> statement-breakpoint
CREATE INDEX "tickets_incident_idx" ON "tickets" USING btree ("tenant_id","incident_id");