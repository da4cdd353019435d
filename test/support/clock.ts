import type { TimerClock } from '../../src/domain/clock.js';

/** A clock a test moves by hand: `advance(ms)` runs the timers that fall due, in order. */
export interface ManualClock extends TimerClock {
  advance(ms: number): void;
  set(at: Date): void;
}

export function manualClock(start = new Date('2026-06-01T12:00:00.000Z')): ManualClock {
  let now = start.getTime();
  const timers = new Set<{ at: number; fn: () => void }>();
  return {
    now: () => new Date(now),
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
    set(at) {
      now = at.getTime();
    },
  };
}
