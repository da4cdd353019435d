import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completeChallenge } from '../../adapters/testkit/shopper.js';
import { SYNC_DELAYS_MS } from '../../src/orchestrator/authorize.js';
import { DEFAULT_SETTLEMENT_POLICY } from '../../src/orchestrator/settle.js';
import { manualClock, type ManualClock } from '../support/clock.js';
import { sandboxClient } from '../support/sandbox-client.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { createHmac, timingSafeEqual } from 'node:crypto';

const policy = DEFAULT_SETTLEMENT_POLICY;
/** The attempt's answer and every lookup the request makes while it still has the card data. */
const LOST_WITH_LOOKUPS = 1 + SYNC_DELAYS_MS.length;
const THREE_DS_CARD = '4000002760003184';

/**
 * Settlement through the whole sandbox, on the gateways the Stripe harness cannot show: Braintree,
 * which sends no authorization webhook (only the reconciler's search can settle a lost answer),
 * and Adyen, which confirms by notification and completes 3-D Secure through /payments/details.
 * The router's clock is the test's; the simulators deliver their webhooks on their own.
 */
describe('settlement in the sandbox', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  let clock: ManualClock;
  const sims = () => t.sandbox.simulators;

  beforeAll(async () => {
    clock = manualClock(new Date());
    t = await sandboxClient({ clock, jobPollMs: 3_600_000, gatewayTimeoutMs: 1000 });
    await t.activate('default: { route: [stripe, adyen, braintree] }\n');
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    clock.set(new Date());
    for (const sim of Object.values(sims())) {
      await sim.clearFault();
      sim.ledger.reset();
      sim.clearWebhookFaults();
      sim.setWebhookRetryScale(0.001);
    }
  });

  const get = async (id: string) => (await t.api('GET', `/v1/payments/${id}`)).body;
  async function later(ms: number) {
    clock.advance(ms);
    await t.sandbox.jobs.runDue();
  }
  const pay = (gateway: string, overrides: Record<string, unknown> = {}, number = '4111111111111111') =>
    t.pay({ currency: 'USD', routing: { gateways: [gateway] }, ...overrides }, number);

  describe('Braintree (no authorization webhook)', () => {
    it('settles a sale whose answer was lost by searching its order id', async () => {
      // The sale is made and its answer lost; the in-request lookup is lost too.
      await sims().braintree!.setFault({ kind: 'charge_then_hang' }, { times: LOST_WITH_LOOKUPS });
      const payment = await pay('braintree');
      expect(payment).toMatchObject({ status: 'processing', settlement: { state: 'scheduled' } });
      await later(policy.retryDelaysMs[0]!);
      expect(await get(payment.id)).toMatchObject({ status: 'succeeded', amount_captured: 2500, settlement: null });
      expect(sims().braintree!.ledger.charges()).toBe(1);
    });

    it('fails, as never made, a sale Braintree still has no record of long after', async () => {
      // The request reached Braintree and was dropped before anything was done; the lookup is lost too.
      await sims().braintree!.setFault({ kind: 'hang' }, { times: LOST_WITH_LOOKUPS });
      const payment = await pay('braintree');
      expect(payment.status).toBe('processing');
      await later(policy.retryDelaysMs[0]!);
      // Too young for "not found" to prove anything: search indexes lag.
      expect(await get(payment.id)).toMatchObject({ status: 'processing', settlement: { last_finding: 'not_found' } });
      await later(policy.retryDelaysMs[1]!);
      await later(policy.retryDelaysMs[2]!);
      expect(await get(payment.id)).toMatchObject({ status: 'failed', failure: { code: 'gateway_no_record' } });
      expect(sims().braintree!.ledger.charges()).toBe(0);
    });

    it('is never sent a payment that requires 3-D Secure', async () => {
      await t.activate('default: { route: [braintree, stripe] }\n');
      try {
        const payment = await t.pay({ currency: 'USD', three_d_secure: 'required', return_url: 'https://shop.example/back' });
        const braintree = payment.decision.candidates.find((c: { gateway: string }) => c.gateway === 'braintree');
        expect(braintree).toMatchObject({ eligible: false, reason: 'three_d_secure_not_supported' });
        expect(payment.gateway.provider).toBe('stripe');
      } finally {
        await t.activate('default: { route: [stripe, adyen, braintree] }\n');
      }
    });
  });

  describe('Adyen', () => {
    it('completes 3-D Secure: the shopper passes, the merchant confirms with what the shopper came back with', async () => {
      const payment = await pay('adyen', { currency: 'EUR', return_url: 'https://shop.example/back' }, THREE_DS_CARD);
      expect(payment).toMatchObject({ status: 'requires_action', next_action: { type: 'redirect' } });
      const back = await completeChallenge(payment.next_action.url, 'succeed');
      expect(back.location?.origin).toBe('https://shop.example');
      expect(back.returnParams.redirectResult).toBeTruthy();
      const confirmed = await t.api('POST', `/v1/payments/${payment.id}/confirm`, { return_params: back.returnParams });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toMatchObject({ status: 'succeeded', next_action: null });
      expect(sims().adyen!.ledger.charges()).toBe(1);
    });

    it('completes 3-D Secure by the AUTHORISATION notification when nobody confirms', async () => {
      const payment = await pay('adyen', { currency: 'EUR', return_url: 'https://shop.example/back' }, THREE_DS_CARD);
      await completeChallenge(payment.next_action.url, 'succeed');
      const settled = await t.eventually(() => get(payment.id), (p) => p.status !== 'requires_action');
      expect(settled).toMatchObject({ status: 'succeeded' });
    });

    it('a failed challenge fails the payment', async () => {
      const payment = await pay('adyen', { currency: 'EUR', return_url: 'https://shop.example/back' }, THREE_DS_CARD);
      const back = await completeChallenge(payment.next_action.url, 'fail');
      const confirmed = await t.api('POST', `/v1/payments/${payment.id}/confirm`, { return_params: back.returnParams });
      expect(confirmed.body.status).toBe('failed');
      expect(sims().adyen!.ledger.charges()).toBe(0);
    });

    it('an authorization whose answer was lost and that Adyen cannot be asked about is voided by our reference, then failed as not charged', async () => {
      // Every try the request makes answers 500: Adyen has no lookup, and the reconciler has no card data to resend.
      await sims().adyen!.setFault({ kind: 'http_error', status: 500 }, { times: LOST_WITH_LOOKUPS });
      const payment = await pay('adyen', { currency: 'EUR' });
      expect(payment).toMatchObject({ status: 'processing', attempts: [{ status: 'unknown' }] });
      await later(policy.retryDelaysMs[0]!);
      await later(policy.retryDelaysMs[1]!);
      // Too young to give up on the AUTHORISATION notification: still only looked at.
      expect((await get(payment.id)).settlement).toMatchObject({ last_finding: 'pending_at_gateway' });
      await later(policy.retryDelaysMs[2]!);
      const settled = await t.eventually(() => get(payment.id), (p) => p.status !== 'processing');
      expect(settled).toMatchObject({ status: 'failed', failure: { code: 'authorization_voided' }, attempts: [{ status: 'failed', outcome_reason: 'voided_at_gateway' }] });
      expect(sims().adyen!.ledger.charges()).toBe(0);
    });

    /**
     * An authorization made, its answer lost, and its AUTHORISATION notification held back until
     * after the reconciler had Adyen void the attempt; `cancelFault` shapes the TECHNICAL_CANCEL.
     */
    async function lateApprovalAfterVoid(cancelFault: Parameters<ReturnType<typeof sims>['adyen']['setWebhookFault']>[0]) {
      await sims().adyen!.setFault({ kind: 'charge_then_hang' }, { times: LOST_WITH_LOOKUPS });
      sims().adyen!.setWebhookFault({ kind: 'reorder', after: 1, maxHoldMs: 600_000 }, { types: ['AUTHORISATION'], times: 1 });
      const payment = await pay('adyen', { currency: 'EUR', capture_method: 'manual' });
      expect(payment).toMatchObject({ status: 'processing', attempts: [{ status: 'unknown' }] });
      await later(policy.retryDelaysMs[0]!);
      await later(policy.retryDelaysMs[1]!);
      sims().adyen!.setWebhookFault(cancelFault, { types: ['TECHNICAL_CANCEL'], times: 1 });
      await later(policy.retryDelaysMs[2]!);
      expect((await get(payment.id)).status).toBe('processing');
      // Another payment's notification lets the held approval go.
      await pay('adyen', { currency: 'EUR', capture_method: 'manual' });
      return payment.id as string;
    }

    it('a late approval of an attempt Adyen was told to void fails the payment as voided, even when the void\'s notification is lost', async () => {
      const id = await lateApprovalAfterVoid({ kind: 'drop', forever: true });
      const settled = await t.eventually(() => get(id), (p) => p.status !== 'processing');
      expect(settled).toMatchObject({ status: 'failed', failure: { code: 'authorization_voided' }, amount_capturable: 0, attempts: [{ status: 'failed', outcome_reason: 'voided_at_gateway' }] });
      const charge = sims().adyen!.ledger.export().charges.find((c) => c.orderReference === `${id}:attempt:1`);
      expect(charge).toMatchObject({ captured: 0, released: charge!.authorized });
    });

    it('the void\'s notification arriving after the late approval changes nothing more', async () => {
      const since = Date.now();
      const id = await lateApprovalAfterVoid({ kind: 'reorder', after: 2, maxHoldMs: 600_000 });
      const cancels = () => Promise.resolve(sims().adyen!.webhookDeliveries().filter((d) => d.type === 'TECHNICAL_CANCEL' && d.createdAt >= since));
      await t.eventually(cancels, (all) => all.length === 1 && all[0]!.state === 'delivered');
      expect(await get(id)).toMatchObject({ status: 'failed', failure: { code: 'authorization_voided' }, amount_capturable: 0 });
      const timeline = (await t.api('GET', `/v1/payments/${id}/events`)).body.data.map((e: { type: string }) => e.type);
      expect(timeline.filter((type: string) => type.startsWith('payment.'))).toEqual(['payment.failed']);
    });

    it('a capture whose notification is lost once is confirmed by Adyen\'s retry', async () => {
      const payment = await pay('adyen', { currency: 'EUR', capture_method: 'manual' });
      sims().adyen!.setWebhookFault({ kind: 'drop' }, { times: 1 });
      const captured = await t.api('POST', `/v1/payments/${payment.id}/capture`, { amount: 1000 });
      expect(captured.body).toMatchObject({ status: 'processing', pending_operation: { type: 'capture', state: 'accepted' } });
      const settled = await t.eventually(() => get(payment.id), (p) => p.status !== 'processing');
      expect(settled).toMatchObject({ status: 'succeeded', amount_captured: 1000, pending_operation: null });
    });

    it('a capture whose notification never comes is flagged for review after the last try, not guessed', async () => {
      const payment = await pay('adyen', { currency: 'EUR', capture_method: 'manual' });
      sims().adyen!.setWebhookFault({ kind: 'drop', forever: true });
      expect((await t.api('POST', `/v1/payments/${payment.id}/capture`, {})).body.status).toBe('processing');
      for (const delay of policy.retryDelaysMs) await later(delay);
      expect(await get(payment.id)).toMatchObject({
        status: 'processing',
        pending_operation: { type: 'capture', state: 'accepted' },
        review: { reason: 'unresolved:awaiting_confirmation' },
      });
    });
  });

  describe('merchant webhooks', () => {
    it("signs and delivers every state change of a payment, and redelivers after the merchant's endpoint was down", async () => {
      const receiver = await startReceiver();
      try {
        const endpoint = (await t.api('POST', '/v1/webhook_endpoints', { url: receiver.url, enabled_events: ['*'] })).body;
        const payment = await pay('stripe', { capture_method: 'manual' });
        await receiver.stop();
        await later(0);
        expect(receiver.requests).toHaveLength(0);
        await receiver.start();
        await later(60_000);
        const [delivered] = receiver.requests;
        expect(JSON.parse(delivered!.body)).toMatchObject({ type: 'payment.requires_capture', data: { object: { id: payment.id, status: 'requires_capture' } } });
        // What a merchant checks: the HMAC of "t.body" under the endpoint's secret.
        const header = String(delivered!.headers['switchyard-signature']);
        const [, timestamp, signature] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header)!;
        const expected = createHmac('sha256', endpoint.secret).update(`${timestamp}.${delivered!.body}`).digest();
        expect(timingSafeEqual(expected, Buffer.from(signature!, 'hex'))).toBe(true);

        await t.api('POST', `/v1/payments/${payment.id}/capture`, {});
        await later(0);
        expect(receiver.requests.map((r) => JSON.parse(r.body).type)).toEqual(['payment.requires_capture', 'payment.succeeded']);
      } finally {
        await receiver.close();
      }
    });
  });
});
