CREATE TABLE "correlation_feedback" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "correlation_feedback_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"kind" text NOT NULL,
	"left" text[] NOT NULL,
	"right" text[] NOT NULL,
	"actor" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "topologies" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"document" jsonb NOT NULL,
	"devices" integer NOT NULL,
	"links" integer NOT NULL,
	"source" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "correlation_reason" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "correlation" jsonb;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "merged_into" text;--> statement-breakpoint
CREATE INDEX "correlation_feedback_tenant_idx" ON "correlation_feedback" USING btree ("tenant_id","created_at");