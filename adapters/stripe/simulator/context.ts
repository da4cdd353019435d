import type { SimulatorState } from './state.js';
import type { Segment } from '../../testkit/steering.js';
import type { StripeEventType } from './webhooks.js';

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
  /** Whether the issuer approves an authorization the card itself would get approved (approval-rate steering). */
  issuerApproves(segment: Segment): boolean;
  /** The simulator's bank calendar (ms, moved on by `advanceBank`) and how long a bank debit takes to settle on it. */
  readonly bank: { now(): number; readonly settlementMs: number };
  /** Queues a webhook event about `object` (rendered as Stripe returns it); a no-op without a webhook endpoint. */
  emit(type: StripeEventType, object: Record<string, unknown>): void;
}
