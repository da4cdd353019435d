/**
 * Where every part of the router reads the time. Production uses the system clock; tests and
 * the chaos benchmark inject one they move by hand, so nothing depends on how fast the machine is.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** `at` moved by `ms` milliseconds. */
export function after(at: Date, ms: number): Date {
  return new Date(at.getTime() + ms);
}
