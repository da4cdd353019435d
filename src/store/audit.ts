import { and, desc, eq, like, lt, type SQL } from 'drizzle-orm';
import { maskSecrets, type Actor, type AuditChange } from '../domain/audit.js';
import { newId } from '../domain/ids.js';
import type { Database } from './database.js';
import { auditLog } from './schema.js';

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditQuery {
  merchantId?: string;
  /** An action, or a prefix ending in `.` (`routing.` lists every routing change). */
  action?: string;
  /** Records older than this id (the page before it). */
  before?: string;
  limit: number;
}

/** The append-only audit log: callers write a record in the same transaction as the change. */
export function auditRepository(db: Database) {
  return {
    async append(actor: Actor, change: AuditChange, at?: Date): Promise<AuditRow> {
      const [row] = await db
        .insert(auditLog)
        .values({
          id: newId('aud'),
          ...(at ? { at } : {}),
          actorType: actor.type,
          actorId: actor.id,
          actorName: actor.name,
          merchantId: change.merchantId,
          action: change.action,
          targetType: change.target.type,
          targetId: change.target.id,
          before: change.before === undefined ? null : maskSecrets(change.before),
          after: change.after === undefined ? null : maskSecrets(change.after),
        })
        .returning();
      return row!;
    },

    /** Newest first. */
    async list(query: AuditQuery): Promise<AuditRow[]> {
      const where: SQL[] = [];
      if (query.merchantId !== undefined) where.push(eq(auditLog.merchantId, query.merchantId));
      if (query.action !== undefined) where.push(query.action.endsWith('.') ? like(auditLog.action, `${query.action.replace(/[%_\\]/g, '\\$&')}%`) : eq(auditLog.action, query.action));
      if (query.before !== undefined) where.push(lt(auditLog.id, query.before));
      return db
        .select()
        .from(auditLog)
        .where(and(...where))
        .orderBy(desc(auditLog.id))
        .limit(query.limit);
    },
  };
}
