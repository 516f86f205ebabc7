-- audit_events is append-only: the application never updates or deletes an event. The hash chain proves
-- tampering by anyone who bypasses this (a superuser can disable the trigger); the trigger stops accidents.
create or replace function audit_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_events is append-only: % is not allowed', tg_op;
end;
$$;
--> statement-breakpoint
create trigger audit_events_no_update_delete before update or delete on audit_events
  for each row execute function audit_events_append_only();
--> statement-breakpoint
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function audit_events_append_only();
