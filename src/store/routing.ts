import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../domain/audit.js';
import type { Database } from './database.js';
import { auditRepository } from './audit.js';
import { merchants, routingRulesets } from './schema.js';

export type RulesetRow = typeof routingRulesets.$inferSelect;

/** Each activation notifies this channel with the merchant's id, on commit, so every router instance reloads that merchant's ruleset. */
export const ROUTING_CHANNEL = 'switchyard_routing';

export function routingRepository(db: Database) {
  return {
    /** Stores a new version (one more than the highest) and audits who stored it. */
    async addVersion(merchantId: string, source: string, actor: Actor): Promise<RulesetRow> {
      return db.transaction(async (tx) => {
        // The merchant row lock serializes version numbers per merchant.
        await tx.select({ id: merchants.id }).from(merchants).where(eq(merchants.id, merchantId)).for('update');
        const [last] = await tx
          .select({ version: sql<number>`coalesce(max(${routingRulesets.version}), 0)` })
          .from(routingRulesets)
          .where(eq(routingRulesets.merchantId, merchantId));
        const version = Number(last?.version ?? 0) + 1;
        const [row] = await tx.insert(routingRulesets).values({ merchantId, version, source, createdBy: actor.type === 'system' ? actor.id : `${actor.type}:${actor.id}` }).returning();
        await auditRepository(tx).append(actor, { action: 'routing.ruleset.create', merchantId, target: rulesetTarget(merchantId, version), after: { version } });
        return row!;
      });
    },

    /** Makes a stored version the active one, atomically with its audit record (dated `at`, default the database's now); false when there is no such version. */
    async activate(merchantId: string, version: number, actor: Actor, at?: Date): Promise<boolean> {
      return db.transaction(async (tx) => {
        const [exists] = await tx
          .select({ version: routingRulesets.version })
          .from(routingRulesets)
          .where(and(eq(routingRulesets.merchantId, merchantId), eq(routingRulesets.version, version)));
        if (!exists) return false;
        const [previous] = await tx.select({ version: merchants.activeRulesetVersion }).from(merchants).where(eq(merchants.id, merchantId)).for('update');
        await tx.update(merchants).set({ activeRulesetVersion: version }).where(eq(merchants.id, merchantId));
        await auditRepository(tx).append(actor, {
          action: 'routing.ruleset.activate',
          merchantId,
          target: rulesetTarget(merchantId, version),
          before: { active_version: previous?.version ?? null },
          after: { active_version: version },
        }, at);
        // Inside the transaction: PostgreSQL delivers it only if the activation commits.
        await tx.execute(sql`select pg_notify(${ROUTING_CHANNEL}, ${merchantId})`);
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

    /** The active version of each given merchant (absent: none, or no such merchant). */
    async activeVersions(merchantIds: readonly string[]): Promise<Map<string, number>> {
      if (merchantIds.length === 0) return new Map();
      const rows = await db
        .select({ id: merchants.id, version: merchants.activeRulesetVersion })
        .from(merchants)
        .where(inArray(merchants.id, [...merchantIds]));
      return new Map(rows.flatMap((r) => (r.version === null ? [] : [[r.id, r.version] as const])));
    },

    async versions(merchantId: string): Promise<RulesetRow[]> {
      return db.select().from(routingRulesets).where(eq(routingRulesets.merchantId, merchantId)).orderBy(desc(routingRulesets.version));
    },

    /** Who stored and activated which version, newest first. */
    audit(merchantId: string, limit = 100) {
      return auditRepository(db).list({ merchantId, action: 'routing.ruleset.', limit });
    },
  };
}

const rulesetTarget = (merchantId: string, version: number) => ({ type: 'ruleset', id: `${merchantId}:${version}` });
