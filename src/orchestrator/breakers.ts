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

/** The time breakers go by (when an open breaker half-opens, when the rolling window moves on): timers. */
export type BreakerClock = Pick<TimerClock, 'after'>;

/** The longest delay a Node timer takes (about 24.8 days): opossum's own reset timer, never due. */
const NEVER_MS = 2 ** 31 - 1;

type Outcome = AuthorizationOutcome | ModificationOutcome;
type Breaker = CircuitBreaker<[() => Promise<Outcome>], Outcome>;
/** Opossum documents `state` ("Breaker State Initialization"); its type definitions leave it out. */
type PrimedOptions = CircuitBreaker.Options & { state?: { closed: boolean; halfOpen: boolean } };

/**
 * A breaker's own verdict, for other instances to follow: it opened for `forMs` (its faults, or a
 * failed half-open probe), or its half-open probe succeeded and it closed.
 */
export type BreakerChange = { accountId: string; state: 'open'; forMs: number } | { accountId: string; state: 'closed' };

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
  const watchers = new Set<(change: BreakerChange) => void>();
  /** Set while a change another instance reported is applied, so it is not reported back. */
  let following = false;
  let followedOpenMs = settings.resetTimeoutMs;

  function report(change: BreakerChange): void {
    if (!following) for (const watcher of watchers) watcher(change);
  }

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
    breaker.on('open', () => {
      const openMs = following ? followedOpenMs : settings.resetTimeoutMs;
      report({ accountId, state: 'open', forMs: openMs });
      schedule(openMs, () => {
        if (breakers.get(accountId) !== breaker || !breaker.opened) return;
        breakers.set(accountId, create(accountId, breaker.status));
        // Clears opossum's own timer; calls already in flight still count on the shared window.
        breaker.close();
      });
    });
    // A breaker still in place that closes was half-open: its probe succeeded. (One being replaced closes too.)
    breaker.on('close', () => {
      if (breakers.get(accountId) === breaker) report({ accountId, state: 'closed' });
    });
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

  /**
   * Takes on another instance's verdict: an open breaker stays open for the time it has left
   * there, a half-open one closes when the other's probe succeeded. A breaker already open here
   * keeps its own cool-down; a closed one is not reopened by a late 'closed'.
   */
  function follow(change: BreakerChange): void {
    const breaker = breakerFor(change.accountId);
    following = true;
    try {
      if (change.state === 'open' && !breaker.opened) {
        followedOpenMs = Math.max(0, Math.min(change.forMs, settings.resetTimeoutMs));
        breaker.open();
      } else if (change.state === 'closed' && breaker.halfOpen) {
        breaker.close();
      }
    } finally {
      following = false;
    }
  }

  /** Calls `watcher` with each change this instance's own calls make; answers a function that stops it. */
  function watch(watcher: (change: BreakerChange) => void): () => void {
    watchers.add(watcher);
    return () => watchers.delete(watcher);
  }

  function shutdown(): void {
    for (const cancel of pending) cancel();
    pending.clear();
    rotating = false;
    watchers.clear();
    for (const breaker of breakers.values()) breaker.shutdown();
    breakers.clear();
  }

  return { run, state, stats, follow, watch, shutdown };
}

export type BreakerBoard = ReturnType<typeof breakerBoard>;
