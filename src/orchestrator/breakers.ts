import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { systemClock, type TimerClock } from '../domain/clock.js';
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

/** The time breakers go by: when an open breaker half-opens, when the rolling window moves on. */
/** What the breakers need of a clock: timers. */
export type BreakerClock = Pick<TimerClock, 'after'>;

/** The longest delay a Node timer takes (about 24.8 days): opossum's own reset timer, never due. */
const NEVER_MS = 2 ** 31 - 1;

type Outcome = AuthorizationOutcome | ModificationOutcome;
type Breaker = CircuitBreaker<[() => Promise<Outcome>], Outcome>;
/** Opossum documents `state` ("Breaker State Initialization"); its type definitions leave it out. */
type PrimedOptions = CircuitBreaker.Options & { state?: { closed: boolean; halfOpen: boolean } };

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

/**
 * One opossum circuit breaker per gateway account; its state is read synchronously by routing.
 *
 * Time comes from `clock`. Opossum half-opens an open breaker only on its own real-time timer, so
 * that timer is never due here: when the clock says `resetTimeoutMs` have passed, a breaker primed
 * half-open (opossum's documented state initialization) takes over the account, on the same
 * rolling window. The window's buckets turn on the clock too.
 */
export function breakerBoard(settings: BreakerSettings = DEFAULT_BREAKER_SETTINGS, clock: BreakerClock = systemClock) {
  const breakers = new Map<string, Breaker>();
  const pending = new Set<() => void>();
  const rotation = new EventEmitter().setMaxListeners(0);
  let rotating = false;

  function schedule(ms: number, fn: () => void): void {
    const cancel = clock.after(ms, () => {
      pending.delete(cancel);
      fn();
    });
    pending.add(cancel);
  }

  function rotateBuckets(): void {
    schedule(Math.floor(settings.rollingCountTimeoutMs / settings.rollingCountBuckets), () => {
      rotation.emit('rotate');
      rotateBuckets();
    });
  }

  function create(accountId: string, halfOpenOn?: CircuitBreaker.Status): Breaker {
    const options: PrimedOptions = {
      // Adapters enforce their own SDK timeouts; a second clock here would make answers ambiguous.
      timeout: false,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      volumeThreshold: settings.volumeThreshold,
      resetTimeout: NEVER_MS,
      rollingCountTimeout: settings.rollingCountTimeoutMs,
      rollingCountBuckets: settings.rollingCountBuckets,
      rotateBucketController: rotation,
      enableSnapshots: false,
      ...(halfOpenOn ? { status: halfOpenOn, state: { closed: false, halfOpen: true } } : {}),
    };
    const breaker: Breaker = new CircuitBreaker(async (call: () => Promise<Outcome>) => {
      const outcome = await call();
      if (isGatewayFault(outcome)) throw new GatewayFault(outcome);
      return outcome;
    }, options);
    breaker.on('open', () =>
      schedule(settings.resetTimeoutMs, () => {
        if (breakers.get(accountId) !== breaker || !breaker.opened) return;
        // Clears opossum's own timer; calls already in flight still count on the shared window.
        breaker.close();
        breakers.set(accountId, create(accountId, breaker.status));
      }),
    );
    return breaker;
  }

  function breakerFor(accountId: string): Breaker {
    let breaker = breakers.get(accountId);
    if (!breaker) {
      breaker = create(accountId);
      breakers.set(accountId, breaker);
      if (!rotating) {
        rotating = true;
        rotateBuckets();
      }
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
    for (const cancel of pending) cancel();
    pending.clear();
    rotating = false;
    for (const breaker of breakers.values()) breaker.shutdown();
    breakers.clear();
  }

  return { run, state, stats, shutdown };
}

export type BreakerBoard = ReturnType<typeof breakerBoard>;
