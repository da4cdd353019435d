import Stripe from 'stripe';
import { CARD_FUNDINGS } from '../../src/domain/card.js';
import type { AuthorizationOutcome, CardReport, ModificationOutcome, NotProcessedReason, UnknownReason } from '../../src/domain/outcome.js';
import { fromStripeAmount } from './amounts.js';
import { stripeDecline } from './declines.js';

const CONNECTION_REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The card facts Stripe reports: `funding` (credit, debit, prepaid or unknown) and `country` of a
 * card PaymentMethod or of a charge's `payment_method_details.card`. Undefined when it says nothing.
 */
export function cardReport(card: { funding?: string | null; country?: string | null } | null | undefined): CardReport | undefined {
  if (!card) return undefined;
  const type = (CARD_FUNDINGS as readonly (string | null | undefined)[]).includes(card.funding) ? (card.funding as CardReport['type']) : null;
  const issuerCountry = typeof card.country === 'string' && /^[A-Z]{2}$/.test(card.country) ? card.country : null;
  return type === null && issuerCountry === null ? undefined : { type, issuerCountry };
}

/** With `expand: ['latest_charge']`, the charge's card details; nothing otherwise. */
function intentCard(intent: Stripe.PaymentIntent): { card?: CardReport } {
  const charge = intent.latest_charge;
  const card = typeof charge === 'object' && charge !== null ? cardReport(charge.payment_method_details?.card) : undefined;
  return card ? { card } : {};
}

/** With `expand: ['latest_charge']`, the network's id of the charge (`payment_method_details.card.network_transaction_id`). */
function intentNetworkReference(intent: Stripe.PaymentIntent): { networkTransactionId?: string } {
  const charge = intent.latest_charge;
  const id = typeof charge === 'object' && charge !== null ? charge.payment_method_details?.card?.network_transaction_id : null;
  return typeof id === 'string' && id.length > 0 ? { networkTransactionId: id } : {};
}

/** A PaymentIntent as the outcome of the authorization it records. */
export function intentOutcome(intent: Stripe.PaymentIntent): AuthorizationOutcome {
  switch (intent.status) {
    case 'succeeded':
      return { kind: 'approved', reference: intent.id, captured: true, ...intentCard(intent), ...intentNetworkReference(intent) };
    case 'requires_capture':
      return { kind: 'approved', reference: intent.id, captured: false, ...intentCard(intent), ...intentNetworkReference(intent) };
    case 'requires_action': {
      const url = intent.next_action?.redirect_to_url?.url;
      return { kind: 'requires_action', reference: intent.id, nextAction: url ? { type: 'redirect', url } : null };
    }
    case 'requires_payment_method':
    case 'canceled':
      return { kind: 'declined', reference: intent.id, decline: stripeDecline(intent.last_payment_error ?? {}), ...intentCard(intent) };
    case 'processing':
      // A SEPA debit Stripe accepted: certain, and settled days later. A card's processing is brief and stays unknown.
      if (intent.payment_method_types.includes('sepa_debit')) return { kind: 'pending', reference: intent.id };
      return { kind: 'unknown', reason: 'pending_at_gateway', detail: 'Stripe payment intent is processing.' };
    default:
      return { kind: 'unknown', reason: 'pending_at_gateway', detail: `Stripe payment intent is ${intent.status}.` };
  }
}

/** A refund as the outcome of the refund request that made it. */
export function refundOutcome(refund: Stripe.Refund): ModificationOutcome {
  // pending / requires_action: accepted; Stripe confirms it later with refund.updated / charge.refund.updated.
  const kind = refund.status === 'succeeded' ? 'succeeded' : refund.status === 'pending' || refund.status === 'requires_action' ? 'pending' : null;
  if (kind === null) {
    return { kind: 'rejected', code: refund.failure_reason ?? 'refund_failed', detail: `Stripe refund ${refund.id} is ${refund.status}.` };
  }
  const amount = fromStripeAmount(refund.amount, refund.currency);
  if (amount === null) {
    return { kind: 'unknown', reason: 'malformed_response', detail: `Stripe refund ${refund.id} reports ${refund.amount} ${refund.currency}, which is no whole number of minor units.` };
  }
  return { kind, reference: refund.id, amount };
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

export function authorizationFailure(error: unknown): AuthorizationOutcome {
  const failure = classify(error);
  switch (failure.kind) {
    case 'card': {
      const intent = failure.error.payment_intent as { id?: string } | undefined;
      const card = cardReport(failure.error.payment_method?.card);
      return {
        kind: 'declined',
        reference: intent?.id ?? null,
        decline: stripeDecline(failure.error),
        ...(card ? { card } : {}),
      };
    }
    case 'not_processed':
      return { kind: 'not_processed', reason: failure.reason, detail: failure.detail };
    case 'unknown':
      return failure;
  }
}

/**
 * A lookup (retrieve, search) that failed says nothing about the attempt it looks for: never
 * `not_processed` or `declined`, which would let the payment move on while it may have charged.
 */
export function lookupFailure(error: unknown): AuthorizationOutcome {
  const failure = classify(error);
  if (failure.kind === 'unknown') return failure;
  const detail = failure.kind === 'card' ? 'Stripe answered the lookup with a card error.' : failure.detail;
  return { kind: 'unknown', reason: 'pending_at_gateway', detail: `The lookup at Stripe failed, so the attempt stays unresolved: ${detail}` };
}

export function modificationFailure(error: unknown): ModificationOutcome {
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

export function unexpectedStatus(status: string): ModificationOutcome {
  return { kind: 'unknown', reason: 'pending_at_gateway', detail: `Stripe payment intent is ${status}.` };
}

/** The system error code under the SDK's connection error (node http sets it; fetch nests it in `cause`). */
function networkCode(detail: unknown): string | undefined {
  if (typeof detail !== 'object' || detail === null) return undefined;
  const { code, cause } = detail as { code?: unknown; cause?: unknown };
  if (typeof code === 'string') return code;
  return networkCode(cause);
}
