import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptIdentity, AuthorizeRequest, GatewayAdapter } from '../testkit/contract.js';
import { completeChallenge } from '../testkit/shopper.js';
import { startWebhookSink, type WebhookSink } from '../testkit/webhook-sink.js';
import { createBitPayAdapter } from './adapter.js';
import { newPrivateKey, startBitPaySimulator, type BitPaySimulator } from './simulator/index.js';

const RETURN_URL = 'https://shop.example/return';
let simulator: BitPaySimulator;
let sink: WebhookSink;
let adapter: GatewayAdapter;
let counter = 0;

beforeAll(async () => {
  sink = await startWebhookSink();
  simulator = await startBitPaySimulator({ privateKey: newPrivateKey(), webhookUrl: sink.url, webhookRetry: { scale: 0.001 } });
  adapter = createBitPayAdapter({ ...simulator.credentials, environment: 'test', baseUrl: simulator.url, notificationUrl: sink.url, returnUrl: RETURN_URL, timeoutMs: 2_000 });
});

afterAll(async () => {
  await simulator.close();
  await sink.close();
});

afterEach(async () => {
  await simulator.clearFault();
  sink.clear();
});

function request(overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
  counter += 1;
  return {
    paymentId: `pay_bitpay_${counter}`,
    attemptNumber: 1,
    idempotencyKey: `pay_bitpay_${counter}:1`,
    amount: 2500,
    currency: 'USD',
    captureMethod: 'automatic',
    method: { type: 'crypto', crypto: { currency: 'BTC' } },
    description: 'Order 1',
    customerEmail: null,
    returnUrl: null,
    threeDSecure: 'automatic',
    ...overrides,
  };
}

const identity = (r: AuthorizeRequest): AttemptIdentity => ({ paymentId: r.paymentId, attemptNumber: r.attemptNumber, idempotencyKey: r.idempotencyKey, amount: r.amount, currency: r.currency, captureMethod: r.captureMethod });

async function created(r: AuthorizeRequest): Promise<{ reference: string; url: string }> {
  const outcome = await adapter.authorize(r);
  if (outcome.kind !== 'requires_action' || outcome.nextAction === null) throw new Error(`expected requires_action, got ${JSON.stringify(outcome)}`);
  return { reference: outcome.reference, url: outcome.nextAction.url };
}

/** The payer on the hosted page: `succeed`, `underpay`, `overpay` or `fail`. */
async function pay(url: string, result: string) {
  const page = await fetch(url);
  const html = await page.text();
  const href = new RegExp(`href="([^"]*result=${result}[^"]*)"`).exec(html)?.[1];
  if (!href) throw new Error(`no result=${result} link on the hosted page`);
  const answer = await fetch(new URL(href.replaceAll('&amp;', '&'), url), { redirect: 'manual' });
  await answer.arrayBuffer();
  return answer;
}

describe('bitpay adapter against the simulator', () => {
  it('creates an invoice priced in fiat and answers requires_action with the hosted page', async () => {
    const r = request();
    const { reference, url } = await created(r);
    expect(url).toBe(`${simulator.url}/i/${reference}`);
    const invoice = simulator.ledger.invoice(reference)!;
    expect(invoice).toMatchObject({ price: 25, currency: 'USD', orderId: r.idempotencyKey, guid: r.idempotencyKey, paymentCurrencies: ['BTC'], notificationURL: sink.url, redirectURL: RETURN_URL });
    expect(await adapter.completeAction({ reference, attempt: identity(r), returnParams: {} })).toMatchObject({ kind: 'requires_action', reference });
  });

  it('a payment in full is approved and captured, with the quoted coin amount; its IPN, confirmed with BitPay, says so', async () => {
    const r = request();
    const { reference, url } = await created(r);
    const back = await pay(url, 'succeed');
    expect(back.headers.get('location')).toBe(RETURN_URL);
    const outcome = await adapter.completeAction({ reference, attempt: identity(r), returnParams: {} });
    const invoice = simulator.ledger.invoice(reference)!;
    expect(outcome).toEqual({
      kind: 'approved',
      reference,
      captured: true,
      crypto: { currency: 'BTC', amountDue: invoice.paymentTotals['BTC'], amountPaid: invoice.paymentTotals['BTC'], overpaid: 0, rate: 60_000 },
    });
    expect(Number.isSafeInteger(invoice.paymentTotals['BTC'])).toBe(true);
    const confirmed = await sink.waitFor((w) => w.rawBody.includes('invoice_confirmed'), 10_000);
    const verified = await adapter.parseWebhook(confirmed, new Date('2026-11-30T12:00:00Z'));
    expect(verified).toMatchObject({ ok: true, events: [{ type: 'authorization.succeeded', reference, merchantReference: r.idempotencyKey, amount: 2500, currency: 'USD', eventId: `${reference}:approved` }] });
    expect(simulator.ledger.totals('USD').captured).toBeGreaterThanOrEqual(2500);
  });

  it('an overpayment is approved, the excess recorded', async () => {
    const r = request({ method: { type: 'crypto', crypto: { currency: 'LTC' } } });
    const { reference, url } = await created(r);
    await pay(url, 'overpay');
    const outcome = await adapter.completeAction({ reference, attempt: identity(r), returnParams: {} });
    expect(outcome.kind).toBe('approved');
    const quote = outcome.kind === 'approved' ? outcome.crypto! : null;
    expect(quote!.currency).toBe('LTC');
    expect(quote!.overpaid).toBe(quote!.amountPaid - quote!.amountDue);
    expect(quote!.overpaid).toBeGreaterThan(0);
  });

  it('an underpayment stays awaiting payment, then expires as an underpaid decline', async () => {
    const r = request();
    const { reference, url } = await created(r);
    await pay(url, 'underpay');
    expect((await adapter.completeAction({ reference, attempt: identity(r), returnParams: {} })).kind).toBe('requires_action');
    simulator.expire(reference);
    const outcome = await adapter.completeAction({ reference, attempt: identity(r), returnParams: {} });
    expect(outcome).toMatchObject({ kind: 'declined', reference, decline: { reason: 'underpaid', providerCode: 'expired_paidPartial', cascade: false } });
    const expired = await sink.waitFor((w) => w.rawBody.includes('invoice_expired') && w.rawBody.includes(reference), 10_000);
    expect(await adapter.parseWebhook(expired, new Date())).toMatchObject({ ok: true, events: [{ type: 'authorization.failed', decline: { reason: 'underpaid' } }] });
  });

  it('an invoice left unpaid expires as payment_expired; a payer who closes the page pays nothing', async () => {
    const r = request();
    const { reference, url } = await created(r);
    const back = await pay(url, 'fail');
    expect(back.headers.get('location')).toBe(RETURN_URL);
    simulator.expire(reference);
    expect(await adapter.completeAction({ reference, attempt: identity(r), returnParams: {} })).toMatchObject({ kind: 'declined', decline: { reason: 'payment_expired' } });
  });

  it('the hosted page offers only the invoice\'s coins and never echoes another', async () => {
    const { url } = await created(request());
    const hostile = await fetch(`${url}?coin=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(hostile.status).toBe(400);
    expect(await hostile.text()).not.toContain('<script>');
    expect((await fetch(`${url}/pay?coin=LTC&result=succeed`, { redirect: 'manual' })).status).toBe(400);
  });

  it('a lost creation answer is found by the attempt key (guid), without the invoice id', async () => {
    const r = request();
    await simulator.setFault({ kind: 'charge_then_hang' }, { times: 1, pathPrefix: '/invoices' });
    const lost = await adapter.authorize(r);
    expect(lost).toMatchObject({ kind: 'unknown', reason: 'timeout' });
    const found = await adapter.sync({ reference: null, attempt: identity(r), resend: null });
    expect(found.kind).toBe('requires_action');
    expect(simulator.ledger.export().charges.filter((c) => c.orderReference === r.idempotencyKey)).toHaveLength(1);
  });

  it('a key never sent is not found', async () => {
    expect(await adapter.sync({ reference: null, attempt: identity(request()), resend: null })).toMatchObject({ kind: 'unknown', reason: 'not_found' });
  });

  it('tells a refused connection (not processed) from a 5xx, a 429 and an unreadable answer', async () => {
    await simulator.setFault({ kind: 'refuse_connections' });
    expect(await adapter.authorize(request())).toMatchObject({ kind: 'not_processed', reason: 'connection_refused' });
    await simulator.setFault({ kind: 'http_error', status: 503 });
    expect(await adapter.authorize(request())).toMatchObject({ kind: 'unknown', reason: 'server_error' });
    await simulator.setFault({ kind: 'http_error', status: 429 });
    expect(await adapter.authorize(request())).toMatchObject({ kind: 'not_processed', reason: 'rate_limited' });
    await simulator.setFault({ kind: 'malformed_response' });
    expect(await adapter.authorize(request())).toMatchObject({ kind: 'unknown', reason: 'malformed_response' });
  });

  it('refuses before any call what BitPay cannot take: another method, manual capture, an unpriced currency', async () => {
    const before = simulator.ledger.requestCount();
    expect(await adapter.authorize(request({ method: { type: 'paypal', paypal: { emailHint: null, brandName: null, locale: null, shippingPreference: 'no_shipping' } } }))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    expect(await adapter.authorize(request({ captureMethod: 'manual' }))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    expect(await adapter.authorize(request({ currency: 'SEK' }))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    expect(simulator.ledger.requestCount()).toBe(before);
  });

  it('a key BitPay has not paired is refused as authentication_failed', async () => {
    const stranger = createBitPayAdapter({ privateKey: newPrivateKey(), merchantToken: simulator.credentials.merchantToken, environment: 'test', baseUrl: simulator.url, notificationUrl: null, returnUrl: RETURN_URL, timeoutMs: 2_000 });
    expect(await stranger.authorize(request())).toMatchObject({ kind: 'not_processed', reason: 'authentication_failed' });
  });

  it('refuses an IPN that is not JSON, names no invoice, or names one BitPay does not hold for us', async () => {
    expect(await adapter.parseWebhook({ headers: {}, rawBody: 'not json' }, new Date())).toEqual({ ok: false, reason: 'malformed' });
    expect(await adapter.parseWebhook({ headers: {}, rawBody: '{"event":{"code":1005},"data":{}}' }, new Date())).toEqual({ ok: false, reason: 'malformed' });
    const forged = JSON.stringify({ event: { code: 1005, name: 'invoice_confirmed' }, data: { id: 'Forged0000000000000000', status: 'confirmed', price: 25, currency: 'USD' } });
    expect(await adapter.parseWebhook({ headers: {}, rawBody: forged }, new Date())).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('an IPN that claims more than BitPay says is answered by what BitPay says', async () => {
    const r = request();
    const { reference } = await created(r);
    const claim = JSON.stringify({ event: { code: 1005, name: 'invoice_confirmed' }, data: { id: reference, status: 'confirmed', price: 25, currency: 'USD' } });
    expect(await adapter.parseWebhook({ headers: {}, rawBody: claim }, new Date())).toEqual({ ok: true, events: [] });
  });

  it('cancels an unpaid invoice, so a late payment cannot land; a paid one cannot be', async () => {
    const unpaid = request();
    const open = await created(unpaid);
    expect(await adapter.cancel({ reference: open.reference, amount: 2500, currency: 'USD', idempotencyKey: 'k' })).toMatchObject({ kind: 'succeeded' });
    expect((await pay(open.url, 'succeed')).status).toBe(409);
    const paid = request();
    const done = await created(paid);
    await pay(done.url, 'succeed');
    expect(await adapter.cancel({ reference: done.reference, amount: 2500, currency: 'USD', idempotencyKey: 'k2' })).toMatchObject({ kind: 'rejected' });
  });

  it('a refund waits for the payer, then a resume finds it sent, once', async () => {
    const r = request();
    const { reference, url } = await created(r);
    await pay(url, 'succeed');
    const refund = await adapter.refund({ reference, amount: 1000, currency: 'USD', idempotencyKey: `${r.paymentId}:re1` });
    expect(refund).toMatchObject({ kind: 'pending', amount: 1000 });
    const resume = { operation: 'refund' as const, reference, modificationReference: null, amount: 1000, currency: 'USD', idempotencyKey: `${r.paymentId}:re1` };
    expect(await adapter.resumeModification(resume)).toMatchObject({ kind: 'pending' });
    simulator.settleRefund(refund.kind === 'pending' ? refund.reference : '');
    expect(await adapter.resumeModification(resume)).toMatchObject({ kind: 'succeeded', amount: 1000 });
    expect(simulator.ledger.invoice(reference)!.refunds).toHaveLength(1);
    expect(simulator.ledger.totals('USD').refunded).toBeGreaterThanOrEqual(1000);
  });

  it('a refund IPN is believed only as BitPay answers the refund: nothing while it waits for the payer, refund.succeeded once sent', async () => {
    const r = request();
    const { reference, url } = await created(r);
    await pay(url, 'succeed');
    const refund = await adapter.refund({ reference, amount: 700, currency: 'USD', idempotencyKey: `${r.paymentId}:re2` });
    if (refund.kind !== 'pending') throw new Error(`expected a pending refund, got ${JSON.stringify(refund)}`);
    // A forged refund_success for a refund still waiting for the payer's address changes nothing.
    const claim = (id: string) => JSON.stringify({ event: { code: 7003, name: 'refund_success' }, data: { id, invoice: reference, status: 'success', amount: 7, currency: 'USD' } });
    expect(await adapter.parseWebhook({ headers: {}, rawBody: claim(refund.reference) }, new Date())).toEqual({ ok: true, events: [] });
    expect(await adapter.parseWebhook({ headers: {}, rawBody: claim('NoSuchRefund0000000000') }, new Date())).toEqual({ ok: false, reason: 'invalid_signature' });
    expect(await adapter.parseWebhook({ headers: {}, rawBody: JSON.stringify({ event: { code: 7003, name: 'refund_success' }, data: { invoice: reference } }) }, new Date())).toEqual({ ok: false, reason: 'malformed' });

    simulator.settleRefund(refund.reference);
    const event = { type: 'refund.succeeded', reference, modificationReference: refund.reference, modificationKey: `${r.paymentId}:re2`, amount: 700, currency: 'USD', merchantReference: null };
    expect(await adapter.parseWebhook({ headers: {}, rawBody: claim(refund.reference) }, new Date())).toMatchObject({ ok: true, events: [event] });
    // The simulator's own IPN says the same, and its repeat is the same event.
    const delivered = await sink.waitFor(async (d) => {
      const read = await adapter.parseWebhook(d, new Date());
      return read.ok && read.events.some((e) => e.type === 'refund.succeeded' && e.modificationReference === refund.reference);
    });
    const at = new Date();
    const first = await adapter.parseWebhook(delivered, at);
    expect(first).toMatchObject({ ok: true, events: [event] });
    expect(await adapter.parseWebhook(delivered, at)).toEqual(first);
  });

  it('a refund whose request never arrived is requested on resume', async () => {
    const r = request();
    const { reference, url } = await created(r);
    await pay(url, 'succeed');
    const resume = { operation: 'refund' as const, reference, modificationReference: null, amount: 2500, currency: 'USD', idempotencyKey: `${r.paymentId}:re9` };
    expect(await adapter.resumeModification(resume)).toMatchObject({ kind: 'pending', amount: 2500 });
    expect(await adapter.resumeModification(resume)).toMatchObject({ kind: 'pending', amount: 2500 });
    expect(simulator.ledger.invoice(reference)!.refunds).toHaveLength(1);
  });
});
