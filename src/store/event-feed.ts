import type { TimerClock } from '../domain/clock.js';
import type { CommitSnapshot, EventRow, eventRepository } from './events.js';

/**
 * Where an instance hints, after committing merchant events, which merchants they belong to
 * (runtime/node/event-hints.ts). A hint carries no event: the events table is the truth.
 */
export const EVENTS_CHANNEL = 'switchyard_events';

export interface FeedListener {
  /**
   * One of the merchant's events, committed by any instance, and the read that found it: what
   * `from` had not seen committed and `to` has (a stream's cursor, store/events.ts StreamCursor).
   */
  event(event: EventRow, read: { from: CommitSnapshot; to: CommitSnapshot }): void;
  /** The feed stops (the server is closing): no more events will come. */
  end(): void;
}

export interface EventFeed {
  /**
   * Hands `listener` each of the merchant's events committed after the subscription, once each;
   * answers (once listening) a function that stops it.
   */
  subscribe(merchantId: string, listener: FeedListener): Promise<() => void>;
  /** Events of these merchants were committed, here or by another instance: read them soon. */
  hint(merchantIds: readonly string[]): void;
  /** Hints may have been missed (the hint channel reconnected): read whatever is new. */
  catchUp(): void;
  stop(): Promise<void>;
}

/**
 * Every merchant event of every instance, read from the events table for the merchants someone
 * here listens to, when a hint says there is something new and every `catchUpMs` while anyone
 * listens (a hint is lost when its sender crashes between its commit and the hint, or while this
 * instance reconnects).
 *
 * The cursor is a PostgreSQL snapshot, not an event id. Ids are drawn before their transaction
 * commits, so a transaction that commits late (or on an instance whose clock is behind) would put
 * an id below one already delivered, and `id > cursor` would skip it; a trailing window would only
 * make that rarer. Each event records the transaction that wrote it (`tx`), and each read answers
 * the events whose transaction the previous read's snapshot did not see committed and its own does
 * (store/events.ts, committedSince): every committed event is seen by exactly one read. Across
 * reads, events come in commit order; within one read (a few milliseconds of commits), by id.
 * One read holds what was committed since the last for these merchants: a hint and the periodic
 * catch-up keep that to about a second's worth, unless reads keep failing.
 */
export async function eventFeed(deps: {
  events: Pick<ReturnType<typeof eventRepository>, 'snapshot' | 'committedSince'>;
  timers: TimerClock;
  catchUpMs: number;
  onError: (error: unknown) => void;
}): Promise<EventFeed> {
  const listeners = new Map<string, Set<FeedListener>>();
  let since = await deps.events.snapshot();
  // Reads and subscriptions, one at a time, in order.
  let chain: Promise<unknown> = Promise.resolve();
  let readQueued = false;
  let stopped = false;

  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = chain.then(task);
    chain = run.catch(() => {});
    return run;
  }

  async function read(): Promise<void> {
    const merchants = [...listeners.keys()];
    try {
      if (merchants.length === 0) {
        // No one to hand anything to: only the cursor moves, so a first listener starts from now.
        since = await deps.events.snapshot();
        return;
      }
      const found = await deps.events.committedSince(since, merchants);
      const read = { from: since, to: found.snapshot };
      since = found.snapshot;
      for (const row of found.events) for (const listener of [...(listeners.get(row.merchantId) ?? [])]) listener.event(row, read);
    } catch (error) {
      // The cursor stays: the next read finds these events.
      deps.onError(error);
    }
  }

  function scheduleRead(): void {
    if (readQueued || stopped) return;
    readQueued = true;
    void enqueue(() => {
      readQueued = false;
      return read();
    });
  }

  const tick = () => {
    if (stopped) return;
    if (listeners.size > 0) scheduleRead();
    cancelTick = deps.timers.after(deps.catchUpMs, tick);
  };
  let cancelTick = deps.timers.after(deps.catchUpMs, tick);

  return {
    subscribe(merchantId, listener) {
      // A read first: what was committed before it goes to the listeners already there, and the new one starts after it.
      return enqueue(async () => {
        if (stopped) {
          listener.end();
          return () => {};
        }
        await read();
        let set = listeners.get(merchantId);
        if (!set) listeners.set(merchantId, (set = new Set()));
        set.add(listener);
        return () => {
          set.delete(listener);
          if (set.size === 0 && listeners.get(merchantId) === set) listeners.delete(merchantId);
        };
      });
    },
    hint(merchantIds) {
      if (merchantIds.some((id) => listeners.has(id))) scheduleRead();
    },
    catchUp() {
      if (listeners.size > 0) scheduleRead();
    },
    async stop() {
      stopped = true;
      cancelTick();
      for (const set of listeners.values()) for (const listener of set) listener.end();
      listeners.clear();
      await chain;
    },
  };
}
