import { feeFor, type FeeSchedule } from '../fees/schedule.js';
import type { CompiledRuleset } from '../rules/compile.js';
import type { RoutingTransaction } from '../rules/transaction.js';
import { effectiveSampleSize, selfNormalisedIpw, type Interval, type Weighted } from './estimate.js';
import { readLoggedDecision, type LoggedDecision } from './logged-decision.js';
import { firstChoiceUnder, likeliestFirst } from './policy.js';

/** A recorded payment: its routing facts, its stored decision, and how its first attempt ended. */
export interface RecordedPayment {
  tx: RoutingTransaction;
  decision: unknown;
  /** The first attempt's gateway account and status; null when nothing was tried. */
  firstAttempt: { accountId: string; status: string } | null;
}

export interface BacktestInput {
  payments: readonly RecordedPayment[];
  current: { version: number | null; compiled: CompiledRuleset | null };
  candidate: { version: number; compiled: CompiledRuleset };
  /** Fee schedules by gateway account name. */
  fees: ReadonlyMap<string, FeeSchedule>;
}

export const ESTIMATOR = {
  name: 'self_normalised_inverse_propensity_weighting',
  confidence: 0.95,
  interval: 'delta_method',
  outcome: 'first_attempt',
  description:
    "Each recorded payment's first attempt is weighted by the probability the version would have sent the payment to that gateway first, divided by the probability logged when it was routed; approvals, fees and net revenue are the weighted means (self-normalised), times the share of payments the version would route at all. Only first attempts are estimated: failover after them is not replayed.",
} as const;

interface PolicyEstimate {
  approval_rate: Interval | null;
  /** Kish's effective sample size of the weights. */
  effective_sample_size: number;
  /** Mean chance the version refuses a payment (a block, or no eligible gateway). */
  refused_share: number;
  /** Mean chance the version sends a payment first where the routing that recorded it never would: the estimate cannot see those outcomes. */
  unsupported_share: number;
}

interface Money {
  fees: Interval | null;
  net_revenue: Interval | null;
}

interface CurrencyReport {
  currency: string;
  payments: number;
  observed: { fees: number; net_revenue: number };
  current: Money;
  candidate: Money;
}

export interface BacktestReport {
  estimator: typeof ESTIMATOR;
  payments: {
    in_window: number;
    estimated: number;
    /** Left out, with why: no logged propensity, nothing tried, an attempt not settled, a half-open probe. */
    excluded: { no_propensity: number; not_attempted: number; unsettled: number; probe: number };
  };
  /** Estimated payments whose most likely first gateway (or refusal) differs between the versions. */
  changed_route: number;
  observed: { approval_rate: number | null };
  current: PolicyEstimate & { version: number | null };
  candidate: PolicyEstimate & { version: number };
  /** Fees and net revenue in minor units, totals over the estimated payments, per currency. */
  currencies: CurrencyReport[];
}

interface Included {
  tx: RoutingTransaction;
  logged: LoggedDecision;
  propensity: number;
  first: string;
  approved: boolean;
  fee: number;
}

/** Replays recorded payments against the current and the candidate version and estimates both. */
export function backtest(input: BacktestInput): BacktestReport {
  const excluded = { no_propensity: 0, not_attempted: 0, unsettled: 0, probe: 0 };
  const included: Included[] = [];
  for (const payment of input.payments) {
    const logged = readLoggedDecision(payment.decision);
    if (logged === null) excluded.no_propensity++;
    else if (logged.propensity === null || payment.firstAttempt === null || logged.names.get(payment.firstAttempt.accountId) !== logged.order[0]) excluded.not_attempted++;
    else if (payment.firstAttempt.status !== 'succeeded' && payment.firstAttempt.status !== 'failed') excluded.unsettled++;
    else if (logged.probe) excluded.probe++;
    else {
      const first = logged.order[0]!;
      const approved = payment.firstAttempt.status === 'succeeded';
      const schedule = input.fees.get(first);
      const fee = approved && schedule ? (feeFor(schedule, payment.tx) ?? 0) : 0;
      included.push({ tx: payment.tx, logged, propensity: logged.propensity, first, approved, fee });
    }
  }

  const choices = (compiled: CompiledRuleset | null) => included.map((p) => firstChoiceUnder(compiled, p.tx, p.logged));
  const current = choices(input.current.compiled);
  const candidate = choices(input.candidate.compiled);
  const changed = included.filter((_, i) => likeliestFirst(current[i]!) !== likeliestFirst(candidate[i]!)).length;

  const policy = (choice: Map<string, number>[], subset: number[]) => {
    const weighted = (reward: (p: Included) => number): Weighted[] =>
      subset.map((i) => ({ weight: (choice[i]!.get(included[i]!.first) ?? 0) / included[i]!.propensity, reward: reward(included[i]!) }));
    const routed = subset.map((i) => [...choice[i]!.values()].reduce((s, p) => s + p, 0));
    const routedShare = subset.length === 0 ? 0 : routed.reduce((s, p) => s + p, 0) / subset.length;
    const unsupported = subset.map((i) => {
      let mass = 0;
      for (const [gateway, p] of choice[i]!) if ((included[i]!.logged.firstProbabilities.get(gateway) ?? 0) === 0) mass += p;
      return mass;
    });
    return { weighted, routedShare, unsupported: subset.length === 0 ? 0 : unsupported.reduce((s, p) => s + p, 0) / subset.length };
  };

  const all = included.map((_, i) => i);
  const estimate = (choice: Map<string, number>[]): PolicyEstimate => {
    const { weighted, routedShare, unsupported } = policy(choice, all);
    const approvals = weighted((p) => (p.approved ? 1 : 0));
    return {
      approval_rate: selfNormalisedIpw(approvals, routedShare),
      effective_sample_size: round(effectiveSampleSize(approvals)),
      refused_share: round(1 - routedShare),
      unsupported_share: round(unsupported),
    };
  };

  const currencies = [...new Set(included.map((p) => p.tx.currency))].sort().map((currency): CurrencyReport => {
    const subset = all.filter((i) => included[i]!.tx.currency === currency);
    const money = (choice: Map<string, number>[]): Money => {
      const { weighted, routedShare } = policy(choice, subset);
      const total = (interval: Interval | null) => interval && scaleInterval(interval, subset.length);
      return {
        fees: total(selfNormalisedIpw(weighted((p) => p.fee), routedShare)),
        net_revenue: total(selfNormalisedIpw(weighted((p) => (p.approved ? p.tx.amount - p.fee : 0)), routedShare)),
      };
    };
    const rows = subset.map((i) => included[i]!);
    return {
      currency,
      payments: subset.length,
      observed: {
        fees: rows.reduce((s, p) => s + p.fee, 0),
        net_revenue: rows.reduce((s, p) => s + (p.approved ? p.tx.amount - p.fee : 0), 0),
      },
      current: money(current),
      candidate: money(candidate),
    };
  });

  return {
    estimator: ESTIMATOR,
    payments: { in_window: input.payments.length, estimated: included.length, excluded },
    changed_route: changed,
    observed: { approval_rate: included.length === 0 ? null : round(included.filter((p) => p.approved).length / included.length) },
    current: { version: input.current.version, ...roundEstimate(estimate(current)) },
    candidate: { version: input.candidate.version, ...roundEstimate(estimate(candidate)) },
    currencies,
  };
}

/** Totals in minor units: a per-payment mean times the payments it is over, rounded to the unit. */
function scaleInterval(interval: Interval, count: number): Interval {
  return { estimate: Math.round(interval.estimate * count), low: Math.round(interval.low * count), high: Math.round(interval.high * count) };
}

function roundEstimate(estimate: PolicyEstimate): PolicyEstimate {
  const r = estimate.approval_rate;
  return { ...estimate, approval_rate: r && { estimate: round(r.estimate), low: round(r.low), high: round(r.high) } };
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;
