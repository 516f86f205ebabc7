CREATE TABLE "generated_truth" (
	"tenant_id" text NOT NULL,
	"fingerprint" text NOT NULL,
	"timestamp" timestamp with time zone NOT NULL,
	"run_id" text NOT NULL,
	"scenario" text,
	"member" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "generated_truth_tenant_id_fingerprint_timestamp_pk" PRIMARY KEY("tenant_id","fingerprint","timestamp")
);
--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "synthetic" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "generated_truth_run_idx" ON "generated_truth" USING btree ("tenant_id","run_id");