import type { WebhookVerification } from '../testkit/contract.js';
import type { WebhookEvent, WebhookEventType } from '../../src/domain/webhook.js';
import { fromAdyenAmount } from './amounts.js';
import { adyenDecline } from './declines.js';

/** One `NotificationRequestItem` of Adyen's standard notification, as far as we read it. */
export interface NotificationItem {
  pspReference: string;
  originalReference?: string;
  merchantAccountCode: string;
  merchantReference: string;
  amount: { value: number; currency: string };
  eventCode: string;
  eventDate: string;
  success: 'true' | 'false';
  reason?: string;
  /** The payment method's variant (`visa`, `sepadirectdebit`, `ach`, ...). */
  paymentMethod?: string;
  additionalData?: Record<string, string>;
}

/** The string Adyen signs: the eight fields joined with ':' (an absent originalReference is empty). */
export function signedPayload(item: NotificationItem): string {
  return [
    item.pspReference,
    item.originalReference ?? '',
    item.merchantAccountCode,
    item.merchantReference,
    item.amount.value,
    item.amount.currency,
    item.eventCode,
    item.success,
  ].join(':');
}

/** The HMAC key is configured in hex; Adyen signs with the decoded bytes. */
export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new RangeError('The Adyen HMAC key must be a non-empty hex string.');
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export function importHmacKey(hex: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', hexToBytes(hex), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
}

/**
 * Reads a standard notification and verifies every item's `additionalData.hmacSignature`; one bad item
 * rejects the whole request (Adyen then sends it again). Items with event codes we do not model are
 * verified and acknowledged, but produce no event. A genuine item of another merchant account
 * (one HMAC key can serve several accounts of a company) is `wrong_account`: its pspReference
 * would be looked up among this account's payments.
 */
export async function parseNotification(rawBody: string, key: CryptoKey, merchantAccount: string): Promise<WebhookVerification> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isRecord(body)) return { ok: false, reason: 'malformed' };
  const list = body['notificationItems'];
  if (list === undefined || (Array.isArray(list) && list.length === 0)) return { ok: false, reason: 'missing_signature' };
  if (!Array.isArray(list)) return { ok: false, reason: 'malformed' };

  const items: NotificationItem[] = [];
  for (const entry of list) {
    const item = isRecord(entry) ? readItem(entry['NotificationRequestItem']) : null;
    if (item === null) return { ok: false, reason: 'malformed' };
    items.push(item);
  }
  for (const item of items) {
    const signature = item.additionalData?.['hmacSignature'];
    if (!signature) return { ok: false, reason: 'missing_signature' };
    if (!(await verify(key, signature, signedPayload(item)))) return { ok: false, reason: 'invalid_signature' };
  }
  if (items.some((item) => item.merchantAccountCode !== merchantAccount)) return { ok: false, reason: 'wrong_account' };
  const amounts = items.map((item) => fromAdyenAmount(item.amount.value, item.amount.currency));
  // Signed by Adyen, but an amount no canonical one can hold (CLP with cents, an unknown currency) is not ours to read.
  if (amounts.some((amount) => amount === null)) return { ok: false, reason: 'malformed' };
  return { ok: true, events: items.flatMap((item, i) => toEvent(item, amounts[i]!) ?? []) };
}

/** Web Crypto's verify compares in constant time. */
async function verify(key: CryptoKey, signature: string, payload: string): Promise<boolean> {
  let received: Uint8Array<ArrayBuffer>;
  try {
    received = Uint8Array.from(atob(signature), (char) => char.charCodeAt(0));
  } catch {
    return false;
  }
  return crypto.subtle.verify('HMAC', key, received, new TextEncoder().encode(payload));
}

const EVENT_TYPES: Readonly<Record<string, readonly [succeeded: WebhookEventType, failed: WebhookEventType]>> = {
  AUTHORISATION: ['authorization.succeeded', 'authorization.failed'],
  CAPTURE: ['capture.succeeded', 'capture.failed'],
  CANCELLATION: ['cancel.succeeded', 'cancel.failed'],
  REFUND: ['refund.succeeded', 'refund.failed'],
};

/** Sent after a success was first reported: the modification failed later, whatever `success` says. */
const LATE_FAILURES: Readonly<Record<string, WebhookEventType>> = {
  CAPTURE_FAILED: 'capture.failed',
  REFUND_FAILED: 'refund.failed',
  REFUNDED_REVERSED: 'refund.failed',
};

function eventType(item: NotificationItem): WebhookEventType | undefined {
  const succeeded = item.success === 'true';
  if (item.eventCode === 'CANCEL_OR_REFUND') {
    const refund = item.additionalData?.['modification.action'] === 'refund';
    return refund ? (succeeded ? 'refund.succeeded' : 'refund.failed') : succeeded ? 'cancel.succeeded' : 'cancel.failed';
  }
  const pair = EVENT_TYPES[item.eventCode];
  return pair ? pair[succeeded ? 0 : 1] : LATE_FAILURES[item.eventCode];
}

/** The reference a technical cancel of an attempt is sent under: the attempt's key, marked. */
export function voidReference(attemptKey: string): string {
  return `${attemptKey}${VOID_SUFFIX}`;
}
const VOID_SUFFIX = ':void';

/**
 * TECHNICAL_CANCEL: success means nothing under the attempt's reference is authorized any more.
 * A failure (the payment was captured meanwhile) says nothing new: its AUTHORISATION settles it.
 */
function technicalCancel(item: NotificationItem, amount: number): WebhookEvent | null {
  if (item.success !== 'true' || !item.merchantReference.endsWith(VOID_SUFFIX)) return null;
  return {
    eventId: `${item.pspReference}:${item.eventCode}:${item.success}`,
    type: 'authorization.voided',
    reference: item.originalReference || item.pspReference,
    merchantReference: item.merchantReference.slice(0, -VOID_SUFFIX.length),
    modificationReference: item.pspReference,
    modificationKey: item.merchantReference,
    amount,
    currency: item.amount.currency,
    decline: null,
    occurredAt: new Date(item.eventDate),
  };
}

/** The bank debits' variants: a CHARGEBACK of one is the payer's bank returning the debit. */
const DEBIT_VARIANTS: ReadonlySet<string> = new Set(['sepadirectdebit', 'ach']);

/**
 * CHARGEBACK of a SEPA or ACH debit: the money is taken back, with the scheme's reason code
 * (`additionalData.chargebackReasonCode`: MD06, AM04, R01, R10, ...). NOTIFICATIONOFCHARGEBACK, the
 * notice before it, moves no money and is not read; card chargebacks are not returns.
 */
function returnedDebit(item: NotificationItem, amount: number): WebhookEvent | null {
  if (item.success !== 'true' || !DEBIT_VARIANTS.has(item.paymentMethod ?? '')) return null;
  return {
    eventId: `${item.pspReference}:${item.eventCode}:${item.success}`,
    type: 'debit.returned',
    reference: item.originalReference || item.pspReference,
    merchantReference: null,
    modificationReference: null,
    modificationKey: null,
    amount,
    currency: item.amount.currency,
    decline: null,
    returnCode: item.additionalData?.['chargebackReasonCode'] ?? item.reason ?? null,
    occurredAt: new Date(item.eventDate),
  };
}

/** `amount`: the item's, in canonical minor units. */
function toEvent(item: NotificationItem, amount: number): WebhookEvent | null {
  if (item.eventCode === 'TECHNICAL_CANCEL') return technicalCancel(item, amount);
  if (item.eventCode === 'CHARGEBACK') return returnedDebit(item, amount);
  const type = eventType(item);
  if (type === undefined) return null;
  // Modifications name the payment in originalReference and themselves in pspReference.
  const modification = item.originalReference ? item.pspReference : null;
  return {
    // Adyen has no event id; a notification is identified by these three and resent unchanged.
    eventId: `${item.pspReference}:${item.eventCode}:${item.success}`,
    type,
    reference: item.originalReference || item.pspReference,
    // On AUTHORISATION it is the reference we sent: the attempt's idempotency key.
    merchantReference: item.eventCode === 'AUTHORISATION' ? item.merchantReference : null,
    modificationReference: modification,
    // On a modification it is the reference we sent with it: the capture's, cancel's or refund's idempotency key.
    modificationKey: item.eventCode !== 'AUTHORISATION' && item.merchantReference ? item.merchantReference : null,
    amount,
    currency: item.amount.currency,
    decline:
      type === 'authorization.failed'
        ? adyenDecline({
            refusalReasonCode: item.additionalData?.['refusalReasonCode'],
            refusalReason: item.reason,
            merchantAdviceCode: item.additionalData?.['merchantAdviceCode'],
          })
        : null,
    ...(type === 'authorization.succeeded' && item.additionalData?.['networkTxReference'] ? { networkTransactionId: item.additionalData['networkTxReference'] } : {}),
    occurredAt: new Date(item.eventDate),
  };
}

function readItem(value: unknown): NotificationItem | null {
  if (!isRecord(value)) return null;
  const { pspReference, originalReference, merchantAccountCode, merchantReference, amount, eventCode, eventDate, success, reason, paymentMethod, additionalData } = value;
  if (
    !isString(pspReference) ||
    !isString(merchantAccountCode) ||
    !isString(merchantReference) ||
    !isString(eventCode) ||
    !isString(eventDate) ||
    Number.isNaN(Date.parse(eventDate)) ||
    (success !== 'true' && success !== 'false') ||
    !isRecord(amount) ||
    !Number.isSafeInteger(amount['value']) ||
    !isString(amount['currency']) ||
    !(originalReference === undefined || isString(originalReference)) ||
    !(reason === undefined || isString(reason)) ||
    !(additionalData === undefined || isRecord(additionalData))
  ) {
    return null;
  }
  return {
    pspReference,
    ...(originalReference === undefined ? {} : { originalReference }),
    merchantAccountCode,
    merchantReference,
    amount: { value: amount['value'] as number, currency: amount['currency'] },
    eventCode,
    eventDate,
    success,
    ...(reason === undefined ? {} : { reason }),
    ...(isString(paymentMethod) ? { paymentMethod } : {}),
    ...(additionalData === undefined ? {} : { additionalData: stringEntries(additionalData) }),
  };
}

/** Adyen's additionalData values are strings; anything else is not ours to read. */
function stringEntries(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter((entry): entry is [string, string] => isString(entry[1])));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
