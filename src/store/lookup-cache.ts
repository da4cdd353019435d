import type { Clock } from '../domain/clock.js';
import type { Repositories } from './index.js';
import type { GatewayAccount, LiveKey } from './merchants.js';

interface Entry<T> {
  merchantId: string;
  value: T;
  loadedAt: number;
}

export interface LookupCache {
  /** Drops what is cached of one merchant: its keys and its gateway accounts. */
  invalidate(merchantId: string): void;
  invalidateAll(): void;
  /** `repositories` with API-key lookups by hash and a merchant's enabled gateway accounts served from this cache. */
  wrap(repositories: Repositories): Repositories;
}

/**
 * The two reads every API request makes (the key behind the bearer secret; the merchant's gateway
 * accounts, for routing candidates), kept in memory. Correct before fast:
 * - only keys that worked when read are kept, with their expiry, and the expiry is checked against
 *   the clock on every use, so a cached key stops working the moment it expires;
 * - an unknown hash is never kept, so a key created on another instance works at once everywhere;
 * - every change notifies ADMIN_CHANNEL (store/merchants.ts); the listener calls `invalidate`, and a
 *   change made through `wrap`ped repositories (their `transaction` included) drops the merchant here
 *   as soon as it commits, without waiting for the notification;
 * - the listener drops everything whenever it (re)connects, since notifications sent while it was
 *   away are lost; so entries are refreshed on events, not on a clock, and `ttlMs` is only a safety
 *   net bounding staleness should a notification go missing anyway;
 * - a read that started before an invalidation does not store what it read.
 */
/**
 * The safety net's default: a minute, because changes arrive by notification; a short lifetime would
 * re-read every key and account list on every instance every few seconds for nothing.
 */
export const DEFAULT_LOOKUP_CACHE_MS = 60_000;

export function createLookupCache(options: { clock: Clock; ttlMs: number }): LookupCache {
  const keys = new Map<string, Entry<LiveKey>>();
  const accounts = new Map<string, Entry<GatewayAccount[]>>();
  let generation = 0;
  /** Reads under way: requests that miss together share one read instead of each asking the database. */
  const loadingKeys = new Map<string, { generation: number; read: Promise<LiveKey | null> }>();
  const loadingAccounts = new Map<string, { generation: number; read: Promise<GatewayAccount[]> }>();

  /** The read under way for `id` if one started since the last invalidation, or a new one. */
  function shared<T>(loading: Map<string, { generation: number; read: Promise<T> }>, id: string, read: () => Promise<T>): Promise<T> {
    const current = loading.get(id);
    if (current && current.generation === generation) return current.read;
    const entry = { generation, read: read().finally(() => loading.get(id) === entry && loading.delete(id)) };
    loading.set(id, entry);
    return entry.read;
  }

  const fresh = <T>(entry: Entry<T> | undefined): entry is Entry<T> => entry !== undefined && options.clock.now().getTime() - entry.loadedAt < options.ttlMs;

  function invalidate(merchantId: string) {
    generation++;
    accounts.delete(merchantId);
    for (const [hash, entry] of keys) if (entry.merchantId === merchantId) keys.delete(hash);
  }

  function invalidateAll() {
    generation++;
    keys.clear();
    accounts.clear();
  }

  /** Merchant repository methods that change what is cached, and the merchant each change is about. */
  function changedMerchant(method: string, args: unknown[], result: unknown): string | undefined {
    const row = result as { merchantId?: string; id?: string } | null | undefined;
    switch (method) {
      case 'disable':
        return row?.id;
      case 'addApiKey':
      case 'replaceApiKey':
      case 'addGatewayAccount':
        return (args[0] as { merchantId: string }).merchantId;
      case 'revokeApiKey':
      case 'expireApiKey':
      case 'updateGatewayAccount':
      case 'disableGatewayAccount':
        return row?.merchantId;
      default:
        return undefined;
    }
  }

  /** The merchant repository with its writes reporting the merchants they changed. */
  function reporting(merchants: Repositories['merchants'], changed: (merchantId: string) => void): Repositories['merchants'] {
    const methods = Object.entries(merchants as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>).map(([name, method]) => [
      name,
      async (...args: unknown[]) => {
        const result = await method(...args);
        const merchantId = changedMerchant(name, args, result);
        if (merchantId !== undefined) changed(merchantId);
        return result;
      },
    ]);
    return Object.fromEntries(methods) as Repositories['merchants'];
  }

  function wrap(repositories: Repositories): Repositories {
    const merchants = reporting(repositories.merchants, invalidate);
    return {
      ...repositories,
      merchants: {
        ...merchants,
        async keyForHash(keyHash: string, now: Date): Promise<LiveKey | null> {
          const cached = keys.get(keyHash);
          if (fresh(cached)) return cached.value.expiresAt === null || cached.value.expiresAt > now ? cached.value : null;
          const key = await shared(loadingKeys, keyHash, async () => {
            const started = generation;
            const read = await repositories.merchants.keyForHash(keyHash, now);
            if (read && started === generation) keys.set(keyHash, { merchantId: read.merchantId, value: read, loadedAt: options.clock.now().getTime() });
            return read;
          });
          // A shared read was made at its first caller's time: the expiry is checked at this one's.
          return key && (key.expiresAt === null || key.expiresAt > now) ? key : null;
        },
        async gatewayAccounts(merchantId: string, opts: { includeDisabled?: boolean } = {}): Promise<GatewayAccount[]> {
          if (opts.includeDisabled) return repositories.merchants.gatewayAccounts(merchantId, opts);
          const cached = accounts.get(merchantId);
          if (fresh(cached)) return [...cached.value];
          const list = await shared(loadingAccounts, merchantId, async () => {
            const started = generation;
            const loaded = await repositories.merchants.gatewayAccounts(merchantId);
            if (started === generation) accounts.set(merchantId, { merchantId, value: loaded, loadedAt: options.clock.now().getTime() });
            return loaded;
          });
          return [...list];
        },
      },
      async transaction(work) {
        const changed = new Set<string>();
        const result = await repositories.transaction((tx) => work({ ...tx, merchants: reporting(tx.merchants, (id) => changed.add(id)) }));
        for (const merchantId of changed) invalidate(merchantId);
        return result;
      },
    };
  }

  return { invalidate, invalidateAll, wrap };
}
