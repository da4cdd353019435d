import Stripe from 'stripe';
import type {
  AuthorizeRequest,
  CancelRequest,
  CaptureRequest,
  GatewayAdapter,
  RefundRequest,
  SyncRequest,
} from '../testkit/contract.js';
import type { AuthorizationOutcome, ModificationOutcome, NotProcessedReason, UnknownReason } from '../../src/domain/outcome.js';
import { STRIPE_CAPABILITIES } from './capabilities.js';
import { stripeDecline } from './declines.js';
import { ATTEMPT_KEY_METADATA, STRIPE_WEBHOOK_ACK, verifyStripeWebhook } from './webhooks.js';

export interface StripeAdapterConfig {
  secretKey: string;
  /** The endpoint's signing secret (`whsec_...`) that `Stripe-Signature` is checked against. */
  webhookSecret: string;
  /** Defaults to api.stripe.com over https; the sandbox points it at the simulator. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  timeoutMs: number;
}

const CONNECTION_REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export function createStripeAdapter(config: StripeAdapterConfig): GatewayAdapter {
  const stripe = new Stripe(config.secretKey, {
    host: config.host,
    port: config.port,
    protocol: config.protocol,
    timeout: config.timeoutMs,
    // Our own attempt loop decides about retries; a hidden SDK retry would hide ambiguity.
    maxNetworkRetries: 0,
    // The Node client retries a reset connection once even with retries off, which can turn a
    // charged-then-dropped request into a plain ECONNREFUSED; the fetch client does not (and runs on Workers).
    httpClient: Stripe.createFetchHttpClient(),
    telemetry: false,
  });

  async function authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    try {
      const intent = await stripe.paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase(),
          capture_method: request.captureMethod,
          confirm: true,
          // Cards only: no redirect-based method can be picked, so no return_url is required.
          allowed_payment_method_types: ['card'],
          payment_method_data: {
            type: 'card',
            // Raw card data: Stripe accepts it only for accounts allowed to send PANs.
            card: {
              number: request.card.number,
              exp_month: request.card.expMonth,
              exp_year: request.card.expYear,
              cvc: request.card.cvc,
            },
            billing_details: { name: request.card.holderName ?? undefined, email: request.customerEmail ?? undefined },
          } as unknown as Stripe.PaymentIntentCreateParams.PaymentMethodData,
          description: request.description ?? undefined,
          metadata: {
            switchyard_payment: request.paymentId,
            switchyard_attempt: String(request.attemptNumber),
            [ATTEMPT_KEY_METADATA]: request.idempotencyKey,
          },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      return intentOutcome(intent);
    } catch (error) {
      return authorizationFailure(error);
    }
  }

  async function sync(request: SyncRequest): Promise<AuthorizationOutcome> {
    if (request.reference === null) {
      // Stripe answers a resend under the same idempotency key with the stored first result.
      return authorize(request.original);
    }
    try {
      return intentOutcome(await stripe.paymentIntents.retrieve(request.reference));
    } catch (error) {
      return authorizationFailure(error);
    }
  }

  async function capture(request: CaptureRequest): Promise<ModificationOutcome> {
    try {
      const intent = await stripe.paymentIntents.capture(
        request.reference,
        { amount_to_capture: request.amount },
        { idempotencyKey: request.idempotencyKey },
      );
      if (intent.status !== 'succeeded') return unexpectedStatus(intent.status);
      return { kind: 'succeeded', reference: intent.id, amount: intent.amount_received };
    } catch (error) {
      return modificationFailure(error);
    }
  }

  async function cancel(request: CancelRequest): Promise<ModificationOutcome> {
    try {
      const intent = await stripe.paymentIntents.cancel(request.reference, {}, { idempotencyKey: request.idempotencyKey });
      if (intent.status !== 'canceled') return unexpectedStatus(intent.status);
      // What the void released: the whole authorization (a captured PaymentIntent cannot be canceled).
      return { kind: 'succeeded', reference: intent.id, amount: intent.amount };
    } catch (error) {
      return modificationFailure(error);
    }
  }

  async function refund(request: RefundRequest): Promise<ModificationOutcome> {
    try {
      const refund = await stripe.refunds.create(
        { payment_intent: request.reference, amount: request.amount },
        { idempotencyKey: request.idempotencyKey },
      );
      switch (refund.status) {
        case 'succeeded':
          return { kind: 'succeeded', reference: refund.id, amount: refund.amount };
        case 'pending':
        case 'requires_action':
          // Accepted; Stripe confirms it later with refund.updated / charge.refund.updated.
          return { kind: 'pending', reference: refund.id, amount: refund.amount };
        default:
          return { kind: 'rejected', code: refund.failure_reason ?? 'refund_failed', detail: `Stripe refund ${refund.id} is ${refund.status}.` };
      }
    } catch (error) {
      return modificationFailure(error);
    }
  }

  return {
    provider: 'stripe',
    capabilities: STRIPE_CAPABILITIES,
    authorize,
    sync,
    capture,
    cancel,
    refund,
    parseWebhook: (request, now) => verifyStripeWebhook(stripe, config.webhookSecret, request, now),
    webhookAck: STRIPE_WEBHOOK_ACK,
  };
}

function intentOutcome(intent: Stripe.PaymentIntent): AuthorizationOutcome {
  switch (intent.status) {
    case 'succeeded':
      return { kind: 'approved', reference: intent.id, captured: true };
    case 'requires_capture':
      return { kind: 'approved', reference: intent.id, captured: false };
    case 'requires_action': {
      const url = intent.next_action?.redirect_to_url?.url;
      return { kind: 'requires_action', reference: intent.id, nextAction: url ? { type: 'redirect', url } : null };
    }
    case 'requires_payment_method':
    case 'canceled':
      return { kind: 'declined', reference: intent.id, decline: stripeDecline(intent.last_payment_error ?? {}) };
    default:
      return { kind: 'unknown', reason: 'pending_at_gateway', detail: `Stripe payment intent is ${intent.status}.` };
  }
}

type Failure =
  | { kind: 'card'; error: Stripe.errors.StripeCardError }
  | { kind: 'not_processed'; reason: NotProcessedReason; code: string; detail: string }
  | { kind: 'unknown'; reason: UnknownReason; detail: string };

/** Sorts an SDK error into certain (Stripe did nothing) or ambiguous (it may have acted). */
function classify(error: unknown): Failure {
  if (error instanceof Stripe.errors.StripeCardError) return { kind: 'card', error };
  if (error instanceof Stripe.errors.StripeConnectionError) {
    const code = networkCode(error.detail);
    // A refusal is certain only on the first try: after a resend the first one may have charged.
    if (code && CONNECTION_REFUSED.has(code) && !/retried/i.test(error.message)) {
      return { kind: 'not_processed', reason: 'connection_refused', code, detail: 'Stripe could not be reached.' };
    }
    return code === 'ETIMEDOUT'
      ? { kind: 'unknown', reason: 'timeout', detail: 'Stripe did not answer in time.' }
      : { kind: 'unknown', reason: 'connection_lost', detail: 'The connection to Stripe broke before it answered.' };
  }
  if (error instanceof Stripe.errors.StripeRateLimitError) {
    return { kind: 'not_processed', reason: 'rate_limited', code: 'rate_limited', detail: 'Stripe rate-limited the request.' };
  }
  if (error instanceof Stripe.errors.StripeAuthenticationError || error instanceof Stripe.errors.StripePermissionError) {
    return { kind: 'not_processed', reason: 'authentication_failed', code: 'gateway_authentication_failed', detail: 'Stripe rejected the credentials.' };
  }
  if (error instanceof Stripe.errors.StripeError && error.rawType === 'idempotency_error') {
    // 409: the first request under this key is still running at Stripe; 400: it had other parameters.
    return { kind: 'unknown', reason: 'pending_at_gateway', detail: 'Stripe is still processing a request under this idempotency key.' };
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    return { kind: 'not_processed', reason: 'rejected', code: error.code ?? 'invalid_request', detail: 'Stripe rejected the request.' };
  }
  // No status: the SDK could not parse the body (it sets the status only on errors it read).
  if (error instanceof Stripe.errors.StripeAPIError && (error.statusCode === undefined || error.statusCode < 500)) {
    return { kind: 'unknown', reason: 'malformed_response', detail: 'Stripe answered with a body that could not be read.' };
  }
  if (error instanceof Stripe.errors.StripeError) {
    return { kind: 'unknown', reason: 'server_error', detail: `Stripe answered with an error (HTTP ${error.statusCode ?? 'unknown'}).` };
  }
  return { kind: 'unknown', reason: 'malformed_response', detail: 'Stripe answered in a way the SDK could not read.' };
}

function authorizationFailure(error: unknown): AuthorizationOutcome {
  const failure = classify(error);
  switch (failure.kind) {
    case 'card': {
      const intent = failure.error.payment_intent as { id?: string } | undefined;
      return {
        kind: 'declined',
        reference: intent?.id ?? null,
        decline: stripeDecline(failure.error),
      };
    }
    case 'not_processed':
      return { kind: 'not_processed', reason: failure.reason, detail: failure.detail };
    case 'unknown':
      return failure;
  }
}

function modificationFailure(error: unknown): ModificationOutcome {
  const failure = classify(error);
  switch (failure.kind) {
    case 'card':
      return { kind: 'rejected', code: failure.error.code ?? 'card_declined', detail: 'Stripe declined the operation.' };
    case 'not_processed':
      return failure.reason === 'rejected'
        ? { kind: 'rejected', code: failure.code, detail: failure.detail }
        : { kind: 'not_processed', reason: failure.reason, detail: failure.detail };
    case 'unknown':
      return failure;
  }
}

function unexpectedStatus(status: string): ModificationOutcome {
  return { kind: 'unknown', reason: 'pending_at_gateway', detail: `Stripe payment intent is ${status}.` };
}

/** The system error code under the SDK's connection error (node http sets it; fetch nests it in `cause`). */
function networkCode(detail: unknown): string | undefined {
  if (typeof detail !== 'object' || detail === null) return undefined;
  const { code, cause } = detail as { code?: unknown; cause?: unknown };
  if (typeof code === 'string') return code;
  return networkCode(cause);
}
