import { newPspReference } from './ids.js';

/** Adyen's error body: `{ status, errorCode, message, errorType, pspReference }`. */
export interface AdyenErrorBody {
  status: number;
  errorCode: string;
  message: string;
  errorType: string;
  pspReference?: string;
}

/** What an endpoint answers: a status, a JSON body and any extra headers. */
export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class AdyenApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly errorType = 'validation',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toResponse(): ApiResponse {
    const body: AdyenErrorBody = { status: this.status, errorCode: this.errorCode, message: this.message, errorType: this.errorType };
    // Adyen gives validation errors a pspReference of their own.
    if (this.status === 422) body.pspReference = newPspReference();
    return { status: this.status, body, headers: this.headers };
  }
}

const invalid = (errorCode: string, message: string) => new AdyenApiError(422, errorCode, message);

/** The codes used here are Adyen's (docs.adyen.com/development-resources/error-codes). */
export const errors = {
  unauthorized: () => new AdyenApiError(401, '000', 'HTTP Status Response - Unauthorized', 'security'),
  merchantAccountNotAllowed: () => new AdyenApiError(403, '901', 'Invalid Merchant Account', 'security'),
  unparsable: () => new AdyenApiError(400, '702', 'Problem parsing request', 'validation'),
  notFound: () => new AdyenApiError(404, '908', 'Invalid request', 'validation'),
  merchantAccountMissing: () => invalid('901', 'Invalid Merchant Account'),
  amountMissing: () => invalid('100', "Required object 'amount' is not provided."),
  amountInvalid: () => invalid('137', "Field 'amount' is not valid."),
  currencyUnsupported: () => invalid('138', 'Unsupported currency specified'),
  referenceMissing: () => invalid('130', 'Reference Missing'),
  returnUrlMissing: () => invalid('14_030', 'Return URL is missing.'),
  paymentMethodMissing: () => invalid('14_006', 'paymentMethod object has not been provided in the request'),
  paymentMethodUnsupported: () => invalid('905', 'Payment details are not supported'),
  /** The simulator's code for bank details Adyen refuses (an invalid IBAN, routing or account number, no owner). */
  bankDetailsInvalid: (field: string) => invalid('161', `Invalid bank details: ${field}`),
  debitCaptureNotSupported: () => invalid('905', 'Payment details are not supported: a bank debit cannot be captured manually'),
  walletTokenInvalid: (detail: string) => invalid('5_001', `Invalid wallet token: ${detail}`),
  cardNumberInvalid: () => invalid('101', 'Invalid card number'),
  expiryInvalid: () => invalid('140', 'Invalid expiryMonth[1..12] / expiryYear[>2000], or before now'),
  cvcLength: () => invalid('103', 'CVC is not the right length'),
  shopperInteractionInvalid: () => invalid('14_019', "Field 'shopperInteraction' is not valid."),
  recurringProcessingModelInvalid: () => invalid('14_020', "A ContAuth payment requires a valid 'recurringProcessingModel'."),
  networkTxReferenceMissing: () => invalid('14_021', "A ContAuth payment with card details requires 'additionalData.networkTxReference' from the first payment."),
  captureDelayInvalid: () => invalid('164', 'Auto capture delay invalid or out of range'),
  /** A value outside an enum fails JSON binding: Adyen answers it as unparsable. */
  attemptAuthenticationInvalid: () => new AdyenApiError(400, '702', "Problem parsing request: 'attemptAuthentication' must be always or never", 'validation'),
  detailsMissing: () => invalid('14_002', "Required field 'details' is not provided."),
  redirectResultInvalid: () => invalid('14_018', 'Invalid payload provided'),
  pspReferenceUnknown: () => invalid('167', 'Original pspReference required for this operation'),
  idempotencyKeyTooLong: () => invalid('702', 'Idempotency-Key may be at most 64 characters long'),
  /** The first request under this key is still running: retry later with the same key. */
  idempotencyInProgress: () =>
    new AdyenApiError(409, '704', 'request already processed or in progress', 'validation', { 'transient-error': 'true' }),
  /** The key was used for another request: do not retry with it. */
  idempotencyKeyReused: () => new AdyenApiError(422, '704', 'request already processed or in progress'),
};

/** The body of a faulted answer (`http_error`, `charge_then_500`). */
export function faultBody(status: number): AdyenErrorBody {
  return status === 429
    ? { status, errorCode: '000', message: 'Too Many Requests', errorType: 'security' }
    : { status, errorCode: '903', message: 'Internal error', errorType: 'internal' };
}
