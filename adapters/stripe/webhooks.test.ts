import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../testkit/contract.js';
import { createStripeAdapter } from './adapter.js';
import { stripeWebhookSigner } from './simulator/index.js';
import { signedWebhook } from './simulator/webhooks.js';

const SECRET = 'whsec_webhooks_test_0123456789';
const NOW = new Date('2030-06-01T12:00:00Z');
// Never called: parseWebhook needs no network.
const adapter = createStripeAdapter({ secretKey: 'sk_test_webhooks', webhookSecret: SECRET, host: '127.0.0.1', port: 9, protocol: 'http', timeoutMs: 100 });
const signer = stripeWebhookSigner(SECRET);
const capture = { type: 'capture.succeeded' as const, reference: 'pi_webhooks_1', amount: 1234, currency: 'EUR' };

/** A Stripe event around `object`, signed at `at` with the account's secret. */
function stripeEvent(type: string, object: Record<string, unknown>, at = NOW): Promise<WebhookRequest> {
  const event = { id: `evt_${type.replace(/\W/g, '')}`, object: 'event', created: Math.floor(at.getTime() / 1000), type, data: { object } };
  return signedWebhook(event, SECRET, at.getTime());
}

const intent = (fields: Record<string, unknown>) => ({
  id: 'pi_webhooks_2',
  object: 'payment_intent',
  amount: 5000,
  amount_capturable: 0,
  amount_received: 0,
  currency: 'usd',
  capture_method: 'automatic_async',
  status: 'succeeded',
  metadata: { switchyard_idempotency_key: 'pay_1:attempt:1' },
  last_payment_error: null,
  ...fields,
});

const refund = (fields: Record<string, unknown>) => ({
  id: 're_webhooks_1',
  object: 'refund',
  amount: 700,
  currency: 'usd',
  payment_intent: 'pi_webhooks_2',
  status: 'succeeded',
  ...fields,
});

describe('Stripe webhooks: verification', () => {
  it('accepts a genuine notification and answers the canonical event', async () => {
    const verified = await adapter.parseWebhook(await signer.sign(capture, { timestamp: NOW }), NOW);
    expect(verified).toEqual({
      ok: true,
      events: [
        {
          eventId: expect.stringMatching(/^evt_/),
          type: 'capture.succeeded',
          reference: 'pi_webhooks_1',
          merchantReference: null,
          modificationReference: null,
          modificationKey: null,
          amount: 1234,
          currency: 'EUR',
          decline: null,
          occurredAt: NOW,
        },
      ],
    });
  });

  it('refuses a tampered body', async () => {
    const forged = signer.tamper(await signer.sign(capture, { timestamp: NOW }));
    expect(forged.rawBody).toContain('12340');
    expect(await adapter.parseWebhook(forged, NOW)).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('refuses a notification signed with another secret', async () => {
    expect(await adapter.parseWebhook(await signer.sign(capture, { timestamp: NOW, wrongSecret: true }), NOW)).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('refuses a signature header it cannot read', async () => {
    const request = await signer.sign(capture, { timestamp: NOW });
    for (const header of ['t=abc,v1=00', 'v1=00', `t=${Math.floor(NOW.getTime() / 1000)}`]) {
      expect(await adapter.parseWebhook({ ...request, headers: { ...request.headers, 'stripe-signature': header } }, NOW)).toEqual({ ok: false, reason: 'invalid_signature' });
    }
  });

  it('refuses a missing or empty Stripe-Signature header', async () => {
    const request = await signer.sign(capture, { timestamp: NOW });
    expect(await adapter.parseWebhook(signer.unsigned(request), NOW)).toEqual({ ok: false, reason: 'missing_signature' });
    expect(await adapter.parseWebhook({ ...request, headers: { 'stripe-signature': '' } }, NOW)).toEqual({ ok: false, reason: 'missing_signature' });
  });

  it('refuses a signature older than 300 s against the `now` it is given', async () => {
    const request = await signer.sign(capture, { timestamp: NOW });
    expect(await adapter.parseWebhook(request, new Date(NOW.getTime() + 299_000))).toMatchObject({ ok: true });
    expect(await adapter.parseWebhook(request, new Date(NOW.getTime() + 301_000))).toEqual({ ok: false, reason: 'stale' });
  });

  it('gives a replay the same event id, and keeps an id it was given', async () => {
    const request = await signer.sign({ ...capture, eventId: 'evt_given_1' }, { timestamp: NOW });
    const first = await adapter.parseWebhook(request, NOW);
    const again = await adapter.parseWebhook(request, NOW);
    expect(first).toMatchObject({ ok: true, events: [{ eventId: 'evt_given_1' }] });
    expect(again).toEqual(first);
  });

  it('calls a correctly signed body that is not an event malformed', async () => {
    for (const body of ['{"id":', '[]', '{"id":"evt_1","type":"payment_intent.succeeded"}', '{"id":"evt_1","type":"payment_intent.succeeded","created":1,"data":{"object":{"id":"pi_1"}}}']) {
      expect(await adapter.parseWebhook(await signedText(body), NOW), body).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('acknowledges with 200 {"received":true}', () => {
    expect(adapter.webhookAck).toEqual({ status: 200, contentType: 'application/json', body: '{"received":true}' });
  });

  it('does not sign what Stripe never sends', async () => {
    for (const type of ['capture.failed', 'cancel.failed', 'settlement.succeeded'] as const) {
      await expect(signer.sign({ ...capture, type })).rejects.toThrow(/Stripe sends no webhook/);
    }
  });
});

/** Raw text signed at NOW: what no event object serializes to. */
async function signedText(body: string): Promise<WebhookRequest> {
  const header = await Stripe.webhooks.generateTestHeaderStringAsync({ payload: body, secret: SECRET, timestamp: Math.floor(NOW.getTime() / 1000) });
  return { headers: { 'stripe-signature': header }, rawBody: body };
}

describe('Stripe webhooks: events', () => {
  it.each([
    ['authorization.succeeded', { type: 'authorization.succeeded', amount: 1234, decline: null }],
    ['authorization.failed', { type: 'authorization.failed', decline: { reason: 'generic_decline', providerCode: 'generic_decline' } }],
    ['capture.succeeded', { type: 'capture.succeeded', amount: 1234 }],
    ['cancel.succeeded', { type: 'cancel.succeeded', amount: 1234 }],
    ['refund.succeeded', { type: 'refund.succeeded', amount: 1234, modificationReference: expect.stringMatching(/^re_/) }],
    ['refund.failed', { type: 'refund.failed', amount: 1234, modificationReference: expect.stringMatching(/^re_/) }],
  ] as const)('the signer\'s %s comes back as itself', async (type, expected) => {
    const verified = await adapter.parseWebhook(await signer.sign({ ...capture, type }, { timestamp: NOW }), NOW);
    expect(verified).toMatchObject({ ok: true, events: [{ reference: 'pi_webhooks_1', currency: 'EUR', ...expected }] });
  });

  it('payment_intent.succeeded: an authorization when captured automatically, a capture when manual', async () => {
    const automatic = await adapter.parseWebhook(await stripeEvent('payment_intent.succeeded', intent({ amount_received: 5000 })), NOW);
    expect(automatic).toMatchObject({ ok: true, events: [{ type: 'authorization.succeeded', amount: 5000, currency: 'USD', merchantReference: 'pay_1:attempt:1' }] });
    const manual = await adapter.parseWebhook(await stripeEvent('payment_intent.succeeded', intent({ capture_method: 'manual', amount_received: 3000 })), NOW);
    expect(manual).toMatchObject({ ok: true, events: [{ type: 'capture.succeeded', amount: 3000 }] });
  });

  it('payment_intent.amount_capturable_updated: an authorization while it awaits capture', async () => {
    const held = intent({ capture_method: 'manual', status: 'requires_capture', amount_capturable: 5000 });
    expect(await adapter.parseWebhook(await stripeEvent('payment_intent.amount_capturable_updated', held), NOW)).toMatchObject({
      ok: true,
      events: [{ type: 'authorization.succeeded', reference: 'pi_webhooks_2', amount: 5000 }],
    });
  });

  it('payment_intent.payment_failed passes the network advice code on: 03 is never again', async () => {
    const failed = intent({
      status: 'requires_payment_method',
      last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'do_not_honor', network_advice_code: '03', message: 'Your card was declined.' },
    });
    expect(await adapter.parseWebhook(await stripeEvent('payment_intent.payment_failed', failed), NOW)).toMatchObject({
      ok: true,
      events: [{ type: 'authorization.failed', amount: 5000, decline: { reason: 'do_not_honor', adviceCode: '03', cascade: false, retry: 'never' } }],
    });
  });

  it('charge.captured: a capture of the charge\'s PaymentIntent', async () => {
    const charge = { id: 'ch_1', object: 'charge', payment_intent: 'pi_webhooks_2', amount: 5000, amount_captured: 4000, currency: 'usd', metadata: {} };
    expect(await adapter.parseWebhook(await stripeEvent('charge.captured', charge), NOW)).toMatchObject({
      ok: true,
      events: [{ type: 'capture.succeeded', reference: 'pi_webhooks_2', amount: 4000, merchantReference: null }],
    });
  });

  it('refund events by the refund\'s status; pending ones wait for their update', async () => {
    const parse = async (type: string, fields: Record<string, unknown>) => adapter.parseWebhook(await stripeEvent(type, refund(fields)), NOW);
    expect(await parse('refund.created', {})).toMatchObject({ ok: true, events: [{ type: 'refund.succeeded', reference: 'pi_webhooks_2', modificationReference: 're_webhooks_1', amount: 700 }] });
    // The key we sent the refund under comes back in its metadata: a refund whose answer was lost is found by it.
    expect(await parse('refund.created', { metadata: { switchyard_refund_key: 're_01ABC:refund' } })).toMatchObject({
      ok: true,
      events: [{ type: 'refund.succeeded', modificationKey: 're_01ABC:refund' }],
    });
    expect(await parse('refund.created', { status: 'pending' })).toEqual({ ok: true, events: [] });
    expect(await parse('refund.updated', {})).toMatchObject({ ok: true, events: [{ type: 'refund.succeeded' }] });
    expect(await parse('charge.refund.updated', { status: 'failed' })).toMatchObject({ ok: true, events: [{ type: 'refund.failed' }] });
    expect(await parse('refund.failed', { status: 'canceled' })).toMatchObject({ ok: true, events: [{ type: 'refund.failed' }] });
  });

  it('charge.refunded: the newest embedded refund (API versions before 2022-11-15), else nothing', async () => {
    const charge = { id: 'ch_1', object: 'charge', payment_intent: 'pi_webhooks_2', amount: 5000, amount_refunded: 1000, currency: 'usd' };
    const embedded = { ...charge, refunds: { object: 'list', data: [refund({ id: 're_newest', amount: 300 }), refund({ id: 're_older' })] } };
    expect(await adapter.parseWebhook(await stripeEvent('charge.refunded', embedded), NOW)).toMatchObject({
      ok: true,
      events: [{ type: 'refund.succeeded', modificationReference: 're_newest', amount: 300 }],
    });
    expect(await adapter.parseWebhook(await stripeEvent('charge.refunded', charge), NOW)).toEqual({ ok: true, events: [] });
  });

  it('accepts event types it does not map, and objects that are not ours, with no events', async () => {
    expect(await adapter.parseWebhook(await stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }), NOW)).toEqual({ ok: true, events: [] });
    expect(await adapter.parseWebhook(await stripeEvent('refund.created', refund({ payment_intent: null })), NOW)).toEqual({ ok: true, events: [] });
  });
});

describe('Stripe webhooks: amounts in Stripe\'s units', () => {
  it('reads ISK (two decimals at Stripe) and MGA (none at Stripe) back as ISO 4217 minor units', async () => {
    const isk = intent({ currency: 'isk', amount: 500000, amount_received: 500000 });
    expect(await adapter.parseWebhook(await stripeEvent('payment_intent.succeeded', isk), NOW)).toMatchObject({
      ok: true,
      events: [{ type: 'authorization.succeeded', amount: 5000, currency: 'ISK' }],
    });
    const mga = refund({ currency: 'mga', amount: 123 });
    expect(await adapter.parseWebhook(await stripeEvent('refund.created', mga), NOW)).toMatchObject({ ok: true, events: [{ amount: 12300, currency: 'MGA' }] });
  });

  it('the simulator signer writes a canonical amount in Stripe\'s units, and the adapter reads it back', async () => {
    const request = await signer.sign({ type: 'capture.succeeded', reference: 'pi_isk', amount: 5, currency: 'ISK' }, { timestamp: NOW });
    expect(JSON.parse(request.rawBody).data.object).toMatchObject({ amount_received: 500, currency: 'isk' });
    expect(await adapter.parseWebhook(request, NOW)).toMatchObject({ ok: true, events: [{ amount: 5, currency: 'ISK' }] });
  });

  it('rejects as malformed an ISK amount with fractions of a króna, which no canonical amount can hold', async () => {
    const isk = intent({ currency: 'isk', amount: 550, amount_received: 550 });
    expect(await adapter.parseWebhook(await stripeEvent('payment_intent.succeeded', isk), NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('Stripe webhooks: SEPA debit returns', () => {
  const dispute = (fields: Record<string, unknown>) => ({
    id: 'du_webhooks_1',
    object: 'dispute',
    amount: 2500,
    currency: 'eur',
    charge: 'py_webhooks_1',
    payment_intent: 'pi_webhooks_3',
    payment_method_details: { type: 'sepa_debit' },
    reason: 'debit_not_authorized',
    status: 'lost',
    ...fields,
  });

  it('reads a SEPA dispute, lost from the start, as a returned debit with Stripe\'s reason', async () => {
    expect(await adapter.parseWebhook(await stripeEvent('charge.dispute.created', dispute({})), NOW)).toMatchObject({
      ok: true,
      events: [{ type: 'debit.returned', reference: 'pi_webhooks_3', amount: 2500, currency: 'EUR', returnCode: 'debit_not_authorized' }],
    });
  });

  it('reads a card dispute, which opens to be answered, and a card dispute lost at once as no return', async () => {
    for (const fields of [{ status: 'needs_response', payment_method_details: { type: 'card' } }, { status: 'lost', payment_method_details: { type: 'card' } }]) {
      expect(await adapter.parseWebhook(await stripeEvent('charge.dispute.created', dispute(fields)), NOW)).toEqual({ ok: true, events: [] });
    }
  });

  it('reads a failed debit\'s charge failure code as a decline that never cascades', async () => {
    const failed = intent({ id: 'pi_webhooks_4', currency: 'eur', status: 'requires_payment_method', payment_method_types: ['sepa_debit'], last_payment_error: { type: 'invalid_request_error', code: 'account_closed', message: 'closed' } });
    expect(await adapter.parseWebhook(await stripeEvent('payment_intent.payment_failed', failed), NOW)).toMatchObject({
      ok: true,
      events: [{ type: 'authorization.failed', decline: { reason: 'invalid_account', cascade: false } }],
    });
  });
});
