import { seededRandom } from '../../src/domain/random.js';
import type { ApprovalRule, LatencyDistribution } from './simulator.js';

/** Used when a test sets rates or latency without a seed: runs stay repeatable. */
const DEFAULT_SEED = 1;

/** The 99th percentile of the standard normal distribution. */
const Z_99 = 2.3263478740408408;

/** Standard normal (Box–Muller) from a uniform source. */
export function standardNormal(random: () => number): number {
  const u = 1 - random(); // (0, 1]: the logarithm stays finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** What approval rules match on: the card's network and issuer country, the payment's currency. */
export interface Segment {
  network: string;
  currency: string;
  country: string;
}

/**
 * `setApprovalRates`: of the authorizations a segment's cards would otherwise approve, the issuer
 * approves the first matching rule's rate (case-insensitive match); no matching rule, every one.
 */
export class ApprovalRates {
  private rules: readonly ApprovalRule[] = [];
  private random = seededRandom(DEFAULT_SEED);

  set(rules: readonly ApprovalRule[], seed = DEFAULT_SEED): void {
    for (const rule of rules) {
      if (!(rule.rate >= 0 && rule.rate <= 1)) throw new RangeError(`approval rate must be within 0..1, got ${String(rule.rate)}`);
    }
    this.rules = rules.map((rule) => ({ ...rule }));
    this.random = seededRandom(seed);
  }

  approves(segment: Segment): boolean {
    const rule = this.rules.find((candidate) => matches(candidate, segment));
    return rule === undefined || this.random() < rule.rate;
  }
}

function matches(rule: ApprovalRule, segment: Segment): boolean {
  const same = (wanted: string | undefined, actual: string) => wanted === undefined || wanted.toLowerCase() === actual.toLowerCase();
  return same(rule.network, segment.network) && same(rule.currency, segment.currency) && same(rule.country, segment.country);
}

/** `setLatency`: how long each API request waits before the simulator answers it. */
export class Latency {
  private distribution: LatencyDistribution | null = null;
  private random = seededRandom(DEFAULT_SEED);

  set(distribution: LatencyDistribution | null, seed = DEFAULT_SEED): void {
    if (distribution !== null) validate(distribution);
    this.distribution = distribution === null ? null : { ...distribution };
    this.random = seededRandom(seed);
  }

  /** Milliseconds for the next request (0 when no distribution is set). */
  nextMs(): number {
    const d = this.distribution;
    if (d === null) return 0;
    switch (d.kind) {
      case 'fixed':
        return d.ms;
      case 'uniform':
        return d.minMs + this.random() * (d.maxMs - d.minMs);
      case 'lognormal': {
        const sigma = Math.log(d.p99Ms / d.medianMs) / Z_99;
        return d.medianMs * Math.exp(sigma * standardNormal(this.random));
      }
    }
  }
}

function validate(d: LatencyDistribution): void {
  const finite = (...values: number[]) => values.every(Number.isFinite);
  const ok =
    d.kind === 'fixed'
      ? finite(d.ms) && d.ms >= 0
      : d.kind === 'uniform'
        ? finite(d.minMs, d.maxMs) && d.minMs >= 0 && d.maxMs >= d.minMs
        : finite(d.medianMs, d.p99Ms) && d.medianMs > 0 && d.p99Ms >= d.medianMs;
  if (!ok) throw new RangeError(`invalid latency distribution ${JSON.stringify(d)}`);
}
