import { and, asc, count, desc, eq, gte, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { alertRules, alerts, gatewayAccounts, merchants, payments, rollupAttempts } from './schema.js';

export type AlertRuleRow = typeof alertRules.$inferSelect;
export type AlertRow = typeof alerts.$inferSelect;
export type AlertState = 'firing' | 'resolved';

export interface AlertReading {
  value: number | null;
  threshold: number | null;
  summary: string;
  detail: Record<string, unknown>;
}

/** Whose rules and alerts: a merchant's id, or null for the operator-wide ones. */
export type AlertScope = string | null;
const ownedBy = (column: typeof alertRules.merchantId | typeof alerts.merchantId, scope: AlertScope) => (scope === null ? isNull(column) : eq(column, scope));

export function alertRepository(db: Database) {
  return {
    /**
     * Answers 'limit_reached' when the scope has `max` rules already. Call it inside a transaction:
     * the merchant's row (operator-wide: a transaction-scoped advisory lock) stays locked until it
     * ends, so concurrent creates count one after another.
     */
    async createRule(row: typeof alertRules.$inferInsert & { merchantId: AlertScope }, max: number): Promise<AlertRuleRow | 'limit_reached'> {
      if (row.merchantId === null) await db.execute(sql`select pg_advisory_xact_lock(hashtext('alert_rules:operator'))`);
      else await db.select({ id: merchants.id }).from(merchants).where(eq(merchants.id, row.merchantId)).for('update');
      const [{ n }] = (await db.select({ n: count() }).from(alertRules).where(ownedBy(alertRules.merchantId, row.merchantId))) as [{ n: number }];
      if (n >= max) return 'limit_reached';
      const [created] = await db.insert(alertRules).values(row).returning();
      return created!;
    },

    async rules(merchantId: AlertScope): Promise<AlertRuleRow[]> {
      return db.select().from(alertRules).where(ownedBy(alertRules.merchantId, merchantId)).orderBy(asc(alertRules.id));
    },

    async rule(merchantId: AlertScope, id: string): Promise<AlertRuleRow | null> {
      const [row] = await db.select().from(alertRules).where(and(ownedBy(alertRules.merchantId, merchantId), eq(alertRules.id, id)));
      return row ?? null;
    },

    async updateRule(merchantId: AlertScope, id: string, patch: Partial<Pick<AlertRuleRow, 'name' | 'params' | 'enabled'>>, now: Date): Promise<AlertRuleRow | null> {
      const [row] = await db
        .update(alertRules)
        .set({ ...patch, updatedAt: now })
        .where(and(ownedBy(alertRules.merchantId, merchantId), eq(alertRules.id, id)))
        .returning();
      return row ?? null;
    },

    async deleteRule(merchantId: AlertScope, id: string): Promise<AlertRuleRow | null> {
      const [row] = await db
        .delete(alertRules)
        .where(and(ownedBy(alertRules.merchantId, merchantId), eq(alertRules.id, id)))
        .returning();
      return row ?? null;
    },

    /** Every merchant's enabled rules, for the evaluation job. */
    async enabledRules(): Promise<AlertRuleRow[]> {
      return db.select().from(alertRules).where(eq(alertRules.enabled, true)).orderBy(asc(alertRules.merchantId), asc(alertRules.id));
    },

    /** The firing alerts of these rules. */
    async firing(ruleIds: readonly string[]): Promise<AlertRow[]> {
      if (ruleIds.length === 0) return [];
      return db
        .select()
        .from(alerts)
        .where(and(inArray(alerts.ruleId, [...ruleIds]), eq(alerts.state, 'firing')));
    },

    /** A new firing alert; null when one is firing for the rule and subject already (another evaluation got there first). */
    async fire(row: Omit<typeof alerts.$inferInsert, 'state' | 'clearStreak' | 'resolvedAt' | 'updatedAt'>): Promise<AlertRow | null> {
      const [created] = await db
        .insert(alerts)
        .values({ ...row, state: 'firing', clearStreak: 0, updatedAt: row.firedAt })
        .onConflictDoNothing()
        .returning();
      return created ?? null;
    },

    async hold(id: string, reading: AlertReading, clearStreak: number, now: Date): Promise<void> {
      await db
        .update(alerts)
        .set({ ...reading, clearStreak, updatedAt: now })
        .where(and(eq(alerts.id, id), eq(alerts.state, 'firing')));
    },

    /** Resolves a firing alert; null when it was resolved already. */
    async resolve(id: string, reading: AlertReading | null, now: Date): Promise<AlertRow | null> {
      const [row] = await db
        .update(alerts)
        .set({ ...(reading ?? {}), state: 'resolved', resolvedAt: now, updatedAt: now })
        .where(and(eq(alerts.id, id), eq(alerts.state, 'firing')))
        .returning();
      return row ?? null;
    },

    /** The merchant's alerts, newest first; one row more than asked tells `has_more`. */
    async list(merchantId: AlertScope, filter: { limit: number; startingAfter?: string; state?: AlertState }): Promise<AlertRow[]> {
      const where = [ownedBy(alerts.merchantId, merchantId)];
      if (filter.state) where.push(eq(alerts.state, filter.state));
      if (filter.startingAfter) where.push(lt(alerts.id, filter.startingAfter));
      return db
        .select()
        .from(alerts)
        .where(and(...where))
        .orderBy(desc(alerts.id))
        .limit(filter.limit + 1);
    },

    async get(merchantId: AlertScope, id: string): Promise<AlertRow | null> {
      const [row] = await db.select().from(alerts).where(and(ownedBy(alerts.merchantId, merchantId), eq(alerts.id, id)));
      return row ?? null;
    },

    /** Attempts and approvals per gateway account in [from, to), from the minute rollups. */
    async approvalTotals(merchantId: string, from: Date, to: Date, granularity: 'minute' | 'hour' = 'minute'): Promise<{ gatewayAccountId: string; attempts: number; approved: number }[]> {
      const t = rollupAttempts;
      return db
        .select({
          gatewayAccountId: t.gatewayAccountId,
          attempts: sql<number>`coalesce(sum(${t.attempts}), 0)`.mapWith(Number),
          approved: sql<number>`coalesce(sum(${t.approved}), 0)`.mapWith(Number),
        })
        .from(t)
        .where(and(eq(t.merchantId, merchantId), eq(t.granularity, granularity), gte(t.bucket, from), lt(t.bucket, to)))
        .groupBy(t.gatewayAccountId);
    },

    /** Attempts and approvals per provider across every merchant in [from, to): what an operator-wide rule compares. */
    async approvalTotalsByProvider(from: Date, to: Date, granularity: 'minute' | 'hour' = 'minute'): Promise<{ provider: string; attempts: number; approved: number }[]> {
      const t = rollupAttempts;
      return db
        .select({
          provider: gatewayAccounts.provider,
          attempts: sql<number>`coalesce(sum(${t.attempts}), 0)`.mapWith(Number),
          approved: sql<number>`coalesce(sum(${t.approved}), 0)`.mapWith(Number),
        })
        .from(t)
        .innerJoin(gatewayAccounts, eq(gatewayAccounts.id, t.gatewayAccountId))
        .where(and(eq(t.granularity, granularity), gte(t.bucket, from), lt(t.bucket, to)))
        .groupBy(gatewayAccounts.provider);
    },

    /** Payments flagged for review (read on the partial index payments_review_idx); null: every merchant's. */
    async reviewCount(merchantId: AlertScope): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(payments)
        .where(and(merchantId === null ? undefined : eq(payments.merchantId, merchantId), isNotNull(payments.reviewReason)));
      return row?.n ?? 0;
    },
  };
}
