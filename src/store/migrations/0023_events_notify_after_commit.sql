-- Merchant events are no longer announced by a per-row NOTIFY inside the writing transaction: a
-- notifying commit holds a cluster-wide lock through its WAL flush, so every payment's settle
-- waited for every other's. The instance that committed events sends a batched hint after the
-- commit, and each live stream reads the events table since its last snapshot (event-feed.ts),
-- comparing each event's writing transaction `tx` with that snapshot.
DROP TRIGGER events_notify ON events;--> statement-breakpoint
DROP FUNCTION switchyard_events_notify();--> statement-breakpoint
-- Added, then given its default, so the existing rows are not rewritten (they keep a null tx:
-- they were committed before any stream's first snapshot).
ALTER TABLE "events" ADD COLUMN "tx" "xid8";--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "tx" SET DEFAULT pg_current_xact_id();--> statement-breakpoint
CREATE INDEX "events_feed_idx" ON "events" USING btree ("merchant_id","tx") WHERE "events"."visibility" = 'merchant';
