import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { createRepositories, type Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { idempotency } from './idempotency.js';
import { Problem } from '../../domain/problem.js';
import { problemResponse } from '../problem-response.js';

/** What the middleware keeps and what it releases, with a handler whose answers the test picks. */
describe('idempotency middleware', () => {
  let database: TestDatabase;
  let repositories: Repositories;
  let merchantId: string;
  let runs: number;
  let answer: () => Response | Promise<Response>;

  const app = new Hono<AppEnv>();
  beforeAll(async () => {
    database = await testDatabase('pglite');
    repositories = createRepositories(database.db);
    app.use(async (c, next) => {
      c.set('merchantId', merchantId);
      await next();
    });
    app.use(idempotency(repositories, 86_400));
    app.post('/thing', () => {
      runs++;
      return answer();
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

  it('passes requests without a key straight through', async () => {
    answer = () => new Response('{}', { status: 201 });
    await app.request('/thing', { method: 'POST', body: '{}' });
    await app.request('/thing', { method: 'POST', body: '{}' });
    expect(runs).toBe(2);
  });
});
