import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, keyHint, SCOPES } from '../../src/domain/api-keys.js';
import { newId } from '../../src/domain/ids.js';
import worker, { type WorkerEnv } from '../../src/runtime/worker/index.js';
import { createRepositories, type Repositories } from '../../src/store/index.js';
import { rowsOf } from '../../src/store/rows.js';
import { testDatabase, type TestDatabase } from '../support/databases.js';
import { eventIdOf, readStream } from '../support/event-stream.js';
import { SECRETS_KEY } from '../support/harness.js';

/** The name the Worker's connections carry here, so the test can tell whether one is still open. */
const WORKER_APP = 'switchyard_worker_test';

/** Invocations of the Worker as Cloudflare makes them: what each hands waitUntil is kept. */
function invoker(env: WorkerEnv) {
  const pending: Promise<unknown>[] = [];
  return {
    fetch: (path: string, init: RequestInit = {}) => worker.fetch(new Request(`https://switchyard.example${path}`, init), env, { waitUntil: (p) => pending.push(p) }),
    /** Everything the invocations handed to waitUntil, settled. */
    settled: () => Promise.allSettled(pending),
  };
}

describe('the Cloudflare Worker on PostgreSQL', () => {
  let database: TestDatabase;
  let repositories: Repositories;
  let env: WorkerEnv;
  let merchantId: string;
  let key: string;

  beforeAll(async () => {
    database = await testDatabase('postgres');
    repositories = createRepositories(database.db);
    const url = new URL(database.url!);
    url.searchParams.set('application_name', WORKER_APP);
    env = { DATABASE_URL: url.toString(), FINGERPRINT_SECRET: 'fp', SECRETS_KEY, STRIPE_SECRET_KEY: 'sk_test_worker', STRIPE_WEBHOOK_SECRET: 'whsec_worker' };
    merchantId = await repositories.merchants.create('worker merchant');
    key = generateApiKey('test');
    await repositories.merchants.addApiKey({ merchantId, keyHash: await hashApiKey(key), hint: keyHint(key), label: 'worker', scopes: [...SCOPES] });
  });
  afterAll(async () => {
    await database?.close();
  });

  async function record(type = 'payment.succeeded'): Promise<string> {
    const id = newId('evt');
    await repositories.events.record([{ id, merchantId, type, visibility: 'merchant', paymentId: null, data: { id: `pay_${id}` } }]);
    return id;
  }

  async function workerConnections(): Promise<number> {
    const [row] = rowsOf(await database.db.execute(sql`select count(*)::int as n from pg_stat_activity where application_name = ${WORKER_APP}`));
    return row!.n as number;
  }

  const stream = (worker: ReturnType<typeof invoker>, headers: Record<string, string> = {}) =>
    worker.fetch('/v1/events/stream', { headers: { Authorization: `Bearer ${key}`, ...headers } });

  it('streams events committed elsewhere once each, in order, and closes its connection when the client goes', async () => {
    const w = invoker(env);
    const res = await stream(w);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = readStream(res);
    const written = [await record(), await record('payment.refunded'), await record()];
    for (const id of written) expect(eventIdOf(await events.nextEvent())).toBe(id);
    // Nothing came twice: the next message is the next event.
    const last = await record();
    const message = (await events.nextEvent())!;
    expect(eventIdOf(message)).toBe(last);
    expect(JSON.parse(message.data!)).toMatchObject({ id: last, object: 'event', data: { object: { id: `pay_${last}` } } });
    expect(await workerConnections()).toBe(1);

    await events.close();
    await w.settled();
    expect(await workerConnections()).toBe(0);
  });

  it('closes the connection of a request that is not a stream, and of a stream it refuses, at once', async () => {
    const w = invoker(env);
    expect((await w.fetch('/v1/events', { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
    expect((await stream(w, { 'Last-Event-ID': 'pay_1' })).status).toBe(400);
    expect((await w.fetch('/v1/events/stream')).status).toBe(401);
    await w.settled();
    expect(await workerConnections()).toBe(0);
  });

  it('replays the events after a plain event id as Last-Event-ID, then goes on live', async () => {
    const before = await record();
    const missed = [await record(), await record()];
    const w = invoker(env);
    const events = readStream(await stream(w, { 'Last-Event-ID': before }));
    for (const id of missed) expect(eventIdOf(await events.nextEvent())).toBe(id);
    const live = await record();
    expect(eventIdOf(await events.nextEvent())).toBe(live);
    await events.close();
    await w.settled();
    expect(await workerConnections()).toBe(0);
  });

  it('resumes from the cursor a stream sent: what was committed since, once each, then live', async () => {
    const w = invoker(env);
    const first = readStream(await stream(w));
    const seen = await record();
    const cursor = (await first.nextEvent())!;
    expect(eventIdOf(cursor)).toBe(seen);
    await first.close();
    const missed = [await record(), await record()];

    const resumed = readStream(await stream(w, { 'Last-Event-ID': cursor.id! }));
    const live = await record();
    for (const id of [...missed, live]) expect(eventIdOf(await resumed.nextEvent())).toBe(id);
    await resumed.close();
    await w.settled();
    expect(await workerConnections()).toBe(0);
  });

  it("prices gateways with the bundled fee schedules: a cost rule over a priced account is stored, one over an unpriced account is refused", async () => {
    for (const name of ['stripe', 'unpriced']) {
      await repositories.merchants.addGatewayAccount({ merchantId, provider: 'stripe', name, label: name, credentialsRef: 'env:STRIPE', priority: 0 });
    }
    const store = (among: string) =>
      invoker(env).fetch('/v1/routing/rules', {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ source: `rules:\n  - id: cheapest\n    when: { currency: USD }\n    then: { optimize: { objective: cost, among: [${among}] } }\ndefault: { route: [stripe] }\n` }),
      });
    const stored = await store('stripe');
    expect(stored.status, await stored.clone().text()).toBe(201);
    const refused = await store('unpriced');
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toContain("'unpriced' has no fee schedule");
  });
});
