import type { Capabilities } from '../../adapters/testkit/contract.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';
import { methodTakesCurrency, onCardNetwork } from '../domain/payment-method.js';
import { methodIneligibility } from './candidates.js';
import { feeFor, type FeeSchedule } from './fees/schedule.js';
import type { Posterior } from './learner/index.js';
import { firstChoice, splitOrder } from './first-choice.js';
import { evaluate, type CompiledRuleset, type RouteAction } from './rules/compile.js';
import type { Objective } from './rules/ruleset.js';
import { rankCandidates, score, type ProbeSlot, type RankingCandidate } from './scoring/index.js';
import type { RoutingTransaction } from './rules/transaction.js';

export type Health = 'closed' | 'open' | 'half_open';

/** One of the merchant's gateway accounts, as the decision sees it: all in memory. */
export interface GatewayCandidate {
  accountId: string;
  name: string;
  provider: string;
  capabilities: Capabilities;
  health: Health;
  fees: FeeSchedule | null;
}

/**
 * Success probability for one of a merchant's gateway accounts (by its id) on this transaction:
 * the mean to explain, a draw to explore. Each merchant has its own model (`MerchantLearners`),
 * so nothing learned from one merchant's traffic reaches another's routing.
 */
export interface SuccessModel {
  estimate(accountId: string, tx: RoutingTransaction): { p: number; n: number; level: string };
  sample(accountId: string, tx: RoutingTransaction, random: () => number): number;
  /** The distribution `sample` draws from: what the logged first-choice probabilities are computed on. */
  posterior(accountId: string, tx: RoutingTransaction): Posterior;
  /** What a failed attempt is still worth through the fallbacks, in [0, MAX_RESCUE] (`RescueRate`): how expected value scores an order. */
  rescue(): number;
}

/** The model with its feedback: every attempt's outcome (and late webhook outcomes) goes back in. */
export interface SuccessLearner extends SuccessModel {
  record(accountId: string, tx: RoutingTransaction, outcome: AuthorizationOutcome): void;
  /** Across all segments, for health reports. */
  overall(accountId: string): { p: number; n: number; level: string };
}

export interface CandidateExplanation {
  gateway: string;
  account_id: string;
  provider: string;
  eligible: boolean;
  /** Why not, when not eligible. */
  reason: string | null;
  health: Health;
  probability: number;
  samples: number;
  estimate_level: string;
  fee: number | null;
  score: number | null;
  /** The probability this gateway would go first for this transaction under the live policy (rules, split weights, exploration). */
  first_probability: number;
  /** What an exploring decision drew its success rate from (null when not eligible): a backtest recomputes first choices from it. */
  posterior: Posterior | null;
}

/** Why the active ruleset could not be used, so default routing decided instead. */
export interface RoutingFallback {
  reason: 'ruleset_unusable';
  /** The active version that was set aside. */
  ruleset_version: number;
  /** What is wrong with it now, as `line:column: message` (an account disabled, renamed or without an adapter since activation). */
  errors: string[];
}

export interface DecisionExplanation {
  /** `rules`: the active ruleset decided; `explicit`: the request named its gateways; `default`: no ruleset is active, or (see `fallback`) it cannot be used. */
  source: 'rules' | 'explicit' | 'default';
  ruleset_version: number | null;
  /** The matching rule's id; `default` when the ruleset's default applied. */
  rule: string | null;
  action: RouteAction['kind'];
  objective: Objective | null;
  /** What a failed attempt was worth through the fallbacks in the expected-value scores (`RescueRate`); 0 under the other objectives. */
  rescue: number;
  candidates: CandidateExplanation[];
  order: string[];
  blocked: { code: string } | null;
  /** Set when there is an active ruleset but default routing decided because it cannot be used. */
  fallback: RoutingFallback | null;
  /** The first gateway's `first_probability`: the propensity an off-policy estimate (a backtest) divides by; null when nothing was tried. */
  propensity: number | null;
  /** The order came from Thompson draws (live traffic, or a dry run that asked to explore); otherwise from the mean estimates. */
  explore: boolean;
  /** The first gateway is a half-open breaker's probe: this transaction's slot, not the scores, sent it there. */
  probe: boolean;
}

export interface DecideInput {
  tx: RoutingTransaction;
  candidates: readonly GatewayCandidate[];
  ruleset: { version: number; compiled: CompiledRuleset } | null;
  /** Why there is no usable ruleset although one is active; recorded in the explanation. */
  fallback?: RoutingFallback | null;
  /** Gateway names the request asked for, in order: they replace the rules' choice, not eligibility nor a block rule. */
  explicit: readonly string[] | null;
  model: SuccessModel;
  random: () => number;
  /** Which transactions may probe a half-open gateway. */
  probe: ProbeSlot;
  /** Order optimize actions by Thompson draws (live traffic; the default) or by the means (a repeatable dry run). */
  explore?: boolean;
}

const DEFAULT_OBJECTIVE: Objective = 'expected_value';

/**
 * candidates → eligibility → rules (or the request's own list) → scoring → an ordered list
 * and its explanation. Synchronous and in memory: no I/O on this path (principle 5).
 */
export function decide(input: DecideInput): { order: GatewayCandidate[]; explanation: DecisionExplanation } {
  const { tx } = input;
  const verdicts = input.candidates.map((candidate) => ({ candidate, reason: ineligibility(candidate, tx) }));
  const eligible = new Map(verdicts.filter((v) => v.reason === null).map((v) => [v.candidate.name, v.candidate]));

  const routed = route(input);
  const action = routed.action;
  const objective = action.kind === 'optimize' ? action.objective : DEFAULT_OBJECTIVE;
  const explore = input.explore ?? true;
  const rescue = objective === 'expected_value' ? input.model.rescue() : 0;
  const estimates = new Map<string, RankingCandidate & { draw: Posterior; level: string; priced: boolean }>();
  for (const c of eligible.values()) {
    const estimate = input.model.estimate(c.accountId, tx);
    estimates.set(c.name, {
      gateway: c.name,
      probability: estimate.p,
      sampled: explore ? input.model.sample(c.accountId, tx, input.random) : estimate.p,
      n: estimate.n,
      draw: input.model.posterior(c.accountId, tx),
      level: estimate.level,
      fee: (c.fees ? feeFor(c.fees, tx) : null) ?? 0,
      rescue,
      priced: c.fees !== null,
      health: c.health === 'half_open' ? 'half_open' : 'closed',
    });
  }
  const ranking = [...estimates.values()];

  let names: string[];
  let probe: string | null = null;
  switch (action.kind) {
    case 'block':
      names = [];
      break;
    case 'route':
      names = action.gateways.filter((n) => eligible.has(n));
      break;
    case 'split':
      names = splitOrder(action.chosen, action.weights).filter((n) => eligible.has(n));
      break;
    case 'optimize': {
      const among = action.among;
      const ranked = rankCandidates(among ? ranking.filter((r) => among.includes(r.gateway)) : ranking, objective, tx.amount, input.probe);
      if (ranked[0]?.probe) probe = ranked[0].gateway;
      names = ranked.map((r) => r.gateway);
      break;
    }
  }
  const first = firstChoice(action, objective, ranking, tx.amount, probe);

  const explanation: DecisionExplanation = {
    source: routed.source,
    ruleset_version: routed.source === 'rules' ? input.ruleset!.version : null,
    rule: routed.rule,
    action: action.kind,
    objective: action.kind === 'optimize' ? objective : null,
    rescue: roundProbability(rescue),
    candidates: verdicts.map(({ candidate: c, reason }) => {
      const e = estimates.get(c.name);
      return {
        gateway: c.name,
        account_id: c.accountId,
        provider: c.provider,
        eligible: reason === null,
        reason,
        health: c.health,
        probability: round(e?.probability ?? 0),
        samples: round(e?.n ?? 0),
        estimate_level: e?.level ?? 'none',
        fee: e?.priced ? e.fee : null,
        // The objective on the mean estimate; the order itself used a draw from the posterior.
        score: e ? round(score(objective, e, tx.amount)) : null,
        first_probability: roundProbability(first.get(c.name) ?? 0),
        posterior: e ? { mean: roundProbability(e.draw.mean), weight: round(e.draw.weight), down: roundProbability(e.draw.down) } : null,
      };
    }),
    order: names,
    blocked: action.kind === 'block' ? { code: action.code } : null,
    fallback: input.fallback ?? null,
    propensity: names.length > 0 ? roundProbability(first.get(names[0]!) ?? 0) : null,
    explore,
    probe: probe !== null,
  };
  return { order: names.map((n) => eligible.get(n)!), explanation };
}

function route(input: DecideInput): { source: DecisionExplanation['source']; rule: string | null; action: RouteAction } {
  if (input.explicit) {
    // The request's own list replaces the rules' choice of gateways, never a block they make.
    const checked = input.ruleset ? evaluate(input.ruleset.compiled, input.tx) : null;
    if (checked?.action.kind === 'block') return { source: 'rules', rule: checked.ruleId ?? 'default', action: checked.action };
    return { source: 'explicit', rule: null, action: { kind: 'route', gateways: [...input.explicit] } };
  }
  if (!input.ruleset) return { source: 'default', rule: null, action: { kind: 'optimize', objective: DEFAULT_OBJECTIVE, among: null } };
  const { ruleId, action } = evaluate(input.ruleset.compiled, input.tx);
  return { source: 'rules', rule: ruleId ?? 'default', action };
}

/** Why a gateway cannot take this payment, or null when it can. */
export function ineligibility(c: GatewayCandidate, tx: RoutingTransaction): string | null {
  const caps = c.capabilities;
  if (c.health === 'open') return 'breaker_open';
  const method = methodIneligibility(c, tx);
  if (method) return method;
  if (onCardNetwork(tx.paymentMethod) && !caps.cardNetworks.includes(tx.card.network)) return 'card_network_not_supported';
  if (caps.currencies !== '*' && !caps.currencies.includes(tx.currency)) return 'currency_not_supported';
  if (!methodTakesCurrency(tx.paymentMethod, tx.currency)) return 'currency_not_supported';
  if (caps.countries !== '*' && tx.card.issuerCountry !== null && !caps.countries.includes(tx.card.issuerCountry)) return 'country_not_supported';
  if (!caps.captureMethods.includes(tx.captureMethod)) return 'capture_method_not_supported';
  if (tx.threeDSecure === 'required' && !caps.threeDSecure) return 'three_d_secure_not_supported';
  if (tx.amount < caps.amountLimits.min || tx.amount > caps.amountLimits.max) return 'amount_out_of_limits';
  if (tx.amount % (caps.amountSteps[tx.currency] ?? 1) !== 0) return 'amount_not_representable';
  return null;
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;
/** Propensities keep six decimals: an estimator divides by them. */
const roundProbability = (n: number) => Math.round(n * 1_000_000) / 1_000_000;
