import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock, type ManualClock } from '../../test/support/clock.js';
import { testDatabase, type TestDatabase } from '../../test/support/databases.js';
import { createApiKey, revokeApiKey } from '../admin/api-keys.js';
import type { AdminContext } from '../admin/context.js';
import { disableGatewayAccount } from '../admin/gateway-accounts.js';
import { disableMerchant } from '../admin/merchants.js';
import { generateApiKey, hashApiKey, keyHint } from '../domain/api-keys.js';
import { createRepositories, type Repositories } from './index.js';
import { createLookupCache, type LookupCache } from './lookup-cache.js';

const TTL_MS = 60_000;

describe('cached API-key and gateway-account lookups', () => {
  let database: TestDatabase;
  /** Uncached: changes made through it reach the cache only by `invalidate` or the entry lifetime, as another instance's would. */
  let store: Repositories;
  let clock: ManualClock;
  let cache: LookupCache;
  let cached: Repositories;
  let merchantId: string;
  let ctx: AdminContext;

  beforeAll(async () => {
    database = await testDatabase('pglite');
    store = createRepositories(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.truncate();
    clock = manualClock();
    cache = createLookupCache({ clock, ttlMs: TTL_MS });
    cached = cache.wrap(store);
    merchantId = await store.merchants.create('shop');
    ctx = { repositories: cached, actor: { type: 'cli', id: 'tester', name: 'tester' }, clock };
  });

  async function newKey(): Promise<{ id: string; hash: string }> {
    const { key, secret } = await createApiKey(ctx, { merchantId, mode: 'test', label: 'server' });
    return { id: key.id, hash: await hashApiKey(secret) };
  }

  it('serves a key from memory until the merchant is invalidated', async () => {
    const key = await newKey();
    expect((await cached.merchants.keyForHash(key.hash, clock.now()))?.id).toBe(key.id);
    await store.merchants.revokeApiKey(key.id, clock.now());
    expect((await cached.merchants.keyForHash(key.hash, clock.now()))?.id).toBe(key.id);
    cache.invalidate(merchantId);
    expect(await cached.merchants.keyForHash(key.hash, clock.now())).toBeNull();
  });

  it('refuses a cached key once it has expired, checking the expiry on every use', async () => {
    const key = await newKey();
    await store.merchants.expireApiKey(key.id, new Date(clock.now().getTime() + 10_000));
    cache.invalidateAll();
    expect((await cached.merchants.keyForHash(key.hash, clock.now()))?.id).toBe(key.id);
    clock.advance(9_999);
    expect((await cached.merchants.keyForHash(key.hash, clock.now()))?.id).toBe(key.id);
    clock.advance(1);
    expect(await cached.merchants.keyForHash(key.hash, clock.now())).toBeNull();
  });

  it('refuses a key revoked through the same instance at once', async () => {
    const key = await newKey();
    expect(await cached.merchants.keyForHash(key.hash, clock.now())).not.toBeNull();
    await revokeApiKey(ctx, key.id);
    expect(await cached.merchants.keyForHash(key.hash, clock.now())).toBeNull();
  });

  it('refuses every key of a merchant disabled through the same instance at once', async () => {
    const key = await newKey();
    expect(await cached.merchants.keyForHash(key.hash, clock.now())).not.toBeNull();
    await disableMerchant(ctx, merchantId);
    expect(await cached.merchants.keyForHash(key.hash, clock.now())).toBeNull();
  });

  it('does not remember an unknown key, so one created elsewhere works at once', async () => {
    const secret = generateApiKey('test');
    const hash = await hashApiKey(secret);
    expect(await cached.merchants.keyForHash(hash, clock.now())).toBeNull();
    await store.merchants.addApiKey({ merchantId, keyHash: hash, hint: keyHint(secret), label: 'elsewhere', scopes: ['payments:write'] });
    expect((await cached.merchants.keyForHash(hash, clock.now()))?.label).toBe('elsewhere');
  });

  it('reads again once an entry has outlived the cache lifetime, should a notification be lost', async () => {
    const key = await newKey();
    expect(await cached.merchants.keyForHash(key.hash, clock.now())).not.toBeNull();
    await store.merchants.revokeApiKey(key.id, clock.now());
    clock.advance(TTL_MS);
    expect(await cached.merchants.keyForHash(key.hash, clock.now())).toBeNull();
  });

  it('drops a gateway account disabled through the same instance from the candidates at once', async () => {
    const account = await store.merchants.addGatewayAccount({ merchantId, provider: 'stripe', name: 'stripe', label: 'Stripe', credentialsRef: 'sandbox:stripe' });
    expect((await cached.merchants.gatewayAccounts(merchantId)).map((a) => a.id)).toEqual([account.id]);
    await disableGatewayAccount(ctx, account.id);
    expect(await cached.merchants.gatewayAccounts(merchantId)).toEqual([]);
  });

  it('serves gateway accounts from memory until invalidated, and includes disabled ones only uncached', async () => {
    const account = await store.merchants.addGatewayAccount({ merchantId, provider: 'stripe', name: 'stripe', label: 'Stripe', credentialsRef: 'sandbox:stripe' });
    expect(await cached.merchants.gatewayAccounts(merchantId)).toHaveLength(1);
    await store.merchants.disableGatewayAccount(account.id, clock.now());
    expect(await cached.merchants.gatewayAccounts(merchantId)).toHaveLength(1);
    expect((await cached.merchants.gatewayAccounts(merchantId, { includeDisabled: true }))[0]?.disabledAt).not.toBeNull();
    cache.invalidate(merchantId);
    expect(await cached.merchants.gatewayAccounts(merchantId)).toEqual([]);
  });

  /** `store` with its key and account reads counted. */
  function counting(): { repositories: Repositories; reads: () => number } {
    let reads = 0;
    const merchants = {
      ...store.merchants,
      keyForHash: (...args: Parameters<Repositories['merchants']['keyForHash']>) => (reads++, store.merchants.keyForHash(...args)),
      gatewayAccounts: (...args: Parameters<Repositories['merchants']['gatewayAccounts']>) => (reads++, store.merchants.gatewayAccounts(...args)),
    };
    return { repositories: { ...store, merchants }, reads: () => reads };
  }

  it('asks the database once for requests that miss together', async () => {
    const key = await newKey();
    await store.merchants.addGatewayAccount({ merchantId, provider: 'stripe', name: 'stripe', label: 'Stripe', credentialsRef: 'sandbox:stripe' });
    const source = counting();
    const shared = createLookupCache({ clock, ttlMs: TTL_MS }).wrap(source.repositories);
    const keys = await Promise.all(Array.from({ length: 20 }, () => shared.merchants.keyForHash(key.hash, clock.now())));
    const accounts = await Promise.all(Array.from({ length: 20 }, () => shared.merchants.gatewayAccounts(merchantId)));
    expect(keys.map((k) => k?.id)).toEqual(Array(20).fill(key.id));
    expect(accounts.map((list) => list.length)).toEqual(Array(20).fill(1));
    expect(source.reads()).toBe(2);
  });

  it('does not hand a read that started before an invalidation to a request after it', async () => {
    const key = await newKey();
    const source = counting();
    const lookups = createLookupCache({ clock, ttlMs: TTL_MS });
    const shared = lookups.wrap(source.repositories);
    const before = shared.merchants.keyForHash(key.hash, clock.now());
    await store.merchants.revokeApiKey(key.id, clock.now());
    lookups.invalidate(merchantId);
    const after = shared.merchants.keyForHash(key.hash, clock.now());
    await before;
    expect(await after).toBeNull();
    expect(source.reads()).toBe(2);
  });
});
