import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BitPaySimulator } from '../../adapters/bitpay/simulator/index.js';
import { DEFAULT_SETTLEMENT_POLICY } from '../../src/orchestrator/settle.js';
import { manualClock, type ManualClock } from '../support/clock.js';
import { sandboxClient } from '../support/sandbox-client.js';
import { until } from '../support/until.js';

/**
 * Crypto end to end in the sandbox: the API, routing by method, bitpay-sdk and the BitPay
 * simulator, the payer on BitPay's hosted page, unsigned IPNs confirmed by reading the invoice, and
 * the reconciler when an IPN is lost. The router's clock is the test's own.
 */
describe('crypto payments through BitPay', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  let clock: ManualClock;
  const sim = () => t.sandbox.simulators['bitpay'] as BitPaySimulator;
  const get = async (id: string) => (await t.api('GET', `/v1/payments/${id}`)).body;
  const create = (body: Record<string, unknown> = {}) =>
    t.api('POST', '/v1/payments', { amount: 2500, currency: 'USD', payment_method: { type: 'crypto', crypto: { currency: 'BTC' } }, return_url: 'https://shop.example/back', ...body });
  async function settledTo(id: string, status: string) {
    await until(async () => (await get(id)).status === status);
    return get(id);
  }

  /** The payer on the hosted page: `succeed`, `underpay`, `overpay` or `fail`. */
  async function pay(url: string, result: string): Promise<string | null> {
    const html = await (await fetch(url)).text();
    const href = new RegExp(`href="([^"]*result=${result}[^"]*)"`).exec(html)?.[1];
    if (!href) throw new Error(`no result=${result} link on the hosted page`);
    const answer = await fetch(new URL(href.replaceAll('&amp;', '&'), url), { redirect: 'manual' });
    await answer.arrayBuffer();
    return answer.headers.get('location');
  }

  beforeAll(async () => {
    clock = manualClock(new Date());
    t = await sandboxClient({ clock, jobPollMs: 3_600_000, gatewayTimeoutMs: 10_000 });
  });
  afterAll(() => t?.close());
  beforeEach(() => sim().clearWebhookFaults());

  it('routes crypto to BitPay: requires_action with the hosted page, then succeeded by its IPN, charged once', async () => {
    const created = await create();
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'requires_action', gateway: { provider: 'bitpay' }, payment_method: { type: 'crypto', crypto: { currency: null } }, next_action: { type: 'redirect' } });
    const reasons = Object.fromEntries((created.body.decision.candidates as { gateway: string; reason: string | null }[]).map((c) => [c.gateway, c.reason]));
    expect(reasons).toMatchObject({ bitpay: null, stripe: 'payment_method_not_supported', paypal: 'payment_method_not_supported' });
    const reference = created.body.gateway_reference as string;
    expect(sim().ledger.invoice(reference)).toMatchObject({ price: 25, currency: 'USD', paymentCurrencies: ['BTC'], redirectURL: 'https://shop.example/back' });

    expect(await pay(created.body.next_action.url, 'succeed')).toBe('https://shop.example/back');
    const settled = await settledTo(created.body.id, 'succeeded');
    expect(settled).toMatchObject({ amount_captured: 2500, currency: 'USD' });
    // The quote, in satoshis, as BitPay reported it with the confirmation.
    const due = sim().ledger.invoice(reference)!.paymentTotals['BTC'];
    expect(settled.attempts).toMatchObject([{ outcome: 'approved', crypto: { currency: 'BTC', amount_due: due, amount_paid: due, overpaid: 0, rate: 60_000 } }]);
    // The coin the invoice was paid in, as BitPay reported it, on the payment's method too.
    expect(settled.payment_method).toEqual({ type: 'crypto', crypto: { currency: 'BTC' } });
    expect(sim().ledger.export().charges.filter((c) => c.reference === reference)).toMatchObject([{ captured: 2500, status: 'confirmed' }]);
  });

  it('a paid invoice still awaiting confirmations outlives the payer\'s hour: processing until the chain confirms, never abandoned', async () => {
    sim().holdConfirmations(true);
    try {
      const created = await create();
      const reference = created.body.gateway_reference as string;
      await pay(created.body.next_action.url, 'succeed');
      await sim().idle();
      expect(sim().ledger.invoice(reference)).toMatchObject({ status: 'paid' });
      expect((await get(created.body.id)).status).toBe('requires_action');
      clock.advance(DEFAULT_SETTLEMENT_POLICY.actionTtlMs + 1_000);
      await t.sandbox.jobs.runDue();
      expect(await get(created.body.id)).toMatchObject({ status: 'processing', attempts: [{ outcome: 'pending' }] });
      sim().confirm(reference);
      expect(await settledTo(created.body.id, 'succeeded')).toMatchObject({ amount_captured: 2500, failure: null });
    } finally {
      sim().holdConfirmations(false);
    }
  });

  it('settles a payment whose IPNs are lost, by the reconciler reading the invoice', async () => {
    sim().setWebhookFault({ kind: 'drop', forever: true }, { types: ['invoice_paidInFull', 'invoice_confirmed'] });
    const created = await create({ payment_method: { type: 'crypto' } });
    await pay(created.body.next_action.url, 'succeed');
    await sim().idle();
    expect((await get(created.body.id)).status).toBe('requires_action');
    clock.advance(DEFAULT_SETTLEMENT_POLICY.requestLeaseMs + 1_000);
    await t.sandbox.jobs.runDue();
    const settled = await settledTo(created.body.id, 'succeeded');
    expect(settled).toMatchObject({ amount_captured: 2500 });
    // Found by the reconciler: the quote comes from the invoice it read.
    expect(settled.attempts[0]).toMatchObject({ outcome_reason: 'resolved_by_reconciler', crypto: { amount_paid: expect.any(Number) } });
  });

  it('a refund stays pending until the payer gives BitPay a refund address, then succeeds by BitPay\'s refund IPN', async () => {
    const created = await create();
    await pay(created.body.next_action.url, 'succeed');
    await settledTo(created.body.id, 'succeeded');
    const refund = await t.api('POST', `/v1/payments/${created.body.id}/refunds`, { amount: 1000 });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ status: 'pending', amount: 1000, gateway_reference: expect.any(String) });
    await sim().idle();
    const refunds = async () => (await t.api('GET', `/v1/payments/${created.body.id}/refunds`)).body.data as { id: string; status: string }[];
    expect(await refunds()).toMatchObject([{ id: refund.body.id, status: 'pending' }]);

    sim().settleRefund(refund.body.gateway_reference);
    // No reconciler run: the notification alone settles it.
    await until(async () => (await refunds())[0]?.status === 'succeeded');
    expect(await get(created.body.id)).toMatchObject({ amount_refunded: 1000 });
    expect(sim().ledger.invoice(created.body.gateway_reference)!.refunds).toMatchObject([{ id: refund.body.gateway_reference, status: 'success', amount: 10 }]);
  });

  it('a refund whose IPN is lost is settled by the reconciler looking it up', async () => {
    sim().setWebhookFault({ kind: 'drop', forever: true }, { types: ['refund_created', 'refund_success'] });
    const created = await create();
    await pay(created.body.next_action.url, 'succeed');
    await settledTo(created.body.id, 'succeeded');
    const refund = await t.api('POST', `/v1/payments/${created.body.id}/refunds`, {});
    expect(refund.body).toMatchObject({ status: 'pending', amount: 2500 });
    sim().settleRefund(refund.body.gateway_reference);
    await sim().idle();
    const refunds = async () => (await t.api('GET', `/v1/payments/${created.body.id}/refunds`)).body.data as { status: string }[];
    expect((await refunds())[0]?.status).toBe('pending');
    for (let i = 0; i < 5 && (await refunds())[0]?.status !== 'succeeded'; i += 1) {
      clock.advance(DEFAULT_SETTLEMENT_POLICY.requestLeaseMs + 60 * 60_000);
      await t.sandbox.jobs.runDue();
    }
    expect(await refunds()).toMatchObject([{ status: 'succeeded', amount: 2500 }]);
    expect(sim().ledger.invoice(created.body.gateway_reference)!.refunds).toHaveLength(1);
  });

  it('an overpaid invoice succeeds for the price', async () => {
    const created = await create();
    await pay(created.body.next_action.url, 'overpay');
    const settled = await settledTo(created.body.id, 'succeeded');
    expect(settled).toMatchObject({ amount_captured: 2500 });
    const invoice = sim().ledger.invoice(created.body.gateway_reference)!;
    expect(invoice.exceptionStatus).toBe('paidOver');
    expect(settled.attempts[0].crypto).toEqual({ currency: 'BTC', amount_due: invoice.paymentTotals['BTC'], amount_paid: invoice.amountPaid, overpaid: invoice.amountPaid - invoice.paymentTotals['BTC']!, rate: 60_000 });
    expect(settled.attempts[0].crypto.overpaid).toBeGreaterThan(0);
  });

  it('an underpaid invoice that expires fails as underpaid; nothing is charged', async () => {
    const created = await create();
    await pay(created.body.next_action.url, 'underpay');
    expect((await get(created.body.id)).status).toBe('requires_action');
    sim().expire(created.body.gateway_reference);
    const failed = await settledTo(created.body.id, 'failed');
    expect(failed).toMatchObject({ failure: { code: 'underpaid' }, amount_captured: 0 });
    expect(failed.attempts[0].crypto.amount_paid).toBeLessThan(failed.attempts[0].crypto.amount_due);
    expect(sim().ledger.export().charges.find((c) => c.reference === created.body.gateway_reference)).toMatchObject({ captured: 0, status: 'expired' });
  });

  it('an invoice nobody pays fails as payment_expired', async () => {
    const created = await create();
    sim().expire(created.body.gateway_reference);
    expect(await settledTo(created.body.id, 'failed')).toMatchObject({ failure: { code: 'payment_expired' } });
  });

  it('refuses malformed, oversized and hostile crypto input, naming the field, and stores nothing', async () => {
    const before = (await t.api('GET', '/v1/payments?limit=100')).body.data.length;
    const cases: [Record<string, unknown>, string][] = [
      [{ payment_method: { type: 'crypto', crypto: { currency: 'XRP' } } }, 'payment_method.crypto.currency'],
      [{ payment_method: { type: 'crypto', crypto: { currency: 'btc' } } }, 'payment_method.crypto.currency'],
      [{ payment_method: { type: 'crypto', crypto: { currency: 'B'.repeat(5000) } } }, 'payment_method.crypto.currency'],
      [{ payment_method: { type: 'crypto', crypto: { wallet_seed: 'abandon abandon abandon' } } }, 'payment_method.crypto.wallet_seed'],
      [{ payment_method: { type: 'crypto', crypto: 'BTC' } }, 'payment_method.crypto'],
      [{ currency: 'SEK' }, 'currency'],
      [{ capture_method: 'manual' }, 'capture_method'],
    ];
    for (const [body, param] of cases) {
      const res = await create(body);
      expect(res.status, param).toBe(400);
      expect(res.body.param, JSON.stringify(res.body)).toBe(param);
      expect(JSON.stringify(res.body)).not.toContain('abandon');
    }
    expect((await t.api('GET', '/v1/payments?limit=100')).body.data.length).toBe(before);
  });
});
