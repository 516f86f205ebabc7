ALTER TABLE "alerts" DROP CONSTRAINT "alerts_incident_id_incidents_id_fk";
