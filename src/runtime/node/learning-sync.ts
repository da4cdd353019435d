import { z } from 'zod';
import type { CardBrand } from '../../domain/card.js';
import { decline, DECLINE_REASONS } from '../../domain/decline.js';
import type { Logger } from '../../domain/logger.js';
import type { AuthorizationOutcome, NotProcessedReason, UnknownReason } from '../../domain/outcome.js';
import type { MerchantLearners, RecordedOutcome } from '../../routing/merchant-learners.js';
import type { Database, Subscribe } from '../../store/database.js';
import { instanceChannel } from './instance-channel.js';

export const LEARNING_CHANNEL = 'switchyard_learning';

/**
 * Learner outcomes shared between instances, so that every instance's learner hears every
 * outcome and learns as one learner would: each outcome recorded here (payments, webhooks, the
 * reconciler: every `of(merchant).record(...)`) goes out in the next batch, and each other
 * instance applies the same `record` to its own learner. Nothing here knows how the learner
 * learns: it carries `record`'s arguments.
 *
 * Why NOTIFY: the outcomes are evidence, not truth. A lost one costs a little accuracy, never
 * money, so at-most-once delivery is enough, and NOTIFY gives it on the PostgreSQL the
 * instances already share, with no table to write on the payment path or to purge, and no
 * Redis to run. One notification every `batchMs` per instance at most (~130 bytes an outcome,
 * dozens per notification) keeps the database's work per payment flat however many instances.
 *
 * Why the states still converge on save: every instance applies every outcome, so each learner
 * holds all the evidence, in nearly the same order (an instance hears its own outcomes at once,
 * the others' within a batch; the learner's decays make such reorderings negligible). The
 * periodic save (learner-persistence.ts) can therefore stay "last writer wins": the last writer
 * holds what the others hold, except outcomes it missed while restarting. Merging snapshots on
 * save instead would have to know the learner's algorithm, which this is kept free of.
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
  subscribe: Subscribe;
  learners: MerchantLearners;
  logger: Logger;
  batchMs: number;
}): Promise<{ stop(): Promise<void> }> {
  const channel = await instanceChannel<RecordedOutcome>({
    channel: LEARNING_CHANNEL,
    instanceId: deps.instanceId,
    db: deps.db,
    subscribe: deps.subscribe,
    logger: deps.logger,
    batchMs: deps.batchMs,
    encode: encodeOutcome,
    receive(items) {
      let malformed = 0;
      for (const item of items) {
        const recorded = decodeOutcome(item);
        if (recorded) deps.learners.apply(recorded);
        else malformed++;
      }
      if (malformed > 0) deps.logger.warn('learning.outcomes_malformed', { count: malformed });
    },
  });
  const unwatch = deps.learners.watch((recorded) => channel.send(recorded));
  return {
    async stop() {
      unwatch();
      await channel.stop();
    },
  };
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
    bin: z.string().regex(/^\d{0,8}$/),
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
      paymentMethod: 'card',
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
