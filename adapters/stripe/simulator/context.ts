import type { SimulatorState } from './state.js';

/** About the HTTP request being handled. */
export interface RequestMeta {
  /** The Idempotency-Key header of a POST, if any. */
  readonly idempotencyKey: string | null;
}

/** What request handlers need from the running simulator. */
export interface HandlerContext {
  readonly state: SimulatorState;
  /** Current time in ms (injectable for tests). */
  now(): number;
  /** `http://127.0.0.1:PORT`, for URLs the simulator hands out (3DS redirect pages). */
  readonly baseUrl: string;
  /** Keyed, non-reversible card fingerprint. */
  fingerprint(digits: string): string;
}
