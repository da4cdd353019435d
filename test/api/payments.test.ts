import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DRIVERS } from '../support/databases.js';
import { CARDS, paymentBody, startHarness, type Harness } from '../support/harness.js';

describe.each(DRIVERS)('payments API on %s', (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(driver);
  });
  afterAll(() => h.close());
  beforeEach(() => h.reset());

  async function createPayment(overrides: Record<string, unknown> = {}, card: Record<string, unknown> = {}) {
    const res = await h.request('POST', '/v1/payments', { body: paymentBody(overrides, card) });
    expect(res.status).toBe(201);
    return res.json();
  }

  it('answers a new payment, approved or declined, exactly as it was stored, with its timeline', async () => {
    for (const card of [CARDS.visa, CARDS.genericDecline]) {
      const answered = await createPayment({ metadata: { order_id: '6735', channel: 'web' }, customer: { email: 'a@example.com', country: 'US' } }, { number: card });
      const stored = await (await h.request('GET', `/v1/payments/${answered.id}`)).json();
      expect(answered).toEqual(stored);
      const timeline = await (await h.request('GET', `/v1/payments/${answered.id}/events`)).json();
      expect(timeline.data.map((e: { type: string }) => e.type)).toEqual([`payment.${answered.status}`]);
      expect(timeline.data[0].data).toMatchObject({ status: answered.status, updated_at: answered.updated_at });
    }
  });

  it('authorizes and captures a payment through Stripe', async () => {
    const payment = await createPayment({ metadata: { order_id: '6735' }, customer: { email: 'a@example.com', country: 'US' } });
    expect(payment).toMatchObject({
      object: 'payment',
      status: 'succeeded',
      amount: 1999,
      amount_captured: 1999,
      amount_capturable: 0,
      amount_refunded: 0,
      currency: 'USD',
      payment_method: { type: 'card', card: { brand: 'visa', bin: '424242', last4: '4242', exp_month: 12, exp_year: 2030 } },
      gateway: { provider: 'stripe' },
      metadata: { order_id: '6735' },
      failure: null,
    });
    expect(payment.id).toMatch(/^pay_/);
    expect(payment.gateway_reference).toMatch(/^pi_/);
    expect(payment.attempts).toHaveLength(1);
    expect(payment.attempts[0]).toMatchObject({ number: 1, status: 'succeeded', outcome: 'approved', gateway_reference: payment.gateway_reference });
    expect(payment.attempts[0].latency_ms).toBeGreaterThanOrEqual(0);
    expect(h.stripe.ledger.paymentIntent(payment.gateway_reference)).toMatchObject({ captured: 1999 });

    const fetched = await (await h.request('GET', `/v1/payments/${payment.id}`)).json();
    expect(fetched).toEqual(payment);
  });

  it('sends each attempt to Stripe under a key derived from payment id and attempt number', async () => {
    const payment = await createPayment();
    const creates = h.stripe.ledger.requests().filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
    expect(creates.map((r) => r.idempotencyKey)).toEqual([`${payment.id}:attempt:1`]);
  });

  it('gives the same card the same fingerprint and never returns the number or CVC', async () => {
    const a = await createPayment();
    const b = await createPayment({}, { exp_month: 1, exp_year: 2031 });
    const c = await createPayment({}, { number: CARDS.mastercard });
    expect(a.payment_method.card.fingerprint).toBe(b.payment_method.card.fingerprint);
    expect(a.payment_method.card.fingerprint).not.toBe(c.payment_method.card.fingerprint);
    expect(JSON.stringify([a, b, c])).not.toContain(CARDS.visa);
  });

  it('captures a manual payment in part, releasing the rest', async () => {
    const payment = await createPayment({ capture_method: 'manual', amount: 5000 });
    expect(payment).toMatchObject({ status: 'requires_capture', amount_capturable: 5000, amount_captured: 0 });
    const res = await h.request('POST', `/v1/payments/${payment.id}/capture`, { body: { amount: 3000 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'succeeded', amount_captured: 3000, amount_capturable: 0 });
    expect(h.stripe.ledger.paymentIntent(payment.gateway_reference)).toMatchObject({ authorized: 5000, captured: 3000 });
  });

  it('captures the full amount when no amount is given, with or without a body', async () => {
    const a = await createPayment({ capture_method: 'manual' });
    const b = await createPayment({ capture_method: 'manual' });
    expect(await (await h.request('POST', `/v1/payments/${a.id}/capture`)).json()).toMatchObject({ status: 'succeeded', amount_captured: 1999 });
    expect(await (await h.request('POST', `/v1/payments/${b.id}/capture`, { body: {} })).json()).toMatchObject({ amount_captured: 1999 });
  });

  it('cancels an uncaptured authorization', async () => {
    const payment = await createPayment({ capture_method: 'manual' });
    const res = await h.request('POST', `/v1/payments/${payment.id}/cancel`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'canceled', amount_capturable: 0, amount_captured: 0 });
    expect(h.stripe.ledger.paymentIntent(payment.gateway_reference)).toMatchObject({ captured: 0 });
  });

  it('refunds in parts until the captured amount is used up', async () => {
    const payment = await createPayment({ amount: 1000 });
    const first = await h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: { amount: 300, reason: 'requested_by_customer' } });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ object: 'refund', amount: 300, currency: 'USD', status: 'succeeded', payment_id: payment.id });
    const rest = await (await h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: {} })).json();
    expect(rest).toMatchObject({ amount: 700, status: 'succeeded' });

    const more = await h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: { amount: 1 } });
    expect(more.status).toBe(409);
    expect(await more.json()).toMatchObject({ code: 'payment_fully_refunded' });

    expect(await (await h.request('GET', `/v1/payments/${payment.id}`)).json()).toMatchObject({ amount_refunded: 1000, status: 'succeeded' });
    const list = await (await h.request('GET', `/v1/payments/${payment.id}/refunds`)).json();
    expect(list.data.map((r: { amount: number }) => r.amount)).toEqual([700, 300]);
    expect(h.stripe.ledger.paymentIntent(payment.gateway_reference)).toMatchObject({ refunded: 1000 });
  });

  describe('state machine conflicts answer 409 and change nothing', () => {
    async function expectConflict(path: string, body: unknown, code: string, paymentId: string) {
      const before = await (await h.request('GET', `/v1/payments/${paymentId}`)).json();
      const requestsBefore = h.stripe.ledger.requestCount();
      const res = await h.request('POST', path, { body });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 409, code });
      expect(await (await h.request('GET', `/v1/payments/${paymentId}`)).json()).toEqual(before);
      expect(h.stripe.ledger.requestCount()).toBe(requestsBefore);
      expect(await (await h.request('GET', `/v1/payments/${paymentId}/refunds`)).json()).toMatchObject({ data: before.amount_refunded ? expect.any(Array) : [] });
    }

    it('capturing a failed payment', async () => {
      const failed = await createPayment({ capture_method: 'manual' }, { number: CARDS.genericDecline });
      expect(failed.status).toBe('failed');
      await expectConflict(`/v1/payments/${failed.id}/capture`, {}, 'payment_not_capturable', failed.id);
    });

    it('capturing a canceled payment', async () => {
      const payment = await createPayment({ capture_method: 'manual' });
      await h.request('POST', `/v1/payments/${payment.id}/cancel`);
      await expectConflict(`/v1/payments/${payment.id}/capture`, {}, 'payment_not_capturable', payment.id);
    });

    it('capturing more than was authorized', async () => {
      const payment = await createPayment({ capture_method: 'manual', amount: 1000 });
      await expectConflict(`/v1/payments/${payment.id}/capture`, { amount: 1001 }, 'amount_exceeds_capturable', payment.id);
    });

    it('capturing twice', async () => {
      const payment = await createPayment({ capture_method: 'manual', amount: 1000 });
      await h.request('POST', `/v1/payments/${payment.id}/capture`, { body: { amount: 500 } });
      await expectConflict(`/v1/payments/${payment.id}/capture`, { amount: 100 }, 'payment_not_capturable', payment.id);
    });

    it('refunding more than was captured', async () => {
      const payment = await createPayment({ amount: 1000 });
      await expectConflict(`/v1/payments/${payment.id}/refunds`, { amount: 1001 }, 'amount_exceeds_refundable', payment.id);
    });

    it('refunding an uncaptured payment', async () => {
      const payment = await createPayment({ capture_method: 'manual' });
      await expectConflict(`/v1/payments/${payment.id}/refunds`, {}, 'payment_not_refundable', payment.id);
    });

    it('cancelling a captured payment', async () => {
      const payment = await createPayment();
      await expectConflict(`/v1/payments/${payment.id}/cancel`, {}, 'payment_not_cancelable', payment.id);
    });
  });

  describe('declines are recorded as failed payments with a canonical reason', () => {
    const cases = [
      ['genericDecline', 'generic_decline', 'generic_decline'],
      ['insufficientFunds', 'insufficient_funds', 'insufficient_funds'],
      ['expired', 'expired_card', 'expired_card'],
      ['incorrectCvc', 'invalid_cvc', 'incorrect_cvc'],
      ['lost', 'lost_or_stolen', 'lost_card'],
      ['stolen', 'lost_or_stolen', 'stolen_card'],
      ['processingError', 'processing_error', 'processing_error'],
    ] as const;
    it.each(cases)('%s → %s', async (card, reason, providerCode) => {
      const payment = await createPayment({}, { number: CARDS[card] });
      expect(payment).toMatchObject({ status: 'failed', amount_captured: 0, failure: { code: reason } });
      expect(payment.failure.message.length).toBeGreaterThan(0);
      expect(payment.attempts[0]).toMatchObject({ status: 'failed', outcome: 'declined', decline_reason: reason, provider_code: providerCode });
      expect(h.stripe.ledger.charges()).toBe(0);
    });
  });

  it('answers requires_action with a redirect for a card that needs 3-D Secure', async () => {
    const payment = await createPayment({}, { number: CARDS.threeDs });
    expect(payment).toMatchObject({ status: 'requires_action', next_action: { type: 'redirect' } });
    expect(payment.next_action.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const canceled = await (await h.request('POST', `/v1/payments/${payment.id}/cancel`)).json();
    expect(canceled.status).toBe('canceled');
  });

  it('lists payments newest first with cursor pagination and filters', async () => {
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await createPayment());
    const declined = await createPayment({}, { number: CARDS.genericDecline });
    const page1 = await (await h.request('GET', '/v1/payments?limit=2')).json();
    expect(page1).toMatchObject({ object: 'list', has_more: true });
    expect(page1.data.map((p: { id: string }) => p.id)).toEqual([declined.id, created[2].id]);
    const page2 = await (await h.request('GET', `/v1/payments?limit=2&starting_after=${created[2].id}`)).json();
    expect(page2).toMatchObject({ has_more: false });
    expect(page2.data.map((p: { id: string }) => p.id)).toEqual([created[1].id, created[0].id]);

    const failed = await (await h.request('GET', '/v1/payments?status=failed')).json();
    expect(failed.data.map((p: { id: string }) => p.id)).toEqual([declined.id]);
    const future = encodeURIComponent(new Date(Date.now() + 60_000).toISOString());
    expect((await (await h.request('GET', `/v1/payments?created[gte]=${future}`)).json()).data).toEqual([]);
    const past = encodeURIComponent(new Date(Date.now() - 60_000).toISOString());
    expect((await (await h.request('GET', `/v1/payments?created[gte]=${past}`)).json()).data).toHaveLength(4);
  });

  describe('one merchant cannot touch another merchant\'s payments', () => {
    it.each([
      ['GET', ''],
      ['POST', '/capture'],
      ['POST', '/cancel'],
      ['POST', '/refunds'],
      ['GET', '/refunds'],
    ])('%s /v1/payments/:id%s → 404', async (method, suffix) => {
      const payment = await createPayment({ capture_method: 'manual' });
      const res = await h.request(method, `/v1/payments/${payment.id}${suffix}`, { key: h.otherKey, body: method === 'POST' ? {} : undefined });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'resource_missing' });
      expect(await (await h.request('GET', `/v1/payments/${payment.id}`)).json()).toMatchObject({ status: 'requires_capture' });
    });

    it('lists only its own payments', async () => {
      await createPayment();
      expect((await (await h.request('GET', '/v1/payments', { key: h.otherKey })).json()).data).toEqual([]);
    });
  });
});
