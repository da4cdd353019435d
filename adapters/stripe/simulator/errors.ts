/**
 * Stripe's error envelope: `{ error: { type, code, decline_code, message, param, ... } }`.
 *
 * The SDK picks its error class from the HTTP status (400/404 invalid request, or
 * idempotency when type is idempotency_error; 401 authentication; 402 card; 403 permission;
 * 429 rate limit; anything else API error), so status and type must be set together.
 */
export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorObject {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
}

/** What a handler produces: an HTTP status and a JSON body. */
export interface ApiResponse {
  status: number;
  body: unknown;
  /**
   * Whether Stripe would save this result under the request's idempotency key.
   * Stripe saves nothing when the request failed validation before the endpoint ran.
   */
  saveIdempotent: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: StripeErrorObject,
    /** false for parameter validation failures: the endpoint never ran, no idempotent result is saved. */
    readonly saveIdempotent = true,
  ) {
    super(error.message);
  }

  toResponse(): ApiResponse {
    return { status: this.status, body: { error: this.error }, saveIdempotent: this.saveIdempotent };
  }
}

export function ok(body: unknown): ApiResponse {
  return { status: 200, body, saveIdempotent: true };
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

function invalid(status: number, message: string, extra: Partial<StripeErrorObject> = {}, saveIdempotent = false): ApiError {
  const error: StripeErrorObject = { type: 'invalid_request_error', message, ...extra };
  if (error.code && !error.doc_url) error.doc_url = docUrl(error.code);
  return new ApiError(status, error, saveIdempotent);
}

// ---- parameter validation (400, not saved for idempotency) ----

export const paramErrors = {
  missing: (param: string) => invalid(400, `Missing required param: ${param}.`, { code: 'parameter_missing', param }),
  unknown: (param: string) =>
    invalid(400, `Received unknown parameter: ${param}`, { code: 'parameter_unknown', param }),
  invalidInteger: (param: string, value: string) =>
    invalid(400, `Invalid integer: ${value}`, { code: 'parameter_invalid_integer', param }),
  invalidBoolean: (param: string, value: string) => invalid(400, `Invalid boolean: ${value}`, { param }),
  invalidString: (param: string) => invalid(400, `Invalid string: ${param} must be a string.`, { param }),
  invalidObject: (param: string) => invalid(400, `Invalid object`, { param }),
  invalidEnum: (param: string, allowed: readonly string[]) =>
    invalid(400, `Invalid ${param}: must be one of ${allowed.join(', ')}`, { param }),
  invalid: (param: string, message: string, code?: string) =>
    invalid(400, message, code ? { param, code } : { param }),
};

// ---- resource state errors (saved for idempotency like any executed request) ----

export function resourceMissing(kind: string, id: string, param = 'id'): ApiError {
  return invalid(404, `No such ${kind}: '${id}'`, { code: 'resource_missing', param }, true);
}

export function unexpectedState(message: string, paymentIntent?: unknown): ApiError {
  const extra: Partial<StripeErrorObject> = { code: 'payment_intent_unexpected_state' };
  if (paymentIntent !== undefined) extra.payment_intent = paymentIntent;
  return invalid(400, message, extra, true);
}

export function invalidRequest(status: number, message: string, extra: Partial<StripeErrorObject> = {}): ApiError {
  return invalid(status, message, extra, true);
}

export function unrecognizedUrl(method: string, path: string): ApiError {
  return invalid(
    404,
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  );
}

// ---- infrastructure errors ----

export function apiErrorBody(status: number): { error: StripeErrorObject } {
  if (status === 429) {
    // Stripe answers rate limiting with 429 and type invalid_request_error / code rate_limit
    // (rate_limit_error is no longer a documented type); the SDK chooses StripeRateLimitError by status.
    return {
      error: {
        type: 'invalid_request_error',
        code: 'rate_limit',
        doc_url: docUrl('rate_limit'),
        message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
      },
    };
  }
  return {
    error: {
      type: 'api_error',
      message: 'Sorry, something went wrong on our end. Please try again later. (simulated)',
    },
  };
}

export function authenticationError(message: string): { error: StripeErrorObject } {
  return { error: { type: 'invalid_request_error', message } };
}
