import type { ChoiceCandidate } from '../first-choice.js';
import type { Posterior } from '../learner/index.js';
import { MAX_RESCUE } from '../scoring/index.js';

/** What a backtest reads back from a payment's stored `decision`. */
export interface LoggedDecision {
  source: 'rules' | 'explicit' | 'default';
  order: string[];
  /** The first gateway's probability of going first under the policy that routed it; null when nothing was tried. */
  propensity: number | null;
  probe: boolean;
  /** The eligible gateways as that decision weighed them. */
  eligible: ChoiceCandidate[];
  /** Each eligible gateway's probability of going first under the policy that routed it. */
  firstProbabilities: Map<string, number>;
  /** Gateway account id → the name the decision knew it by. */
  names: Map<string, string>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isProbability = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;

/**
 * The stored decision, or null when it carries no propensity (decided before they were logged)
 * or is not the shape a decision has: such payments are counted and left out, never guessed at.
 */
export function readLoggedDecision(stored: unknown): LoggedDecision | null {
  if (!isObject(stored)) return null;
  const { source, order, propensity, probe, candidates } = stored;
  // Decisions logged before the order was scored with its fallbacks carry none: a single attempt.
  const rescue = stored.rescue ?? 0;
  if (typeof rescue !== 'number' || !(rescue >= 0 && rescue <= MAX_RESCUE)) return null;
  if (source !== 'rules' && source !== 'explicit' && source !== 'default') return null;
  if (!Array.isArray(order) || !order.every((g) => typeof g === 'string')) return null;
  const tried = order.length > 0;
  if (tried ? !isProbability(propensity) || propensity === 0 : propensity !== null) return null;
  if (typeof probe !== 'boolean' || !Array.isArray(candidates)) return null;
  const eligible: ChoiceCandidate[] = [];
  const firstProbabilities = new Map<string, number>();
  const names = new Map<string, string>();
  for (const c of candidates) {
    if (!isObject(c) || typeof c.gateway !== 'string' || typeof c.account_id !== 'string' || typeof c.eligible !== 'boolean') return null;
    names.set(c.account_id, c.gateway);
    if (!c.eligible) continue;
    const posterior = readPosterior(c.posterior);
    if (!posterior) return null;
    if (!isProbability(c.first_probability)) return null;
    firstProbabilities.set(c.gateway, c.first_probability);
    if (c.fee !== null && (typeof c.fee !== 'number' || !Number.isInteger(c.fee))) return null;
    eligible.push({ gateway: c.gateway, draw: posterior, fee: c.fee ?? 0, rescue, health: c.health === 'half_open' ? 'half_open' : 'closed' });
  }
  return { source, order: order as string[], propensity: tried ? (propensity as number) : null, probe, eligible, firstProbabilities, names };
}

/** An eligible candidate's logged posterior: mean and down are probabilities, weight positive. */
function readPosterior(value: unknown): Posterior | null {
  if (!isObject(value)) return null;
  const { mean, weight, down } = value;
  if (!isProbability(mean) || !isProbability(down) || typeof weight !== 'number' || !(weight > 0)) return null;
  return { mean, weight, down };
}
