import Adyen from '@adyen/api-library';
import { describe, expect, it } from 'vitest';
import type { WebhookEventType } from '../../src/domain/webhook.js';
import { createAdyenAdapter } from './adapter.js';
import { adyenWebhookSigner, notificationRequest, signedItem, type NotificationFields } from './simulator/webhook-signer.js';
import { importHmacKey, parseNotification, signedPayload, type NotificationItem } from './webhooks.js';

const HMAC_KEY = 'A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90';
const adapter = createAdyenAdapter({
  apiKey: 'AQE_test',
  merchantAccount: 'TestMerchant',
  baseUrl: 'http://127.0.0.1:9',
  returnUrl: 'https://shop.example/return',
  hmacKey: HMAC_KEY,
  timeoutMs: 1000,
});
const parse = (rawBody: string) => adapter.parseWebhook({ headers: {}, rawBody }, new Date());

function fields(overrides: Partial<NotificationFields> = {}): NotificationFields {
  return {
    eventCode: 'CAPTURE',
    success: true,
    pspReference: 'QFQTPCQ8HXSKGK82',
    originalReference: 'JVBXGSDM53RZNN82',
    merchantAccountCode: 'TestMerchant',
    merchantReference: 'pay_123:capture',
    amount: { value: 1234, currency: 'EUR' },
    eventDate: new Date('2026-01-02T03:04:05Z'),
    ...overrides,
  };
}

const body = (...items: NotificationFields[]) => notificationRequest(items.map((f) => signedItem(f, HMAC_KEY))).rawBody;

describe('Adyen notification HMAC', () => {
  const validator = new Adyen.hmacValidator();
  const samples: NotificationItem[] = [
    { pspReference: 'A', merchantAccountCode: 'M', merchantReference: 'r', amount: { value: 0, currency: 'EUR' }, eventCode: 'AUTHORISATION', eventDate: '2026-01-01T00:00:00+01:00', success: 'true' },
    { pspReference: 'B', originalReference: 'A', merchantAccountCode: 'M:with:colons', merchantReference: 'ünïcödé €', amount: { value: 123456789, currency: 'KWD' }, eventCode: 'REFUND', eventDate: '2026-01-01T00:00:00Z', success: 'false', reason: 'x' },
    { pspReference: 'C', originalReference: '', merchantAccountCode: 'M', merchantReference: '', amount: { value: 1, currency: 'JPY' }, eventCode: 'CANCEL_OR_REFUND', eventDate: '2026-01-01T00:00:00Z', success: 'true', additionalData: { 'modification.action': 'cancel' } },
  ];

  it.each(samples)('signs exactly the data the library signs ($eventCode)', async (item) => {
    const libraryItem = item as unknown as Parameters<typeof validator.calculateHmac>[0];
    expect(signedPayload(item)).toBe(validator.getDataToSign(item as unknown as Parameters<typeof validator.getDataToSign>[0]));
    const signature = validator.calculateHmac(libraryItem, HMAC_KEY);
    const signed = { ...item, additionalData: { ...item.additionalData, hmacSignature: signature } };
    const verified = await parseNotification(JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: signed }] }), await importHmacKey(HMAC_KEY), item.merchantAccountCode);
    expect(verified.ok).toBe(true);
    expect(validator.validateHMAC(signed as unknown as Parameters<typeof validator.validateHMAC>[0], HMAC_KEY)).toBe(true);
  });

  it('agrees with the library on what is forged', async () => {
    const item = JSON.parse(body(fields())).notificationItems[0].NotificationRequestItem;
    item.amount.value = 1;
    expect(validator.validateHMAC(item, HMAC_KEY)).toBe(false);
    expect(await parse(JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: item }] }))).toEqual({ ok: false, reason: 'invalid_signature' });
  });
});

describe('parseWebhook', () => {
  const cases: Array<[string, boolean, string | undefined, WebhookEventType]> = [
    ['AUTHORISATION', true, undefined, 'authorization.succeeded'],
    ['AUTHORISATION', false, undefined, 'authorization.failed'],
    ['CAPTURE', true, undefined, 'capture.succeeded'],
    ['CAPTURE', false, undefined, 'capture.failed'],
    ['CAPTURE_FAILED', true, undefined, 'capture.failed'],
    ['CANCELLATION', true, undefined, 'cancel.succeeded'],
    ['CANCELLATION', false, undefined, 'cancel.failed'],
    ['CANCEL_OR_REFUND', true, 'cancel', 'cancel.succeeded'],
    ['CANCEL_OR_REFUND', false, 'cancel', 'cancel.failed'],
    ['CANCEL_OR_REFUND', true, 'refund', 'refund.succeeded'],
    ['CANCEL_OR_REFUND', false, 'refund', 'refund.failed'],
    ['REFUND', true, undefined, 'refund.succeeded'],
    ['REFUND', false, undefined, 'refund.failed'],
    ['REFUND_FAILED', true, undefined, 'refund.failed'],
    ['REFUNDED_REVERSED', true, undefined, 'refund.failed'],
  ];

  it.each(cases)('%s success=%s (%s) → %s', async (eventCode, success, action, type) => {
    const isPayment = eventCode === 'AUTHORISATION';
    const verified = await parse(
      body(
        fields({
          eventCode,
          success,
          ...(isPayment ? { pspReference: 'JVBXGSDM53RZNN82', originalReference: '', merchantReference: 'pay_1:attempt:1' } : {}),
          ...(action ? { additionalData: { 'modification.action': action } } : {}),
        }),
      ),
    );
    expect(verified).toEqual({
      ok: true,
      events: [
        {
          eventId: `${isPayment ? 'JVBXGSDM53RZNN82' : 'QFQTPCQ8HXSKGK82'}:${eventCode}:${success}`,
          type,
          reference: 'JVBXGSDM53RZNN82',
          merchantReference: isPayment ? 'pay_1:attempt:1' : null,
          modificationReference: isPayment ? null : 'QFQTPCQ8HXSKGK82',
          modificationKey: isPayment ? null : 'pay_123:capture',
          amount: 1234,
          currency: 'EUR',
          decline: type === 'authorization.failed' ? expect.objectContaining({ reason: 'unknown' }) : null,
          occurredAt: new Date('2026-01-02T03:04:05Z'),
        },
      ],
    });
  });

  it('an AUTHORISATION success carries its networkTxReference as the network transaction id; a refusal none', async () => {
    const authorisation = { eventCode: 'AUTHORISATION', originalReference: '', merchantReference: 'pay_1:attempt:1', additionalData: { networkTxReference: '483271593008125' } };
    const approved = await parse(body(fields({ ...authorisation, success: true })));
    expect(approved.ok && approved.events[0]).toMatchObject({ type: 'authorization.succeeded', networkTransactionId: '483271593008125' });
    const refused = await parse(body(fields({ ...authorisation, success: false, reason: 'Refused' })));
    expect(refused.ok && refused.events[0]).not.toHaveProperty('networkTransactionId');
  });

  it('maps a refused authorisation by its reason text', async () => {
    const verified = await parse(body(fields({ eventCode: 'AUTHORISATION', success: false, originalReference: '', reason: 'Not enough balance' })));
    expect(verified.ok && verified.events[0]?.decline).toMatchObject({ reason: 'insufficient_funds', providerCode: '12' });
  });

  it('verifies every item of a batch and acknowledges codes it does not model without events', async () => {
    const verified = await parse(body(fields(), fields({ eventCode: 'REPORT_AVAILABLE', pspReference: 'X', originalReference: '' })));
    expect(verified.ok && verified.events.map((e) => e.type)).toEqual(['capture.succeeded']);
  });

  it('gives the same notification the same event id every time', async () => {
    const raw = body(fields());
    const [a, b] = [await parse(raw), await parse(raw)];
    expect(a.ok && b.ok && a.events[0]?.eventId === b.events[0]?.eventId).toBe(true);
  });

  it('refuses a batch with one forged item', async () => {
    const good = signedItem(fields(), HMAC_KEY);
    const bad = signedItem(fields({ pspReference: 'OTHER' }), HMAC_KEY);
    (bad['amount'] as { value: number }).value = 99;
    expect(await parse(notificationRequest([good, bad]).rawBody)).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('refuses a genuine notification of another merchant account as wrong_account, after checking its signature', async () => {
    expect(await parse(body(fields({ merchantAccountCode: 'SisterMerchant' })))).toEqual({ ok: false, reason: 'wrong_account' });
    expect(await parse(body(fields(), fields({ pspReference: 'OTHER', merchantAccountCode: 'SisterMerchant' })))).toEqual({ ok: false, reason: 'wrong_account' });
    const forged = signedItem(fields({ merchantAccountCode: 'SisterMerchant' }), HMAC_KEY);
    (forged['amount'] as { value: number }).value = 99;
    expect(await parse(notificationRequest([forged]).rawBody)).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('refuses a signature made with another key, or that is not base64', async () => {
    const other = notificationRequest([signedItem(fields(), 'FF'.repeat(32))]).rawBody;
    expect(await parse(other)).toEqual({ ok: false, reason: 'invalid_signature' });
    const item = signedItem(fields(), HMAC_KEY);
    (item['additionalData'] as Record<string, string>)['hmacSignature'] = '%%%';
    expect(await parse(notificationRequest([item]).rawBody)).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('refuses an item without a signature, and a notification without items', async () => {
    const signer = adyenWebhookSigner({ hmacKey: HMAC_KEY, merchantAccount: 'TestMerchant' });
    const request = signer.unsigned(await signer.sign({ type: 'refund.succeeded', reference: 'R', amount: 5, currency: 'USD' }));
    expect(await adapter.parseWebhook(request, new Date())).toEqual({ ok: false, reason: 'missing_signature' });
    expect(await parse('{"live":"false","notificationItems":[]}')).toEqual({ ok: false, reason: 'missing_signature' });
    expect(await parse('{"live":"false"}')).toEqual({ ok: false, reason: 'missing_signature' });
  });

  it.each([
    ['not JSON', '{"live":'],
    ['not an object', '[1]'],
    ['items not a list', '{"notificationItems":{}}'],
    ['an item without fields', '{"notificationItems":[{"NotificationRequestItem":{"pspReference":"A"}}]}'],
    ['an entry that is not an item', '{"notificationItems":[42]}'],
  ])('refuses %s as malformed', async (_name, raw) => {
    expect(await parse(raw)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses an item with an unreadable eventDate or success flag as malformed', async () => {
    const item = signedItem(fields(), HMAC_KEY);
    expect(await parse(notificationRequest([{ ...item, eventDate: 'yesterday' }]).rawBody)).toEqual({ ok: false, reason: 'malformed' });
    expect(await parse(notificationRequest([{ ...item, success: 'yes' }]).rawBody)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('reads amounts in Adyen\'s units back as canonical minor units (CLP in two decimals, CVE in none)', async () => {
    expect(await parse(body(fields({ amount: { value: 99000, currency: 'CLP' } })))).toMatchObject({ ok: true, events: [{ amount: 990, currency: 'CLP' }] });
    expect(await parse(body(fields({ amount: { value: 123, currency: 'CVE' } })))).toMatchObject({ ok: true, events: [{ amount: 12300, currency: 'CVE' }] });
  });

  it('refuses as malformed a genuine amount no canonical one can hold: CLP with cents, a code that is no currency', async () => {
    expect(await parse(body(fields({ amount: { value: 99050, currency: 'CLP' } })))).toEqual({ ok: false, reason: 'malformed' });
    expect(await parse(body(fields({ amount: { value: 100, currency: 'CNH' } })))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('acknowledges as Adyen expects', () => {
    expect(adapter.webhookAck).toEqual({ status: 200, contentType: 'text/plain', body: '[accepted]' });
  });
});

describe('the simulator signer', () => {
  const signer = adyenWebhookSigner({ hmacKey: HMAC_KEY, merchantAccount: 'TestMerchant' });

  it('signs no timestamp and sets eventDate from it', async () => {
    expect(signer.signsTimestamp).toBe(false);
    const at = new Date('2025-05-05T05:05:05Z');
    const verified = await adapter.parseWebhook(await signer.sign({ type: 'cancel.succeeded', reference: 'P', amount: 1, currency: 'EUR' }, { timestamp: at }), new Date());
    expect(verified.ok && verified.events[0]).toMatchObject({ type: 'cancel.succeeded', reference: 'P', occurredAt: at });
  });

  it('names a modification after the eventId it is given', async () => {
    const event = { type: 'capture.succeeded' as const, reference: 'P', amount: 1, currency: 'EUR', eventId: 'evt_1' };
    const [a, b] = [await adapter.parseWebhook(await signer.sign(event), new Date()), await adapter.parseWebhook(await signer.sign(event), new Date())];
    expect(a.ok && b.ok && a.events[0]?.eventId === b.events[0]?.eventId).toBe(true);
  });

  it('refuses to invent a settlement notification, which Adyen does not send', async () => {
    await expect(signer.sign({ type: 'settlement.succeeded', reference: 'P', amount: 1, currency: 'EUR' })).rejects.toThrow(RangeError);
  });
});

describe('Adyen notifications: bank debit returns', () => {
  const chargeback = (overrides: Partial<NotificationFields> = {}) =>
    fields({
      eventCode: 'CHARGEBACK',
      pspReference: 'DEBIT0000000001',
      originalReference: undefined,
      merchantReference: 'pay_debit:attempt:1',
      amount: { value: 2500, currency: 'EUR' },
      paymentMethod: 'sepadirectdebit',
      reason: 'Returned',
      additionalData: { chargebackReasonCode: 'MD06' },
      ...overrides,
    });

  it.each(['sepadirectdebit', 'ach'])('reads a CHARGEBACK of a %s payment as a returned debit with the scheme reason code', async (paymentMethod) => {
    expect(await parse(body(chargeback({ paymentMethod })))).toMatchObject({
      ok: true,
      events: [{ type: 'debit.returned', reference: 'DEBIT0000000001', amount: 2500, currency: 'EUR', returnCode: 'MD06', eventId: 'DEBIT0000000001:CHARGEBACK:true' }],
    });
  });

  it('reads no return from a card chargeback, a notice of chargeback, or an unsuccessful chargeback', async () => {
    for (const item of [chargeback({ paymentMethod: 'visa' }), chargeback({ eventCode: 'NOTIFICATIONOFCHARGEBACK' }), chargeback({ success: false })]) {
      expect(await parse(body(item))).toEqual({ ok: true, events: [] });
    }
  });
});
