import { createSign, createVerify, generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import type { WebhookRequest } from '../../testkit/contract.js';
import type { WebhookSigner } from '../../testkit/simulator.js';
import { toPayPalValue } from '../amounts.js';
import { newId } from './ids.js';

/** A webhook event as PayPal posts it. */
export interface PayPalEvent {
  id: string;
  event_version: '1.0';
  create_time: string;
  resource_type: string;
  resource_version: '2.0';
  event_type: string;
  summary: string;
  resource: Record<string, unknown>;
  links: { href: string; rel: string; method: string }[];
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A 2048-bit RSA key, made off the event loop (it takes the better part of a second on a busy machine). */
export function newSigningKey(): Promise<SigningKey> {
  return promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
}

/** What PayPal signs: `transmission_id|transmission_time|webhook_id|crc32(body)`, the CRC as an unsigned decimal. */
export function signedString(transmissionId: string, time: string, webhookId: string, body: string): string {
  return `${transmissionId}|${time}|${webhookId}|${crc32(body)}`;
}

/** The delivery PayPal sends: the event as JSON, signed SHA256withRSA, the certificate's URL beside it. */
export function signedRequest(event: unknown, key: SigningKey, webhookId: string, certUrl: string, at: Date): WebhookRequest {
  const rawBody = JSON.stringify(event);
  const transmissionId = randomUUID();
  const time = at.toISOString();
  const signature = createSign('sha256').update(signedString(transmissionId, time, webhookId, rawBody)).sign(key.privateKey, 'base64');
  return {
    headers: {
      'content-type': 'application/json',
      'paypal-transmission-id': transmissionId,
      'paypal-transmission-time': time,
      'paypal-transmission-sig': signature,
      'paypal-cert-url': certUrl,
      'paypal-auth-algo': 'SHA256withRSA',
    },
    rawBody,
  };
}

export function verifySignature(key: KeyObject, signed: string, signature: string): boolean {
  try {
    return createVerify('sha256').update(signed).verify(key, signature, 'base64');
  } catch {
    return false;
  }
}

export function paypalEvent(eventType: string, resourceType: string, resource: Record<string, unknown>, baseUrl: string, at: Date, id = `WH-${newId(17)}`): PayPalEvent {
  return {
    id,
    event_version: '1.0',
    create_time: at.toISOString(),
    resource_type: resourceType,
    resource_version: '2.0',
    event_type: eventType,
    summary: eventType,
    resource,
    links: [{ href: `${baseUrl}/v1/notifications/webhooks-events/${id}`, rel: 'self', method: 'GET' }],
  };
}

/**
 * Events as PayPal sends them, for verification tests, signed with the simulator's key (or, for
 * `wrongSecret`, a key of its own that PayPal never issued). The event id is kept when given, so the
 * same event signs the same way.
 */
export function paypalWebhookSigner(key: SigningKey, webhookId: string, certUrl: string): WebhookSigner {
  let otherKey: Promise<SigningKey> | undefined;
  return {
    signsTimestamp: true,
    async sign(event, options = {}) {
      const value = toPayPalValue(event.amount, event.currency);
      if (!value.ok) throw new RangeError(value.detail);
      const amount = { currency_code: event.currency, value: value.value };
      const resourceId = newId(17);
      const related = (extra: Record<string, string> = {}) => ({ supplementary_data: { related_ids: { order_id: event.reference, ...extra } } });
      const at = options.timestamp ?? new Date();
      const shapes: Partial<Record<typeof event.type, [string, string, Record<string, unknown>]>> = {
        'authorization.succeeded': ['PAYMENT.CAPTURE.COMPLETED', 'capture', { id: resourceId, status: 'COMPLETED', amount, ...related() }],
        'authorization.failed': ['PAYMENT.CAPTURE.DENIED', 'capture', { id: resourceId, status: 'DECLINED', amount, ...related() }],
        'capture.succeeded': ['PAYMENT.CAPTURE.COMPLETED', 'capture', { id: resourceId, status: 'COMPLETED', amount, ...related({ authorization_id: newId(17) }) }],
        'cancel.succeeded': ['PAYMENT.AUTHORIZATION.VOIDED', 'authorization', { id: resourceId, status: 'VOIDED', amount, ...related() }],
        'refund.succeeded': ['PAYMENT.CAPTURE.REFUNDED', 'refund', { id: resourceId, status: 'COMPLETED', amount, custom_id: event.reference }],
      };
      const shape = shapes[event.type];
      if (!shape) throw new RangeError(`PayPal sends no event for ${event.type}.`);
      const body = paypalEvent(shape[0], shape[1], shape[2], new URL(certUrl).origin, at, event.eventId);
      if (options.wrongSecret) otherKey ??= newSigningKey();
      return signedRequest(body, options.wrongSecret ? await otherKey! : key, webhookId, certUrl, at);
    },
    tamper(request) {
      const body = JSON.parse(request.rawBody) as PayPalEvent;
      const amount = body.resource['amount'] as { value: string };
      amount.value = amount.value.replace(/^(\d+)/, (whole) => String(Number(whole) + 1));
      return { headers: { ...request.headers }, rawBody: JSON.stringify(body) };
    },
    unsigned(request) {
      const { 'paypal-transmission-sig': _signature, ...headers } = request.headers;
      return { headers, rawBody: request.rawBody };
    },
  };
}
