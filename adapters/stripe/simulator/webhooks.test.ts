import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attemptIdentity, type AuthorizeRequest, type GatewayAdapter } from '../../testkit/contract.js';
import { startWebhookSink, type WebhookSink } from '../../testkit/webhook-sink.js';
import type { WebhookEvent } from '../../../src/domain/webhook.js';
import { createStripeAdapter } from '../adapter.js';
import { startStripeSimulator, type StripeSimulator } from './index.js';

const SECRET = 'whsec_simulator_delivery_test';

describe('Stripe simulator: signed webhooks', () => {
  let sink: WebhookSink;
  let sim: StripeSimulator;
  let adapter: GatewayAdapter;
  let n = 0;
  beforeAll(async () => {
    sink = await startWebhookSink();
    sim = await startStripeSimulator({ webhookUrl: sink.url, webhookSecret: SECRET });
    adapter = createStripeAdapter({ secretKey: 'sk_test_webhooks', webhookSecret: SECRET, host: sim.host, port: sim.port, protocol: 'http', timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await sim.close();
    await sink.close();
  });
  beforeEach(async () => {
    await sim.clearFault();
    sim.ledger.reset();
    sink.clear();
  });

  const request = (number: string, captureMethod: 'automatic' | 'manual' = 'automatic'): AuthorizeRequest => ({
    paymentId: `pay_hook${++n}`,
    attemptNumber: 1,
    idempotencyKey: `pay_hook${n}:attempt:1`,
    amount: 4200,
    currency: 'USD',
    captureMethod,
    method: { type: 'card', card: { number, expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: '123', holderName: null } },
    description: null,
    customerEmail: null,
    returnUrl: null,
    threeDSecure: 'automatic',
  });

  /** The next delivered event of this Stripe type, verified by the adapter as the router would. */
  async function delivered(stripeType: string): Promise<WebhookEvent[]> {
    const received = await sink.waitFor((r) => (JSON.parse(r.rawBody) as { type: string }).type === stripeType);
    const verified = await adapter.parseWebhook(received, new Date());
    if (!verified.ok) throw new Error(`refused: ${verified.reason}`);
    return verified.events;
  }

  async function approved(captureMethod: 'automatic' | 'manual') {
    const req = request('4242424242424242', captureMethod);
    const outcome = await adapter.authorize(req);
    if (outcome.kind !== 'approved') throw new Error(`expected approval, got ${outcome.kind}`);
    return { req, reference: outcome.reference };
  }

  it('announces an automatic-capture authorization, naming our attempt', async () => {
    const { req, reference } = await approved('automatic');
    expect(await delivered('payment_intent.succeeded')).toMatchObject([
      { type: 'authorization.succeeded', reference, merchantReference: req.idempotencyKey, amount: 4200, currency: 'USD' },
    ]);
  });

  it('announces a manual authorization, its capture and its refund', async () => {
    const { req, reference } = await approved('manual');
    expect(await delivered('payment_intent.amount_capturable_updated')).toMatchObject([{ type: 'authorization.succeeded', reference, amount: 4200 }]);
    await adapter.capture({ reference, amount: 4000, currency: 'USD', idempotencyKey: `${req.paymentId}:capture` });
    expect(await delivered('payment_intent.succeeded')).toMatchObject([{ type: 'capture.succeeded', reference, amount: 4000 }]);
    const refund = await adapter.refund({ reference, amount: 1500, currency: 'USD', idempotencyKey: `${req.paymentId}:refund` });
    if (refund.kind !== 'succeeded') throw new Error('expected a refund');
    expect(await delivered('charge.refunded')).toEqual([]);
    expect(await delivered('refund.created')).toMatchObject([{ type: 'refund.succeeded', reference, modificationReference: refund.reference, amount: 1500 }]);
  });

  it('announces a void and a decline', async () => {
    const { req, reference } = await approved('manual');
    await adapter.cancel({ reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:cancel` });
    expect(await delivered('payment_intent.canceled')).toMatchObject([{ type: 'cancel.succeeded', reference }]);
    await adapter.authorize(request('4000000000009995'));
    expect(await delivered('payment_intent.payment_failed')).toMatchObject([{ type: 'authorization.failed', decline: { reason: 'insufficient_funds' } }]);
  });

  it('still announces a charge whose answer was lost, once, and not again on the replay', async () => {
    await sim.setFault({ kind: 'charge_then_500' }, { times: 1 });
    const req = request('4242424242424242');
    expect(await adapter.authorize(req)).toMatchObject({ kind: 'unknown' });
    const [event] = await delivered('payment_intent.succeeded');
    expect(event).toMatchObject({ type: 'authorization.succeeded', merchantReference: req.idempotencyKey });
    expect(await adapter.sync({ reference: null, attempt: attemptIdentity(req), resend: req })).toMatchObject({ kind: 'approved', reference: event?.reference });
    await sim.idle();
    expect(sink.received).toHaveLength(1);
  });

  it('signs as Stripe does and sends no card data', async () => {
    await approved('automatic');
    const received = await sink.waitFor(() => true);
    expect(received.headers['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(received.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(received.rawBody)).toMatchObject({ object: 'event', livemode: false, api_version: expect.any(String), request: { idempotency_key: expect.any(String) } });
    expect(received.rawBody).not.toContain('4242424242424242');
    expect(received.rawBody).not.toContain('"cvc"');
  });

  it('retries a refused delivery on its schedule, signing each attempt at the time it is sent', async () => {
    // Each attempt an hour after the one before, as far as the simulator's clock tells.
    const start = Date.now();
    const clock = () => start + sink.requests.length * 3_600_000;
    const retrying = await startStripeSimulator({ webhookUrl: sink.url, webhookSecret: SECRET, now: clock, webhookRetry: { scale: 0.00001 } });
    try {
      sink.failNext(2, 503);
      const sdkAdapter = createStripeAdapter({ secretKey: 'sk_test_webhooks', webhookSecret: SECRET, host: retrying.host, port: retrying.port, protocol: 'http', timeoutMs: 2000 });
      expect(await sdkAdapter.authorize(request('4242424242424242'))).toMatchObject({ kind: 'approved' });
      await retrying.idle();
      const [delivery] = retrying.webhookDeliveries();
      expect(delivery).toMatchObject({ type: 'payment_intent.succeeded', state: 'delivered', attempts: [{ status: 503 }, { status: 503 }, { status: 200 }] });
      expect(sink.requests).toHaveLength(3);
      const timestamps = sink.requests.map((r) => Number(/t=(\d+)/.exec(r.headers['stripe-signature']!)![1]));
      expect(timestamps[2]! - timestamps[0]!).toBe(7200);
      // The last one verifies when it arrives, two hours after the first was signed.
      expect((await sdkAdapter.parseWebhook(sink.received[0]!, new Date(start + 7_200_000))).ok).toBe(true);
    } finally {
      await retrying.close();
    }
  });

  it('signs with a secret of its own when given none, and reports it', async () => {
    const own = await startStripeSimulator({ webhookUrl: sink.url });
    try {
      expect(own.account.webhookSecret).toMatch(/^whsec_/);
      const sdkAdapter = createStripeAdapter({ secretKey: own.account.secretKey, webhookSecret: own.account.webhookSecret, host: own.host, port: own.port, protocol: 'http', timeoutMs: 2000 });
      await sdkAdapter.authorize(request('4242424242424242'));
      const received = await sink.waitFor(() => true);
      expect((await sdkAdapter.parseWebhook(received, new Date())).ok).toBe(true);
    } finally {
      await own.close();
    }
  });
});
