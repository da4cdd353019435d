import { and, asc, count, eq, inArray, lt, lte, min, or, sql, type SQL } from 'drizzle-orm';
import { newId } from '../domain/ids.js';
import type { Database } from './database.js';
import { jobs } from './schema.js';

export type JobRow = typeof jobs.$inferSelect;
export type JobState = 'scheduled' | 'running' | 'done' | 'dead';

export interface ScheduleJob {
  kind: string;
  /** Names the work: scheduling the same key again moves the one row instead of adding another. */
  key: string;
  merchantId?: string | null;
  payload?: Record<string, unknown>;
  runAt: Date;
}

/** How a run ended: the work is done, must run again at a time, or is given up. */
export type JobFinish = { state: 'done' } | { state: 'scheduled'; runAt: Date; error?: string } | { state: 'dead'; error: string };

export interface JobStats {
  kind: string;
  state: JobState;
  count: number;
  /** The earliest `run_at` among them: for scheduled jobs, how long the oldest has been due. */
  oldestRunAt: Date | null;
}

export function jobRepository(db: Database) {
  return {
    /**
     * Makes sure the work named by `key` runs no later than `runAt`. A finished row starts over
     * (attempts from zero); a scheduled one keeps the earlier time; a running one is marked to
     * run once more when it finishes, so a change made meanwhile is never missed.
     */
    async schedule(job: ScheduleJob, now: Date): Promise<void> {
      await db.execute(scheduleJobSql(job, now, null));
    },

    /** The work is finished by whoever did it (say, the request itself): a scheduled run is no longer needed. */
    async cancel(key: string, now: Date): Promise<void> {
      await db.update(jobs).set({ state: 'done', updatedAt: now }).where(and(eq(jobs.key, key), eq(jobs.state, 'scheduled')));
    },

    /**
     * Claims up to `limit` jobs that are due, or whose worker's lease ran out, for this worker's
     * `token` until `lockedUntil`. Concurrent workers never get the same row.
     */
    async claim(now: Date, lockedUntil: Date, token: string, limit: number, kinds: readonly string[]): Promise<JobRow[]> {
      const due = db
        .select({ id: jobs.id })
        .from(jobs)
        .where(
          and(
            inArray(jobs.kind, [...kinds]),
            // The states are literals, not parameters: a prepared statement's generic plan can then use the
            // partial indexes on due and expired jobs instead of scanning every finished job.
            or(and(sql`${jobs.state} = 'scheduled'`, lte(jobs.runAt, now)), and(sql`${jobs.state} = 'running'`, lt(jobs.lockedUntil, now))),
          ),
        )
        .orderBy(asc(jobs.runAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      return db
        .update(jobs)
        .set({ state: 'running', lockedUntil, lockToken: token, attempts: sql`${jobs.attempts} + 1`, rerun: false, updatedAt: now })
        .where(inArray(jobs.id, due))
        .returning();
    },

    /** Keeps a long run's claim alive. */
    async extend(id: string, token: string, lockedUntil: Date): Promise<void> {
      await db.update(jobs).set({ lockedUntil }).where(and(eq(jobs.id, id), eq(jobs.lockToken, token)));
    },

    /**
     * Ends a claimed run. A job scheduled again while it ran runs again (from the earlier of the two
     * times, attempts from zero) instead of ending. Answers false when the claim was lost.
     */
    async finish(id: string, token: string, finish: JobFinish, now: Date): Promise<boolean> {
      const error = finish.state === 'done' ? null : (finish.error ?? null);
      const next = finish.state === 'scheduled' ? finish.runAt : now;
      const rows = await db
        .update(jobs)
        .set({
          state: sql`case when ${jobs.rerun} then 'scheduled' else ${finish.state}::text end`,
          runAt: sql`case when ${jobs.rerun} then least(${jobs.runAt}, ${next.toISOString()}::timestamptz) else ${next.toISOString()}::timestamptz end`,
          attempts: sql`case when ${jobs.rerun} then 0 else ${jobs.attempts} end`,
          lastError: error,
          rerun: false,
          lockedUntil: null,
          lockToken: null,
          updatedAt: now,
        })
        .where(and(eq(jobs.id, id), eq(jobs.lockToken, token), eq(jobs.state, 'running')))
        .returning({ id: jobs.id });
      return rows.length > 0;
    },

    async byKeys(keys: readonly string[]): Promise<JobRow[]> {
      if (keys.length === 0) return [];
      return db.select().from(jobs).where(inArray(jobs.key, [...keys]));
    },

    async get(key: string): Promise<JobRow | null> {
      const [row] = await db.select().from(jobs).where(eq(jobs.key, key));
      return row ?? null;
    },

    /** Counts per kind and state, with the oldest `run_at` of each; optionally one merchant's. */
    async stats(merchantId?: string): Promise<JobStats[]> {
      const rows = await db
        .select({ kind: jobs.kind, state: jobs.state, count: count(), oldestRunAt: min(jobs.runAt) })
        .from(jobs)
        .where(merchantId === undefined ? undefined : eq(jobs.merchantId, merchantId))
        .groupBy(jobs.kind, jobs.state)
        .orderBy(asc(jobs.kind), asc(jobs.state));
      return rows.map((r) => ({ ...r, state: r.state as JobState, oldestRunAt: r.oldestRunAt ? new Date(r.oldestRunAt) : null }));
    },

    /** Forgets finished jobs last touched before `before`. */
    async purgeDone(before: Date): Promise<number> {
      const rows = await db
        .delete(jobs)
        .where(and(eq(jobs.state, 'done'), lt(jobs.updatedAt, before)))
        .returning({ id: jobs.id });
      return rows.length;
    },
  };
}

/**
 * Schedules a job, as a statement of its own or a part of a larger one (the payment hot path's
 * CTEs), inserting only when `guard` holds: a job key scheduled again moves its one row instead
 * of adding another.
 */
export function scheduleJobSql(job: ScheduleJob, now: Date, guard: SQL | null): SQL {
  return upsertJobSql(jobValues(job, now), guard);
}

/** The values of a job's row as `upsertJobSql` sends them (timestamps as ISO text, the payload as JSON). */
export function jobValues(job: ScheduleJob, now: Date) {
  return { id: newId('job'), kind: job.kind, key: job.key, merchantId: job.merchantId ?? null, payload: JSON.stringify(job.payload ?? {}), runAt: job.runAt.toISOString(), now: now.toISOString() };
}

/** `scheduleJobSql` from its row's values, or from placeholders for them (a statement built once per shape). */
export function upsertJobSql(v: Record<keyof ReturnType<typeof jobValues>, unknown>, guard: SQL | null): SQL {
  return sql`insert into jobs (id, kind, key, merchant_id, payload, state, run_at, created_at, updated_at)
    select ${v.id}, ${v.kind}, ${v.key}, ${v.merchantId}, ${v.payload}::jsonb, 'scheduled', ${v.runAt}::timestamptz, ${v.now}::timestamptz, ${v.now}::timestamptz
    ${guard ? sql`where ${guard}` : sql``}
    on conflict (key) do update set
      kind = excluded.kind,
      payload = excluded.payload,
      state = case when jobs.state = 'running' then 'running' else 'scheduled' end,
      run_at = case when jobs.state in ('done', 'dead') then excluded.run_at else least(jobs.run_at, excluded.run_at) end,
      attempts = case when jobs.state in ('done', 'dead') then 0 else jobs.attempts end,
      rerun = jobs.state = 'running',
      last_error = case when jobs.state in ('done', 'dead') then null else jobs.last_error end,
      updated_at = excluded.updated_at`;
}
