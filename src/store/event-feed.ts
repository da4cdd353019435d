import type { Subscribe } from './database.js';
import type { EventRow } from './events.js';

/** Where the events table announces each committed merchant event (migration 0011): `<merchant id> <event id>`. */
export const EVENTS_CHANNEL = 'switchyard_events';

export interface FeedListener {
  /** One of the merchant's events, committed by any instance. */
  event(event: EventRow): void;
  /** The feed stopped listening for a while (a lost connection): events of that time were not heard. */
  gap(): void;
  /** The feed stops (the server is closing): no more events will come. */
  end(): void;
}

export interface EventFeed {
  /** Hands `listener` each of the merchant's events committed from now on; answers a function that stops it. */
  subscribe(merchantId: string, listener: FeedListener): () => void;
  stop(): Promise<void>;
}

/** Ids fetched per query when many events arrive at once. */
const FETCH_CHUNK = 500;

/**
 * Every merchant event of every instance, as PostgreSQL (or PGlite, in process) announces it on
 * commit. Only events of merchants someone here listens to are read, a batch of ids per query.
 */
export async function eventFeed(deps: {
  subscribe: Subscribe;
  events: { byIds(ids: readonly string[]): Promise<EventRow[]> };
  onError: (error: unknown) => void;
}): Promise<EventFeed> {
  const listeners = new Map<string, Set<FeedListener>>();
  let pending: string[] = [];
  let reading: Promise<void> | null = null;
  let listening = false;

  async function read(): Promise<void> {
    while (pending.length > 0) {
      const ids = pending.splice(0, FETCH_CHUNK);
      const rows = await deps.events.byIds(ids).catch((error: unknown) => {
        deps.onError(error);
        return [];
      });
      // In the order they were announced, which is the order they were committed.
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const id of ids) {
        const row = byId.get(id);
        if (!row) continue;
        for (const listener of listeners.get(row.merchantId) ?? []) listener.event(row);
      }
    }
    reading = null;
  }

  const subscription = await deps.subscribe(EVENTS_CHANNEL, {
    onNotify(payload) {
      const [merchantId, eventId] = payload.split(' ');
      if (!merchantId || !eventId || !listeners.has(merchantId)) return;
      pending.push(eventId);
      reading ??= Promise.resolve().then(read);
    },
    onListen() {
      // The first call is the subscription itself; later ones follow a reconnection.
      if (listening) for (const set of listeners.values()) for (const listener of set) listener.gap();
      listening = true;
    },
  });

  return {
    subscribe(merchantId, listener) {
      let set = listeners.get(merchantId);
      if (!set) listeners.set(merchantId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(merchantId) === set) listeners.delete(merchantId);
      };
    },
    async stop() {
      for (const set of listeners.values()) for (const listener of set) listener.end();
      listeners.clear();
      pending = [];
      await reading;
      await subscription.unsubscribe();
    },
  };
}
