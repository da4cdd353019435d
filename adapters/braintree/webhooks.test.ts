import braintree from 'braintree';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../testkit/contract.js';
import { signPayload } from './signature.js';
import { createBraintreeWebhookSigner } from './simulator/notifications.js';
import { parseNotification } from './webhooks.js';

const keys = { publicKey: 'webhook_public_key', privateKey: 'webhook_private_key' };
const gateway = new braintree.BraintreeGateway({ environment: braintree.Environment.Sandbox, merchantId: 'webhook_merchant', ...keys });
const signer = createBraintreeWebhookSigner(keys);

function formRequest(fields: Record<string, string>): WebhookRequest {
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: new URLSearchParams(fields).toString() };
}

/** `kind` is a string: @types/braintree lacks some of the SDK's kinds (refund_failed). */
async function sdkSample(kind: string, id: string): Promise<WebhookRequest> {
  const sample = await gateway.webhookTesting.sampleNotification(kind as braintree.WebhookNotificationKind, id);
  return formRequest({ bt_signature: sample.bt_signature, bt_payload: sample.bt_payload });
}

/** What the SDK makes of a request: the parsed notification, or the error it throws. */
async function sdkParse(request: WebhookRequest): Promise<braintree.WebhookNotification | Error> {
  const form = new URLSearchParams(request.rawBody);
  return gateway.webhookNotification.parse(form.get('bt_signature') ?? '', form.get('bt_payload') ?? '').catch((error: Error) => error);
}

describe('Braintree notifications', () => {
  describe('agree with the SDK on its own samples', () => {
    it('transaction_settled of a sale: the sale settled', async () => {
      const verified = await parseNotification(await sdkSample('transaction_settled', 'sale1'), keys);
      expect(verified).toMatchObject({ ok: true, events: [{ type: 'settlement.succeeded', reference: 'sale1', modificationReference: 'sale1', amount: 10000, currency: 'USD', decline: null }] });
      if (!verified.ok) return;
      expect(verified.events[0]!.eventId).toMatch(/^transaction_settled:sale1:\d{4}-\d\d-\d\dT/);
      expect(verified.events[0]!.occurredAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    });

    it('transaction_settlement_declined of a sale: the capture failed', async () => {
      expect(await parseNotification(await sdkSample('transaction_settlement_declined', 'sale2'), keys)).toMatchObject({
        ok: true,
        events: [{ type: 'capture.failed', reference: 'sale2', amount: 10000, currency: 'USD' }],
      });
    });

    it('transaction_disbursed: settled funds paid out (the sample names no currency, so no amount)', async () => {
      expect(await parseNotification(await sdkSample('transaction_disbursed', 'sale3'), keys)).toMatchObject({
        ok: true,
        events: [{ type: 'settlement.succeeded', reference: 'sale3', amount: null, currency: null }],
      });
    });

    it.each(['check', 'dispute_opened', 'dispute_lost', 'subscription_charged_successfully', 'refund_failed'])(
      '%s verifies with no events, so Braintree gets its 2xx',
      async (kind) => {
        expect(await parseNotification(await sdkSample(kind, 'x1'), keys)).toEqual({ ok: true, events: [] });
      },
    );
  });

  describe('the simulator signs what the SDK and the adapter both accept', () => {
    it.each([
      ['settlement.succeeded', 'transaction_settled'],
      ['capture.failed', 'transaction_settlement_declined'],
      ['refund.succeeded', 'transaction_settled'],
      ['refund.failed', 'transaction_settlement_declined'],
    ] as const)('%s as %s', async (type, kind) => {
      const request = await signer.sign({ type, reference: 'sale9', amount: 1234, currency: 'EUR' });
      const parsed = await sdkParse(request);
      expect(parsed).not.toBeInstanceOf(Error);
      expect(parsed).toMatchObject({ kind, transaction: { amount: '12.34', currencyIsoCode: 'EUR' } });
      const verified = await parseNotification(request, keys);
      expect(verified).toMatchObject({ ok: true, events: [{ type, reference: 'sale9', amount: 1234, currency: 'EUR' }] });
    });

    it('a refund names the sale as reference and its credit as modification', async () => {
      const verified = await parseNotification(await signer.sign({ type: 'refund.succeeded', reference: 'sale9', amount: 500, currency: 'USD' }), keys);
      expect(verified).toMatchObject({ ok: true, events: [{ reference: 'sale9', modificationReference: 'sale9r', merchantReference: null }] });
    });

    it('refuses to sign what Braintree never sends', async () => {
      await expect(signer.sign({ type: 'authorization.succeeded', reference: 'x', amount: 1, currency: 'USD' })).rejects.toThrow(/no notification/);
      await expect(signer.sign({ type: 'capture.succeeded', reference: 'x', amount: 1, currency: 'USD' })).rejects.toThrow(/no notification/);
    });

    it('gives a replay the same event id', async () => {
      const request = await signer.sign({ type: 'settlement.succeeded', reference: 'sale9', amount: 1, currency: 'USD' }, { timestamp: new Date('2026-01-02T03:04:05Z') });
      const [a, b] = [await parseNotification(request, keys), await parseNotification(request, keys)];
      expect(a.ok && b.ok && a.events[0]!.eventId === b.events[0]!.eventId).toBe(true);
      expect(a).toMatchObject({ events: [{ eventId: 'transaction_settled:sale9:2026-01-02T03:04:05Z', occurredAt: new Date('2026-01-02T03:04:05Z') }] });
    });
  });

  describe('refuse what the SDK refuses', () => {
    const event = { type: 'settlement.succeeded', reference: 'sale9', amount: 1234, currency: 'USD' } as const;

    it('a tampered payload', async () => {
      const forged = signer.tamper(await signer.sign(event));
      expect(await parseNotification(forged, keys)).toEqual({ ok: false, reason: 'invalid_signature' });
      expect(await sdkParse(forged)).toBeInstanceOf(Error);
    });

    it('a signature made with another private key', async () => {
      const request = await signer.sign(event, { wrongSecret: true });
      expect(await parseNotification(request, keys)).toEqual({ ok: false, reason: 'invalid_signature' });
      expect(await sdkParse(request)).toBeInstanceOf(Error);
    });

    it('a signature for another public key only', async () => {
      const form = new URLSearchParams((await signer.sign(event)).rawBody);
      const request = formRequest({ bt_signature: form.get('bt_signature')!.replace(keys.publicKey, 'someone_else'), bt_payload: form.get('bt_payload')! });
      expect(await parseNotification(request, keys)).toEqual({ ok: false, reason: 'invalid_signature' });
      expect(await sdkParse(request)).toBeInstanceOf(Error);
    });

    it('no signature at all', async () => {
      expect(await parseNotification(signer.unsigned(await signer.sign(event)), keys)).toEqual({ ok: false, reason: 'missing_signature' });
      expect(await parseNotification({ headers: {}, rawBody: '' }, keys)).toEqual({ ok: false, reason: 'missing_signature' });
    });

    it('a payload with characters base64 does not use', async () => {
      const payload = 'PG5vdGlmaWNhdGlvbj4=<';
      const request = formRequest({ bt_signature: `${keys.publicKey}|${await signPayload(keys.privateKey, payload)}`, bt_payload: payload });
      expect(await parseNotification(request, keys)).toEqual({ ok: false, reason: 'malformed' });
      expect(await sdkParse(request)).toBeInstanceOf(Error);
    });
  });

  it('accepts any pair with our public key among several', async () => {
    const form = new URLSearchParams((await signer.sign({ type: 'settlement.succeeded', reference: 'sale9', amount: 1, currency: 'USD' })).rawBody);
    const request = formRequest({ bt_signature: `old_key|${'0'.repeat(40)}&${form.get('bt_signature')!}`, bt_payload: form.get('bt_payload')! });
    expect(await parseNotification(request, keys)).toMatchObject({ ok: true });
    expect(await sdkParse(request)).not.toBeInstanceOf(Error);
  });

  it('calls a genuine signature over something that is not a notification malformed', async () => {
    for (const xml of ['not xml at all', '<notification><kind>transaction_settled</kind></notification>', '<other/>', '<notification><timestamp>2026-01-01T00:00:00Z</timestamp><kind>transaction_settled</kind><subject/></notification>']) {
      const payload = `${Buffer.from(xml).toString('base64')}\n`;
      const request = formRequest({ bt_signature: `${keys.publicKey}|${await signPayload(keys.privateKey, payload)}`, bt_payload: payload });
      expect(await parseNotification(request, keys), xml).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('echoes the order id of a sale as the merchant reference', async () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><notification><timestamp type="datetime">2026-01-01T00:00:00Z</timestamp><kind>transaction_settled</kind>' +
      '<subject><transaction><id>abc</id><type>sale</type><amount>5.00</amount><currency-iso-code>USD</currency-iso-code><order-id>pay_1:attempt:1</order-id></transaction></subject></notification>';
    const payload = Buffer.from(xml).toString('base64');
    const request = formRequest({ bt_signature: `${keys.publicKey}|${await signPayload(keys.privateKey, payload)}`, bt_payload: payload });
    expect(await parseNotification(request, keys)).toMatchObject({ ok: true, events: [{ merchantReference: 'pay_1:attempt:1', amount: 500 }] });
  });
});
