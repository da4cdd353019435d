import { asc, gt, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { rowsOf } from './rows.js';
import { learnerOutcomes, merchantLearnerState } from './schema.js';

interface StoredLearnerState {
  merchantId: string;
  snapshot: unknown;
  /** The last outcome sequence number the saving instance had heard of. */
  outcomeSeq: number;
}

/** An outcome from the log, in the wire form the instances share. */
export interface LoggedOutcome {
  seq: number;
  merchantId: string;
  outcome: unknown;
}

/**
 * One row per merchant: a save replaces that merchant's row and touches no other. Beside them,
 * the log of outcomes every instance records (`learner_outcomes`), for a starting instance to
 * catch up on what came after the state it restores.
 */
export function learnerRepository(db: Database) {
  return {
    async loadAll(): Promise<StoredLearnerState[]> {
      return db
        .select({ merchantId: merchantLearnerState.merchantId, snapshot: merchantLearnerState.snapshot, outcomeSeq: merchantLearnerState.outcomeSeq })
        .from(merchantLearnerState);
    },

    async save(merchantId: string, snapshot: unknown, outcomeSeq: number, savedAt: Date): Promise<void> {
      await db
        .insert(merchantLearnerState)
        .values({ merchantId, snapshot, savedAt, outcomeSeq })
        .onConflictDoUpdate({ target: merchantLearnerState.merchantId, set: { snapshot, savedAt, outcomeSeq } });
    },

    /**
     * Appends outcomes to the log, numbered in the order given, in one statement; with `notify`,
     * the same statement sends them (with their numbers) as one notification
     * `{"from": <instance>, "items": [{"s": <seq>, "o": <outcome>}, …]}`, delivered when it
     * commits. Answers the numbers given. The caller keeps the payload under PostgreSQL's limit:
     * each outcome as text, at most doubled (jsonb's spacing), plus 40 bytes.
     */
    async append(outcomes: readonly { merchantId: string; outcome: unknown }[], notify?: { channel: string; from: string }): Promise<number[]> {
      if (outcomes.length === 0) return [];
      const input = JSON.stringify(outcomes.map((o) => ({ m: o.merchantId, o: o.outcome })));
      const inserted = sql`inserted as (
        insert into learner_outcomes (merchant_id, outcome)
        select e->>'m', e->'o' from jsonb_array_elements(${input}::jsonb) with ordinality as t(e, n) order by n
        returning seq, outcome)`;
      const sent = notify
        ? sql`, pg_notify(${notify.channel}, json_build_object('from', ${notify.from}::text, 'items', json_agg(json_build_object('s', seq, 'o', outcome) order by seq))::text) is not null as notified`
        : sql``;
      const result = await db.execute(sql`with ${inserted} select array_agg(seq order by seq) as seqs${sent} from inserted`);
      const row = rowsOf(result)[0] as { seqs: (number | string)[] | null };
      return (row.seqs ?? []).map(Number);
    },

    /** Up to `limit` outcomes after `seq`, in order. */
    async since(seq: number, limit: number): Promise<LoggedOutcome[]> {
      return db
        .select({ seq: learnerOutcomes.seq, merchantId: learnerOutcomes.merchantId, outcome: learnerOutcomes.outcome })
        .from(learnerOutcomes)
        .where(gt(learnerOutcomes.seq, seq))
        .orderBy(asc(learnerOutcomes.seq))
        .limit(limit);
    },

    /**
     * Drops the outcomes every state saved since `savedSince` covers: a restart restores one of
     * those and replays only what came after it. Answers how many went.
     */
    async purgeCovered(savedSince: Date): Promise<number> {
      const result = await db.execute(sql`
        with gone as (
          delete from learner_outcomes
          where seq <= (select min(outcome_seq) from merchant_learner_state where saved_at >= ${savedSince.toISOString()}::timestamptz)
          returning 1)
        select count(*)::int as count from gone`);
      return Number((rowsOf(result)[0] as { count: number | string }).count);
    },
  };
}
