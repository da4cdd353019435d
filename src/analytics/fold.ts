import type { PaymentMethodType } from '../domain/payment-method.js';
import { feeFor, type FeeSchedule, type FeeTransaction } from '../routing/fees/schedule.js';
import { bucketStart, GRANULARITIES, type Granularity } from './buckets.js';
import { emptyHistogram, latencyBucket } from './latency.js';

/** What the fold reads of a payment: the row's facts and its attempts, oldest first. */
export interface FoldPayment {
  id: string;
  merchantId: string;
  status: string;
  amount: number;
  currency: string;
  paymentMethod: PaymentMethodType;
  network: string;
  cardType: string | null;
  issuerCountry: string | null;
  createdAt: Date;
  /** When it last changed: a capture is counted then. */
  updatedAt: Date;
  attempts: FoldAttempt[];
}

export interface FoldAttempt {
  number: number;
  gatewayAccountId: string;
  /** The account's name, which names its fee schedule. */
  accountName: string;
  provider: string;
  status: string;
  outcome: string | null;
  declineReason: string | null;
  latencyMs: number | null;
  completedAt: Date | null;
}

/** What was counted of a payment by earlier folds (null: nothing yet). */
export interface FoldedState {
  attempts: number;
  attempted: boolean;
  authorized: boolean;
  captured: boolean;
}

/** Attempts whose result may still change: they are counted once final. */
const OPEN_ATTEMPT = new Set(['pending', 'unknown', 'requires_action']);

interface Segment {
  merchantId: string;
  granularity: Granularity;
  bucket: Date;
  network: string;
  currency: string;
}

export interface AttemptCounts extends Segment {
  gatewayAccountId: string;
  provider: string;
  attempts: number;
  approved: number;
  declined: number;
  technicalFailures: number;
  latencyCount: number;
  latencySumMs: number;
  latencyBuckets: number[];
  approvedAmount: number;
  fees: number;
  unpriced: number;
}

export interface DeclineCounts extends Segment {
  gatewayAccountId: string;
  reason: string;
  count: number;
}

export interface PaymentCounts extends Segment {
  created: number;
  attempted: number;
  authorized: number;
  captured: number;
  recoveredAfterDecline: number;
  recoveredAfterFailure: number;
}

/** Increments to add to the rollup tables, and each folded payment's new state. */
export interface FoldDelta {
  attempts: AttemptCounts[];
  declines: DeclineCounts[];
  payments: PaymentCounts[];
  folded: Map<string, FoldedState>;
}

/**
 * What these payments add to the rollups beyond what `before` says was counted already: a new
 * payment's creation, its attempts that became final (in number order; only the last attempt of
 * a payment can still be open), its authorization and cascade recovery, its capture. Each event
 * is counted in the minute and the hour it happened in. Pure: the store applies the answer and
 * the new states in one transaction.
 */
export function foldPayments(
  payments: readonly FoldPayment[],
  before: ReadonlyMap<string, FoldedState>,
  fees: ReadonlyMap<string, FeeSchedule>,
): FoldDelta {
  const attempts = new Map<string, AttemptCounts>();
  const declines = new Map<string, DeclineCounts>();
  const funnel = new Map<string, PaymentCounts>();
  const folded = new Map<string, FoldedState>();

  const segments = (p: FoldPayment, at: Date) =>
    GRANULARITIES.map((granularity) => ({ merchantId: p.merchantId, granularity, bucket: bucketStart(at, granularity), network: p.network, currency: p.currency }));
  const keyOf = (s: Segment, ...rest: string[]) => [s.merchantId, s.granularity, s.bucket.getTime(), s.network, s.currency, ...rest].join('\u0000');
  const funnelAt = (p: FoldPayment, at: Date, add: (c: PaymentCounts) => void) => {
    for (const s of segments(p, at)) {
      const key = keyOf(s);
      let c = funnel.get(key);
      if (!c) funnel.set(key, (c = { ...s, created: 0, attempted: 0, authorized: 0, captured: 0, recoveredAfterDecline: 0, recoveredAfterFailure: 0 }));
      add(c);
    }
  };

  for (const p of payments) {
    const was = before.get(p.id) ?? null;
    const now: FoldedState = was ? { ...was } : { attempts: 0, attempted: false, authorized: false, captured: false };
    if (!was) funnelAt(p, p.createdAt, (c) => c.created++);
    if (!now.attempted && p.attempts.length > 0) {
      now.attempted = true;
      funnelAt(p, p.createdAt, (c) => c.attempted++);
    }
    for (const a of p.attempts) {
      if (a.number <= now.attempts) continue;
      if (OPEN_ATTEMPT.has(a.status) || a.completedAt === null) break;
      now.attempts = a.number;
      const approved = a.outcome === 'approved';
      const declined = a.outcome === 'declined';
      const fee = approved ? feeOf(fees, p, a) : null;
      for (const s of segments(p, a.completedAt)) {
        const key = keyOf(s, a.gatewayAccountId);
        let c = attempts.get(key);
        if (!c) {
          c = { ...s, gatewayAccountId: a.gatewayAccountId, provider: a.provider, attempts: 0, approved: 0, declined: 0, technicalFailures: 0, latencyCount: 0, latencySumMs: 0, latencyBuckets: emptyHistogram(), approvedAmount: 0, fees: 0, unpriced: 0 };
          attempts.set(key, c);
        }
        c.attempts++;
        if (approved) {
          c.approved++;
          c.approvedAmount += p.amount;
          if (fee === null) c.unpriced++;
          else c.fees += fee;
        } else if (declined) c.declined++;
        else c.technicalFailures++;
        if (a.latencyMs !== null) {
          c.latencyCount++;
          c.latencySumMs += a.latencyMs;
          c.latencyBuckets[latencyBucket(a.latencyMs)]!++;
        }
        if (declined) {
          const reason = a.declineReason ?? 'unknown';
          const dkey = keyOf(s, a.gatewayAccountId, reason);
          const d = declines.get(dkey) ?? { ...s, gatewayAccountId: a.gatewayAccountId, reason, count: 0 };
          d.count++;
          declines.set(dkey, d);
        }
      }
      if (approved && !now.authorized) {
        now.authorized = true;
        const previous = p.attempts.find((x) => x.number === a.number - 1);
        funnelAt(p, a.completedAt, (c) => {
          c.authorized++;
          if (previous?.outcome === 'declined') c.recoveredAfterDecline++;
          else if (previous) c.recoveredAfterFailure++;
        });
      }
    }
    if (!now.captured && p.status === 'succeeded') {
      now.captured = true;
      funnelAt(p, p.updatedAt, (c) => c.captured++);
    }
    if (!was || was.attempts !== now.attempts || was.attempted !== now.attempted || was.authorized !== now.authorized || was.captured !== now.captured) {
      folded.set(p.id, now);
    }
  }
  return { attempts: [...attempts.values()], declines: [...declines.values()], payments: [...funnel.values()], folded };
}

function feeOf(fees: ReadonlyMap<string, FeeSchedule>, p: FoldPayment, a: FoldAttempt): number | null {
  const schedule = fees.get(a.accountName);
  if (!schedule) return null;
  return feeFor(schedule, { amount: p.amount, currency: p.currency, paymentMethod: p.paymentMethod, card: { network: p.network as FeeTransaction['card']['network'], type: p.cardType as FeeTransaction['card']['type'], issuerCountry: p.issuerCountry } });
}
