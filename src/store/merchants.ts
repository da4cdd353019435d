import { and, asc, eq, isNull, ne } from 'drizzle-orm';
import type { Database } from './database.js';
import { apiKeys, gatewayAccounts, merchants } from './schema.js';
import { newId } from '../domain/ids.js';

export type GatewayAccount = typeof gatewayAccounts.$inferSelect;

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

    async addApiKey(merchantId: string, keyHash: string, prefix: string, label: string): Promise<void> {
      await db.insert(apiKeys).values({ id: newId('key'), merchantId, keyHash, prefix, label });
    },

    /** Makes this the one live key with the label (the sandbox rotates its printed key this way): others are revoked; the same key again stays (or becomes) live. */
    async replaceApiKey(merchantId: string, keyHash: string, prefix: string, label: string): Promise<void> {
      await db.transaction(async (tx) => {
        await tx
          .update(apiKeys)
          .set({ revokedAt: new Date() })
          .where(and(eq(apiKeys.merchantId, merchantId), eq(apiKeys.label, label), isNull(apiKeys.revokedAt), ne(apiKeys.keyHash, keyHash)));
        await tx
          .insert(apiKeys)
          .values({ id: newId('key'), merchantId, keyHash, prefix, label })
          .onConflictDoUpdate({ target: apiKeys.keyHash, set: { revokedAt: null }, setWhere: eq(apiKeys.merchantId, merchantId) });
      });
    },

    /** The live key with this hash: its id and label (for audit records) and its merchant. */
    async keyForHash(keyHash: string): Promise<{ id: string; merchantId: string; label: string } | null> {
      const [row] = await db
        .select({ id: apiKeys.id, merchantId: apiKeys.merchantId, label: apiKeys.label })
        .from(apiKeys)
        .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
        .limit(1);
      return row ?? null;
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
      return row!;
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

    async gatewayAccounts(merchantId: string): Promise<GatewayAccount[]> {
      return db
        .select()
        .from(gatewayAccounts)
        .where(and(eq(gatewayAccounts.merchantId, merchantId), isNull(gatewayAccounts.disabledAt)))
        .orderBy(asc(gatewayAccounts.priority), asc(gatewayAccounts.id));
    },
  };
}
