import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../domain/ids.js';
import { manualClock } from '../../test/support/clock.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../../test/support/databases.js';
import { until } from '../../test/support/until.js';
import { eventFeed, type EventFeed } from './event-feed.js';
import type { EventRow, NewEvent } from './events.js';
import { createRepositories, type Repositories } from './index.js';

const CATCH_UP_MS = 1_000;

function event(merchantId: string, type = 'payment.succeeded', visibility: 'merchant' | 'internal' = 'merchant'): NewEvent {
  return { id: newId('evt'), merchantId, type, visibility, paymentId: null, data: {} };
}

/** What a listener of `merchantId` is handed, in order. */
async function listen(feed: EventFeed, merchantId: string) {
  const got: EventRow[] = [];
  const stop = await feed.subscribe(merchantId, { event: (row) => got.push(row), end() {} });
  return { got, ids: () => got.map((row) => row.id), stop };
}

/** Resolves once every read asked for so far has run (a subscription waits for them, then reads). */
async function settled(feed: EventFeed): Promise<void> {
  (await feed.subscribe('merchant-nobody-pays', { event() {}, end() {} }))();
}

describe.each(DRIVERS)('the live event feed on %s', (driver) => {
  let database: TestDatabase;
  let repositories: Repositories;
  let committed: string[][];
  let feed: EventFeed;
  const clock = manualClock();
  let merchant: string;
  let other: string;

  beforeAll(async () => {
    database = await testDatabase(driver);
    repositories = createRepositories(database.db, { eventsCommitted: (ids) => committed.push([...ids]) });
  });
  afterAll(async () => {
    await database?.close();
  });
  afterEach(async () => {
    await feed?.stop();
  });

  async function start() {
    committed = [];
    merchant = await repositories.merchants.create(`feed ${Math.random()}`);
    other = await repositories.merchants.create(`other ${Math.random()}`);
    feed = await eventFeed({ events: repositories.events, timers: clock, catchUpMs: CATCH_UP_MS, onError: (error) => expect.fail(String(error)) });
  }

  it('finds events committed with no hint at its periodic catch-up, each once, in id order, and only its merchant’s', async () => {
    await start();
    const listener = await listen(feed, merchant);
    const rows = [event(merchant), event(merchant), event(other), event(merchant, 'reconciler.retried', 'internal')];
    await repositories.events.record(rows);
    clock.advance(CATCH_UP_MS);
    await until(() => listener.got.length >= 2);
    clock.advance(CATCH_UP_MS);
    await settled(feed);
    expect(listener.ids()).toEqual([rows[0]!.id, rows[1]!.id]);
  });

  it('reads on a hint naming its merchant, and not before one or the catch-up', async () => {
    await start();
    const listener = await listen(feed, merchant);
    const row = event(merchant);
    await repositories.events.record([row]);
    feed.hint([other]);
    await settled(feed);
    // The subscription above read the table too, and handed the event to the listener already there.
    expect(listener.ids()).toEqual([row.id]);
    const next = event(merchant);
    await repositories.events.record([next]);
    feed.hint([other]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listener.ids()).toEqual([row.id]);
    feed.hint([merchant]);
    await until(() => listener.got.length === 2);
    expect(listener.ids()).toEqual([row.id, next.id]);
  });

  it('hands a new listener only what is committed after it subscribed', async () => {
    await start();
    const before = event(merchant);
    await repositories.events.record([before]);
    const listener = await listen(feed, merchant);
    const after = event(merchant);
    await repositories.events.record([after]);
    feed.hint([merchant]);
    await until(() => listener.got.length >= 1);
    await settled(feed);
    expect(listener.ids()).toEqual([after.id]);
  });

  it('catches up after a reconnection, and tells nothing to a listener that stopped', async () => {
    await start();
    const kept = await listen(feed, merchant);
    const dropped = await listen(feed, merchant);
    dropped.stop();
    const row = event(merchant);
    await repositories.events.record([row]);
    feed.catchUp();
    await until(() => kept.got.length === 1);
    expect(kept.ids()).toEqual([row.id]);
    expect(dropped.got).toEqual([]);
  });

  it('finds at the next read what a failed read missed, and reports the failure', async () => {
    await start();
    await feed.stop();
    const errors: unknown[] = [];
    let failing = false;
    feed = await eventFeed({
      events: {
        snapshot: () => repositories.events.snapshot(),
        committedSince: (since, merchants) => (failing ? Promise.reject(new Error('connection lost')) : repositories.events.committedSince(since, merchants)),
      },
      timers: clock,
      catchUpMs: CATCH_UP_MS,
      onError: (error) => errors.push(error),
    });
    const listener = await listen(feed, merchant);
    const row = event(merchant);
    await repositories.events.record([row]);
    failing = true;
    feed.hint([merchant]);
    await until(() => errors.length === 1);
    expect(listener.got).toEqual([]);
    failing = false;
    clock.advance(CATCH_UP_MS);
    await until(() => listener.got.length === 1);
    await settled(feed);
    expect(listener.ids()).toEqual([row.id]);
  });

  it('tells the store hook the merchants whose events committed, after the commit, and nothing for a rollback', async () => {
    await start();
    await repositories.transaction(async (tx) => {
      await tx.events.record([event(merchant), event(other), event(merchant)]);
      await tx.transaction((inner) => inner.events.record([event(other)]));
      expect(committed).toEqual([]);
    });
    expect(committed).toEqual([[merchant, other]]);
    await expect(
      repositories.transaction(async (tx) => {
        await tx.events.record([event(merchant)]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await repositories.events.record([event(merchant, 'reconciler.retried', 'internal')]);
    expect(committed).toEqual([[merchant, other]]);
    await repositories.events.record([event(other)]);
    expect(committed).toEqual([[merchant, other], [other]]);
  });
});

describe('the live event feed on postgres, with transactions committing out of id order', () => {
  let database: TestDatabase;
  let repositories: Repositories;
  let feed: EventFeed;
  beforeAll(async () => {
    database = await testDatabase('postgres');
    repositories = createRepositories(database.db);
    feed = await eventFeed({ events: repositories.events, timers: manualClock(), catchUpMs: CATCH_UP_MS, onError: (error) => expect.fail(String(error)) });
  });
  afterAll(async () => {
    await feed?.stop();
    await database?.close();
  });

  it('hands out an event whose id was drawn first but which committed after a later one was handed out, once', async () => {
    const merchant = await repositories.merchants.create('late committer');
    const listener = await listen(feed, merchant);
    const early = event(merchant);
    const later = event(merchant);
    expect(early.id < later.id).toBe(true);

    let commit!: () => void;
    const held = new Promise<void>((resolve) => (commit = resolve));
    let inserted!: () => void;
    const insertedEarly = new Promise<void>((resolve) => (inserted = resolve));
    const slow = repositories.transaction(async (tx) => {
      await tx.events.record([early]);
      inserted();
      await held;
    });
    await insertedEarly;
    await repositories.events.record([later]);
    feed.hint([merchant]);
    await until(() => listener.got.length === 1);
    expect(listener.ids()).toEqual([later.id]);

    commit();
    await slow;
    feed.hint([merchant]);
    await until(() => listener.got.length === 2);
    feed.catchUp();
    await settled(feed);
    expect(listener.ids()).toEqual([later.id, early.id]);
  });
});
