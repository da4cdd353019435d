import { decline, type Decline } from '../../src/domain/decline.js';
import type { AuthorizationOutcome, ModificationOutcome } from '../../src/domain/outcome.js';

/**
 * A GoCardless payment's status as a canonical outcome. Created and submitted payments are
 * `pending`: GoCardless took the debit, and the bank answers days later (confirmed, or failed).
 */
export function paymentOutcome(answer: { id?: string; status?: string }): AuthorizationOutcome {
  if (!answer.id) return { kind: 'unknown', reason: 'malformed_response', detail: 'GoCardless answered a payment without an id.' };
  const payment = { id: answer.id, status: answer.status };
  switch (payment.status) {
    case 'pending_customer_approval':
    case 'pending_submission':
    case 'submitted':
      return { kind: 'pending', reference: payment.id };
    case 'confirmed':
    case 'paid_out':
      return { kind: 'approved', reference: payment.id, captured: true };
    case 'failed':
      return { kind: 'declined', reference: payment.id, decline: decline('unknown', 'failed') };
    case 'cancelled':
    case 'customer_approval_denied':
      return { kind: 'declined', reference: payment.id, decline: decline('mandate_invalid', payment.status) };
    case 'charged_back':
      // Collected, then taken back: the return reaches the payment as its own event.
      return { kind: 'approved', reference: payment.id, captured: true };
    default:
      return { kind: 'unknown', reason: 'malformed_response', detail: 'GoCardless answered a payment status the adapter does not know.' };
  }
}

/**
 * The bank's reason a debit failed (`details.cause` of a payment's `failed` event), as a canonical
 * decline: the payer's funds, account or mandate. None of them is worth another gateway: the same
 * account would be debited there.
 */
export function failureDecline(cause: string): Decline {
  switch (cause) {
    case 'insufficient_funds':
      return decline('insufficient_funds', cause);
    case 'bank_account_closed':
    case 'bank_account_transferred':
    case 'invalid_bank_details':
    case 'direct_debit_not_enabled':
    case 'bank_account_disabled':
      return decline('invalid_account', cause);
    case 'mandate_cancelled':
    case 'mandate_expired':
    case 'mandate_suspended_by_payer':
    case 'authorisation_disputed':
    case 'refer_to_payer':
      return decline('mandate_invalid', cause);
    default:
      return { ...decline('unknown', cause), cascade: false };
  }
}

/** The parts of the SDK's errors the mapping reads (GoCardless' error envelope). */
export interface GoCardlessErrorLike {
  name?: string;
  code?: unknown;
  errorType?: unknown;
  errors?: { reason?: string; field?: string; message?: string }[];
  response?: { statusCode?: number };
}

/**
 * A thrown SDK error as an authorization outcome. A 4xx from GoCardless means it refused the request
 * and created nothing: a `validation_failed` on the bank account or mandate is the payer's data
 * (a decline that never cascades); other refusals are `not_processed`. A 5xx, a timeout or a lost
 * connection may have created the payment: `unknown`, resolved by the idempotency key.
 */
export function authorizationFailure(error: unknown): AuthorizationOutcome {
  const e = (error ?? {}) as GoCardlessErrorLike & { code?: unknown; message?: string };
  const status = typeof e.response?.statusCode === 'number' ? e.response.statusCode : typeof e.code === 'number' ? e.code : null;
  if (e.code === 'ECONNREFUSED') return { kind: 'not_processed', reason: 'connection_refused', detail: 'GoCardless could not be reached.' };
  if (e.name === 'MalformedResponseError' || e.name === 'ParseError') return { kind: 'unknown', reason: 'malformed_response', detail: 'GoCardless answered something the SDK could not read.' };
  if (status === null) {
    if (e.code === 'ETIMEDOUT') return { kind: 'unknown', reason: 'timeout', detail: 'GoCardless did not answer in time.' };
    return { kind: 'unknown', reason: 'connection_lost', detail: 'The connection to GoCardless was lost.' };
  }
  if (status >= 500) return { kind: 'unknown', reason: 'server_error', detail: `GoCardless answered ${status}.` };
  if (status === 401 || status === 403) return { kind: 'not_processed', reason: 'authentication_failed', detail: 'GoCardless refused the access token.' };
  if (status === 429) return { kind: 'not_processed', reason: 'rate_limited', detail: 'GoCardless rate-limited the request.' };
  const first = e.errors?.[0];
  const field = first?.field ?? '';
  if (e.errorType === 'validation_failed' && /iban|account_number|branch_code|customer_bank_account/.test(field)) {
    return { kind: 'declined', reference: null, decline: decline('invalid_account', `validation_failed:${field}`) };
  }
  if (e.errorType === 'validation_failed' && field.startsWith('links.mandate')) {
    return { kind: 'declined', reference: null, decline: decline('mandate_invalid', `validation_failed:${field}`) };
  }
  if (first?.reason === 'mandate_is_inactive') return { kind: 'declined', reference: null, decline: decline('mandate_invalid', 'mandate_is_inactive') };
  return { kind: 'not_processed', reason: 'rejected', detail: `GoCardless refused the request (${String(e.errorType ?? status)}${field ? ` on ${field}` : ''}).` };
}

/** A thrown SDK error of a refund or cancel as a modification outcome. */
export function modificationFailure(error: unknown): ModificationOutcome {
  const outcome = authorizationFailure(error);
  if (outcome.kind === 'unknown') return outcome;
  if (outcome.kind === 'not_processed' && outcome.reason !== 'rejected') return outcome;
  const e = (error ?? {}) as GoCardlessErrorLike;
  return { kind: 'rejected', code: e.errors?.[0]?.reason ?? String(e.errorType ?? 'rejected'), detail: outcome.kind === 'not_processed' ? outcome.detail : 'GoCardless refused the request.' };
}

/** A GoCardless refund's status as a modification outcome: paid is final; created, pending or submitted confirm later by webhook. */
export function refundOutcome(refund: { id: string; amount: number; status?: string }): ModificationOutcome {
  switch (refund.status) {
    case 'paid':
      return { kind: 'succeeded', reference: refund.id, amount: refund.amount };
    case 'failed':
    case 'cancelled':
    case 'bounced':
      return { kind: 'rejected', code: refund.status, detail: `GoCardless reports the refund ${refund.status}.` };
    default:
      return { kind: 'pending', reference: refund.id, amount: refund.amount };
  }
}
