import { and, desc, eq, sql } from 'drizzle-orm';
import { newId } from '../domain/ids.js';
import type { Database } from './database.js';
import { merchants, routingAudit, routingRulesets } from './schema.js';

export type RulesetRow = typeof routingRulesets.$inferSelect;
export type AuditRow = typeof routingAudit.$inferSelect;

export function routingRepository(db: Database) {
  return {
    /** Stores a new version (one more than the highest) and audits who stored it. */
    async addVersion(merchantId: string, source: string, actor: string): Promise<RulesetRow> {
      return db.transaction(async (tx) => {
        // The merchant row lock serializes version numbers per merchant.
        await tx.select({ id: merchants.id }).from(merchants).where(eq(merchants.id, merchantId)).for('update');
        const [last] = await tx
          .select({ version: sql<number>`coalesce(max(${routingRulesets.version}), 0)` })
          .from(routingRulesets)
          .where(eq(routingRulesets.merchantId, merchantId));
        const version = Number(last?.version ?? 0) + 1;
        const [row] = await tx.insert(routingRulesets).values({ merchantId, version, source, createdBy: actor }).returning();
        await tx.insert(routingAudit).values({ id: newId('aud'), merchantId, action: 'create', version, actor });
        return row!;
      });
    },

    /** Makes a stored version the active one, atomically with its audit record; false when there is no such version. */
    async activate(merchantId: string, version: number, actor: string): Promise<boolean> {
      return db.transaction(async (tx) => {
        const [exists] = await tx
          .select({ version: routingRulesets.version })
          .from(routingRulesets)
          .where(and(eq(routingRulesets.merchantId, merchantId), eq(routingRulesets.version, version)));
        if (!exists) return false;
        await tx.update(merchants).set({ activeRulesetVersion: version }).where(eq(merchants.id, merchantId));
        await tx.insert(routingAudit).values({ id: newId('aud'), merchantId, action: 'activate', version, actor });
        return true;
      });
    },

    async active(merchantId: string): Promise<RulesetRow | null> {
      const [row] = await db
        .select({ ruleset: routingRulesets })
        .from(merchants)
        .innerJoin(routingRulesets, and(eq(routingRulesets.merchantId, merchants.id), eq(routingRulesets.version, merchants.activeRulesetVersion)))
        .where(eq(merchants.id, merchantId));
      return row?.ruleset ?? null;
    },

    async versions(merchantId: string): Promise<RulesetRow[]> {
      return db.select().from(routingRulesets).where(eq(routingRulesets.merchantId, merchantId)).orderBy(desc(routingRulesets.version));
    },

    async audit(merchantId: string): Promise<AuditRow[]> {
      return db.select().from(routingAudit).where(eq(routingAudit.merchantId, merchantId)).orderBy(desc(routingAudit.at), desc(routingAudit.id));
    },
  };
}
