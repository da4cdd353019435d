import { ApiError, AuthorizationStatus, CaptureStatus, OrderStatus, RefundStatus, type Order } from '@paypal/paypal-server-sdk';
import type { AuthorizationOutcome, ModificationOutcome, PayerReport } from '../../src/domain/outcome.js';
import { fromPayPalValue } from './amounts.js';
import { isDeclineIssue, paypalDecline } from './declines.js';
import { PayPalTransportError } from './http-client.js';

type Failure = Extract<AuthorizationOutcome, { kind: 'not_processed' | 'unknown' }>;

export function malformed(detail: string): { kind: 'unknown'; reason: 'malformed_response'; detail: string } {
  return { kind: 'unknown', reason: 'malformed_response', detail };
}

/** The link the payer approves the order at (`payer-action` when a payment source is given, `approve` otherwise). */
export function approvalLink(order: Order): string | null {
  const link = order.links?.find((l) => l.rel === 'payer-action') ?? order.links?.find((l) => l.rel === 'approve');
  return link?.href ?? null;
}

/**
 * An order as the router sees the attempt. Before the payer approved (and while approved but not yet
 * captured or authorized) it needs their action; once completed, its capture or authorization says
 * approved or declined. An order PayPal voided (it expired unapproved) charged nothing.
 */
export function orderOutcome(order: Order): AuthorizationOutcome {
  const id = order.id;
  if (!id) return malformed('PayPal answered an order without an id.');
  switch (order.status) {
    case OrderStatus.Created:
    case OrderStatus.Saved:
    case OrderStatus.PayerActionRequired:
    case OrderStatus.Approved: {
      const url = approvalLink(order);
      return { kind: 'requires_action', reference: id, nextAction: url === null ? null : { type: 'redirect', url } };
    }
    case OrderStatus.Voided:
      return { kind: 'declined', reference: id, decline: paypalDecline('ORDER_VOIDED') };
    case OrderStatus.Completed:
      return completedOutcome(id, order);
    default:
      return malformed(`PayPal answered order ${id} with status ${String(order.status)}.`);
  }
}

/** The payer a completed order names: its `payer` (PayPal's account id and login email), or its PayPal payment source. */
export function payerOf(order: Order): PayerReport | undefined {
  const payerId = order.payer?.payerId ?? order.paymentSource?.paypal?.accountId;
  if (!payerId) return undefined;
  return { kind: 'paypal', payerId, email: order.payer?.emailAddress ?? order.paymentSource?.paypal?.emailAddress ?? null };
}

function completedOutcome(id: string, order: Order): AuthorizationOutcome {
  const payer = payerOf(order);
  const withPayer = payer ? { payer } : {};
  const payments = order.purchaseUnits?.[0]?.payments;
  const capture = payments?.captures?.[0];
  if (capture) {
    switch (capture.status) {
      case CaptureStatus.Declined:
      case CaptureStatus.Failed:
        return { kind: 'declined', reference: id, decline: paypalDecline('CAPTURE_DECLINED') };
      case undefined:
        return malformed(`PayPal answered a capture of order ${id} without a status.`);
      default:
        return { kind: 'approved', reference: id, captured: true, ...withPayer };
    }
  }
  const authorization = payments?.authorizations?.[0];
  if (authorization) {
    switch (authorization.status) {
      case AuthorizationStatus.Denied:
        return { kind: 'declined', reference: id, decline: paypalDecline('AUTHORIZATION_DENIED') };
      case AuthorizationStatus.Captured:
      case AuthorizationStatus.PartiallyCaptured:
        return { kind: 'approved', reference: id, captured: true, ...withPayer };
      case undefined:
        return malformed(`PayPal answered an authorization of order ${id} without a status.`);
      default:
        return { kind: 'approved', reference: id, captured: false, ...withPayer };
    }
  }
  return malformed(`PayPal answered order ${id} as completed without a capture or authorization.`);
}

/** The first issue of a PayPal error body (`details[].issue`), or its `name`. */
export function errorIssue(error: ApiError): string | null {
  const result = error.result as { name?: unknown; details?: { issue?: unknown }[] } | undefined;
  const issue = result?.details?.find((d) => typeof d?.issue === 'string')?.issue;
  if (typeof issue === 'string') return issue;
  return typeof result?.name === 'string' ? result.name : null;
}

function isTokenRequest(error: ApiError): boolean {
  return /\/v1\/oauth2\/token(\?|$)/.test(error.request?.url ?? '');
}

/**
 * Why a call failed. Certain (not processed): a refused connection, a 429, an OAuth token PayPal
 * would not give (the payment call never went out), a 4xx that refuses our request. Ambiguous: a
 * timeout, a lost connection, a 5xx, a body the SDK could not read.
 */
export function callFailure(error: unknown): Failure {
  if (error instanceof PayPalTransportError) {
    if (error.tokenRequest) return { kind: 'not_processed', reason: error.failure === 'connection_refused' ? 'connection_refused' : 'authentication_failed', detail: `PayPal gave no access token (${error.failure}): nothing was sent.` };
    if (error.failure === 'connection_refused') return { kind: 'not_processed', reason: 'connection_refused', detail: 'PayPal refused the connection.' };
    if (error.failure === 'timeout') return { kind: 'unknown', reason: 'timeout', detail: 'PayPal did not answer in time.' };
    return { kind: 'unknown', reason: 'connection_lost', detail: 'The connection to PayPal failed after the request may have been sent.' };
  }
  if (error instanceof ApiError) {
    const status = error.statusCode;
    if (isTokenRequest(error)) {
      return { kind: 'not_processed', reason: status === 429 ? 'rate_limited' : 'authentication_failed', detail: `PayPal gave no access token (HTTP ${status}): nothing was sent.` };
    }
    if (status === 429) return { kind: 'not_processed', reason: 'rate_limited', detail: 'PayPal answered HTTP 429 (rate limited).' };
    if (status >= 500) return { kind: 'unknown', reason: 'server_error', detail: `PayPal answered HTTP ${status}.` };
    if (status === 401 || status === 403) return { kind: 'not_processed', reason: 'authentication_failed', detail: `PayPal refused our credentials (HTTP ${status}).` };
    if (status >= 400) return { kind: 'not_processed', reason: 'rejected', detail: `PayPal refused the request (HTTP ${status}${errorIssue(error) ? `: ${errorIssue(error)}` : ''}).` };
    return malformed(`PayPal answered HTTP ${status} in a shape the SDK could not read.`);
  }
  return malformed('PayPal answered in a way the SDK could not read.');
}

/** A decline when PayPal answered 422 with an issue that declines the payment; otherwise the call's failure. */
export function authorizationFailure(error: unknown, orderId: string | null): AuthorizationOutcome {
  if (error instanceof ApiError && error.statusCode === 422) {
    const issue = errorIssue(error);
    if (issue !== null && isDeclineIssue(issue)) return { kind: 'declined', reference: orderId, decline: paypalDecline(issue) };
  }
  return callFailure(error);
}

/** A lookup (or the completion of an approved order) that failed says nothing certain about the attempt. */
export function lookupFailure(error: unknown): AuthorizationOutcome {
  if (error instanceof ApiError && error.statusCode === 404) return { kind: 'unknown', reason: 'not_found', detail: 'PayPal has no such order.' };
  const failure = callFailure(error);
  return failure.kind === 'unknown' ? failure : { kind: 'unknown', reason: 'pending_at_gateway', detail: `The lookup at PayPal failed: ${failure.detail}` };
}

export function modificationFailure(error: unknown): ModificationOutcome {
  if (error instanceof ApiError && error.statusCode >= 400 && error.statusCode < 500 && error.statusCode !== 429 && !isTokenRequest(error)) {
    const issue = errorIssue(error) ?? `http_${error.statusCode}`;
    return { kind: 'rejected', code: `paypal_${issue.toLowerCase()}`, detail: `PayPal refused it (HTTP ${error.statusCode}: ${issue}).` };
  }
  return callFailure(error);
}

/** A capture or refund as PayPal answers it; `amount` in canonical units when PayPal's cannot be read back. */
export function paymentOutcome(
  answer: { id?: string; status?: string; amount?: { currencyCode: string; value: string } },
  currency: string,
  what: string,
): ModificationOutcome {
  if (!answer.id) return malformed(`PayPal answered the ${what} without an id.`);
  const amount = answer.amount ? fromPayPalValue(answer.amount.value, answer.amount.currencyCode) : null;
  if (amount === null || answer.amount?.currencyCode.toUpperCase() !== currency) return malformed(`PayPal answered the ${what} without an amount in ${currency}.`);
  switch (answer.status) {
    case CaptureStatus.Completed:
    case RefundStatus.Completed:
    case CaptureStatus.PartiallyRefunded:
    case CaptureStatus.Refunded:
      return { kind: 'succeeded', reference: answer.id, amount };
    case CaptureStatus.Pending:
    case RefundStatus.Pending:
      return { kind: 'pending', reference: answer.id, amount };
    default:
      return { kind: 'rejected', code: `paypal_${what}_${String(answer.status ?? 'unknown').toLowerCase()}`, detail: `PayPal answered the ${what} ${String(answer.status)}.` };
  }
}
