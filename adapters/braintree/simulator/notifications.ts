import type { WebhookRequest } from '../../testkit/contract.js';
import type { WebhookSigner } from '../../testkit/simulator.js';
import type { WebhookEventType } from '../../../src/domain/webhook.js';
import { toBraintreeAmount } from '../amounts.js';
import { signPayload } from '../signature.js';
import type { WebhookKeys } from '../webhooks.js';
import { document, leaf, node } from './xml.js';

/**
 * Braintree notifications as the gateway posts them: a form body with `bt_payload` (the
 * notification XML in base64, broken into 60-character lines like Ruby's `Base64.encode64`) and
 * `bt_signature` (`publicKey|hex HMAC-SHA1`).
 */

function encodePayload(xml: string): string {
  const base64 = Buffer.from(xml, 'utf8').toString('base64');
  return `${base64.match(/.{1,60}/g)!.join('\n')}\n`;
}

function decodePayload(payload: string): string {
  return Buffer.from(payload.replace(/\n/g, ''), 'base64').toString('utf8');
}

function braintreeTimestamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function notificationRequest(kind: string, subjectXml: string, keys: WebhookKeys, at: Date): Promise<WebhookRequest> {
  const xml = document(node('notification', [leaf('timestamp', braintreeTimestamp(at), 'datetime'), leaf('kind', kind), node('subject', [subjectXml])]));
  const payload = encodePayload(xml);
  const signature = `${keys.publicKey}|${await signPayload(keys.privateKey, payload)}`;
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    rawBody: new URLSearchParams({ bt_signature: signature, bt_payload: payload }).toString(),
  };
}

/** The Braintree notification kind and transaction that stand for a canonical event (see the adapter's mapping). */
const EVENTS: Partial<Record<WebhookEventType, { kind: string; type: 'sale' | 'credit'; status: string }>> = {
  'capture.failed': { kind: 'transaction_settlement_declined', type: 'sale', status: 'settlement_declined' },
  'refund.succeeded': { kind: 'transaction_settled', type: 'credit', status: 'settled' },
  'refund.failed': { kind: 'transaction_settlement_declined', type: 'credit', status: 'settlement_declined' },
  'settlement.succeeded': { kind: 'transaction_settled', type: 'sale', status: 'settled' },
};

/**
 * Signs notifications for verification tests. Braintree notifications have no id and no
 * signed-timestamp check, so `eventId` cannot be carried and `timestamp` only sets the payload's
 * time. Braintree sends nothing for authorizations, captures (they succeed synchronously; their
 * settlement is `settlement.succeeded`) or voids: signing those throws.
 */
export function createBraintreeWebhookSigner(keys: WebhookKeys): WebhookSigner {
  return {
    signsTimestamp: false,
    async sign(event, options = {}) {
      const shape = EVENTS[event.type];
      if (!shape) throw new Error(`Braintree sends no notification for ${event.type}`);
      const transaction = node('transaction', [
        leaf('id', shape.type === 'sale' ? event.reference : `${event.reference}r`),
        leaf('type', shape.type),
        leaf('status', shape.status),
        leaf('amount', toBraintreeAmount(event.amount, event.currency)),
        leaf('currency-iso-code', event.currency),
        leaf('refunded-transaction-id', shape.type === 'credit' ? event.reference : null),
      ]);
      const signingKeys = options.wrongSecret ? { ...keys, privateKey: `${keys.privateKey}-not-this-account` } : keys;
      return notificationRequest(shape.kind, transaction, signingKeys, options.timestamp ?? new Date());
    },
    tamper(request) {
      const form = new URLSearchParams(request.rawBody);
      const xml = decodePayload(form.get('bt_payload') ?? '');
      form.set('bt_payload', encodePayload(xml.replace(/<amount>(\d+)/, (_, digits: string) => `<amount>${Number(digits) + 1}`)));
      return { ...request, rawBody: form.toString() };
    },
    unsigned(request) {
      const form = new URLSearchParams(request.rawBody);
      form.delete('bt_signature');
      return { ...request, rawBody: form.toString() };
    },
  };
}
