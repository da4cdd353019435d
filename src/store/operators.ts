import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { merchants, operators } from './schema.js';

export type OperatorRow = typeof operators.$inferSelect;
export type NewOperatorRow = typeof operators.$inferInsert;

/** Operator rows; the rules (roles, lockout, TOTP) live in src/admin/operators.ts. */
export function operatorRepository(db: Database) {
  return {
    /** Null when the email is taken. */
    async insert(row: NewOperatorRow): Promise<OperatorRow | null> {
      const [inserted] = await db.insert(operators).values(row).onConflictDoNothing().returning();
      return inserted ?? null;
    },

    async byId(id: string): Promise<OperatorRow | null> {
      const [row] = await db.select().from(operators).where(eq(operators.id, id));
      return row ?? null;
    },

    async byEmail(email: string): Promise<OperatorRow | null> {
      const [row] = await db.select().from(operators).where(eq(operators.email, email));
      return row ?? null;
    },

    async list(): Promise<OperatorRow[]> {
      return db.select().from(operators).orderBy(asc(operators.id));
    },

    async update(id: string, fields: Partial<Pick<OperatorRow, 'passwordHash' | 'totpSecret' | 'totpEnabledAt' | 'lastTotpStep' | 'disabledAt' | 'failedLogins' | 'lockedUntil'>>): Promise<OperatorRow | null> {
      const [row] = await db.update(operators).set(fields).where(eq(operators.id, id)).returning();
      return row ?? null;
    },

    /** Which of `ids` name merchants that exist. */
    async knownMerchantIds(ids: readonly string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      return (await db.select({ id: merchants.id }).from(merchants).where(inArray(merchants.id, [...ids]))).map((r) => r.id);
    },

    /** Counts a failed sign-in; answers the new count. */
    async addFailedLogin(id: string): Promise<number> {
      const [row] = await db
        .update(operators)
        .set({ failedLogins: sql`${operators.failedLogins} + 1` })
        .where(eq(operators.id, id))
        .returning({ failedLogins: operators.failedLogins });
      return row?.failedLogins ?? 0;
    },

    /**
     * Records that a code for `step` was accepted, only if no code for this step or a later one
     * was: false means the code is a replay (two concurrent requests cannot both win).
     */
    async claimTotpStep(id: string, step: number): Promise<boolean> {
      const rows = await db
        .update(operators)
        .set({ lastTotpStep: step })
        .where(and(eq(operators.id, id), or(isNull(operators.lastTotpStep), lt(operators.lastTotpStep, step))))
        .returning({ id: operators.id });
      return rows.length === 1;
    },
  };
}
