/**
 * Where every part of the router reads the time. Production uses the system clock; tests and
 * the chaos benchmark inject one they move by hand, so nothing depends on how fast the machine is.
 */
export interface Clock {
  now(): Date;
}

/** A clock that can also call back later, for what runs on timers (the breakers' reset). */
export interface TimerClock extends Clock {
  /** Calls `fn` once `ms` have passed; answers a function that cancels the call. */
  after(ms: number, fn: () => void): () => void;
}

/** Real time; in Node its timers never keep the process alive (a Worker's timers have no unref). */
export const systemClock: TimerClock = {
  now: () => new Date(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    (timer as { unref?: () => void }).unref?.();
    return () => clearTimeout(timer);
  },
};

/** `at` moved by `ms` milliseconds. */
export function after(at: Date, ms: number): Date {
  return new Date(at.getTime() + ms);
}
