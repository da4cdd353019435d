import type { BreakerClock } from '../../src/orchestrator/breakers.js';

/** A clock that moves only when a test says so: `advance(ms)` runs what falls due, in order. */
export function manualClock(): BreakerClock & { advance(ms: number): void } {
  let now = 0;
  const timers = new Set<{ at: number; fn: () => void }>();
  return {
    after(ms, fn) {
      const timer = { at: now + ms, fn };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        let next: { at: number; fn: () => void } | undefined;
        for (const timer of timers) if (timer.at <= until && (!next || timer.at < next.at)) next = timer;
        if (!next) break;
        timers.delete(next);
        now = next.at;
        next.fn();
      }
      now = until;
    },
  };
}
