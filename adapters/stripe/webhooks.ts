import Stripe from 'stripe';
import type { WebhookAck, WebhookRejection, WebhookRequest, WebhookVerification } from '../testkit/contract.js';
import type { WebhookEvent } from '../../src/domain/webhook.js';
import { fromStripeAmount } from './amounts.js';
import { stripeDecline, type StripeDeclineFields } from './declines.js';

/** Stripe's own default: a signature more than five minutes old is refused, against replays. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * PaymentIntent metadata key holding our attempt's idempotency key: Stripe copies it into every
 * PaymentIntent and charge event, so a webhook can find an attempt whose answer was lost.
 */
export const ATTEMPT_KEY_METADATA = 'switchyard_idempotency_key';

/** Refund metadata key holding the refund's idempotency key, so a refund whose answer was lost can be found after Stripe forgot the key. */
export const REFUND_KEY_METADATA = 'switchyard_refund_key';

export const STRIPE_WEBHOOK_ACK: WebhookAck = { status: 200, contentType: 'application/json', body: '{"received":true}' };

/** Web Crypto, so verification runs on Workers as on Node. */
const cryptoProvider = Stripe.createSubtleCryptoProvider();

/**
 * Verifies `Stripe-Signature` (`t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`) with the SDK and
 * turns the event into canonical ones. Event types that say nothing about a payment, refund,
 * capture or cancel are accepted with no events.
 */
export async function verifyStripeWebhook(
  stripe: Stripe,
  secret: string,
  request: WebhookRequest,
  now: Date,
): Promise<WebhookVerification> {
  const signature = request.headers['stripe-signature'];
  if (!signature) return { ok: false, reason: 'missing_signature' };
  let event: unknown;
  try {
    event = await stripe.webhooks.constructEventAsync(
      request.rawBody,
      signature,
      secret,
      SIGNATURE_TOLERANCE_SECONDS,
      cryptoProvider,
      now.getTime(),
    );
  } catch (error) {
    return { ok: false, reason: rejection(error) };
  }
  try {
    return { ok: true, events: canonicalEvents(event) };
  } catch (error) {
    if (error instanceof MalformedEvent) return { ok: false, reason: 'malformed' };
    throw error;
  }
}

function rejection(error: unknown): WebhookRejection {
  // The SDK checks the signature first and the age second: a stale request was signed with our secret.
  if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
    return error.message === 'Timestamp outside the tolerance zone' ? 'stale' : 'invalid_signature';
  }
  // Correctly signed, but the body is not JSON.
  if (error instanceof SyntaxError) return 'malformed';
  throw error;
}

type Json = Record<string, unknown>;
type Translation = Omit<WebhookEvent, 'eventId' | 'occurredAt'>;

class MalformedEvent extends Error {}

function canonicalEvents(event: unknown): WebhookEvent[] {
  const envelope = record(event);
  const eventId = text(envelope, 'id');
  const type = text(envelope, 'type');
  const created = wholeNumber(envelope, 'created');
  const object = record(record(envelope.data).object);
  const translation = translate(type, object);
  return translation === null ? [] : [{ eventId, occurredAt: new Date(created * 1000), ...translation }];
}

/** One Stripe event → at most one canonical event, so the Stripe event id identifies it. */
function translate(type: string, object: Json): Translation | null {
  switch (type) {
    case 'payment_intent.amount_capturable_updated':
      return text(object, 'status') === 'requires_capture'
        ? intentEvent('authorization.succeeded', object, 'amount_capturable')
        : null;
    case 'payment_intent.succeeded':
      // Automatic capture authorizes and captures at once and sends only this event; a manual
      // capture announced the authorization earlier (amount_capturable_updated), so this is its capture.
      return intentEvent(
        text(object, 'capture_method') === 'manual' ? 'capture.succeeded' : 'authorization.succeeded',
        object,
        'amount_received',
      );
    case 'payment_intent.payment_failed':
      return {
        ...intentEvent('authorization.failed', object, 'amount'),
        decline: stripeDecline(declineFields(object.last_payment_error)),
      };
    case 'payment_intent.canceled':
      return intentEvent('cancel.succeeded', object, 'amount');
    case 'charge.captured': {
      const reference = optionalText(object, 'payment_intent');
      if (reference === null) return null;
      return {
        type: 'capture.succeeded',
        reference,
        merchantReference: attemptKey(object),
        modificationReference: null,
        modificationKey: null,
        amount: canonicalAmount(object, 'amount_captured'),
        currency: currency(object),
        decline: null,
      };
    }
    case 'charge.refunded':
      return newestEmbeddedRefund(object);
    case 'charge.dispute.created':
      return returnedDebit(object);
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed':
    case 'charge.refund.updated':
      return refundEvent(object);
    default:
      return null;
  }
}

function intentEvent(type: Translation['type'], intent: Json, amountField: string): Translation {
  return {
    type,
    reference: text(intent, 'id'),
    merchantReference: attemptKey(intent),
    modificationReference: null,
    modificationKey: null,
    amount: canonicalAmount(intent, amountField),
    currency: currency(intent),
    decline: null,
  };
}

/** Our idempotency key from a PaymentIntent's or charge's metadata, when it is there. */
function attemptKey(object: Json): string | null {
  return metadataText(object, ATTEMPT_KEY_METADATA);
}

function metadataText(object: Json, name: string): string | null {
  const metadata = object.metadata;
  if (typeof metadata !== 'object' || metadata === null) return null;
  const value = (metadata as Json)[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

function declineFields(error: unknown): StripeDeclineFields {
  if (error === null || error === undefined) return {};
  const fields = record(error);
  const pick = (name: string): string | null => {
    const value = fields[name];
    return typeof value === 'string' ? value : null;
  };
  return { code: pick('code'), decline_code: pick('decline_code'), network_advice_code: pick('network_advice_code') };
}

/**
 * A SEPA debit the payer's bank took back: Stripe records a dispute that cannot be contested, lost
 * from the start. A card dispute opens to be answered (or names its card): not a return.
 */
function returnedDebit(dispute: Json): Translation | null {
  const method = dispute.payment_method_details;
  const type = typeof method === 'object' && method !== null ? (method as Json).type : null;
  if (text(dispute, 'status') !== 'lost' || type === 'card') return null;
  const reference = optionalText(dispute, 'payment_intent');
  if (reference === null) return null;
  return {
    type: 'debit.returned',
    reference,
    merchantReference: null,
    modificationReference: null,
    modificationKey: null,
    amount: canonicalAmount(dispute, 'amount'),
    currency: currency(dispute),
    decline: null,
    returnCode: text(dispute, 'reason'),
  };
}

function refundEvent(refund: Json): Translation | null {
  const reference = optionalText(refund, 'payment_intent');
  if (reference === null) return null;
  const status = text(refund, 'status');
  const type = status === 'succeeded' ? 'refund.succeeded' : status === 'failed' || status === 'canceled' ? 'refund.failed' : null;
  if (type === null) return null;
  return {
    type,
    reference,
    // A refund carries no PaymentIntent metadata.
    merchantReference: null,
    modificationReference: text(refund, 'id'),
    modificationKey: metadataText(refund, REFUND_KEY_METADATA),
    amount: canonicalAmount(refund, 'amount'),
    currency: currency(refund),
    decline: null,
  };
}

/**
 * API versions before 2022-11-15 embed the charge's refunds (newest first) in `charge.refunded`,
 * and send no `refund.*` event for card refunds. Later versions embed none and send
 * `refund.created`, which carries the refund: then this event adds nothing.
 */
function newestEmbeddedRefund(charge: Json): Translation | null {
  const refunds = charge.refunds;
  if (refunds === null || refunds === undefined) return null;
  const newest = record(refunds).data;
  if (!Array.isArray(newest)) throw new MalformedEvent();
  return newest.length === 0 ? null : refundEvent(record(newest[0]));
}

function record(value: unknown): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedEvent();
  return value as Json;
}

function text(object: Json, name: string): string {
  const value = object[name];
  if (typeof value !== 'string' || value === '') throw new MalformedEvent();
  return value;
}

function optionalText(object: Json, name: string): string | null {
  return object[name] === null || object[name] === undefined ? null : text(object, name);
}

function wholeNumber(object: Json, name: string): number {
  const value = object[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new MalformedEvent();
  return value;
}

/** An amount field in Stripe's units as canonical minor units of the object's currency. */
function canonicalAmount(object: Json, name: string): number {
  const amount = fromStripeAmount(wholeNumber(object, name), currency(object));
  if (amount === null) throw new MalformedEvent();
  return amount;
}

function currency(object: Json): string {
  const value = text(object, 'currency');
  if (!/^[a-zA-Z]{3}$/.test(value)) throw new MalformedEvent();
  return value.toUpperCase();
}
