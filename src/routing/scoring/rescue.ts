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
  /** Pseudo-failures at the merchant-wide cascade share that a gateway's own share starts from. */
  pooled: number;
  /** Payments awaiting their fallback attempt that are remembered; the oldest is forgotten first. */
  pending: number;
}

export const DEFAULT_RESCUE: RescueConfig = { decay: 0.999, prior: 50, pooled: 10, pending: 4096 };

interface Failures {
  failures: number;
  cascaded: number;
}

/**
 * What a failed attempt at a gateway is still worth to one merchant (κ in `score`): the share
 * of that gateway's failures the orchestrator fails over (a time-out stops the payment, a
 * refused connection or a soft decline moves on), times how fallback attempts fare against the
 * learner's own estimate for them (approvals ÷ the sum of their estimated approval rates).
 * Fallback outcomes are correlated with the failure before them (a soft decline at one acquirer
 * is often the issuer's answer everywhere), so that second factor is measured, not assumed:
 * where a fallback approves as often as a first attempt κ nears the cascade share; where
 * cascades rarely rescue anything κ stays near 0 and the order is scored as a single attempt.
 *
 * A fallback attempt is recognised by its payment id: the same payment's previous attempt failed
 * and cascaded. Every instance sees every outcome (the learner's sync), so each reaches the same κ.
 */
export class RescueRate {
  private readonly byGateway = new Map<string, Failures>();
  private readonly all: Failures = { failures: 0, cascaded: 0 };
  private approved = 0;
  private expected = 0;
  /** Payment ids whose last attempt failed and cascaded: their next attempt is a fallback. */
  private readonly awaiting = new Set<string>();

  constructor(private readonly config: RescueConfig = DEFAULT_RESCUE) {}

  /** κ of `gateway`, in [0, MAX_RESCUE]. */
  value(gateway: string): number {
    if (this.expected === 0 || this.all.failures === 0) return 0;
    const { prior, pooled } = this.config;
    const own = this.byGateway.get(gateway) ?? { failures: 0, cascaded: 0 };
    const pooledShare = this.all.cascaded / this.all.failures;
    const cascadeShare = (own.cascaded + pooled * pooledShare) / (own.failures + pooled);
    const recovery = this.approved / (this.expected + prior);
    return Math.min(MAX_RESCUE, cascadeShare * recovery);
  }

  /**
   * One attempt of payment `paymentId` at `gateway`; `estimate` answers the learner's approval
   * estimate for it before this outcome is learned (asked only of fallback attempts).
   */
  record(paymentId: string, gateway: string, outcome: AttemptOutcome, estimate: () => number): void {
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
    let own = this.byGateway.get(gateway);
    if (!own) this.byGateway.set(gateway, (own = { failures: 0, cascaded: 0 }));
    for (const tally of [own, this.all]) {
      tally.failures = tally.failures * decay + 1;
      tally.cascaded = tally.cascaded * decay + (outcome.cascades ? 1 : 0);
    }
    if (outcome.cascades) this.await(paymentId);
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
