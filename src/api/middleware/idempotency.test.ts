import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { createRepositories, type Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { idempotency } from './idempotency.js';
import { Problem } from '../../domain/problem.js';
import { idempotencyHash } from '../hash.js';
import { problemResponse } from '../problem-response.js';
import { manualClock } from '../../../test/support/clock.js';

/** What the middleware keeps and what it releases, with a handler whose answers the test picks. */
describe('idempotency middleware', () => {
  let database: TestDatabase;
  let repositories: Repositories;
  let merchantId: string;
  let runs: number;
  let answer: (key: string | undefined) => Response | Promise<Response>;
  const clock = manualClock();

  const app = new Hono<AppEnv>();
  beforeAll(async () => {
    database = await testDatabase('pglite');
    repositories = createRepositories(database.db);
    app.use(async (c, next) => {
      c.set('merchantId', merchantId);
      await next();
    });
    app.use(
      idempotency(repositories, {
        ttlSeconds: 86_400,
        leaseMs: 30_000,
        clock,
        secret: 'test-secret',
        render: async (_merchant, resource) => ({ status: 201, body: { id: resource.id, recovered: true } }),
      }),
    );
    app.post('/thing', (c) => {
      runs++;
      return answer(c.get('idempotencyKey'));
    });
    app.onError((error, c) =>
      error instanceof Problem ? problemResponse(c, error) : c.json({ code: 'internal_error' }, 500),
    );
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.truncate();
    merchantId = await repositories.merchants.create('m');
    runs = 0;
  });

  /** The hash the middleware keeps for `post()`'s request. */
  const requestHash = () => idempotencyHash('test-secret', merchantId, 'POST', '/thing', '{}');
  const post = () => app.request('/thing', { method: 'POST', body: '{}', headers: { 'Idempotency-Key': 'k1', 'Content-Type': 'application/json' } });

  it('keeps an unexpected failure, which may have followed a charge, instead of running again', async () => {
    answer = () => {
      throw new Error('database went away after the gateway charged');
    };
    expect((await post()).status).toBe(500);
    const replay = await post();
    expect(replay.status).toBe(500);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(runs).toBe(1);
  });

  it('releases a conflict and a gateway failure that changed nothing', async () => {
    answer = () => {
      throw new Problem({ status: 502, code: 'gateway_unavailable', title: 'Gateway error', detail: 'down' });
    };
    expect((await post()).status).toBe(502);
    answer = () => new Response('{"ok":true}', { status: 201, headers: { 'Content-Type': 'application/json' } });
    expect((await post()).status).toBe(201);
    expect(runs).toBe(2);
  });

  it('answers 409 only for the lease of a running request, with Retry-After from it', async () => {
    let finish!: () => void;
    answer = () => new Promise<Response>((resolve) => (finish = () => resolve(new Response('{"ok":true}', { status: 201 }))));
    const first = post();
    await expect.poll(() => runs).toBe(1);
    clock.advance(12_000);
    const waiting = await post();
    expect(waiting.status).toBe(409);
    expect(waiting.headers.get('retry-after')).toBe('18');
    finish();
    expect((await first).status).toBe(201);
  });

  it('after a crash, answers what the request created as it now stands, and never runs it again', async () => {
    // The first request linked its payment, then its process died: no answer was stored and the lease is not renewed.
    await repositories.idempotency.claim(merchantId, 'k1', await requestHash(), { now: clock.now(), leaseUntil: new Date(clock.now().getTime() + 30_000), expiresAt: new Date(clock.now().getTime() + 86_400_000) });
    await repositories.idempotency.link(merchantId, 'k1', { type: 'payment.create', id: 'pay_crashed' });
    expect((await post()).status).toBe(409);
    clock.advance(30_001);
    const recovered = await post();
    expect(recovered.status).toBe(201);
    expect(await recovered.json()).toEqual({ id: 'pay_crashed', recovered: true });
    expect(runs).toBe(0);
    // From then on the key answers that, like any completed key.
    expect((await post()).headers.get('idempotent-replayed')).toBe('true');
  });

  it('after a crash before anything was created, runs the request afresh', async () => {
    await repositories.idempotency.claim(merchantId, 'k1', await requestHash(), { now: clock.now(), leaseUntil: new Date(clock.now().getTime() + 30_000), expiresAt: new Date(clock.now().getTime() + 86_400_000) });
    clock.advance(30_001);
    answer = (key) => new Response(JSON.stringify({ key }), { status: 201 });
    const fresh = await post();
    expect(fresh.status).toBe(201);
    expect(await fresh.json()).toEqual({ key: 'k1' });
    expect(runs).toBe(1);
  });

  it('passes requests without a key straight through', async () => {
    answer = () => new Response('{}', { status: 201 });
    await app.request('/thing', { method: 'POST', body: '{}' });
    await app.request('/thing', { method: 'POST', body: '{}' });
    expect(runs).toBe(2);
  });
});
