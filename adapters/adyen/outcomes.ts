import Adyen from '@adyen/api-library';
import type { CaptureMethod } from '../../src/domain/payment.js';
import type {
  AuthorizationOutcome,
  CardReport,
  ModificationOutcome,
  NotProcessedReason,
  UnknownReason,
} from '../../src/domain/outcome.js';
import { fromAdyenAmount } from './amounts.js';
import { adyenDecline } from './declines.js';
import { AdyenTransportError } from './http-client.js';

const { HttpClientException } = Adyen;

/** What `/payments` and `/payments/details` answer, as far as the outcome reads it. */
export interface PaymentResult {
  pspReference?: string;
  resultCode?: string;
  refusalReason?: string;
  refusalReasonCode?: string;
  additionalData?: { [key: string]: string } | null;
  action?: object | null;
}

/** What capture, refund, cancel and reversal answer: 201 `received`; the result follows by notification. */
export interface ModificationResponse {
  pspReference?: string;
  status?: string;
  amount?: { value: number; currency: string } | null;
}

/**
 * `captured`: whether an approval is captured too (we ask Adyen to capture at once, or never by itself).
 * `merchantReference`: names the attempt when Adyen leaves the pspReference out of an action answer.
 */
export function authorizationOutcome(
  response: PaymentResult,
  /** `debit`: a bank debit, which Adyen accepts as `Received` and settles days later. */
  request: { captureMethod: CaptureMethod; merchantReference: string; debit?: boolean },
): AuthorizationOutcome {
  const reference = response.pspReference;
  const card = cardReport(response.additionalData);
  switch (response.resultCode) {
    case 'Authorised':
      if (!reference) return malformed('Adyen authorised the payment without a pspReference.');
      return { kind: 'approved', reference, captured: request.captureMethod === 'automatic', ...(card ? { card } : {}), ...networkReference(response) };
    case 'Refused':
    case 'Error':
    case 'Cancelled':
      return {
        kind: 'declined',
        reference: reference ?? null,
        decline: adyenDecline({
          refusalReasonCode: response.refusalReasonCode,
          refusalReason: response.refusalReason,
          merchantAdviceCode: response.additionalData?.['merchantAdviceCode'],
        }),
        ...(card ? { card } : {}),
      };
    case 'RedirectShopper':
    case 'IdentifyShopper':
    case 'ChallengeShopper': {
      const url = response.action && 'url' in response.action && typeof response.action.url === 'string' ? response.action.url : undefined;
      return {
        kind: 'requires_action',
        reference: reference ?? request.merchantReference,
        nextAction: url ? { type: 'redirect', url } : null,
      };
    }
    case 'Received':
      if (request.debit && reference) return { kind: 'pending', reference };
      return { kind: 'unknown', reason: 'pending_at_gateway', detail: 'Adyen answered resultCode Received.' };
    case undefined:
      return malformed('Adyen answered without a resultCode.');
    default:
      // Pending, Received, PartiallyAuthorised, ...: the final result comes by notification.
      return { kind: 'unknown', reason: 'pending_at_gateway', detail: `Adyen answered resultCode ${response.resultCode}.` };
  }
}

/**
 * Adyen's `fundingSource` values. A deferred debit card settles like a charge card, and the EU's
 * interchange rules count it as credit, so it is reported as credit.
 */
const FUNDING: Readonly<Record<string, CardReport['type']>> = {
  CREDIT: 'credit',
  CHARGE: 'credit',
  DEFERRED_DEBIT: 'credit',
  DEFFERED_DEBIT: 'credit', // sic: the spelling Adyen's API reference lists
  DEBIT: 'debit',
  PREPAID: 'prepaid',
  PREPAID_RELOADABLE: 'prepaid',
  PREPAID_NONRELOADABLE: 'prepaid',
};

/** `additionalData.networkTxReference`: the card network's id of an authorised payment, which merchant-initiated payments cite. */
function networkReference(response: PaymentResult): { networkTransactionId?: string } {
  const reference = response.additionalData?.['networkTxReference'];
  return typeof reference === 'string' && reference.length > 0 ? { networkTransactionId: reference } : {};
}

/**
 * The card facts in a payment response's `additionalData` (enabled under Developers > Additional
 * data in the Customer Area): `fundingSource`, and `cardIssuingCountry` (or `issuerCountry`).
 */
export function cardReport(additionalData: { [key: string]: string } | null | undefined): CardReport | undefined {
  if (!additionalData) return undefined;
  const type = FUNDING[additionalData['fundingSource'] ?? ''] ?? null;
  const country = additionalData['cardIssuingCountry'] ?? additionalData['issuerCountry'];
  const issuerCountry = country !== undefined && /^[A-Z]{2}$/.test(country) ? country : null;
  return type === null && issuerCountry === null ? undefined : { type, issuerCountry };
}

/** `requestedAmount` in canonical minor units; the answer's own amount, when it has one, in Adyen's. */
export function modificationOutcome(response: ModificationResponse, requestedAmount: number): ModificationOutcome {
  if (response.status !== 'received' || !response.pspReference) {
    return malformed('Adyen did not confirm it received the modification.');
  }
  if (!response.amount) return { kind: 'pending', reference: response.pspReference, amount: requestedAmount };
  const amount = fromAdyenAmount(response.amount.value, response.amount.currency);
  if (amount === null) return malformed(`Adyen answered an amount of ${response.amount.value} ${response.amount.currency}, which is no whole number of minor units.`);
  return { kind: 'pending', reference: response.pspReference, amount };
}

type Failure =
  | { kind: 'not_processed'; reason: NotProcessedReason; code: string; detail: string }
  | { kind: 'unknown'; reason: UnknownReason; detail: string };

export function authorizationFailure(error: unknown): AuthorizationOutcome {
  const failure = classify(error);
  return failure.kind === 'unknown' ? failure : { kind: 'not_processed', reason: failure.reason, detail: failure.detail };
}

/**
 * A lookup (`/payments/details`) that failed says nothing about the attempt: never
 * `not_processed`, which would let the payment move on while it may be authorised.
 */
export function lookupFailure(error: unknown): AuthorizationOutcome {
  const failure = classify(error);
  if (failure.kind === 'unknown') return failure;
  return { kind: 'unknown', reason: 'pending_at_gateway', detail: `The lookup at Adyen failed, so the attempt stays unresolved: ${failure.detail}` };
}

export function modificationFailure(error: unknown): ModificationOutcome {
  const failure = classify(error);
  if (failure.kind === 'unknown') return failure;
  return failure.reason === 'rejected'
    ? { kind: 'rejected', code: failure.code, detail: failure.detail }
    : { kind: 'not_processed', reason: failure.reason, detail: failure.detail };
}

/** Certain (Adyen did nothing) or ambiguous (it may have acted). Anything unexpected is ambiguous. */
function classify(error: unknown): Failure {
  if (error instanceof AdyenTransportError) {
    return error.kind === 'connection_refused'
      ? { kind: 'not_processed', reason: 'connection_refused', code: 'connection_refused', detail: error.message }
      : { kind: 'unknown', reason: error.kind, detail: error.message };
  }
  if (!(error instanceof HttpClientException)) {
    return malformed('Adyen answered in a way the library could not read.');
  }
  const status = error.statusCode;
  const errorCode = error.apiError?.errorCode ?? error.errorCode;
  if (errorCode === '704') {
    // The first request under this idempotency key is still running, or was made with another body.
    return { kind: 'unknown', reason: 'pending_at_gateway', detail: 'Adyen is processing a request under this idempotency key.' };
  }
  if (status === 401 || status === 403) {
    return { kind: 'not_processed', reason: 'authentication_failed', code: 'gateway_authentication_failed', detail: `Adyen rejected the credentials (HTTP ${status}).` };
  }
  if (status === 429) {
    return { kind: 'not_processed', reason: 'rate_limited', code: 'rate_limited', detail: 'Adyen rate-limited the request.' };
  }
  if (status === 400 || status === 404 || status === 422) {
    const code = errorCode ? `adyen_${errorCode}` : `http_${status}`;
    return { kind: 'not_processed', reason: 'rejected', code, detail: `Adyen rejected the request (HTTP ${status}${errorCode ? `, errorCode ${errorCode}` : ''}).` };
  }
  return { kind: 'unknown', reason: 'server_error', detail: `Adyen answered with an error (HTTP ${status}).` };
}

function malformed(detail: string): { kind: 'unknown'; reason: 'malformed_response'; detail: string } {
  return { kind: 'unknown', reason: 'malformed_response', detail };
}
