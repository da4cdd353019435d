import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../domain/api-keys.js';
import { Problem } from '../../domain/problem.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { auth } from './auth.js';

/** The middleware alone, over a store that records what it was asked. */
function app() {
  const lookups: string[] = [];
  const repositories = {
    merchants: {
      keyForHash: async (hash: string) => {
        lookups.push(hash);
        return null;
      },
    },
  } as unknown as Repositories;
  const server = new Hono<AppEnv>();
  server.use(auth(repositories, { now: () => new Date('2026-06-01T00:00:00Z') }));
  server.get('/', (c) => c.text('ok'));
  server.onError((error, c) => c.json({ code: error instanceof Problem ? error.code : 'other' }, error instanceof Problem ? (error.status as 401) : 500));
  return { server, lookups };
}

describe('auth', () => {
  it.each(['sk_sandbox_demo', `sk_live_${'a'.repeat(31)}`, `sk_test_${'a'.repeat(32)}x`, `pk_prod_${'a'.repeat(32)}`, "' OR 1=1 --"])('refuses %j without asking the store', async (key) => {
    const { server, lookups } = app();
    const res = await server.request('/', { headers: { Authorization: `Bearer ${key}` } });
    expect(res.status).toBe(401);
    expect(lookups).toEqual([]);
  });

  it('looks a well-formed key up by its SHA-256 only', async () => {
    const { server, lookups } = app();
    const key = generateApiKey('live');
    expect((await server.request('/', { headers: { Authorization: `Bearer ${key}` } })).status).toBe(401);
    expect(lookups).toEqual([await hashApiKey(key)]);
  });
});
