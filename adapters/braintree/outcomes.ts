import { alpha2FromAlpha3 } from '../../src/domain/countries.js';
import type { AuthorizationOutcome, CardReport, ModificationOutcome, NotProcessedReason, UnknownReason } from '../../src/domain/outcome.js';
import { fromBraintreeAmount } from './amounts.js';
import { cardValidationDecline, gatewayRejection, processorDecline } from './declines.js';

/** The fields of a Braintree transaction this adapter reads (`merchantAdviceCode` is missing from @types/braintree). */
export interface TransactionFields {
  id: string;
  status: string;
  amount: string;
  currencyIsoCode: string;
  processorResponseCode?: string | null;
  gatewayRejectionReason?: string | null;
  merchantAdviceCode?: string | null;
  /** The card network's id of the sale, which merchant-initiated sales cite later. */
  networkTransactionId?: string | null;
  /** Card type indicators (`Yes`, `No`, `Unknown`) and country of issuance (alpha-3). */
  creditCard?: CardIndicators | null;
  /** A sale paid with an Apple Pay or Google Pay nonce carries the card's facts here instead. */
  applePayCard?: CardIndicators | null;
  androidPayCard?: CardIndicators | null;
}

type CardIndicators = { debit?: string | null; prepaid?: string | null; countryOfIssuance?: string | null };

/** What the SDK resolves for sale, submitForSettlement, void and refund (422 answers resolve with `success: false`). */
export interface BraintreeResult {
  success: boolean;
  message?: string;
  transaction?: TransactionFields;
  errors?: { deepErrors(): Array<{ code: string }> };
}

/** Submitted for settlement and not undone: the sale's funds are captured. */
export const CAPTURED_STATUSES: ReadonlySet<string> = new Set([
  'submitted_for_settlement',
  'settling',
  'settlement_pending',
  'settled',
  'settlement_confirmed',
]);

export function validationCodes(result: BraintreeResult): string[] {
  return result.errors?.deepErrors().map((error) => error.code) ?? [];
}

/**
 * A transaction found or created at Braintree, as the outcome of the authorization it records.
 * Statuses that mean something else happened to it since (voided, expired, settlement declined,
 * still authorizing) stay unknown: a person has to look, and nothing may be retried meanwhile.
 */
export function transactionOutcome(transaction: TransactionFields, currency: string): AuthorizationOutcome {
  const { id, status } = transaction;
  if (status === 'authorized' || CAPTURED_STATUSES.has(status)) {
    if (transaction.currencyIsoCode !== currency) {
      return {
        kind: 'unknown',
        reason: 'pending_at_gateway',
        detail: `Braintree authorized transaction ${id} in ${transaction.currencyIsoCode}, not ${currency}: check the merchant account configured for ${currency}.`,
      };
    }
    const networkTransactionId = transaction.networkTransactionId;
    return { kind: 'approved', reference: id, captured: status !== 'authorized', ...withCard(transaction), ...(networkTransactionId ? { networkTransactionId } : {}) };
  }
  switch (status) {
    case 'processor_declined':
    case 'failed':
      return { kind: 'declined', reference: id, decline: processorDecline(transaction.processorResponseCode, transaction.merchantAdviceCode ?? null), ...withCard(transaction) };
    case 'gateway_rejected':
      return { kind: 'declined', reference: id, decline: gatewayRejection(transaction.gatewayRejectionReason), ...withCard(transaction) };
    default:
      return { kind: 'unknown', reason: 'pending_at_gateway', detail: `Braintree transaction ${id} is ${status}.` };
  }
}

/**
 * What Braintree says about the card: prepaid `Yes` is prepaid, else debit `Yes` is debit, and
 * both `No` is credit; `Unknown` tells nothing. The country comes as alpha-3 (`USA`).
 */
export function cardReport(card: TransactionFields['creditCard']): CardReport | undefined {
  if (!card) return undefined;
  const type = card.prepaid === 'Yes' ? 'prepaid' : card.debit === 'Yes' ? 'debit' : card.debit === 'No' && card.prepaid === 'No' ? 'credit' : null;
  const issuerCountry = (card.countryOfIssuance && alpha2FromAlpha3(card.countryOfIssuance)) ?? null;
  return type === null && issuerCountry === null ? undefined : { type, issuerCountry };
}

function withCard(transaction: TransactionFields): { card?: CardReport } {
  const card = cardReport(transaction.creditCard) ?? cardReport(transaction.applePayCard) ?? cardReport(transaction.androidPayCard);
  return card ? { card } : {};
}

/** The answer to a sale. Validation errors carry no transaction: those about the card are declines, the rest our request's fault. */
export function saleOutcome(result: BraintreeResult, currency: string): AuthorizationOutcome {
  if (result.transaction) return transactionOutcome(result.transaction, currency);
  if (result.success) return { kind: 'unknown', reason: 'malformed_response', detail: 'Braintree answered the sale without a transaction.' };
  const codes = validationCodes(result);
  const cardDecline = cardValidationDecline(codes);
  if (cardDecline) return { kind: 'declined', reference: null, decline: cardDecline };
  return { kind: 'not_processed', reason: 'rejected', detail: `Braintree refused the sale (validation errors ${codes.join(', ') || 'none given'}).` };
}

/** A modification Braintree performed: `transaction` is the sale (capture, void) or the new credit (refund). */
export function modificationSucceeded(transaction: TransactionFields): ModificationOutcome {
  const amount = fromBraintreeAmount(transaction.amount, transaction.currencyIsoCode);
  if (amount === null) return { kind: 'unknown', reason: 'malformed_response', detail: `Braintree answered an unreadable amount for transaction ${transaction.id}.` };
  return { kind: 'succeeded', reference: transaction.id, amount };
}

export function modificationRejected(result: BraintreeResult, action: string): ModificationOutcome {
  const code = validationCodes(result)[0] ?? result.transaction?.processorResponseCode ?? `${action.replaceAll(' ', '_')}_failed`;
  return { kind: 'rejected', code, detail: `Braintree refused to ${action}: ${result.message ?? 'no reason given'}` };
}

type Failure =
  | { kind: 'not_processed'; reason: NotProcessedReason; detail: string }
  | { kind: 'unknown'; reason: UnknownReason; detail: string }
  | { kind: 'not_found'; detail: string };

/** Failures before the request was sent: nothing can have reached Braintree. */
const NOT_SENT = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b/;

/**
 * Sorts what the SDK threw into certain (Braintree did nothing) or ambiguous (it may have acted).
 * The SDK throws plain errors whose `type` names the HTTP status class; network errors are all
 * `unexpectedError` with the Node error only in the message, so the message is what tells a
 * refused connection (never sent) from a dropped one (maybe processed).
 */
export function classifyError(error: unknown): Failure {
  const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
  const message = error instanceof Error ? error.message : '';
  switch (type) {
    case 'authenticationError':
    case 'authorizationError':
      return { kind: 'not_processed', reason: 'authentication_failed', detail: 'Braintree rejected the API keys.' };
    case 'tooManyRequestsError':
      return { kind: 'not_processed', reason: 'rate_limited', detail: 'Braintree rate-limited the request.' };
    case 'upgradeRequired':
      return { kind: 'not_processed', reason: 'rejected', detail: 'Braintree refused the API version of this SDK.' };
    case 'invalidKeysError':
      return { kind: 'not_processed', reason: 'rejected', detail: 'The SDK refused to send a request with unknown fields.' };
    case 'notFoundError':
      return { kind: 'not_found', detail: 'Braintree answered 404.' };
    case 'serverError':
    case 'serviceUnavailableError':
      return { kind: 'unknown', reason: 'server_error', detail: `Braintree answered with an error (${type}).` };
    case 'requestTimeoutError':
    case 'gatewayTimeoutError':
      return { kind: 'unknown', reason: 'timeout', detail: `Braintree timed out upstream (${type}).` };
    case 'unexpectedError':
      return unexpected(message);
    default:
      // Not one of the SDK's own errors: the XML parser or gunzip failed on the answer.
      return { kind: 'unknown', reason: 'malformed_response', detail: 'Braintree answered with a body the SDK could not read.' };
  }
}

function unexpected(message: string): Failure {
  if (message === 'Request timed out') return { kind: 'unknown', reason: 'timeout', detail: 'Braintree did not answer in time.' };
  if (message.startsWith('Unexpected request error')) {
    return NOT_SENT.test(message)
      ? { kind: 'not_processed', reason: 'connection_refused', detail: 'Braintree could not be reached.' }
      : { kind: 'unknown', reason: 'connection_lost', detail: 'The connection to Braintree broke before it answered.' };
  }
  if (message.startsWith('Unexpected response error')) return { kind: 'unknown', reason: 'connection_lost', detail: 'The answer from Braintree broke off.' };
  const status = Number(/^Unexpected HTTP response: (\d+)/.exec(message)?.[1]);
  if (status >= 500) return { kind: 'unknown', reason: 'server_error', detail: `Braintree answered HTTP ${status}.` };
  if (status >= 400) return { kind: 'not_processed', reason: 'rejected', detail: `Braintree refused the request (HTTP ${status}).` };
  return { kind: 'unknown', reason: 'malformed_response', detail: 'Braintree answered in a way the SDK could not read.' };
}

export function authorizationFailure(error: unknown): AuthorizationOutcome {
  const failure = classifyError(error);
  if (failure.kind === 'not_found') return { kind: 'not_processed', reason: 'rejected', detail: 'Braintree answered 404 to the sale: check the merchant id.' };
  return failure;
}

/**
 * A failed lookup during sync says nothing about the attempt it looks for: it is never
 * `not_processed` (that would let the payment fail over while the attempt may have charged).
 */
export function lookupFailure(error: unknown): AuthorizationOutcome {
  const failure = classifyError(error);
  if (failure.kind === 'unknown') return failure;
  return { kind: 'unknown', reason: 'pending_at_gateway', detail: `The lookup at Braintree failed, so the attempt stays unresolved: ${failure.detail}` };
}

export function modificationFailure(error: unknown): ModificationOutcome {
  const failure = classifyError(error);
  if (failure.kind === 'not_found') return { kind: 'rejected', code: 'not_found', detail: 'Braintree has no transaction with this reference.' };
  return failure;
}
