import type { AuthorizationOutcome, ModificationOutcome } from '../../src/domain/outcome.js';
import type { CaptureMethod } from '../../src/domain/payment.js';

/** Raw card data: it exists only in memory between the API edge and the adapter call. */
export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  holderName: string | null;
}

export interface AuthorizeRequest {
  paymentId: string;
  attemptNumber: number;
  idempotencyKey: string;
  amount: number;
  currency: string;
  captureMethod: CaptureMethod;
  card: CardInput;
  description: string | null;
  customerEmail: string | null;
}

export interface CaptureRequest {
  reference: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
}

export interface CancelRequest {
  reference: string;
  idempotencyKey: string;
}

export interface RefundRequest {
  reference: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
}

/**
 * Resolve an attempt whose outcome is unknown: by the gateway's reference when we have
 * one, else by re-presenting the original request under its idempotency key.
 */
export interface SyncRequest {
  reference: string | null;
  original: AuthorizeRequest;
}

export interface Capabilities {
  paymentMethods: readonly 'card'[];
  /** Upper-case ISO 4217 codes, or '*' for any. */
  currencies: readonly string[] | '*';
  idempotency: boolean;
  partialCapture: boolean;
  partialRefund: boolean;
}

/**
 * What every gateway adapter implements. Adapters are stateless, talk to their provider
 * through its official SDK and return canonical outcomes only: they never throw for
 * something the provider answered, and no provider type crosses this boundary.
 */
export interface GatewayAdapter {
  readonly provider: string;
  readonly capabilities: Capabilities;
  authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome>;
  sync(request: SyncRequest): Promise<AuthorizationOutcome>;
  capture(request: CaptureRequest): Promise<ModificationOutcome>;
  cancel(request: CancelRequest): Promise<ModificationOutcome>;
  refund(request: RefundRequest): Promise<ModificationOutcome>;
}
