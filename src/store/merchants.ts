import { and, asc, eq, gt, isNull, ne, or, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { apiKeys, gatewayAccounts, merchants } from './schema.js';
import { newId } from '../domain/ids.js';

/**
 * Every change to a merchant's keys, its disabled state or its gateway accounts notifies this channel
 * with the merchant's id, so every instance drops what it has cached of that merchant (lookup-cache.ts).
 */
export const ADMIN_CHANNEL = 'switchyard_admin';

/** Inside a caller's transaction PostgreSQL delivers it only on commit; outside one, right after the change. */
async function notifyChange(db: Database, merchantId: string | undefined): Promise<void> {
  if (merchantId !== undefined) await db.execute(sql`select pg_notify(${ADMIN_CHANNEL}, ${merchantId})`);
}

export type GatewayAccount = typeof gatewayAccounts.$inferSelect;
export type Merchant = typeof merchants.$inferSelect;
export type ApiKey = Omit<typeof apiKeys.$inferSelect, 'keyHash'>;

export interface NewApiKey {
  merchantId: string;
  keyHash: string;
  hint: string;
  label: string;
  scopes: readonly string[];
  /** Publishable keys only: the browser origins the tokenization endpoint serves. */
  allowedOrigins?: readonly string[];
}

/** A key that worked when read: `expiresAt` is still to be checked against the time of each use. */
export interface LiveKey {
  id: string;
  merchantId: string;
  label: string;
  hint: string;
  scopes: string[];
  allowedOrigins: string[];
  expiresAt: Date | null;
}

export interface GatewayAccountChanges {
  label?: string;
  credentialsRef?: string;
  settings?: GatewayAccount['settings'];
  priority?: number;
}

/** Everything but the hash: what lists and audit records show of a key. */
const keyColumns = {
  id: apiKeys.id,
  merchantId: apiKeys.merchantId,
  hint: apiKeys.hint,
  label: apiKeys.label,
  scopes: apiKeys.scopes,
  createdAt: apiKeys.createdAt,
  revokedAt: apiKeys.revokedAt,
  expiresAt: apiKeys.expiresAt,
  allowedOrigins: apiKeys.allowedOrigins,
};

export function merchantRepository(db: Database) {
  return {
    async create(name: string): Promise<string> {
      const id = newId('mer');
      await db.insert(merchants).values({ id, name });
      return id;
    },

    async findByName(name: string): Promise<string | null> {
      const [row] = await db.select({ id: merchants.id }).from(merchants).where(eq(merchants.name, name)).limit(1);
      return row?.id ?? null;
    },

    async merchant(id: string): Promise<Merchant | null> {
      const [row] = await db.select().from(merchants).where(eq(merchants.id, id));
      return row ?? null;
    },

    async list(): Promise<Merchant[]> {
      return db.select().from(merchants).orderBy(asc(merchants.id));
    },

    async disable(id: string, at: Date): Promise<Merchant | null> {
      const [row] = await db.update(merchants).set({ disabledAt: at }).where(and(eq(merchants.id, id), isNull(merchants.disabledAt))).returning();
      await notifyChange(db, row?.id);
      return row ?? null;
    },

    async addApiKey(key: NewApiKey): Promise<ApiKey> {
      const [row] = await db
        .insert(apiKeys)
        .values({ id: newId('key'), ...key, scopes: [...key.scopes], allowedOrigins: [...(key.allowedOrigins ?? [])] })
        .returning(keyColumns);
      await notifyChange(db, key.merchantId);
      return row!;
    },

    /** Makes this the one live key with the label (the sandbox rotates its printed key this way): others are revoked; the same key again stays (or becomes) live. */
    async replaceApiKey(key: NewApiKey, now: Date): Promise<void> {
      await db.transaction(async (tx) => {
        await tx
          .update(apiKeys)
          .set({ revokedAt: now })
          .where(and(eq(apiKeys.merchantId, key.merchantId), eq(apiKeys.label, key.label), isNull(apiKeys.revokedAt), ne(apiKeys.keyHash, key.keyHash)));
        await tx
          .insert(apiKeys)
          .values({ id: newId('key'), ...key, scopes: [...key.scopes], allowedOrigins: [...(key.allowedOrigins ?? [])] })
          .onConflictDoUpdate({ target: apiKeys.keyHash, set: { revokedAt: null, expiresAt: null }, setWhere: eq(apiKeys.merchantId, key.merchantId) });
        await notifyChange(tx, key.merchantId);
      });
    },

    async apiKey(id: string): Promise<ApiKey | null> {
      const [row] = await db.select(keyColumns).from(apiKeys).where(eq(apiKeys.id, id));
      return row ?? null;
    },

    async apiKeys(merchantId: string): Promise<ApiKey[]> {
      return db.select(keyColumns).from(apiKeys).where(eq(apiKeys.merchantId, merchantId)).orderBy(asc(apiKeys.id));
    },

    async revokeApiKey(id: string, at: Date): Promise<ApiKey | null> {
      const [row] = await db.update(apiKeys).set({ revokedAt: at }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))).returning(keyColumns);
      await notifyChange(db, row?.merchantId);
      return row ?? null;
    },

    async expireApiKey(id: string, at: Date): Promise<ApiKey | null> {
      const [row] = await db.update(apiKeys).set({ expiresAt: at }).where(eq(apiKeys.id, id)).returning(keyColumns);
      await notifyChange(db, row?.merchantId);
      return row ?? null;
    },

    /** The key with this hash if it works at `now` (not revoked, not expired, its merchant enabled): what auth needs. */
    async keyForHash(keyHash: string, now: Date): Promise<LiveKey | null> {
      const [row] = await db
        .select({ id: apiKeys.id, merchantId: apiKeys.merchantId, label: apiKeys.label, hint: apiKeys.hint, scopes: apiKeys.scopes, allowedOrigins: apiKeys.allowedOrigins, expiresAt: apiKeys.expiresAt })
        .from(apiKeys)
        .innerJoin(merchants, eq(merchants.id, apiKeys.merchantId))
        .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)), isNull(merchants.disabledAt)))
        .limit(1);
      return row ?? null;
    },

    /** Whether a working key lists this browser origin: a CORS preflight carries no key, so it is answered for any that does. */
    async originAllowed(origin: string, now: Date): Promise<boolean> {
      const [row] = await db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .innerJoin(merchants, eq(merchants.id, apiKeys.merchantId))
        .where(and(sql`${apiKeys.allowedOrigins} @> ${JSON.stringify([origin])}::jsonb`, isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)), isNull(merchants.disabledAt)))
        .limit(1);
      return row !== undefined;
    },

    async addGatewayAccount(account: {
      merchantId: string;
      provider: string;
      name: string;
      label: string;
      credentialsRef: string;
      settings?: GatewayAccount['settings'];
      priority?: number;
    }): Promise<GatewayAccount> {
      const [row] = await db
        .insert(gatewayAccounts)
        .values({ id: newId('gwa'), ...account })
        .returning();
      await notifyChange(db, account.merchantId);
      return row!;
    },

    async updateGatewayAccount(id: string, changes: GatewayAccountChanges): Promise<GatewayAccount | null> {
      const [row] = await db.update(gatewayAccounts).set(changes).where(eq(gatewayAccounts.id, id)).returning();
      await notifyChange(db, row?.merchantId);
      return row ?? null;
    },

    async disableGatewayAccount(id: string, at: Date): Promise<GatewayAccount | null> {
      const [row] = await db
        .update(gatewayAccounts)
        .set({ disabledAt: at })
        .where(and(eq(gatewayAccounts.id, id), isNull(gatewayAccounts.disabledAt)))
        .returning();
      await notifyChange(db, row?.merchantId);
      return row ?? null;
    },

    async gatewayAccount(id: string): Promise<GatewayAccount | null> {
      const [row] = await db.select().from(gatewayAccounts).where(and(eq(gatewayAccounts.id, id), isNull(gatewayAccounts.disabledAt)));
      return row ?? null;
    },

    /** Which merchant owns each gateway account id, disabled accounts included. */
    async gatewayAccountOwners(): Promise<Map<string, string>> {
      const rows = await db.select({ id: gatewayAccounts.id, merchantId: gatewayAccounts.merchantId }).from(gatewayAccounts);
      return new Map(rows.map((row) => [row.id, row.merchantId]));
    },

    /** Disabled or not: for administration. */
    async anyGatewayAccount(id: string): Promise<GatewayAccount | null> {
      const [row] = await db.select().from(gatewayAccounts).where(eq(gatewayAccounts.id, id));
      return row ?? null;
    },

    async gatewayAccounts(merchantId: string, options: { includeDisabled?: boolean } = {}): Promise<GatewayAccount[]> {
      return db
        .select()
        .from(gatewayAccounts)
        .where(and(eq(gatewayAccounts.merchantId, merchantId), options.includeDisabled ? undefined : isNull(gatewayAccounts.disabledAt)))
        .orderBy(asc(gatewayAccounts.priority), asc(gatewayAccounts.id));
    },
  };
}
