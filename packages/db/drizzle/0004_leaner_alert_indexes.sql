DROP INDEX "alerts_fingerprint_idx";--> statement-breakpoint
DROP INDEX "alerts_incident_idx";--> statement-breakpoint
CREATE INDEX "alerts_incident_idx" ON "alerts" USING btree ("incident_id","timestamp") WHERE "alerts"."incident_id" is not null;