import { Problem } from '../../domain/problem.js';

/**
 * Stripe's error envelope `{error: {type, code, decline_code, message, param, doc_url}}`. The
 * stripe SDK picks its error class from the status (400/404 invalid request, or idempotency when
 * the type says so; 401 authentication; 402 card; 403 permission; 429 rate limit; else API error)
 * and reads the object for the details, so both must be right together.
 */
export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error' | 'rate_limit_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  payment_intent?: unknown;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }
}

export const invalidRequest = (message: string, param?: string, code?: string) =>
  new StripeApiError(400, { type: 'invalid_request_error', message, ...(code ? { code } : {}), ...(param ? { param } : {}) });

export const resourceMissing = (what: string, param = 'id') =>
  new StripeApiError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}.`, param });

export const unexpectedState = (message: string) =>
  new StripeApiError(400, { type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message });

/** Canonical conflicts that mean "not in a state for this" in Stripe's terms; the others keep their code. */
const UNEXPECTED_STATE = new Set(['payment_not_capturable', 'payment_not_cancelable', 'payment_not_refundable']);
/** Conflicts a retry of the same request resolves (the SDK retries 409s under the same Idempotency-Key). */
const RETRYABLE_CONFLICT = new Set(['payment_operation_in_progress', 'idempotency_key_in_use']);
const STRIPE_CODES: Record<string, string> = {
  amount_exceeds_capturable: 'amount_too_large',
  payment_fully_refunded: 'charge_already_refunded',
  amount_exceeds_refundable: 'amount_too_large',
  card_expired: 'expired_card',
};

/**
 * A canonical problem in Stripe's envelope and statuses. `param` is translated by the caller's
 * table (a canonical field's Stripe name), so the SDK's error names what the merchant sent.
 */
export function fromProblem(problem: Problem, paramName: (param: string) => string = (p) => p): StripeApiError {
  const param = problem.param ? paramName(problem.param) : undefined;
  const code = STRIPE_CODES[problem.code] ?? problem.code;
  const body = (type: StripeErrorType, c: string = code): StripeErrorBody => ({ type, code: c, message: problem.detail, ...(param ? { param } : {}) });
  switch (problem.status) {
    case 401:
      return new StripeApiError(401, body('invalid_request_error'), problem.headers);
    case 403:
      return new StripeApiError(403, body('invalid_request_error'), problem.headers);
    case 404:
      return new StripeApiError(404, { ...body('invalid_request_error', 'resource_missing') }, problem.headers);
    case 409:
      if (RETRYABLE_CONFLICT.has(problem.code)) return new StripeApiError(409, body('invalid_request_error'), problem.headers);
      return new StripeApiError(400, body('invalid_request_error', UNEXPECTED_STATE.has(problem.code) ? 'payment_intent_unexpected_state' : code));
    case 429:
      return new StripeApiError(429, body('rate_limit_error', 'rate_limit'), problem.headers);
    case 500:
      return new StripeApiError(500, body('api_error'), problem.headers);
    default:
      if (problem.status >= 500) return new StripeApiError(problem.status, body('api_error'), problem.headers);
      // 400, 413, 415, 422: the request cannot be served as sent.
      return new StripeApiError(problem.status === 413 ? 413 : 400, body('invalid_request_error'), problem.headers);
  }
}
