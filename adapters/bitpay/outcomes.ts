import type { AuthorizationOutcome, ModificationOutcome } from '../../src/domain/outcome.js';
import { fromBitPayPrice } from './amounts.js';
import { malformed } from './invoices.js';
import { BitPayTransportError } from './transport.js';

type Failure = Extract<AuthorizationOutcome, { kind: 'not_processed' | 'unknown' }>;

/**
 * Why a call failed. Certain (not processed): a refused connection, a 429, a 401/403 (our key or
 * token refused), another 4xx (BitPay refused the request). Ambiguous: a timeout, a lost connection,
 * a 5xx, an answer that cannot be read.
 */
export function callFailure(error: unknown): Failure {
  if (error instanceof BitPayTransportError) {
    switch (error.failure) {
      case 'connection_refused':
        return { kind: 'not_processed', reason: 'connection_refused', detail: 'BitPay refused the connection.' };
      case 'timeout':
        return { kind: 'unknown', reason: 'timeout', detail: 'BitPay did not answer in time.' };
      case 'connection_lost':
        return { kind: 'unknown', reason: 'connection_lost', detail: 'The connection to BitPay failed after the request may have been sent.' };
      case 'unreadable':
        return malformed('BitPay answered a body that is not JSON.');
      case 'http': {
        const status = error.status ?? 0;
        if (status === 429) return { kind: 'not_processed', reason: 'rate_limited', detail: 'BitPay answered HTTP 429 (rate limited).' };
        if (status >= 500) return { kind: 'unknown', reason: 'server_error', detail: `BitPay answered HTTP ${status}.` };
        if (status === 401 || status === 403) return { kind: 'not_processed', reason: 'authentication_failed', detail: `BitPay refused our key or token (HTTP ${status}).` };
        return { kind: 'not_processed', reason: 'rejected', detail: `BitPay refused the request (HTTP ${status}${error.apiMessage ? `: ${error.apiMessage}` : ''}).` };
      }
    }
  }
  // The SDK's own errors: an answer in a shape it could not read.
  return malformed('BitPay answered in a way the SDK could not read.');
}

/** A lookup that failed says nothing certain about the attempt. */
export function lookupFailure(error: unknown): AuthorizationOutcome {
  if (error instanceof BitPayTransportError && error.failure === 'http' && error.status === 404) return { kind: 'unknown', reason: 'not_found', detail: 'BitPay has no such invoice.' };
  const failure = callFailure(error);
  return failure.kind === 'unknown' ? failure : { kind: 'unknown', reason: 'pending_at_gateway', detail: `The lookup at BitPay failed: ${failure.detail}` };
}

export function modificationFailure(error: unknown): ModificationOutcome {
  if (error instanceof BitPayTransportError && error.failure === 'http' && error.status !== null && error.status >= 400 && error.status < 500 && error.status !== 429) {
    if (error.status === 404) return { kind: 'rejected', code: 'bitpay_not_found', detail: 'BitPay has no such invoice or refund.' };
    if (error.status !== 401 && error.status !== 403) return { kind: 'rejected', code: `bitpay_http_${error.status}`, detail: `BitPay refused it (HTTP ${error.status}${error.apiMessage ? `: ${error.apiMessage}` : ''}).` };
  }
  return callFailure(error);
}

export interface RefundAnswer {
  id?: unknown;
  status?: unknown;
  amount?: unknown;
  currency?: unknown;
}

/**
 * A refund request (statuses: `preview`, `created`, `pending`, `success`, `failure`, `canceled`).
 * BitPay asks the payer for a refund address first, so a new request is pending; `success` is
 * sent.
 */
export function refundOutcome(answer: RefundAnswer, currency: string): ModificationOutcome {
  if (typeof answer.id !== 'string') return malformed('BitPay answered a refund without an id.');
  const amount = answer.currency === currency ? fromBitPayPrice(answer.amount, currency) : null;
  if (amount === null) return malformed(`BitPay answered refund ${answer.id} without an amount in ${currency}.`);
  switch (answer.status) {
    case 'success':
      return { kind: 'succeeded', reference: answer.id, amount };
    case 'created':
    case 'pending':
    case 'preview':
      return { kind: 'pending', reference: answer.id, amount };
    default:
      return { kind: 'rejected', code: `bitpay_refund_${String(answer.status)}`, detail: `BitPay answered the refund ${String(answer.status)}.` };
  }
}
