import type { WebhookEventType } from '../../src/domain/webhook.js';
import type { WebhookRequest } from './contract.js';

/**
 * How tests and benchmarks steer every provider simulator. Faults start and stop mid-run;
 * approval rates and latency are seeded so a run can be repeated exactly.
 */
export type SimulatorFault =
  /** The port stops accepting: clients see ECONNREFUSED; nothing reaches the provider. */
  | { kind: 'refuse_connections' }
  /** Take the request, do nothing, never answer. */
  | { kind: 'hang' }
  /** Answer this status in the provider's error shape without doing the operation. */
  | { kind: 'http_error'; status: 500 | 502 | 503 | 429 }
  /** Do the operation, then never answer (the response is lost). */
  | { kind: 'charge_then_hang' }
  /** Do the operation, then answer 500. */
  | { kind: 'charge_then_500' }
  /** Do the operation, then answer 200 with a truncated body the SDK cannot read. */
  | { kind: 'malformed_response' };

export interface FaultOptions {
  /** Apply to this many matching requests, then clear itself. Default: until cleared. */
  times?: number;
  method?: string;
  pathPrefix?: string;
}

/**
 * Of the authorizations a segment's cards would otherwise approve, approve this share and
 * soft-decline the rest (the provider's generic "do not honor"). Rules match on any of their
 * fields given; the first matching rule wins; no match means 1.0.
 */
export interface ApprovalRule {
  rate: number;
  network?: string;
  currency?: string;
  country?: string;
}

export type LatencyDistribution =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  /** Log-normal with this median and 99th percentile. */
  | { kind: 'lognormal'; medianMs: number; p99Ms: number };

export interface SimulatorLedger {
  /** Successful authorizations (approved, whether captured or not). */
  charges(): number;
  /** API requests received, every one (replays, faulted, rejected), optionally under a path prefix. */
  requestCount(pathPrefix?: string): number;
  /** Sums in minor units, optionally for one upper- or lower-case currency. */
  totals(currency?: string): { authorized: number; captured: number; refunded: number };
  reset(): void;
}

export interface SimulatorControl {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly ledger: SimulatorLedger;
  setFault(fault: SimulatorFault, options?: FaultOptions): Promise<void>;
  clearFault(): Promise<void>;
  setApprovalRates(rules: readonly ApprovalRule[], seed?: number): void;
  setLatency(distribution: LatencyDistribution | null, seed?: number): void;
  close(): Promise<void>;
}

/** Makes webhook requests exactly as the provider would send them, for verification tests. */
export interface WebhookSigner {
  /** Whether the scheme signs a timestamp (so a stale request can be refused). */
  readonly signsTimestamp: boolean;
  sign(
    event: { type: WebhookEventType; reference: string; amount: number; currency: string; eventId?: string },
    /** `wrongSecret`: sign with a well-formed secret that is not the account's. */
    options?: { wrongSecret?: boolean; timestamp?: Date },
  ): Promise<WebhookRequest>;
  /** The same request with the amount it reports changed and its signature kept (a forgery). */
  tamper(request: WebhookRequest): WebhookRequest;
  /** The same request with its signature removed. */
  unsigned(request: WebhookRequest): WebhookRequest;
}
