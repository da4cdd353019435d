import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../test/support/capture-logger.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { until } from '../../../test/support/until.js';
import type { Database, NotificationHandler, Subscribe } from '../../store/database.js';
import { MAX_NOTIFY_BYTES, notify } from '../../store/notify.js';
import { openPglite } from '../../store/pglite.js';
import { openPostgres } from '../../store/postgres.js';
import { instanceChannel } from './instance-channel.js';

const CHANNEL = 'switchyard_channel_test';

describe.each(DRIVERS)('an instance channel on %s', (driver) => {
  let database: TestDatabase | undefined;
  let db: Database;
  let subscribe: Subscribe;
  let close: () => Promise<void>;

  beforeAll(async () => {
    if (driver === 'postgres') {
      database = await testDatabase(driver);
      db = database.db;
      // The listener on a client of its own, as another instance's would be.
      const store = openPostgres(database.url!, { max: 2 });
      subscribe = store.subscribe;
      close = store.close;
    } else {
      // PGlite is in process: one client both notifies and listens. It starts here, not in the first test.
      const store = openPglite();
      await store.client.waitReady;
      db = store.db;
      subscribe = store.subscribe;
      close = store.close;
    }
  });
  afterAll(async () => {
    await close?.();
    await database?.close();
  });

  it("delivers every item to the other instances, in payloads PostgreSQL accepts, and never to the sender's own", async () => {
    const { logger, lines } = captureLogger();
    const heard: Record<string, unknown[]> = { a: [], b: [] };
    const payloads: string[] = [];
    const raw = await subscribe(CHANNEL, { onNotify: (payload) => payloads.push(payload), onListen: () => {} });
    const open = (name: 'a' | 'b') =>
      instanceChannel<{ n: number; text: string }>({
        channel: CHANNEL,
        instanceId: `instance-${name}`,
        db,
        subscribe,
        logger,
        batchMs: 20,
        encode: (item) => item,
        receive: (items) => heard[name]!.push(...items),
      });
    const a = await open('a');
    const b = await open('b');
    try {
      const items = Array.from({ length: 300 }, (_, n) => ({ n, text: 'x'.repeat(100 + (n % 50)) }));
      for (const item of items) a.send(item);
      // One item too large for any notification is dropped, and said so; the rest still go.
      a.send({ n: -1, text: 'y'.repeat(MAX_NOTIFY_BYTES) });
      // The warning is logged once the last batch is sent, which may be after its delivery.
      await until(() => heard.b!.length >= items.length && lines.some((line) => line.includes('instances.items_dropped')));
      expect(heard.b).toEqual(items);
      expect(heard.a).toEqual([]);
      expect(payloads.length).toBeGreaterThan(1);
      for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_NOTIFY_BYTES);
    } finally {
      await a.stop();
      await b.stop();
      await raw.unsubscribe();
    }
  });

  it('ignores payloads that are not a batch, and stop sends what is still queued', async () => {
    const { logger, lines } = captureLogger();
    const heard: unknown[] = [];
    const b = await instanceChannel<number>({ channel: CHANNEL, instanceId: 'b', db, subscribe, logger, batchMs: 20, encode: (n) => n, receive: (items) => heard.push(...items) });
    const a = await instanceChannel<number>({ channel: CHANNEL, instanceId: 'a', db, subscribe, logger: captureLogger().logger, batchMs: 60_000, encode: (n) => n, receive: () => {} });
    try {
      await notify(db, CHANNEL, 'not json');
      await notify(db, CHANNEL, '{"from":"c","items":"nope"}');
      a.send(7);
      await a.stop();
      await until(() => heard.length === 1);
      expect(heard).toEqual([7]);
      expect(lines.filter((line) => line.includes('instances.notification_malformed'))).toHaveLength(2);
    } finally {
      await b.stop();
    }
  });
});

describe('an instance channel, its options', () => {
  it('sends an item once per batch when distinct, and says when it listens again after a lost connection', async () => {
    let handler!: NotificationHandler;
    // A connection this test drops by hand: each listen calls onListen, as postgres.js does.
    const subscribe: Subscribe = async (_channel, h) => {
      handler = h;
      h.onListen();
      return { unsubscribe: async () => {} };
    };
    const batches: string[][] = [];
    let relistened = 0;
    const channel = await instanceChannel<string>({
      channel: CHANNEL,
      instanceId: 'a',
      // Never used: `publish` takes the batches.
      db: {} as Database,
      subscribe,
      logger: captureLogger().logger,
      batchMs: 60_000,
      distinct: true,
      encode: (item) => item,
      receive: () => {},
      publish: async (items) => void batches.push([...items]),
      relisten: () => relistened++,
    });
    for (const item of ['m1', 'm2', 'm1', 'm2', 'm3']) channel.send(item);
    await channel.flush();
    channel.send('m1');
    await channel.flush();
    expect(batches).toEqual([['"m1"', '"m2"', '"m3"'], ['"m1"']]);
    expect(relistened).toBe(0);
    handler.onListen();
    expect(relistened).toBe(1);
    await channel.stop();
  });
});
