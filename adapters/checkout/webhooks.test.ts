import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importSignatureKey, verifyCheckoutWebhook } from './webhooks.js';

const SECRET = 'whk_test_secret';
const key = importSignatureKey(SECRET);

function signed(event: unknown, secret = SECRET) {
  const rawBody = JSON.stringify(event);
  return { headers: { 'cko-signature': createHmac('sha256', secret).update(rawBody).digest('hex') }, rawBody };
}

const event = (type: string, data: Record<string, unknown>) => ({ id: 'evt_abc', type, version: '1.0.33', created_on: '2026-11-30T10:00:00.000Z', data });

describe('Checkout.com webhooks (Cko-Signature)', () => {
  it('maps a refund to refund.succeeded with its action and the key it was sent under, in canonical units', async () => {
    const verified = await verifyCheckoutWebhook(await key, signed(event('payment_refunded', { id: 'pay_1', action_id: 'act_1', amount: 99000, currency: 'CLP', reference: 'pay_x:refund:1' })));
    expect(verified).toEqual({
      ok: true,
      events: [
        {
          eventId: 'evt_abc',
          type: 'refund.succeeded',
          reference: 'pay_1',
          merchantReference: null,
          modificationReference: 'act_1',
          modificationKey: 'pay_x:refund:1',
          amount: 990,
          currency: 'CLP',
          decline: null,
          occurredAt: new Date('2026-11-30T10:00:00.000Z'),
        },
      ],
    });
  });

  it.each([
    ['payment_approved', 'authorization.succeeded'],
    ['payment_captured', 'capture.succeeded'],
    ['payment_capture_declined', 'capture.failed'],
    ['payment_voided', 'cancel.succeeded'],
    ['payment_void_declined', 'cancel.failed'],
    ['payment_refund_declined', 'refund.failed'],
  ])('%s is %s', async (type, canonical) => {
    const verified = await verifyCheckoutWebhook(await key, signed(event(type, { id: 'pay_1', amount: 100, currency: 'GBP', reference: 'ref' })));
    expect(verified.ok && verified.events[0]?.type).toBe(canonical);
  });

  it('a decline carries its response code, an authentication failure the 3-D Secure decline; the payment reference is ours', async () => {
    const declined = await verifyCheckoutWebhook(await key, signed(event('payment_declined', { id: 'pay_1', amount: 100, currency: 'GBP', reference: 'pay_x:attempt:1', response_code: '20051' })));
    expect(declined.ok && declined.events[0]).toMatchObject({ type: 'authorization.failed', merchantReference: 'pay_x:attempt:1', decline: { reason: 'insufficient_funds', providerCode: '20051' } });
    const failed = await verifyCheckoutWebhook(await key, signed(event('payment_authentication_failed', { id: 'pay_1', amount: 100, currency: 'GBP' })));
    expect(failed.ok && failed.events[0]).toMatchObject({ type: 'authorization.failed', decline: { reason: 'authentication_required' } });
  });

  it('an approval carries the scheme transaction id a saved card\'s merchant-initiated payments cite; a capture does not', async () => {
    const approved = await verifyCheckoutWebhook(await key, signed(event('payment_approved', { id: 'pay_1', amount: 100, currency: 'GBP', reference: 'ref', scheme_id: '483271593008125' })));
    expect(approved.ok && approved.events[0]).toMatchObject({ type: 'authorization.succeeded', networkTransactionId: '483271593008125' });
    const captured = await verifyCheckoutWebhook(await key, signed(event('payment_captured', { id: 'pay_1', amount: 100, currency: 'GBP', reference: 'ref', scheme_id: '483271593008125' })));
    expect(captured.ok && captured.events[0]).not.toHaveProperty('networkTransactionId');
  });

  it('accepts an event about something else with no events', async () => {
    expect(await verifyCheckoutWebhook(await key, signed(event('dispute_received', { id: 'dsp_1' })))).toEqual({ ok: true, events: [] });
  });

  it('refuses a missing, malformed or wrong signature before reading the body', async () => {
    const genuine = signed(event('payment_captured', { id: 'pay_1', amount: 100, currency: 'GBP' }));
    expect(await verifyCheckoutWebhook(await key, { headers: {}, rawBody: genuine.rawBody })).toEqual({ ok: false, reason: 'missing_signature' });
    expect(await verifyCheckoutWebhook(await key, { headers: { 'cko-signature': 'zz' }, rawBody: genuine.rawBody })).toEqual({ ok: false, reason: 'invalid_signature' });
    expect(await verifyCheckoutWebhook(await key, signed(JSON.parse(genuine.rawBody), 'another'))).toEqual({ ok: false, reason: 'invalid_signature' });
    expect(await verifyCheckoutWebhook(await key, { headers: genuine.headers, rawBody: `${genuine.rawBody} ` })).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it.each([
    ['not JSON', '{"id":'],
    ['no data', JSON.stringify({ id: 'evt_1', type: 'payment_captured', created_on: '2026-11-30T10:00:00Z' })],
    ['no payment id', JSON.stringify(event('payment_captured', { amount: 100, currency: 'GBP' }))],
    ['a fractional amount', JSON.stringify(event('payment_captured', { id: 'pay_1', amount: 1.5, currency: 'GBP' }))],
    ['an amount canonical units cannot hold', JSON.stringify(event('payment_captured', { id: 'pay_1', amount: 150, currency: 'CLP' }))],
    ['a bad date', JSON.stringify({ ...event('payment_captured', { id: 'pay_1' }), created_on: 'yesterday' })],
  ])('refuses a genuine body with %s as malformed', async (_, rawBody) => {
    const request = { headers: { 'cko-signature': createHmac('sha256', SECRET).update(rawBody).digest('hex') }, rawBody };
    expect(await verifyCheckoutWebhook(await key, request)).toEqual({ ok: false, reason: 'malformed' });
  });
});
