CREATE TABLE "evaluation_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"actor" text NOT NULL,
	"source" text NOT NULL,
	"engine" text NOT NULL,
	"labels_file" text NOT NULL,
	"cases" integer NOT NULL,
	"baseline_mean_score" double precision,
	"llm_mean_score" double precision,
	"duration_ms" integer NOT NULL,
	"report" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "evaluation_runs_tenant_time_idx" ON "evaluation_runs" USING btree ("tenant_id","created_at" DESC NULLS LAST);