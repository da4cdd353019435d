import { createHash } from 'node:crypto';
import Adyen from '@adyen/api-library';
import type { WebhookRequest } from '../../testkit/contract.js';
import type { WebhookSigner } from '../../testkit/simulator.js';
import { toAdyenAmount } from '../amounts.js';
import { voidReference } from '../webhooks.js';
import type { WebhookEventType } from '../../../src/domain/webhook.js';
import { newPspReference } from './ids.js';

type LibraryItem = Parameters<InstanceType<typeof Adyen.hmacValidator>['calculateHmac']>[0];

/** One notification about one payment or modification, before it is signed. */
export interface NotificationFields {
  eventCode: string;
  success: boolean;
  pspReference: string;
  /** The payment, when this notification is about a modification of it. */
  originalReference?: string;
  merchantAccountCode: string;
  merchantReference: string;
  amount: { value: number; currency: string };
  eventDate: Date;
  reason?: string;
  paymentMethod?: string;
  operations?: string[];
  additionalData?: Record<string, string>;
}

const validator = new Adyen.hmacValidator();

/** A `NotificationRequestItem`, signed by the official library's hmacValidator with the hex key. */
export function signedItem(fields: NotificationFields, hmacKey: string): Record<string, unknown> {
  const item: Record<string, unknown> = {
    additionalData: { ...fields.additionalData },
    amount: { currency: fields.amount.currency, value: fields.amount.value },
    eventCode: fields.eventCode,
    eventDate: fields.eventDate.toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    merchantAccountCode: fields.merchantAccountCode,
    merchantReference: fields.merchantReference,
    ...(fields.operations ? { operations: fields.operations } : {}),
    ...(fields.originalReference ? { originalReference: fields.originalReference } : {}),
    ...(fields.paymentMethod ? { paymentMethod: fields.paymentMethod } : {}),
    pspReference: fields.pspReference,
    reason: fields.reason ?? '',
    success: String(fields.success),
  };
  (item['additionalData'] as Record<string, string>)['hmacSignature'] = validator.calculateHmac(item as unknown as LibraryItem, hmacKey);
  return item;
}

/** The HTTP request Adyen POSTs: one standard notification with its items. */
export function notificationRequest(items: readonly Record<string, unknown>[]): WebhookRequest {
  return {
    headers: { 'content-type': 'application/json' },
    rawBody: JSON.stringify({ live: 'false', notificationItems: items.map((item) => ({ NotificationRequestItem: item })) }),
  };
}

const EVENT_CODES: Readonly<Record<WebhookEventType, readonly [eventCode: string, success: boolean] | null>> = {
  'authorization.succeeded': ['AUTHORISATION', true],
  'authorization.failed': ['AUTHORISATION', false],
  'capture.succeeded': ['CAPTURE', true],
  'capture.failed': ['CAPTURE', false],
  'cancel.succeeded': ['CANCELLATION', true],
  'cancel.failed': ['CANCELLATION', false],
  'refund.succeeded': ['REFUND', true],
  'refund.failed': ['REFUND', false],
  'authorization.voided': ['TECHNICAL_CANCEL', true],
  // Adyen's standard notifications report no settlement (that comes in its settlement reports).
  'settlement.succeeded': null,
  // Bank debits are not simulated for Adyen.
  'debit.returned': null,
};

/**
 * Notifications as Adyen sends them, for verification tests. A modification gets a pspReference
 * of its own (derived from `eventId` when given, so the same event signs the same way) and names
 * the payment in originalReference. Adyen signs no timestamp: `timestamp` only sets eventDate.
 */
export function adyenWebhookSigner(options: { hmacKey: string; merchantAccount: string }): WebhookSigner {
  const wrongKey = Buffer.from(Buffer.from(options.hmacKey, 'hex').map((byte) => byte ^ 0xff)).toString('hex');
  return {
    signsTimestamp: false,
    async sign(event, signOptions = {}) {
      const code = EVENT_CODES[event.type];
      if (code === null) throw new RangeError(`Adyen sends no notification for ${event.type}.`);
      const [eventCode, success] = code;
      const isPayment = eventCode === 'AUTHORISATION';
      const fields: NotificationFields = {
        eventCode,
        success,
        pspReference: isPayment ? event.reference : modificationReference(event.eventId),
        ...(isPayment ? {} : { originalReference: event.reference }),
        merchantAccountCode: options.merchantAccount,
        // A technical cancel is sent under the attempt's reference, marked (see the adapter's voidAttempt).
        merchantReference: eventCode === 'TECHNICAL_CANCEL' ? voidReference(event.eventId ?? event.reference) : (event.eventId ?? event.reference),
        amount: { value: adyenValue(event.amount, event.currency), currency: event.currency },
        eventDate: signOptions.timestamp ?? new Date(),
        ...(success ? {} : { reason: isPayment ? 'Refused' : 'Insufficient balance on payment' }),
      };
      return notificationRequest([signedItem(fields, signOptions.wrongSecret ? wrongKey : options.hmacKey)]);
    },
    tamper: (request) => rewriteItems(request, (item) => {
      const amount = item['amount'] as { value: number };
      amount.value += 1;
    }),
    unsigned: (request) => rewriteItems(request, (item) => {
      delete (item['additionalData'] as Record<string, string>)['hmacSignature'];
    }),
  };
}

function modificationReference(eventId: string | undefined): string {
  if (eventId === undefined) return newPspReference();
  return createHash('sha256').update(eventId).digest('hex').slice(0, 16).toUpperCase();
}

function rewriteItems(request: WebhookRequest, change: (item: Record<string, unknown>) => void): WebhookRequest {
  const body = JSON.parse(request.rawBody) as { notificationItems: { NotificationRequestItem: Record<string, unknown> }[] };
  for (const { NotificationRequestItem } of body.notificationItems) change(NotificationRequestItem);
  return { headers: { ...request.headers }, rawBody: JSON.stringify(body) };
}

/** A canonical amount in Adyen's units, as its notifications carry it. */
function adyenValue(minor: number, currency: string): number {
  const value = toAdyenAmount(minor, currency);
  if (!value.ok) throw new RangeError(value.detail);
  return value.value;
}
