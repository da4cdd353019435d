import { z } from 'zod';
import type { CardBrand } from '../../domain/card.js';
import { PAYMENT_METHOD_TYPES } from '../../domain/payment-method.js';
import { decline, DECLINE_REASONS } from '../../domain/decline.js';
import type { Logger } from '../../domain/logger.js';
import type { AuthorizationOutcome, NotProcessedReason, UnknownReason } from '../../domain/outcome.js';
import type { MerchantLearners, RecordedOutcome } from '../../routing/merchant-learners.js';
import type { Database, Subscribe } from '../../store/database.js';
import type { Repositories } from '../../store/index.js';
import { instanceChannel } from './instance-channel.js';

export const LEARNING_CHANNEL = 'switchyard_learning';

/** Longer than any notification takes to arrive after its outcomes are readable. */
const REPLAYED_SKIP_MS = 60_000;

/**
 * Learner outcomes shared between instances, so that every instance's learner hears every
 * outcome and learns as one learner would: each outcome recorded here (payments, webhooks, the
 * reconciler: every `of(merchant).record(...)`) goes out in the next batch, and each other
 * instance applies the same `record` to its own learner. Nothing here knows how the learner
 * learns: it carries `record`'s arguments.
 *
 * Each batch is one statement, off the payment path: it appends the outcomes to the log
 * (`learner_outcomes`, numbered) and NOTIFYs them with their numbers, delivered when it
 * commits. NOTIFY reaches the instances listening; the log is for one that was not: a starting
 * instance restores the saved learner state, replays the log after the number that state was
 * saved at (learner-persistence.ts), and only then applies what it heard meanwhile, skipping
 * what the replay applied. One statement every `batchMs` per instance at most (~130 bytes an
 * outcome, a few dozen per notification) keeps the database's work per payment flat however
 * many instances. PGlite is one process's database: the same statement, with no other listener.
 *
 * Why the states still converge on save: every instance applies every outcome, so each learner
 * holds all the evidence, in nearly the same order (an instance hears its own outcomes at once,
 * the others' within a batch; the learner's decays make such reorderings negligible). The
 * periodic save can therefore stay "last writer wins", each state saved with the last number
 * its instance had heard of. Merging snapshots on save instead would have to know the learner's
 * algorithm, which this is kept free of.
 *
 * Sent per outcome: merchant, gateway account, the transaction's routing facts except its
 * payment id and metadata (neither segments the learner; metadata is merchant data of any
 * size), and the outcome's kind with its reason (decline reason, provider and advice codes),
 * not its references or messages. No time: `record` takes none; it happens on arrival, within
 * a batch of when it happened.
 */
export async function syncLearning(deps: {
  instanceId: string;
  db: Database;
  repositories: Pick<Repositories, 'learner'>;
  subscribe: Subscribe;
  learners: MerchantLearners;
  logger: Logger;
  batchMs: number;
}): Promise<LearningSync> {
  let seen = 0;
  /** Until `live`: what arrived while the log was being replayed. */
  let heldBack: unknown[] | null = [];
  /** After a catch-up: the outcomes the replay applied, not to be applied again when their notification comes. */
  let skip: ReadonlySet<number> | undefined;
  const apply = (items: readonly unknown[]) => {
    let malformed = 0;
    for (const item of items) {
      const seq = (item as { s?: unknown } | null)?.s;
      const recorded = typeof seq === 'number' && Number.isSafeInteger(seq) ? decodeOutcome((item as { o?: unknown }).o) : null;
      if (!recorded) malformed++;
      else if (!skip?.has(seq as number)) {
        deps.learners.apply(recorded);
        seen = Math.max(seen, seq as number);
      }
    }
    if (malformed > 0) deps.logger.warn('learning.outcomes_malformed', { count: malformed });
  };
  const channel = await instanceChannel<RecordedOutcome>({
    channel: LEARNING_CHANNEL,
    instanceId: deps.instanceId,
    db: deps.db,
    subscribe: deps.subscribe,
    logger: deps.logger,
    batchMs: deps.batchMs,
    encode: encodeOutcome,
    receive(items) {
      if (heldBack) heldBack.push(...items);
      else apply(items);
    },
    // An outcome's text as jsonb renders it (a space after each `:` and `,`) is at most twice as long, plus `{"s": <seq>, "o": }`.
    sizeOf: (item) => 2 * Buffer.byteLength(item) + 40,
    async publish(items) {
      const outcomes = items.map((item) => {
        const outcome = JSON.parse(item) as WireRecorded;
        return { merchantId: outcome.m, outcome };
      });
      const seqs = await deps.repositories.learner.append(outcomes, { channel: LEARNING_CHANNEL, from: deps.instanceId });
      seen = Math.max(seen, ...seqs);
    },
  });
  const unwatch = deps.learners.watch((recorded) => channel.send(recorded));
  return {
    flush: () => channel.flush(),
    seen: () => seen,
    live(replayed) {
      for (const seq of replayed) seen = Math.max(seen, seq);
      const items = heldBack ?? [];
      heldBack = null;
      // A notification of an outcome the replay read may still be on its way: skipped too, for a while.
      skip = replayed;
      setTimeout(() => (skip = undefined), REPLAYED_SKIP_MS).unref();
      apply(items);
    },
    async stop() {
      unwatch();
      await channel.stop();
    },
  };
}

/** This instance's side of the outcome log, as learner persistence sees it. */
export interface OutcomeLog {
  /** Writes the outcomes queued now; after it, `seen` covers every outcome this instance had recorded. */
  flush(): Promise<void>;
  /** The highest outcome number this instance has written, heard or replayed. */
  seen(): number;
  /** The replay is done: applies what was heard meanwhile, except the outcomes the replay applied. */
  live(replayed: ReadonlySet<number>): void;
}

export interface LearningSync extends OutcomeLog {
  stop(): Promise<void>;
}

const id = z.string().min(1).max(64);
const country = z.string().length(2).nullable();

const WireOutcome = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('approved'), captured: z.boolean() }),
  z.object({ kind: z.literal('requires_action') }),
  z.object({ kind: z.literal('declined'), reason: z.enum(DECLINE_REASONS), code: z.string().max(100), advice: z.string().max(8).nullable() }),
  z.object({ kind: z.literal('not_processed'), reason: z.enum(['connection_refused', 'rate_limited', 'rejected', 'authentication_failed', 'breaker_open'] satisfies NotProcessedReason[]) }),
  z.object({
    kind: z.literal('unknown'),
    reason: z.enum(['timeout', 'server_error', 'connection_lost', 'malformed_response', 'pending_at_gateway', 'not_found'] satisfies UnknownReason[]),
  }),
]);

const WireRecorded = z.object({
  m: id,
  a: id,
  t: z.object({
    amount: z.number().int().nonnegative(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    // Any brand the sending instance knew: the learner only uses it as a segment value.
    network: z.string().min(1).max(20),
    type: z.enum(['credit', 'debit', 'prepaid']).nullable(),
    bin: z.string().regex(/^\d{0,8}$/).nullable(),
    // Absent from instances that knew only cards.
    method: z.enum(PAYMENT_METHOD_TYPES).default('card'),
    issuer: country,
    billing: country,
    capture: z.enum(['automatic', 'manual']),
    initiator: z.enum(['customer', 'merchant']),
    threeDS: z.enum(['automatic', 'required']).nullable(),
  }),
  o: WireOutcome,
});
type WireRecorded = z.infer<typeof WireRecorded>;

export function encodeOutcome({ merchantId, accountId, tx, outcome }: RecordedOutcome): WireRecorded {
  return {
    m: merchantId,
    a: accountId,
    t: {
      amount: tx.amount,
      currency: tx.currency,
      network: tx.card.network,
      type: tx.card.type,
      bin: tx.card.bin,
      method: tx.paymentMethod,
      issuer: tx.card.issuerCountry,
      billing: tx.billingCountry,
      capture: tx.captureMethod,
      initiator: tx.initiator,
      threeDS: tx.threeDSecure ?? null,
    },
    o: wireOutcome(outcome),
  };
}

function wireOutcome(outcome: AuthorizationOutcome): WireRecorded['o'] {
  switch (outcome.kind) {
    case 'approved':
      return { kind: outcome.kind, captured: outcome.captured };
    case 'requires_action':
      return { kind: outcome.kind };
    case 'pending':
      // Like a challenge, not an answer yet: the learner ignores both, so the wire need not tell them apart.
      return { kind: 'requires_action' };
    case 'declined':
      return { kind: outcome.kind, reason: outcome.decline.reason, code: outcome.decline.providerCode.slice(0, 100), advice: outcome.decline.adviceCode };
    case 'not_processed':
    case 'unknown':
      return { kind: outcome.kind, reason: outcome.reason } as WireRecorded['o'];
  }
}

const ELSEWHERE = 'Recorded on another instance.';

/** The recorded outcome back, or null when `item` is not one. */
export function decodeOutcome(item: unknown): RecordedOutcome | null {
  const parsed = WireRecorded.safeParse(item);
  if (!parsed.success) return null;
  const { m, a, t, o } = parsed.data;
  return {
    merchantId: m,
    accountId: a,
    tx: {
      paymentId: '',
      amount: t.amount,
      currency: t.currency,
      paymentMethod: t.method,
      card: { network: t.network as CardBrand, type: t.type, bin: t.bin, issuerCountry: t.issuer },
      billingCountry: t.billing,
      captureMethod: t.capture,
      initiator: t.initiator,
      metadata: {},
      ...(t.threeDS ? { threeDSecure: t.threeDS } : {}),
    },
    outcome: outcomeOf(o),
  };
}

function outcomeOf(o: WireRecorded['o']): AuthorizationOutcome {
  switch (o.kind) {
    case 'approved':
      return { kind: 'approved', reference: '', captured: o.captured };
    case 'requires_action':
      return { kind: 'requires_action', reference: '', nextAction: null };
    case 'declined':
      return { kind: 'declined', reference: null, decline: decline(o.reason, o.code, o.advice) };
    case 'not_processed':
      return { kind: 'not_processed', reason: o.reason, detail: ELSEWHERE };
    case 'unknown':
      return { kind: 'unknown', reason: o.reason, detail: ELSEWHERE };
  }
}
