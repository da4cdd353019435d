-- Every merchant event, once committed, is announced on the switchyard_events channel as
-- "<merchant id> <event id>": the live stream (GET /v1/events/stream) of every instance hears it,
-- whichever instance or statement wrote it. NOTIFY is transactional: a rolled-back event is never heard.
CREATE FUNCTION switchyard_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('switchyard_events', NEW.merchant_id || ' ' || NEW.id);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH ROW WHEN (NEW.visibility = 'merchant') EXECUTE FUNCTION switchyard_events_notify();
