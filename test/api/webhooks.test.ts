import { sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DRIVERS } from '../support/databases.js';
import { paymentBody, startHarness, STRIPE_WEBHOOK_SECRET, type Harness } from '../support/harness.js';

const stripe = new Stripe('sk_test_unused');

async function signed(event: object, options: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(event);
  const header = await stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: options.secret ?? STRIPE_WEBHOOK_SECRET,
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
  });
  return { payload, header };
}

function intentEvent(id: string, type: string, intent: Record<string, unknown>) {
  return { id, object: 'event', type, created: Math.floor(Date.now() / 1000), api_version: '2026-10-28.endive', data: { object: { object: 'payment_intent', capture_method: 'automatic', ...intent } } };
}

describe.each(DRIVERS)('provider webhooks on %s', (driver) => {
  let h: Harness;
  let account: string;
  beforeAll(async () => {
    h = await startHarness(driver, { gatewayTimeoutMs: 300 });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.reset();
    const accounts = await (await h.request('GET', '/v1/gateway_accounts')).json();
    account = accounts.data[0].id;
  });

  const post = (path: string, body: string, headers: Record<string, string>) =>
    h.request('POST', path, { body, key: null, headers: { 'Content-Type': 'application/json', ...headers } });
  const deliver = async (event: object, options?: Parameters<typeof signed>[1]) => {
    const { payload, header } = await signed(event, options);
    return post(`/v1/webhooks/stripe/${account}`, payload, { 'Stripe-Signature': header });
  };
  async function eventRows() {
    const result = await h.database.db.execute(sql`select event_id, result from webhook_events order by event_id`);
    return ((result as unknown as { rows?: unknown[] }).rows ?? (result as unknown as unknown[])) as { event_id: string; result: string }[];
  }

  /** A payment whose answer was lost twice (charge, then the resend hung): it stays processing. */
  async function processingPayment() {
    h.stripe.faults.set({ kind: 'charge_then_hang' });
    const payment = await (await h.request('POST', '/v1/payments', { body: paymentBody() })).json();
    h.stripe.faults.clear();
    expect(payment.status).toBe('processing');
    const intent = h.stripe.ledger.paymentIntents()[0]!;
    return { payment, intent };
  }

  it('settles a payment whose answer was lost, from the provider\'s notification, once', async () => {
    const { payment, intent } = await processingPayment();
    const event = intentEvent('evt_settle_1', 'payment_intent.succeeded', {
      id: intent.id,
      amount: 1999,
      amount_received: 1999,
      currency: 'usd',
      status: 'succeeded',
      metadata: intent.metadata,
    });
    const res = await deliver(event);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true });
    const settled = await (await h.request('GET', `/v1/payments/${payment.id}`)).json();
    expect(settled).toMatchObject({ status: 'succeeded', amount_captured: 1999, gateway_reference: intent.id });
    expect(settled.attempts[0]).toMatchObject({ status: 'succeeded', outcome: 'approved', outcome_reason: 'resolved_by_webhook' });

    expect((await deliver(event)).status).toBe(200);
    expect(await eventRows()).toEqual([{ event_id: 'evt_settle_1', result: 'applied' }]);
    expect((await (await h.request('GET', `/v1/payments/${payment.id}`)).json()).updated_at).toBe(settled.updated_at);
  });

  it('learns an approval once when its notification overtakes the answer of the call itself', async () => {
    const samples = async () => {
      const health = await (await h.request('GET', '/v1/gateways/health')).json();
      return health.data.find((g: { account_id: string }) => g.account_id === account).success_rate.samples as number;
    };
    const before = await samples();
    let delivered: Response | undefined;
    // The gateway has answered, the router has not yet seen it: the provider's notification lands now.
    h.hooks.afterAuthorize = async () => {
      const intent = h.stripe.ledger.paymentIntents()[0]!;
      delivered = await deliver(intentEvent('evt_race_1', 'payment_intent.succeeded', { id: intent.id, amount: 1999, amount_received: 1999, currency: 'usd', status: 'succeeded', metadata: intent.metadata }));
    };
    const payment = await (await h.request('POST', '/v1/payments', { body: paymentBody() })).json();
    expect(delivered?.status).toBe(200);
    expect(payment.status).toBe('succeeded');
    expect(payment.attempts[0]).toMatchObject({ outcome: 'approved', outcome_reason: 'resolved_by_webhook' });
    // One payment, one approval: the webhook settled the attempt, the call's own answer taught the learner.
    expect((await samples()) - before).toBeCloseTo(1, 1);
  });

  it('records a failed authorization with its decline', async () => {
    const { payment, intent } = await processingPayment();
    const res = await deliver(
      intentEvent('evt_fail_1', 'payment_intent.payment_failed', {
        id: intent.id,
        amount: 1999,
        currency: 'usd',
        status: 'requires_payment_method',
        metadata: intent.metadata,
        last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' },
      }),
    );
    expect(res.status).toBe(200);
    expect(await (await h.request('GET', `/v1/payments/${payment.id}`)).json()).toMatchObject({ status: 'failed', failure: { code: 'insufficient_funds' } });
  });

  it('acknowledges an event about no payment of ours without changing anything', async () => {
    const res = await deliver(intentEvent('evt_stray', 'payment_intent.succeeded', { id: 'pi_unknown', amount: 5, amount_received: 5, currency: 'usd', status: 'succeeded', metadata: {} }));
    expect(res.status).toBe(200);
    expect(await eventRows()).toEqual([{ event_id: 'evt_stray', result: 'unmatched' }]);
  });

  describe('forged or misdirected notifications are refused and change nothing', () => {
    const event = intentEvent('evt_forged', 'payment_intent.succeeded', { id: 'pi_x', amount: 5, currency: 'usd', status: 'succeeded', metadata: {} });

    async function refused(res: Response, status: number, code: string) {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ code });
      expect(await eventRows()).toEqual([]);
    }

    it('unsigned', async () => refused(await post(`/v1/webhooks/stripe/${account}`, JSON.stringify(event), {}), 400, 'webhook_missing_signature'));
    it('signed with another secret', async () => refused(await deliver(event, { secret: 'whsec_not_ours' }), 401, 'webhook_invalid_signature'));
    it('stale', async () => refused(await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 3600 }), 401, 'webhook_stale'));
    it('tampered after signing', async () => {
      const { payload, header } = await signed(event);
      await refused(await post(`/v1/webhooks/stripe/${account}`, payload.replace('"amount":5', '"amount":500'), { 'Stripe-Signature': header }), 401, 'webhook_invalid_signature');
    });
    it('for an unknown account', async () => {
      const { payload, header } = await signed(event);
      await refused(await post('/v1/webhooks/stripe/gwa_nope', payload, { 'Stripe-Signature': header }), 404, 'resource_missing');
    });
    it('for another provider than the account\'s', async () => {
      const { payload, header } = await signed(event);
      await refused(await post(`/v1/webhooks/adyen/${account}`, payload, { 'Stripe-Signature': header }), 404, 'resource_missing');
    });
    it('a body over the size limit', async () => {
      await refused(await post(`/v1/webhooks/stripe/${account}`, 'x'.repeat(40_000), { 'Stripe-Signature': 't=1,v1=00' }), 413, 'payload_too_large');
    });
  });

  it('never shows credentials or webhook secrets', async () => {
    const text = await (await h.request('GET', '/v1/gateway_accounts')).text();
    expect(text).not.toContain(STRIPE_WEBHOOK_SECRET);
    expect(text).not.toContain('sk_test_harness');
    expect(JSON.parse(text).data[0]).toMatchObject({ provider: 'stripe', webhook_path: `/v1/webhooks/stripe/${account}`, capabilities: { refunds: true } });
  });
});
