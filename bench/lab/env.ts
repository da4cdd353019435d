/**
 * The routing lab's environment model: a seeded stream of transactions and the "true world"
 * each gateway answers from (approval rate per gateway × transaction × time, outages).
 *
 * Common random numbers: every transaction carries its own uniforms (issuer refusal, one
 * approval draw per gateway, outage kind), drawn once per seed, so every policy faces the
 * same cards and the same luck and differences between policies are the policies'.
 */
import { decline } from '../../src/domain/decline.js';
import type { AuthorizationOutcome } from '../../src/domain/outcome.js';
import { seededRandom } from '../../src/domain/random.js';
import type { RoutingTransaction } from '../../src/routing/rules/transaction.js';
import { weighted } from '../lib/sampling.js';

export const GATEWAYS = ['gw_a', 'gw_b', 'gw_c'] as const;
export type GatewayName = (typeof GATEWAYS)[number];
export const G = GATEWAYS.length;

/**
 * Share of transactions the issuer refuses whatever the gateway (insufficient funds, expired
 * card): the same answer everywhere, never cascaded, ignored by the learner. A gateway's true
 * approval rate r is (1 − ISSUER_REFUSAL) × its own acceptance of the remaining cards.
 */
export const ISSUER_REFUSAL = 0.03;
/** During an outage, this share of attempts is refused at connect (cascades); the rest time out (ambiguous: stop). */
export const OUTAGE_REFUSED_SHARE = 0.7;

export type Mix = 'standard' | 'wide';

export interface Traffic {
  txs: RoutingTransaction[];
  /** Per transaction: issuer refusal draw, approval draw per gateway, outage-kind draw. */
  uIssuer: Float64Array;
  uGateway: Float64Array;
  uOutage: Float64Array;
}


const NETWORKS = [['visa', 60], ['mastercard', 30], ['amex', 10]] as const;
const BINS = { visa: '424242', mastercard: '555555', amex: '378282' } as const;
const CURRENCIES = [['USD', 50], ['EUR', 30], ['GBP', 20]] as const;
/** Issuer countries follow the currency, with some cross-border cards. */
const STANDARD_COUNTRIES: Record<string, readonly (readonly [string, number])[]> = {
  USD: [['US', 85], ['CA', 5], ['GB', 4], ['MX', 3], ['BR', 3]],
  EUR: [['DE', 35], ['FR', 30], ['NL', 15], ['ES', 12], ['US', 8]],
  GBP: [['GB', 90], ['IE', 5], ['US', 5]],
};
/** 40 issuer countries with a Zipf-like tail: most (country × network) segments see few transactions. */
export const WIDE_COUNTRIES = 'US GB DE FR CA AU JP NL ES IT SE BR MX IE BE CH AT DK NO FI PL PT NZ SG HK IN AE ZA KR TW IL CZ GR HU RO CL CO AR TR TH'.split(' ');
const WIDE_WEIGHTS = WIDE_COUNTRIES.map((c, rank) => [c, 1 / (rank + 1)] as const);

/** Amounts: between 1 and 2 000 major units, skewed small (about 45 % under 10, 70 % under 100). */
function amount(random: () => number): number {
  const major = Math.exp(random() ** 1.5 * Math.log(2000));
  return Math.max(100, Math.round(major * 100));
}

export function generateTraffic(count: number, seed: number, mix: Mix): Traffic {
  const random = seededRandom(seed);
  const txs: RoutingTransaction[] = new Array(count);
  const uIssuer = new Float64Array(count);
  const uGateway = new Float64Array(count * G);
  const uOutage = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const network = weighted(NETWORKS, random);
    const currency = weighted(CURRENCIES, random);
    const country = mix === 'wide' ? weighted(WIDE_WEIGHTS, random) : weighted(STANDARD_COUNTRIES[currency]!, random);
    txs[i] = {
      paymentId: `pay_${seed}_${i}`,
      amount: amount(random),
      currency,
      paymentMethod: 'card',
      card: { network, type: random() < 0.7 ? 'credit' : 'debit', bin: BINS[network], issuerCountry: country },
      billingCountry: country,
      captureMethod: 'automatic',
      initiator: 'customer',
      metadata: {},
    };
    uIssuer[i] = random();
    for (let g = 0; g < G; g++) uGateway[i * G + g] = random();
    uOutage[i] = random();
  }
  return { txs, uIssuer, uGateway, uOutage };
}

/** The true world of one scenario: what a gateway would answer for transaction i at its time. */
export interface World {
  /** True approval rate (issuer refusals included) of gateway g for the transaction at index i. */
  rate(g: number, tx: RoutingTransaction, i: number): number;
  /** Gateway g is down (answers connection refused or time-out) at index i. */
  down(g: number, i: number): boolean;
  /** Share of a down gateway's answers that are refused at connect, the rest time-outs (default OUTAGE_REFUSED_SHARE). */
  refusedShare?: number;
}

// Outcomes are shared objects: the learner and policies only read them.
const APPROVED: AuthorizationOutcome = { kind: 'approved', reference: 'sim', captured: true };
const ISSUER_DECLINE: AuthorizationOutcome = { kind: 'declined', reference: 'sim', decline: decline('insufficient_funds', '51') };
const SOFT_DECLINE: AuthorizationOutcome = { kind: 'declined', reference: 'sim', decline: decline('do_not_honor', '05') };
const REFUSED: AuthorizationOutcome = { kind: 'not_processed', reason: 'connection_refused', detail: 'simulated outage' };
const TIMEOUT: AuthorizationOutcome = { kind: 'unknown', reason: 'timeout', detail: 'simulated outage' };

/** Chance that gateway g, up, approves a card the issuer does not refuse (its own acceptance). */
function acceptance(world: World, g: number, tx: RoutingTransaction, i: number): number {
  return Math.min(0.999, world.rate(g, tx, i) / (1 - ISSUER_REFUSAL));
}

/** What gateway g answers for transaction i, from the transaction's own uniforms. */
export function attempt(world: World, traffic: Traffic, g: number, i: number): AuthorizationOutcome {
  if (world.down(g, i)) return traffic.uOutage[i]! < (world.refusedShare ?? OUTAGE_REFUSED_SHARE) ? REFUSED : TIMEOUT;
  if (traffic.uIssuer[i]! < ISSUER_REFUSAL) return ISSUER_DECLINE;
  return traffic.uGateway[i * G + g]! < acceptance(world, g, traffic.txs[i]!, i) ? APPROVED : SOFT_DECLINE;
}

/**
 * The true odds of one attempt at gateway g for transaction i, given that the issuer does not
 * refuse the card (an issuer refusal is the same answer everywhere and stops the payment, so it
 * scales every order alike): the chance it approves, and the chance it fails in a way that
 * cascades to the next gateway (a soft decline; while down, a refused connection). The gateways'
 * draws are independent, so an order's chances multiply.
 */
export function attemptOdds(world: World, g: number, tx: RoutingTransaction, i: number): { approve: number; cascade: number } {
  if (world.down(g, i)) return { approve: 0, cascade: world.refusedShare ?? OUTAGE_REFUSED_SHARE };
  const approve = acceptance(world, g, tx, i);
  return { approve, cascade: 1 - approve };
}

/** The true probability that gateway g approves transaction i at its time (0 while down). */
export function trueApproval(world: World, g: number, tx: RoutingTransaction, i: number): number {
  return world.down(g, i) ? 0 : world.rate(g, tx, i);
}
