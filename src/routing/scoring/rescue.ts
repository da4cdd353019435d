import { MAX_RESCUE } from './score.js';

/** How an attempt's outcome bears on the fallbacks: what the learner made of it, and whether the orchestrator would try another gateway. */
export interface AttemptOutcome {
  /** The learner's attribution: `ignored` outcomes (issuer-side declines, an open breaker) are not the gateway's. */
  attribution: 'success' | 'failure' | 'technical' | 'ignored';
  /** The orchestrator fails over after it (not processed, or a decline flagged cascade). */
  cascades: boolean;
}

export interface RescueConfig {
  /** Each tally is multiplied by this at each of its updates: memory of about 1 / (1 − decay) events. */
  decay: number;
  /** Pseudo-events at no recovery: with few fallbacks seen the order is scored as a single attempt. */
  prior: number;
  /** Payments awaiting their fallback attempt that are remembered; the oldest is forgotten first. */
  pending: number;
}

export const DEFAULT_RESCUE: RescueConfig = { decay: 0.999, prior: 50, pending: 4096 };

/** The decayed tallies κ is computed from, as saved with the learner: [failures, cascaded, approved, expected]. */
export type RescueTallies = [failures: number, cascaded: number, approved: number, expected: number];

/**
 * What a failed attempt is still worth to one merchant (κ in `score`): the share of failures the
 * orchestrator fails over (a time-out stops the payment, a refused connection or a soft decline
 * moves on), times how fallback attempts fare against the learner's own estimate for them
 * (approvals ÷ the sum of their estimated approval rates). Fallback outcomes are correlated with
 * the failure before them (a soft decline at one acquirer is often the issuer's answer
 * everywhere), so that second factor is measured, not assumed: where a fallback approves as often
 * as a first attempt κ nears the cascade share; where cascades rarely rescue anything κ stays
 * near 0 and the order is scored as a single attempt.
 *
 * One value for all of the merchant's gateways: a per-gateway cascade share was tried and kept
 * a gateway's outage time-outs against it long after it recovered (bench/README.md, scoring).
 * A fallback attempt is recognised by its payment id: the same payment's previous attempt failed
 * and cascaded. Every instance sees every outcome (the learner's sync), so each reaches the same κ.
 */
export class RescueRate {
  private failures = 0;
  private cascaded = 0;
  private approved = 0;
  private expected = 0;
  /** Payment ids whose last attempt failed and cascaded: their next attempt is a fallback. */
  private readonly awaiting = new Set<string>();

  constructor(private readonly config: RescueConfig = DEFAULT_RESCUE) {}

  /** κ in [0, MAX_RESCUE]. */
  value(): number {
    if (this.expected === 0 || this.failures === 0) return 0;
    const recovery = this.approved / (this.expected + this.config.prior);
    return Math.min(MAX_RESCUE, (this.cascaded / this.failures) * recovery);
  }

  /**
   * One attempt of payment `paymentId`; `estimate` answers the learner's approval estimate for
   * its gateway before this outcome is learned (asked only of fallback attempts).
   */
  record(paymentId: string, outcome: AttemptOutcome, estimate: () => number): void {
    const { decay } = this.config;
    const fallback = this.awaiting.delete(paymentId);
    if (outcome.attribution === 'ignored') {
      // Not the gateway's answer: a cascading one (an open breaker) still leads to a fallback.
      if (outcome.cascades && fallback) this.await(paymentId);
      return;
    }
    if (fallback) {
      this.approved = this.approved * decay + (outcome.attribution === 'success' ? 1 : 0);
      this.expected = this.expected * decay + estimate();
    }
    if (outcome.attribution === 'success') return;
    this.failures = this.failures * decay + 1;
    this.cascaded = this.cascaded * decay + (outcome.cascades ? 1 : 0);
    if (outcome.cascades) this.await(paymentId);
  }

  tallies(): RescueTallies {
    return [this.failures, this.cascaded, this.approved, this.expected];
  }

  /**
   * Replaces the tallies with saved ones (none: the prior alone, κ 0 until fallbacks are seen).
   * The payments awaiting their fallback are not saved: a restart forgets at most a few in flight.
   */
  restore(tallies: Readonly<RescueTallies> | undefined): void {
    [this.failures, this.cascaded, this.approved, this.expected] = tallies ?? [0, 0, 0, 0];
    this.awaiting.clear();
  }

  private await(paymentId: string): void {
    if (this.awaiting.size >= this.config.pending) {
      // A Set iterates in insertion order: the first is the oldest.
      const oldest = this.awaiting.values().next().value;
      if (oldest !== undefined) this.awaiting.delete(oldest);
    }
    this.awaiting.add(paymentId);
  }
}
