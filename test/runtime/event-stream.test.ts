import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, keyHint, SCOPES } from '../../src/domain/api-keys.js';
import { newId } from '../../src/domain/ids.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/runtime/node/sandbox.js';
import { createRepositories } from '../../src/store/index.js';
import { openPostgres } from '../../src/store/postgres.js';
import { captureLogger } from '../support/capture-logger.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../support/databases.js';
import { eventIdOf, readStream } from '../support/event-stream.js';
import { SECRETS_KEY } from '../support/harness.js';
import { fixedKey } from '../support/keys.js';

const CARD = { number: '4111111111111111', exp_month: 12, exp_year: 2030, cvc: '123' };

function sandboxOn(databaseUrl: string | undefined, overrides: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  return startSandbox({
    host: '127.0.0.1',
    port: 0,
    databaseUrl,
    sandboxKey: fixedKey('streamTests'),
    secretsKey: SECRETS_KEY,
    fingerprintSecret: 'fp',
    gatewayTimeoutMs: 10_000,
    routingRulesDir: 'routing-rules',
    routingSeed: 7,
    logger: captureLogger().logger,
    rateLimit: { perSecond: 1, burst: 1_000_000 },
    eventStream: { heartbeatMs: 50 },
    ...overrides,
  });
}

async function pay(sandbox: Sandbox, key: string, amount = 2500) {
  const res = await fetch(`${sandbox.url}/v1/payments`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ amount, currency: 'USD', payment_method: { type: 'card', card: CARD } }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; status: string };
}

function stream(sandbox: Sandbox, key: string | null, headers: Record<string, string> = {}) {
  return fetch(`${sandbox.url}/v1/events/stream`, { headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...headers } });
}

/** A second merchant with a sandbox Stripe account and a key with the given scopes. */
async function otherMerchant(sandbox: Sandbox, scopes: readonly string[] = SCOPES) {
  const merchants = sandbox.repositories.merchants;
  const merchantId = await merchants.create(`other ${Math.random()}`);
  await merchants.addGatewayAccount({ merchantId, provider: 'stripe', name: 'stripe', label: 'stripe', credentialsRef: 'sandbox:stripe', priority: 0 });
  const key = generateApiKey('test');
  await merchants.addApiKey({ merchantId, keyHash: await hashApiKey(key), hint: keyHint(key), label: 'stream', scopes: scopes as (typeof SCOPES)[number][] });
  return key;
}

describe.each(DRIVERS)('GET /v1/events/stream on %s', (driver) => {
  let database: TestDatabase | undefined;
  let sandbox: Sandbox;
  beforeAll(async () => {
    // PGlite is the sandbox's own, in memory.
    database = driver === 'postgres' ? await testDatabase(driver) : undefined;
    sandbox = await sandboxOn(database?.url);
  });
  afterAll(async () => {
    await sandbox?.close();
    await database?.close();
  });

  it("streams the merchant's events as they are committed, as GET /v1/events/{id} shows them, and no other merchant's", async () => {
    const otherKey = await otherMerchant(sandbox);
    const mine = await stream(sandbox, sandbox.apiKey);
    const theirs = await stream(sandbox, otherKey);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toContain('text/event-stream');
    const myEvents = readStream(mine);
    const theirEvents = readStream(theirs);

    const payment = await pay(sandbox, sandbox.apiKey);
    const message = (await myEvents.nextEvent())!;
    expect(message.event).toBe(`payment.${payment.status}`);
    const data = JSON.parse(message.data!);
    expect(data.data.object.id).toBe(payment.id);
    const stored = await (await fetch(`${sandbox.url}/v1/events/${eventIdOf(message)}`, { headers: { Authorization: `Bearer ${sandbox.apiKey}` } })).json();
    const { deliveries: _deliveries, ...event } = stored;
    expect(data).toEqual(event);

    // The other merchant's first event is its own payment's: the demo merchant's never reached it.
    const own = await pay(sandbox, otherKey);
    const first = JSON.parse((await theirEvents.nextEvent())!.data!);
    expect(first.data.object.id).toBe(own.id);
    await myEvents.close();
    await theirEvents.close();
  });

  it('replays the events after Last-Event-ID first, oldest first, then goes on live', async () => {
    const first = await pay(sandbox, sandbox.apiKey, 1000);
    const second = await pay(sandbox, sandbox.apiKey, 1001);
    const listed = await (await fetch(`${sandbox.url}/v1/events?limit=100`, { headers: { Authorization: `Bearer ${sandbox.apiKey}` } })).json();
    const ids = (listed.data as { id: string; data: { object: { id: string } } }[]).reverse();
    const before = ids.filter((e) => e.data.object.id === first.id).at(-1)!;
    const missed = ids.slice(ids.indexOf(before) + 1);
    expect(missed.some((e) => e.data.object.id === second.id)).toBe(true);

    const events = readStream(await stream(sandbox, sandbox.apiKey, { 'Last-Event-ID': before.id }));
    for (const expected of missed) expect((await events.nextEvent())!.id).toBe(expected.id);
    const third = await pay(sandbox, sandbox.apiKey, 1002);
    expect(JSON.parse((await events.nextEvent())!.data!).data.object.id).toBe(third.id);
    await events.close();
  });

  it('resumes from the cursor it sent as Last-Event-ID: the events committed since, once each, then live', async () => {
    const first = readStream(await stream(sandbox, sandbox.apiKey));
    await pay(sandbox, sandbox.apiKey, 1100);
    const cursor = (await first.nextEvent())!;
    await first.close();
    // The rest of the first payment's events, and the second's: in this one process, id order is commit order.
    await pay(sandbox, sandbox.apiKey, 1101);
    const listed = await (await fetch(`${sandbox.url}/v1/events?limit=100`, { headers: { Authorization: `Bearer ${sandbox.apiKey}` } })).json();
    const ids = (listed.data as { id: string }[]).map((e) => e.id).reverse();
    const expected = ids.slice(ids.indexOf(eventIdOf(cursor)!) + 1);
    expect(expected.length).toBeGreaterThan(0);

    const events = readStream(await stream(sandbox, sandbox.apiKey, { 'Last-Event-ID': cursor.id! }));
    for (const id of expected) expect(eventIdOf(await events.nextEvent())).toBe(id);
    const third = await pay(sandbox, sandbox.apiKey, 1102);
    expect(JSON.parse((await events.nextEvent())!.data!).data.object.id).toBe(third.id);
    await events.close();
  });

  it('sends a ping comment while nothing happens', async () => {
    const events = readStream(await stream(sandbox, sandbox.apiKey));
    expect(await events.next()).toEqual({ comment: 'ping' });
    await events.close();
  });

  it.each([
    ['not an event id', 'pay_01JD0000000000000000000000'],
    ['oversized', `evt_${'A'.repeat(5000)}`],
    ['hostile', "evt_1' OR '1'='1"],
    ['empty', ''],
    ['a cursor with a malformed snapshot', 'evt_01JD0000000000000000000000/1:2:3/4:x:'],
    ['a cursor with one snapshot', 'evt_01JD0000000000000000000000/1:2:'],
    ['an oversized cursor', `evt_01JD0000000000000000000000/1:9:${'5,'.repeat(5000)}5/9:9:`],
  ])('refuses a Last-Event-ID that is %s with a problem naming it, and streams nothing', async (_name, value) => {
    const res = await stream(sandbox, sandbox.apiKey, { 'Last-Event-ID': value });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'invalid_last_event_id', param: 'Last-Event-ID' });
  });

  it('needs a key with events:read', async () => {
    const missing = await stream(sandbox, null);
    expect(missing.status).toBe(401);
    const unscoped = await stream(sandbox, await otherMerchant(sandbox, ['payments:read']));
    expect(unscoped.status).toBe(403);
    expect(await unscoped.json()).toMatchObject({ code: 'insufficient_scope', required_scope: 'events:read' });
  });
});

describe('GET /v1/events/stream across instances', () => {
  let database: TestDatabase;
  let a: Sandbox;
  let b: Sandbox;
  beforeAll(async () => {
    database = await testDatabase('postgres');
    // No periodic catch-up within the test: what b streams, a's hint told it to read.
    const hintsOnly = { eventStream: { heartbeatMs: 50, catchUpMs: 3_600_000 } };
    a = await sandboxOn(database.url, hintsOnly);
    b = await sandboxOn(database.url, hintsOnly);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await database?.close();
  });

  it('streams from one instance the events another instance commits', async () => {
    const events = readStream(await stream(b, b.apiKey));
    const payment = await pay(a, a.apiKey);
    expect(JSON.parse((await events.nextEvent())!.data!).data.object.id).toBe(payment.id);
    await events.close();
  });

  it('streams events whose writer sent no hint (it crashed after its commit) at the next catch-up', async () => {
    const c = await sandboxOn(database.url, { eventStream: { heartbeatMs: 50, catchUpMs: 100 } });
    try {
      const events = readStream(await stream(c, c.apiKey));
      // Repositories without the hook: the events are committed and no instance is told.
      const silent = createRepositories(database.db);
      const id = newId('evt');
      await silent.events.record([{ id, merchantId: c.merchantId, type: 'payment.succeeded', visibility: 'merchant', paymentId: null, data: { id: 'pay_unhinted' } }]);
      const message = (await events.nextEvent())!;
      expect(eventIdOf(message)).toBe(id);
      expect(JSON.parse(message.data!).data.object).toEqual({ id: 'pay_unhinted' });
      await events.close();
    } finally {
      await c.close();
    }
  });
});

describe('GET /v1/events/stream: Last-Event-ID resumes exactly (PostgreSQL)', () => {
  let database: TestDatabase;
  let sandbox: Sandbox;
  let writer: ReturnType<typeof openPostgres>;
  beforeAll(async () => {
    database = await testDatabase('postgres');
    sandbox = await sandboxOn(database.url, { eventStream: { heartbeatMs: 50, catchUpMs: 100 } });
    // Another instance's connections, for the transaction that commits late.
    writer = openPostgres(database.url!, { max: 2 });
  });
  afterAll(async () => {
    await writer?.close();
    await sandbox?.close();
    await database?.close();
  });

  const event = (id: string) => ({ id, merchantId: sandbox.merchantId, type: 'payment.succeeded', visibility: 'merchant' as const, paymentId: null, data: { id: `pay_${id}` } });

  it('replays an event whose id was drawn before the last one delivered but committed after it, and nothing twice', async () => {
    const repositories = createRepositories(writer.db);
    const first = readStream(await stream(sandbox, sandbox.apiKey));
    // A is written in a transaction that stays open; B, drawn after it, commits and is delivered first.
    const a = newId('evt');
    let commitA = () => {};
    const held = new Promise<void>((resolve) => (commitA = resolve));
    let written = () => {};
    const wroteA = new Promise<void>((resolve) => (written = resolve));
    const late = writer.db.transaction(async (tx) => {
      await createRepositories(tx).events.record([event(a)]);
      written();
      await held;
    });
    await wroteA;
    const b = newId('evt');
    expect(a < b).toBe(true);
    await repositories.events.record([event(b)]);
    const delivered = (await first.nextEvent())!;
    expect(eventIdOf(delivered)).toBe(b);
    await first.close();
    commitA();
    await late;

    const resumed = readStream(await stream(sandbox, sandbox.apiKey, { 'Last-Event-ID': delivered.id! }));
    // Then C, live: B not again. The cursors sent here resume exactly too.
    const c = newId('evt');
    await repositories.events.record([event(c)]);
    const replayed = (await resumed.nextEvent())!;
    expect(eventIdOf(replayed)).toBe(a);
    expect(JSON.parse(replayed.data!).data.object).toEqual({ id: `pay_${a}` });
    const live = (await resumed.nextEvent())!;
    expect(eventIdOf(live)).toBe(c);
    await resumed.close();

    const d = newId('evt');
    await repositories.events.record([event(d)]);
    const resume = async (from: string, expected: string[]) => {
      const again = readStream(await stream(sandbox, sandbox.apiKey, { 'Last-Event-ID': from }));
      for (const id of expected) expect(eventIdOf(await again.nextEvent())).toBe(id);
      await again.close();
    };
    await resume(replayed.id!, [c, d]);
    await resume(live.id!, [d]);
    const e = newId('evt');
    await repositories.events.record([event(e)]);
    await resume(live.id!, [d, e]);
  });
});
