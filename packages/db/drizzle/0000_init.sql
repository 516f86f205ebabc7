CREATE SEQUENCE "public"."incident_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alerts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
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
	"correlated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"title" text NOT NULL,
	"severity" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"end_time" timestamp with time zone NOT NULL,
	"alert_count" integer NOT NULL,
	"hosts" text[] NOT NULL,
	"services" text[] NOT NULL,
	"sites" text[] NOT NULL,
	"owner" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_tenant_fingerprint_ts_uq" ON "alerts" USING btree ("tenant_id","fingerprint","timestamp");--> statement-breakpoint
CREATE INDEX "alerts_tenant_ts_idx" ON "alerts" USING btree ("tenant_id","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "alerts_fingerprint_idx" ON "alerts" USING btree ("fingerprint");--> statement-breakpoint
CREATE INDEX "alerts_incident_idx" ON "alerts" USING btree ("incident_id","timestamp");--> statement-breakpoint
CREATE INDEX "alerts_uncorrelated_idx" ON "alerts" USING btree ("tenant_id","id") WHERE "alerts"."correlated_at" is null;--> statement-breakpoint
CREATE INDEX "alerts_unassigned_idx" ON "alerts" USING btree ("tenant_id","timestamp") WHERE "alerts"."incident_id" is null;--> statement-breakpoint
CREATE INDEX "incidents_tenant_start_idx" ON "incidents" USING btree ("tenant_id","start_time" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "incidents_tenant_end_idx" ON "incidents" USING btree ("tenant_id","end_time" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "incidents_tenant_status_idx" ON "incidents" USING btree ("tenant_id","status");