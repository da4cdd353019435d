import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { idempotencyHash } from '../../src/api/hash.js';
import { SYNC_DELAYS_MS } from '../../src/orchestrator/authorize.js';
import { DEFAULT_SETTLEMENT_POLICY } from '../../src/orchestrator/settle.js';
import { manualClock, type ManualClock } from '../support/clock.js';
import { DRIVERS } from '../support/databases.js';
import { CARDS, paymentBody, startHarness, STRIPE_WEBHOOK_SECRET, type Harness } from '../support/harness.js';

const policy = DEFAULT_SETTLEMENT_POLICY;
/** The attempt's answer and every lookup the request makes while it still has the card data. */
const LOST_WITH_LOOKUPS = 1 + SYNC_DELAYS_MS.length;
const stripe = new Stripe('sk_test_unused');

/**
 * Principle 9: every state converges. The reconciler settles what the request could not (a lost
 * answer, a crash, an abandoned challenge) on its schedule, driven here by a clock the test
 * moves; writes after a gateway call are compare-and-set, so nobody undoes anybody.
 */
describe.each(DRIVERS)('settlement on %s', (driver) => {
  let h: Harness;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = manualClock(new Date());
    h = await startHarness(driver, { gatewayTimeoutMs: 300, clock });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.reset();
    clock.set(new Date());
  });

  async function pay(body: Record<string, unknown> = paymentBody(), headers: Record<string, string> = {}) {
    const res = await h.request('POST', '/v1/payments', { body, headers });
    expect(res.status).toBe(201);
    return res.json();
  }
  const get = async (id: string) => (await h.request('GET', `/v1/payments/${id}`)).json();
  const timeline = async (id: string) => ((await (await h.request('GET', `/v1/payments/${id}/events`)).json()).data as { type: string; data: Record<string, unknown> }[]);
  /** Stripe's webhook about a PaymentIntent, signed as Stripe signs it, at the test's time. */
  async function deliver(event: { id: string; type: string; intent: { id: string; amount: number; metadata: Record<string, string> } }) {
    const created = Math.floor(clock.now().getTime() / 1000);
    const payload = JSON.stringify({
      id: event.id,
      object: 'event',
      type: event.type,
      created,
      data: { object: { id: event.intent.id, object: 'payment_intent', status: 'succeeded', capture_method: 'automatic', amount: event.intent.amount, amount_received: event.intent.amount, currency: 'usd', metadata: event.intent.metadata } },
    });
    const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: STRIPE_WEBHOOK_SECRET, timestamp: created });
    const accounts = await (await h.request('GET', '/v1/gateway_accounts')).json();
    return h.request('POST', `/v1/webhooks/stripe/${accounts.data[0].id}`, { body: payload, key: null, headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header } });
  }
  /** Moves the clock and runs whatever fell due. */
  async function later(ms: number) {
    clock.advance(ms);
    await h.jobs.runDue();
  }

  describe('authorizations', () => {
    it('settles an authorization whose answer was lost, by asking the gateway again later', async () => {
      // The charge happens, and both the answer and the in-request resend are lost.
      h.stripe.faults.set({ kind: 'charge_then_hang' }, { times: LOST_WITH_LOOKUPS });
      const payment = await pay();
      expect(payment).toMatchObject({ status: 'processing', settlement: { state: 'scheduled', tries: 0 } });
      expect(new Date(payment.settlement.next_try_at).getTime() - clock.now().getTime()).toBe(policy.retryDelaysMs[0]);
      expect(h.stripe.ledger.charges()).toBe(1);

      await later(policy.retryDelaysMs[0]!);
      const settled = await get(payment.id);
      expect(settled).toMatchObject({ status: 'succeeded', amount_captured: 1999, settlement: null, review: null });
      expect(settled.attempts[0]).toMatchObject({ status: 'succeeded', outcome_reason: 'resolved_by_reconciler' });
      expect(h.stripe.ledger.charges()).toBe(1);
      const types = (await timeline(payment.id)).map((e) => e.type);
      expect(types).toEqual(['reconciler.resolved', 'payment.succeeded']);
      // The settled payment reached the learner through the gateway's answer, and nothing is left to do.
      expect(await h.jobs.runDue()).toBe(0);
    });

    it('fails a payment whose request died before any gateway was asked: nothing was charged', async () => {
      const { payment: template } = (await h.repositories.payments.byId((await pay()).id))!;
      // What a crash between inserting the payment and its first attempt leaves: processing, no attempt, a job at its lease's end.
      const now = clock.now();
      const leaseUntil = new Date(now.getTime() + policy.requestLeaseMs);
      const id = `pay_crash${Date.now().toString(36)}`;
      await h.repositories.transaction(async (repos) => {
        await repos.payments.create({ id, merchantId: template.merchantId, status: 'processing', amount: 1999, currency: 'USD', captureMethod: 'automatic', card: template.card, cardFingerprint: template.cardFingerprint, leaseUntil, createdAt: now, updatedAt: now });
        await repos.jobs.schedule({ kind: 'payment.settle', key: `payment:${id}`, payload: { payment_id: id }, runAt: leaseUntil }, now);
      });
      await later(policy.requestLeaseMs - 1);
      expect((await get(id)).status).toBe('processing');
      await later(1);
      expect(await get(id)).toMatchObject({ status: 'failed', failure: { code: 'payment_interrupted' }, settlement: null });
      expect(h.stripe.ledger.charges()).toBe(1);
    });

    it("a webhook's settlement is never undone by the attempt loop's late answer", async () => {
      // The charge happens and its answer is lost; the attempt loop is held back until Stripe's webhook has said it succeeded.
      h.stripe.faults.set({ kind: 'charge_then_hang' }, { times: LOST_WITH_LOOKUPS });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      h.hooks.afterAuthorize = () => gate;
      const pending = pay();
      await expect.poll(() => h.stripe.ledger.paymentIntents().length, { timeout: 10_000 }).toBe(1);
      const intent = h.stripe.ledger.paymentIntents()[0]!;
      expect((await deliver({ id: 'evt_race_1', type: 'payment_intent.succeeded', intent })).status).toBe(200);
      release();
      const payment = await pending;
      expect(payment).toMatchObject({ status: 'succeeded', amount_captured: 1999, settlement: null });
      expect(payment.attempts[0]).toMatchObject({ status: 'succeeded', outcome_reason: 'resolved_by_webhook' });
      // And nothing is left for the reconciler to undo either.
      await later(policy.retryDelaysMs[0]!);
      expect((await get(payment.id)).status).toBe('succeeded');
      expect((await timeline(payment.id)).map((e) => e.type)).toEqual(['payment.succeeded']);
    });

    it("the reconciler's late answer never undoes a webhook's settlement either", async () => {
      h.stripe.faults.set({ kind: 'charge_then_hang' }, { times: LOST_WITH_LOOKUPS });
      const payment = await pay();
      expect(payment.status).toBe('processing');
      // The reconciler's lookup is held back until Stripe's webhook has settled the payment.
      let release!: () => void;
      h.hooks.afterSync = () => new Promise<void>((resolve) => (release = resolve));
      clock.advance(policy.retryDelaysMs[0]!);
      const running = h.jobs.runDue();
      await expect.poll(() => release, { timeout: 10_000 }).toBeTypeOf('function');
      const intent = h.stripe.ledger.paymentIntents()[0]!;
      expect((await deliver({ id: 'evt_race_2', type: 'payment_intent.succeeded', intent })).status).toBe(200);
      release();
      await running;
      expect(await get(payment.id)).toMatchObject({ status: 'succeeded', settlement: null });
      const types = (await timeline(payment.id)).map((e) => e.type);
      expect(types.filter((t) => t === 'payment.succeeded')).toHaveLength(1);
      expect(types).not.toContain('reconciler.resolved');
    });

    it('shows its backlog per kind and state, with how long the oldest has been due', async () => {
      h.stripe.faults.set({ kind: 'http_error', status: 500 });
      await pay();
      clock.advance(policy.retryDelaysMs[0]! + 5_000);
      const stats = await (await h.request('GET', '/v1/jobs')).json();
      expect(stats.data).toContainEqual({ kind: 'payment.settle', state: 'scheduled', count: 1, oldest_run_at: expect.any(String), oldest_overdue_seconds: 5 });
      // Another merchant sees none of it.
      expect((await (await h.request('GET', '/v1/jobs', { key: h.otherKey })).json()).data).toEqual([]);
    });

    it('flags for review, instead of guessing, when the gateway never answers; a late webhook still settles it', async () => {
      // Stripe charges, then answers every request (the resend, every lookup) with a 500.
      h.stripe.faults.set({ kind: 'charge_then_500' });
      const payment = await pay();
      expect(payment.status).toBe('processing');
      for (const delay of policy.retryDelaysMs) await later(delay);
      const flagged = await get(payment.id);
      expect(flagged).toMatchObject({ status: 'processing', review: { reason: 'unresolved:server_error' }, settlement: null });
      const listed = await (await h.request('GET', '/v1/payments?review=true')).json();
      expect(listed.data.map((p: { id: string }) => p.id)).toEqual([payment.id]);
      const types = (await timeline(payment.id)).map((e) => e.type);
      expect(types.filter((t) => t === 'reconciler.checked')).toHaveLength(policy.retryDelaysMs.length);
      expect(types.slice(-2)).toEqual(['reconciler.gave_up', 'payment.review_required']);

      h.stripe.faults.clear();
      const intent = h.stripe.ledger.paymentIntents()[0]!;
      expect((await deliver({ id: 'evt_late_1', type: 'payment_intent.succeeded', intent })).status).toBe(200);
      expect(await get(payment.id)).toMatchObject({ status: 'succeeded', review: null });
      expect((await timeline(payment.id)).map((e) => e.type).slice(-2)).toEqual(['payment.succeeded', 'payment.review_resolved']);
      expect(h.stripe.ledger.charges()).toBe(1);
    });
  });

  describe('captures, cancels and refunds', () => {
    async function authorized(amount = 1000) {
      return pay(paymentBody({ capture_method: 'manual', amount }));
    }

    it('a capture whose answer was lost stays pending, refuses another amount, and is settled by the reconciler', async () => {
      const payment = await authorized();
      h.stripe.faults.set({ kind: 'charge_then_hang' }, { times: 1, pathPrefix: `/v1/payment_intents/${payment.gateway_reference}/capture` });
      const first = await h.request('POST', `/v1/payments/${payment.id}/capture`, { body: { amount: 600 } });
      expect(first.status).toBe(502);
      const pending = await get(payment.id);
      expect(pending).toMatchObject({ status: 'processing', pending_operation: { type: 'capture', amount: 600, state: 'unknown' }, settlement: { state: 'scheduled' } });
      const other = await h.request('POST', `/v1/payments/${payment.id}/capture`, { body: { amount: 700 } });
      expect(other.status).toBe(409);
      expect(await other.json()).toMatchObject({ code: 'payment_operation_in_progress' });

      await later(policy.retryDelaysMs[0]!);
      expect(await get(payment.id)).toMatchObject({ status: 'succeeded', amount_captured: 600, pending_operation: null, settlement: null });
      expect(h.stripe.ledger.totals().captured).toBe(600);
    });

    it('a cancel whose request died is resumed by the reconciler once its lease ends', async () => {
      const payment = await authorized();
      // The cancel request marked the operation and died before the gateway call.
      const row = (await h.repositories.payments.byId(payment.id))!.payment;
      const now = clock.now();
      await h.repositories.payments.update(row.id, row.version, { pendingOperation: 'cancel', operationState: 'sending', statusBeforeOperation: row.status, pendingAmount: row.amountCapturable, leaseUntil: new Date(now.getTime() + policy.requestLeaseMs) }, now);
      await h.repositories.jobs.schedule({ kind: 'payment.settle', key: `payment:${row.id}`, payload: { payment_id: row.id }, runAt: new Date(now.getTime() + policy.requestLeaseMs) }, now);
      expect((await h.request('POST', `/v1/payments/${payment.id}/cancel`)).status).toBe(409);
      await later(policy.requestLeaseMs);
      expect(await get(payment.id)).toMatchObject({ status: 'canceled', pending_operation: null });
      expect(h.stripe.ledger.paymentIntent(payment.gateway_reference)!.status).toBe('canceled');
    });

    it('a refund whose answer was lost is found at the gateway by its key, and counted once', async () => {
      const payment = await pay();
      h.stripe.faults.set({ kind: 'charge_then_hang' }, { times: 1, pathPrefix: '/v1/refunds' });
      const refund = await (await h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: { amount: 500 } })).json();
      expect(refund).toMatchObject({ status: 'pending', gateway_reference: null });
      await later(policy.requestLeaseMs);
      const [settled] = (await (await h.request('GET', `/v1/payments/${payment.id}/refunds`)).json()).data;
      expect(settled).toMatchObject({ id: refund.id, status: 'succeeded' });
      expect(settled.gateway_reference).toMatch(/^re_/);
      expect((await get(payment.id)).amount_refunded).toBe(500);
      expect(h.stripe.ledger.refunds()).toHaveLength(1);
      expect((await timeline(payment.id)).map((e) => e.type)).toEqual(['payment.succeeded', 'refund.pending', 'reconciler.resolved', 'refund.succeeded']);
    });
  });

  describe('a refund the gateway never confirms', () => {
    it('is asked about once per try of the schedule, then flagged for review', async () => {
      const payment = await pay();
      // Stripe answers every refund request (the first, each resend, each lookup) with a 500.
      h.stripe.faults.set({ kind: 'http_error', status: 500 }, { pathPrefix: '/v1/refunds' });
      const refund = await (await h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: { amount: 500 } })).json();
      expect(refund).toMatchObject({ status: 'pending' });
      const looks = async () => (await timeline(payment.id)).filter((e) => e.type === 'reconciler.checked').length;
      // Bounded: a job that schedules itself again while it runs would be claimed again at once, forever.
      const settle = (ms: number) =>
        Promise.race([later(ms), new Promise((_, reject) => setTimeout(() => reject(new Error('the refund job kept running again at once')), 3000))]);

      // Once the request's lease is over, the reconciler looks; the look leaves the next one for later.
      await settle(policy.requestLeaseMs);
      expect(await looks()).toBe(1);
      const job = await h.repositories.jobs.get(`refund:${refund.id}`);
      expect(job!.state).toBe('scheduled');
      expect(job!.runAt.getTime()).toBeGreaterThan(clock.now().getTime());

      // One look per step of the schedule at most, then the refund is flagged for a human.
      const longest = Math.max(...policy.retryDelaysMs);
      for (let step = 0; step < policy.retryDelaysMs.length; step++) await settle(longest);
      expect(await looks()).toBeLessThanOrEqual(policy.retryDelaysMs.length);
      expect((await h.repositories.jobs.get(`refund:${refund.id}`))!.state).toBe('dead');
      const [flagged] = (await (await h.request('GET', `/v1/payments/${payment.id}/refunds`)).json()).data;
      expect(flagged).toMatchObject({ id: refund.id, status: 'pending', review: { reason: 'refund_unresolved:unknown' } });
      expect(await get(payment.id)).toMatchObject({ review: { reason: 'refund_unresolved:unknown' } });
    });
  });

  describe('refunds whose answer was lost', () => {
    it('is settled by the provider\'s webhook, matched by the key we sent it under', async () => {
      const payment = await pay();
      h.stripe.faults.set({ kind: 'charge_then_hang' }, { times: 1, pathPrefix: '/v1/refunds' });
      const refund = await (await h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: { amount: 700 } })).json();
      expect(refund).toMatchObject({ status: 'pending', gateway_reference: null });
      const [made] = h.stripe.ledger.refunds();
      const created = Math.floor(clock.now().getTime() / 1000);
      const payload = JSON.stringify({
        id: 'evt_refund_1',
        object: 'event',
        type: 'refund.created',
        created,
        data: { object: { id: made!.id, object: 'refund', status: 'succeeded', amount: 700, currency: 'usd', payment_intent: payment.gateway_reference, metadata: { switchyard_refund_key: `${refund.id}:refund` } } },
      });
      const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: STRIPE_WEBHOOK_SECRET, timestamp: created });
      const accounts = await (await h.request('GET', '/v1/gateway_accounts')).json();
      const delivered = await h.request('POST', `/v1/webhooks/stripe/${accounts.data[0].id}`, { body: payload, key: null, headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header } });
      expect(delivered.status).toBe(200);
      const [settled] = (await (await h.request('GET', `/v1/payments/${payment.id}/refunds`)).json()).data;
      expect(settled).toMatchObject({ id: refund.id, status: 'succeeded', gateway_reference: made!.id });
      expect((await get(payment.id)).amount_refunded).toBe(700);
      // Its reconciler job has nothing left to do.
      await later(policy.requestLeaseMs);
      expect(h.stripe.ledger.refunds()).toHaveLength(1);
    });
  });

  describe('idempotency after a crash', () => {
    it('a retry after the lease answers the payment the crashed request created, and never charges again', async () => {
      const body = paymentBody();
      const payment = await pay(body);
      // The request that created it under key order-7 crashed before answering: its key is in progress, linked, not renewed.
      const merchantId = (await h.repositories.payments.byId(payment.id))!.payment.merchantId;
      const hash = await idempotencyHash('test-fingerprint-secret', merchantId, 'POST', '/v1/payments', JSON.stringify(body));
      const now = clock.now();
      await h.repositories.idempotency.claim(merchantId, 'order-7', hash, { now, leaseUntil: new Date(now.getTime() + 30_000), expiresAt: new Date(now.getTime() + 86_400_000) });
      await h.repositories.idempotency.link(merchantId, 'order-7', { type: 'payment.create', id: payment.id });

      const waiting = await h.request('POST', '/v1/payments', { body, headers: { 'Idempotency-Key': 'order-7' } });
      expect(waiting.status).toBe(409);
      expect(Number(waiting.headers.get('retry-after'))).toBeLessThanOrEqual(30);
      clock.advance(30_001);
      const retried = await h.request('POST', '/v1/payments', { body, headers: { 'Idempotency-Key': 'order-7' } });
      expect(retried.status).toBe(201);
      expect(await retried.json()).toMatchObject({ id: payment.id, status: 'succeeded' });
      expect(h.stripe.ledger.charges()).toBe(1);
    });
  });

  describe('3-D Secure', () => {
    const threeDs = (extra: Record<string, unknown> = {}) => paymentBody({ return_url: 'https://shop.example/return?order=7', ...extra }, { number: CARDS.threeDs });

    it('completes when the shopper passes the challenge and the merchant confirms', async () => {
      const payment = await pay(threeDs());
      expect(payment).toMatchObject({ status: 'requires_action', return_url: 'https://shop.example/return?order=7', next_action: { type: 'redirect' } });
      expect(new Date(payment.action_expires_at).getTime() - clock.now().getTime()).toBe(policy.actionTtlMs);
      // The shopper's browser: the challenge page, then its "complete" link, which redirects to return_url.
      const page = await fetch(payment.next_action.url);
      expect(page.status).toBe(200);
      const completed = await fetch(`${new URL(payment.next_action.url).origin}/_sim/3ds/${payment.gateway_reference}/complete?result=succeed`, { redirect: 'manual' });
      const back = new URL(completed.headers.get('location')!);
      expect(back.origin + back.pathname).toBe('https://shop.example/return');
      const confirmed = await h.request('POST', `/v1/payments/${payment.id}/confirm`, { body: { return_params: Object.fromEntries(back.searchParams) } });
      expect(confirmed.status).toBe(200);
      expect(await confirmed.json()).toMatchObject({ status: 'succeeded', amount_captured: 1999, next_action: null, settlement: null });
      expect(h.stripe.ledger.charges()).toBe(1);
    });

    it('is settled by the reconciler when the shopper passed but nobody confirmed', async () => {
      const payment = await pay(threeDs());
      await fetch(`${new URL(payment.next_action.url).origin}/_sim/3ds/${payment.gateway_reference}/complete?result=succeed`, { redirect: 'manual' });
      await later(policy.retryDelaysMs[0]!);
      expect(await get(payment.id)).toMatchObject({ status: 'succeeded' });
    });

    it('expires an abandoned challenge to failed, after a last look, and voids it at the gateway', async () => {
      const payment = await pay(threeDs());
      await later(policy.retryDelaysMs[0]!);
      expect((await get(payment.id)).status).toBe('requires_action');
      await later(policy.actionTtlMs);
      expect(await get(payment.id)).toMatchObject({ status: 'failed', failure: { code: 'authentication_abandoned' }, next_action: null, settlement: null });
      expect(h.stripe.ledger.paymentIntent(payment.gateway_reference)!.status).toBe('canceled');
      expect(h.stripe.ledger.charges()).toBe(0);
    });

    it('answers a payment no longer waiting as it stands', async () => {
      const payment = await pay();
      const confirmed = await h.request('POST', `/v1/payments/${payment.id}/confirm`, { body: {} });
      expect(confirmed.status).toBe(200);
      expect(await confirmed.json()).toMatchObject({ id: payment.id, status: 'succeeded' });
    });
  });

  describe('bad input', () => {
    it.each([
      ['a javascript: URL', { return_url: 'javascript:alert(1)' }],
      ['credentials in the URL', { return_url: 'https://user:pw@shop.example/return' }],
      ['a relative URL', { return_url: '/return' }],
      ['non-ASCII text', { return_url: 'https://shop.example/rück' }],
      ['an oversized URL', { return_url: `https://shop.example/${'a'.repeat(2100)}` }],
      ['a number', { return_url: 42 }],
    ])('refuses a return_url that is %s, and creates nothing', async (_name, overrides) => {
      const res = await h.request('POST', '/v1/payments', { body: paymentBody(overrides) });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ param: 'return_url' });
      expect(h.stripe.ledger.requestCount()).toBe(0);
      expect((await (await h.request('GET', '/v1/payments')).json()).data).toEqual([]);
    });

    it('refuses an unknown three_d_secure value', async () => {
      const res = await h.request('POST', '/v1/payments', { body: paymentBody({ three_d_secure: 'always' }) });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ param: 'three_d_secure' });
    });

    it.each([
      ['malformed JSON', '{"return_params":', 'invalid_json', undefined],
      ['return_params that is not an object', { return_params: ['a'] }, undefined, 'return_params'],
      ['too many return_params', { return_params: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, 'too_many_return_params', 'return_params'],
      ['a hostile key', '{"return_params":{"__proto__":{"x":"1"}}}', undefined, 'return_params.__proto__'],
      ['an unknown field', { return_params: {}, amount: 5 }, undefined, undefined],
      ['an oversized value', { return_params: { redirectResult: 'x'.repeat(5000) } }, undefined, 'return_params.redirectResult'],
    ])('refuses a confirm body with %s', async (_name, body, code, param) => {
      const payment = await pay();
      const res = await h.request('POST', `/v1/payments/${payment.id}/confirm`, { body });
      expect(res.status).toBe(400);
      const problem = await res.json();
      if (code) expect(problem.code).toBe(code);
      if (param) expect(problem.param).toBe(param);
    });

    it("answers 404 for an unknown or another merchant's payment", async () => {
      const payment = await pay();
      expect((await h.request('POST', '/v1/payments/pay_01NOSUCHPAYMENT/confirm', { body: {} })).status).toBe(404);
      expect((await h.request('POST', `/v1/payments/${payment.id}/confirm`, { body: {}, key: h.otherKey })).status).toBe(404);
      expect((await h.request('GET', `/v1/payments/${payment.id}/events`, { key: h.otherKey })).status).toBe(404);
    });
  });
});
