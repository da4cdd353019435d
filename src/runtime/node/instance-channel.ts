import type { Logger } from '../../domain/logger.js';
import type { Database, Subscribe } from '../../store/database.js';
import { MAX_NOTIFY_BYTES, notify } from '../../store/notify.js';

export interface InstanceChannel<T> {
  /** Queues `item` for the next batch. */
  send(item: T): void;
  /** Sends what is queued now. */
  flush(): Promise<void>;
  /** Sends what is queued, then stops listening. */
  stop(): Promise<void>;
}

/** Beyond this many items waiting (the database is slow or away), new ones are dropped. */
const MAX_PENDING = 10_000;

/**
 * Items one instance tells every other instance on the same PostgreSQL, through NOTIFY: queued,
 * and sent every `batchMs` as few notifications as fit PostgreSQL's payload limit, each
 * `{"from": <instance id>, "items": [...]}`. An instance hears its own notifications too and
 * skips them by `from`. Delivery is at most once: a notification sent while an instance is not
 * listening (restarting, reconnecting) is lost to it, so what travels here must be state that
 * only costs accuracy or time when lost, never money (learner evidence, breaker verdicts, hints
 * that events were committed).
 *
 * `receive` gets another instance's items as parsed JSON, unchecked: it validates them itself.
 */
export async function instanceChannel<T>(deps: {
  channel: string;
  instanceId: string;
  db: Database;
  subscribe: Subscribe;
  logger: Logger;
  batchMs: number;
  encode(item: T): unknown;
  receive(items: readonly unknown[]): void;
  /**
   * Sends one batch of encoded items (JSON texts), as a notification in the format above; by
   * default a NOTIFY of them alone. One that also stores them sends the notification itself.
   */
  publish?(items: readonly string[]): Promise<void>;
  /** The bytes an encoded item may take in the notification (default: its own). */
  sizeOf?(item: string): number;
  /** An item already waiting for the batch is not queued again. */
  distinct?: boolean;
  /** Listening again after a lost connection: what was sent meanwhile was not heard. */
  relisten?(): void;
}): Promise<InstanceChannel<T>> {
  const prefix = `{"from":${JSON.stringify(deps.instanceId)},"items":[`;
  const suffix = ']}';
  let pending: string[] = [];
  // The pending items, when `distinct`.
  let queued = new Set<string>();
  let listening = false;
  let dropped = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let flushing: Promise<void> = Promise.resolve();

  const subscription = await deps.subscribe(deps.channel, {
    onNotify(payload) {
      let message: { from?: unknown; items?: unknown };
      try {
        message = JSON.parse(payload) as typeof message;
      } catch {
        deps.logger.warn('instances.notification_malformed', { channel: deps.channel });
        return;
      }
      if (message.from === deps.instanceId) return;
      if (!Array.isArray(message.items)) {
        deps.logger.warn('instances.notification_malformed', { channel: deps.channel });
        return;
      }
      deps.receive(message.items);
    },
    // The first call is the subscription itself; later ones follow a reconnection.
    onListen() {
      if (listening) deps.relisten?.();
      listening = true;
    },
  });

  const sizeOf = deps.sizeOf ?? ((item: string) => Buffer.byteLength(item));
  const publish = deps.publish ?? ((items: readonly string[]) => notify(deps.db, deps.channel, prefix + items.join(',') + suffix));

  /** The queued items in batches whose notification stays under the limit; an item too large on its own is dropped. */
  function batches(items: readonly string[]): string[][] {
    const overhead = Buffer.byteLength(prefix) + suffix.length;
    const out: string[][] = [];
    let batch: string[] = [];
    let bytes = overhead;
    for (const item of items) {
      // Its bytes and the comma before it.
      const size = sizeOf(item) + 1;
      if (overhead + size > MAX_NOTIFY_BYTES) {
        dropped++;
        continue;
      }
      if (bytes + size > MAX_NOTIFY_BYTES) {
        out.push(batch);
        batch = [];
        bytes = overhead;
      }
      batch.push(item);
      bytes += size;
    }
    if (batch.length > 0) out.push(batch);
    return out;
  }

  async function sendPending(): Promise<void> {
    const items = pending;
    pending = [];
    queued = new Set();
    for (const batch of batches(items)) {
      await publish(batch).catch((error: unknown) => {
        deps.logger.warn('instances.notify_failed', { channel: deps.channel, error: error instanceof Error ? error.message : String(error) });
      });
    }
    if (dropped > 0) {
      deps.logger.warn('instances.items_dropped', { channel: deps.channel, count: dropped });
      dropped = 0;
    }
  }

  function flush(): Promise<void> {
    timer = undefined;
    // One batch at a time, in order; items queued meanwhile wait for the next.
    flushing = flushing.then(sendPending);
    return flushing;
  }

  return {
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      return flush();
    },
    send(item) {
      if (pending.length >= MAX_PENDING) {
        dropped++;
        return;
      }
      const encoded = JSON.stringify(deps.encode(item));
      if (deps.distinct) {
        if (queued.has(encoded)) return;
        queued.add(encoded);
      }
      pending.push(encoded);
      if (timer === undefined) {
        timer = setTimeout(() => void flush(), deps.batchMs);
        timer.unref();
      }
    },
    async stop() {
      if (timer !== undefined) clearTimeout(timer);
      await flush();
      await subscription.unsubscribe();
    },
  };
}
