import CircuitBreaker from 'opossum';
import type { AuthorizationOutcome, ModificationOutcome } from '../domain/outcome.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerSettings {
  /** Failure share (percent) within the rolling window that opens the breaker. */
  errorThresholdPercentage: number;
  /** Calls in the window before the share is judged at all. */
  volumeThreshold: number;
  /** How long an open breaker waits before it lets one probe through (half-open). */
  resetTimeoutMs: number;
  rollingCountTimeoutMs: number;
  rollingCountBuckets: number;
}

export const DEFAULT_BREAKER_SETTINGS: BreakerSettings = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 5_000,
  rollingCountTimeoutMs: 10_000,
  rollingCountBuckets: 10,
};

type Outcome = AuthorizationOutcome | ModificationOutcome;

/** Carries an outcome that counts against the gateway's health through opossum's failure path. */
class GatewayFault extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome.kind);
  }
}

/**
 * What says the gateway is unwell: it could not be reached, refused us for load, or left us
 * without an answer. A decline is the issuer's word, not the gateway's, and never counts.
 */
function isGatewayFault(outcome: Outcome): boolean {
  if (outcome.kind === 'unknown') return outcome.reason !== 'pending_at_gateway';
  return outcome.kind === 'not_processed' && (outcome.reason === 'connection_refused' || outcome.reason === 'rate_limited');
}

/** One opossum circuit breaker per gateway account; its state is read synchronously by routing. */
export function breakerBoard(settings: BreakerSettings = DEFAULT_BREAKER_SETTINGS) {
  const breakers = new Map<string, CircuitBreaker<[() => Promise<Outcome>], Outcome>>();

  function breakerFor(accountId: string) {
    let breaker = breakers.get(accountId);
    if (!breaker) {
      breaker = new CircuitBreaker(
        async (call: () => Promise<Outcome>) => {
          const outcome = await call();
          if (isGatewayFault(outcome)) throw new GatewayFault(outcome);
          return outcome;
        },
        {
          // Adapters enforce their own SDK timeouts; a second clock here would make answers ambiguous.
          timeout: false,
          errorThresholdPercentage: settings.errorThresholdPercentage,
          volumeThreshold: settings.volumeThreshold,
          resetTimeout: settings.resetTimeoutMs,
          rollingCountTimeout: settings.rollingCountTimeoutMs,
          rollingCountBuckets: settings.rollingCountBuckets,
        },
      );
      breakers.set(accountId, breaker);
    }
    return breaker;
  }

  /** Runs a gateway call through the account's breaker; an open breaker answers `not_processed` without calling. */
  async function run<T extends Outcome>(accountId: string, call: () => Promise<T>): Promise<T | Extract<Outcome, { kind: 'not_processed' }>> {
    try {
      return (await breakerFor(accountId).fire(call)) as T;
    } catch (error) {
      if (error instanceof GatewayFault) return error.outcome as T;
      if ((error as { code?: string }).code === 'EOPENBREAKER') {
        return { kind: 'not_processed', reason: 'breaker_open', detail: 'The gateway circuit breaker is open; the gateway was not called.' };
      }
      throw error;
    }
  }

  function state(accountId: string): BreakerState {
    const breaker = breakers.get(accountId);
    if (!breaker) return 'closed';
    return breaker.opened ? 'open' : breaker.halfOpen ? 'half_open' : 'closed';
  }

  function stats(accountId: string) {
    const s = breakers.get(accountId)?.stats;
    return { state: state(accountId), calls: s?.fires ?? 0, failures: s?.failures ?? 0, successes: s?.successes ?? 0, rejected: s?.rejects ?? 0 };
  }

  function shutdown(): void {
    for (const breaker of breakers.values()) breaker.shutdown();
    breakers.clear();
  }

  return { run, state, stats, shutdown };
}

export type BreakerBoard = ReturnType<typeof breakerBoard>;
