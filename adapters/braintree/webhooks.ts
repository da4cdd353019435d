import type { WebhookRequest, WebhookVerification } from '../testkit/contract.js';
import type { WebhookEvent, WebhookEventType } from '../../src/domain/webhook.js';
import { fromBraintreeAmount } from './amounts.js';
import { verifyPayload } from './signature.js';
import { childElement, childText, parseXml, XmlError, type XmlElement } from './xml.js';

export interface WebhookKeys {
  publicKey: string;
  privateKey: string;
}

/** The characters the SDK allows in `bt_payload`: base64 with line breaks. */
const PAYLOAD = /^[A-Za-z0-9+/=\n]+$/;

/**
 * Verifies a Braintree notification (form fields `bt_signature`, `bt_payload`) and maps it to
 * canonical events. `bt_signature` holds `publicKey|hexSignature` pairs joined by `&`; the pair
 * for our public key must verify. Kinds without a canonical meaning (disputes, subscriptions,
 * the control panel's `check`, ...) verify with no events, so Braintree gets its 2xx.
 */
export async function parseNotification(request: WebhookRequest, keys: WebhookKeys): Promise<WebhookVerification> {
  const form = new URLSearchParams(request.rawBody);
  const signature = form.get('bt_signature');
  const payload = form.get('bt_payload');
  if (!signature) return { ok: false, reason: 'missing_signature' };
  if (!payload || !PAYLOAD.test(payload)) return { ok: false, reason: 'malformed' };

  if (!(await signedByUs(signature, payload, keys))) return { ok: false, reason: 'invalid_signature' };

  try {
    return { ok: true, events: eventsOf(parseXml(decodeBase64(payload))) };
  } catch (error) {
    if (error instanceof XmlError || error instanceof MalformedNotification) return { ok: false, reason: 'malformed' };
    throw error;
  }
}

class MalformedNotification extends Error {}

async function signedByUs(signature: string, payload: string, keys: WebhookKeys): Promise<boolean> {
  for (const pair of signature.split('&')) {
    const [publicKey, hex] = pair.split('|');
    if (publicKey === keys.publicKey && hex !== undefined && (await verifyPayload(keys.privateKey, payload, hex))) return true;
  }
  return false;
}

function decodeBase64(payload: string): string {
  try {
    const binary = atob(payload.replace(/\n/g, ''));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  } catch {
    throw new MalformedNotification('bt_payload is not base64 of UTF-8 text');
  }
}

/** Braintree's transaction kinds, by the transaction type they concern. */
const TRANSACTION_KINDS: Readonly<Record<string, { sale: WebhookEventType; credit: WebhookEventType | null }>> = {
  // A sale submitted for settlement settled (the capture itself succeeded when Braintree accepted
  // the submission: this confirms the money moved), or a refund's credit settled. A settlement
  // decline undoes the capture or the refund. Braintree sends these for ACH and SEPA debits only,
  // the simulator for cards too.
  transaction_settled: { sale: 'settlement.succeeded', credit: 'refund.succeeded' },
  transaction_settlement_declined: { sale: 'capture.failed', credit: 'refund.failed' },
  // Funds of a settled sale paid out to the merchant (Braintree-funded accounts; deprecated by Braintree).
  transaction_disbursed: { sale: 'settlement.succeeded', credit: null },
};

function eventsOf(notification: XmlElement): WebhookEvent[] {
  const kind = childText(notification, 'kind');
  const timestamp = childText(notification, 'timestamp');
  if (notification.name !== 'notification' || !kind || !timestamp) throw new MalformedNotification('not a notification');
  const types = TRANSACTION_KINDS[kind];
  if (!types) return [];

  const transaction = childElement(childElement(notification, 'subject') ?? notification, 'transaction');
  const id = transaction && childText(transaction, 'id');
  const occurredAt = new Date(timestamp);
  if (!transaction || !id || Number.isNaN(occurredAt.getTime())) throw new MalformedNotification(`${kind} without a transaction`);

  const isCredit = childText(transaction, 'type') === 'credit';
  const type = isCredit ? types.credit : types.sale;
  const reference = isCredit ? childText(transaction, 'refunded-transaction-id') : id;
  if (!type || !reference) return [];

  const currency = childText(transaction, 'currency-iso-code');
  const amountText = childText(transaction, 'amount');
  const amount = currency && amountText ? fromBraintreeAmount(amountText, currency) : null;
  return [
    {
      // Braintree gives notifications no id: kind, subject and signed timestamp name this one.
      eventId: `${kind}:${id}:${timestamp}`,
      type,
      reference,
      merchantReference: isCredit ? null : childText(transaction, 'order-id'),
      modificationReference: id,
      // A refund is a credit transaction whose order id is our refund's key.
      modificationKey: isCredit ? childText(transaction, 'order-id') : null,
      amount,
      currency: amount === null ? null : currency,
      decline: null,
      occurredAt,
    },
  ];
}
