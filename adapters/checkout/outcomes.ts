import {
  ActionNotAllowed,
  ApiError,
  ApiTimeout,
  AuthenticationError,
  BadGateway,
  NotFoundError,
  TooManyRequestsError,
  UrlAlreadyRegistered,
  ValidationError,
  ValueError,
} from 'checkout-sdk-node/dist/services/errors.js';
import type { CardFunding } from '../../src/domain/card.js';
import type { AuthorizationOutcome, CardReport, ModificationOutcome, NotProcessedReason, UnknownReason } from '../../src/domain/outcome.js';
import type { CaptureMethod } from '../../src/domain/payment.js';
import { checkoutDecline } from './declines.js';

/** A payment as `POST /payments` and `GET /payments/{id}` answer it, as far as the outcome reads it. */
export interface CheckoutPayment {
  id?: unknown;
  status?: unknown;
  /** In the answer to POST /payments; GET /payments/{id} has it in its summary of `actions` instead. */
  response_code?: unknown;
  actions?: unknown;
  reference?: unknown;
  /** The card network's transaction id of an approved card payment. */
  scheme_id?: unknown;
  source?: { card_type?: unknown; issuer_country?: unknown } | null;
  _links?: { redirect?: { href?: unknown } | null } | null;
}

/** Statuses of a payment whose authorization was approved (whatever happened to it since). */
const APPROVED = new Set(['Authorized', 'Captured', 'Partially Captured', 'Refunded', 'Partially Refunded', 'Card Verified']);

/**
 * `captureMethod`: we ask Checkout.com to capture at once (`capture: true`) or never by itself, so
 * an approval is captured exactly when the attempt asked for it (the capture itself is confirmed by
 * `payment_captured`).
 */
export function authorizationOutcome(answer: unknown, captureMethod: CaptureMethod): AuthorizationOutcome {
  if (!isObject(answer)) return malformed('Checkout.com answered with a body that is not a payment.');
  const payment = answer as CheckoutPayment;
  const id = typeof payment.id === 'string' && payment.id.length > 0 ? payment.id : null;
  const status = typeof payment.status === 'string' ? payment.status : null;
  if (id === null || status === null) return malformed('Checkout.com answered a payment without an id or status.');
  const card = cardReport(payment.source);
  if (APPROVED.has(status)) {
    const networkTransactionId = typeof payment.scheme_id === 'string' && payment.scheme_id.length > 0 ? payment.scheme_id : null;
    return { kind: 'approved', reference: id, captured: captureMethod === 'automatic', ...(card ? { card } : {}), ...(networkTransactionId === null ? {} : { networkTransactionId }) };
  }
  if (status === 'Declined') {
    const decline = checkoutDecline(authorizationCode(payment));
    return { kind: 'declined', reference: id, decline, ...(card ? { card } : {}) };
  }
  if (status === 'Pending') {
    const href = payment._links?.redirect?.href;
    return { kind: 'requires_action', reference: id, nextAction: typeof href === 'string' ? { type: 'redirect', url: href } : null };
  }
  // Voided, Expired, Canceled: nothing we asked for; a person looks.
  return { kind: 'unknown', reason: 'pending_at_gateway', detail: `Checkout.com reports payment ${id} as ${status}.` };
}

/** The authorization's `response_code`: the payment's own, or its Authorization action's. */
function authorizationCode(payment: CheckoutPayment): string | null {
  if (typeof payment.response_code === 'string') return payment.response_code;
  const actions = Array.isArray(payment.actions) ? (payment.actions as unknown[]) : [];
  const authorization = actions.find((a) => isObject(a) && a['type'] === 'Authorization') as Record<string, unknown> | undefined;
  return typeof authorization?.['response_code'] === 'string' ? authorization['response_code'] : null;
}

/** Checkout.com's `source.card_type`: a charge card and a deferred debit card settle as credit. */
const FUNDING: Readonly<Record<string, CardFunding>> = {
  CREDIT: 'credit',
  CHARGE: 'credit',
  'DEFERRED DEBIT': 'credit',
  DEBIT: 'debit',
  PREPAID: 'prepaid',
};

export function cardReport(source: CheckoutPayment['source']): CardReport | undefined {
  if (!isObject(source)) return undefined;
  const type = typeof source.card_type === 'string' ? (FUNDING[source.card_type.toUpperCase()] ?? null) : null;
  const country = source.issuer_country;
  const issuerCountry = typeof country === 'string' && /^[A-Z]{2}$/.test(country) ? country : null;
  return type === null && issuerCountry === null ? undefined : { type, issuerCountry };
}

/** A capture, void or refund: 202 Accepted with the action's id; `payment_captured` (…) confirms it. `amount` in canonical minor units. */
export function modificationOutcome(answer: unknown, amount: number): ModificationOutcome {
  const actionId = isObject(answer) ? (answer as { action_id?: unknown }).action_id : undefined;
  if (typeof actionId !== 'string' || actionId.length === 0) return malformed('Checkout.com did not name the action it accepted.');
  return { kind: 'pending', reference: actionId, amount };
}

type Failure =
  | { kind: 'not_processed'; reason: NotProcessedReason; code: string; detail: string }
  | { kind: 'unknown'; reason: UnknownReason; detail: string };

export function authorizationFailure(error: unknown): AuthorizationOutcome {
  const failure = classify(error);
  return failure.kind === 'unknown' ? failure : { kind: 'not_processed', reason: failure.reason, detail: failure.detail };
}

/** A lookup that failed says nothing about the attempt it looked for: never `not_processed`. */
export function lookupFailure(error: unknown): AuthorizationOutcome {
  const failure = classify(error);
  if (failure.kind === 'unknown') return failure;
  return { kind: 'unknown', reason: 'pending_at_gateway', detail: `The lookup at Checkout.com failed, so the attempt stays unresolved: ${failure.detail}` };
}

export function modificationFailure(error: unknown): ModificationOutcome {
  const failure = classify(error);
  if (failure.kind === 'unknown') return failure;
  return failure.reason === 'rejected' ? { kind: 'rejected', code: failure.code, detail: failure.detail } : { kind: 'not_processed', reason: failure.reason, detail: failure.detail };
}

/**
 * Certain (Checkout.com did nothing) or ambiguous (it may have acted), from the SDK's error classes.
 * A refused connection reaches us only as the SDK's message text (`connect ECONNREFUSED`); any other
 * transport failure happened after the request may have been sent. Anything unexpected is ambiguous.
 */
function classify(error: unknown): Failure {
  if (error instanceof ApiTimeout) return { kind: 'unknown', reason: 'timeout', detail: 'Checkout.com did not answer in time.' };
  if (error instanceof ValueError) return { kind: 'not_processed', reason: 'rejected', code: 'checkout_sdk_validation', detail: `The SDK refused the request before sending it: ${String(error.message)}` };
  if (error instanceof AuthenticationError) {
    return { kind: 'not_processed', reason: 'authentication_failed', code: 'gateway_authentication_failed', detail: 'Checkout.com rejected the secret key (HTTP 401).' };
  }
  if (error instanceof TooManyRequestsError) return { kind: 'not_processed', reason: 'rate_limited', code: 'rate_limited', detail: 'Checkout.com rate-limited the request (HTTP 429).' };
  if (error instanceof UrlAlreadyRegistered) {
    // 409: a request under this Cko-Idempotency-Key is still running, or came with another body.
    return { kind: 'unknown', reason: 'pending_at_gateway', detail: 'Checkout.com holds another request under this idempotency key (HTTP 409).' };
  }
  if (error instanceof ValidationError || error instanceof ActionNotAllowed || error instanceof NotFoundError) {
    const status = error instanceof ValidationError ? 422 : error instanceof ActionNotAllowed ? 403 : 404;
    const codes = errorCodes((error as { body?: unknown }).body);
    const code = codes[0] ? `checkout_${codes[0]}` : status === 403 ? 'action_not_allowed' : `http_${status}`;
    return { kind: 'not_processed', reason: 'rejected', code, detail: `Checkout.com refused the request (HTTP ${status}${codes.length ? `: ${codes.join(', ')}` : ''}).` };
  }
  if (error instanceof BadGateway) return { kind: 'unknown', reason: 'server_error', detail: 'Checkout.com answered HTTP 502.' };
  if (error instanceof ApiError) {
    const status = Number((error as { http_code?: unknown }).http_code);
    if (status >= 500) return { kind: 'unknown', reason: 'server_error', detail: `Checkout.com answered with an error (HTTP ${status}).` };
    const body = (error as { body?: unknown }).body;
    if (!status && typeof body === 'string') {
      return /\bECONNREFUSED\b/.test(body)
        ? { kind: 'not_processed', reason: 'connection_refused', code: 'connection_refused', detail: 'Checkout.com refused the connection.' }
        : { kind: 'unknown', reason: 'connection_lost', detail: 'The connection to Checkout.com failed after the request may have been sent.' };
    }
    return { kind: 'unknown', reason: 'server_error', detail: `Checkout.com answered HTTP ${status || 'without a status'}.` };
  }
  return malformed('Checkout.com answered in a way the SDK could not read.');
}

function errorCodes(body: unknown): string[] {
  const codes = isObject(body) ? (body as { error_codes?: unknown }).error_codes : undefined;
  return Array.isArray(codes) ? codes.filter((c): c is string => typeof c === 'string' && /^[a-z0-9_]{1,60}$/.test(c)) : [];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function malformed(detail: string): { kind: 'unknown'; reason: 'malformed_response'; detail: string } {
  return { kind: 'unknown', reason: 'malformed_response', detail };
}
