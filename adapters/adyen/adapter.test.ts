import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookEvent, WebhookEventType } from '../../src/domain/webhook.js';
import { attemptIdentity, type AuthorizeRequest, type CardInput, type GatewayAdapter } from '../testkit/contract.js';
import { startWebhookSink, type WebhookSink } from '../testkit/webhook-sink.js';
import { createAdyenAdapter } from './adapter.js';
import { startAdyenSimulator, type AdyenSimulator } from './simulator/index.js';

const API_KEY = 'AQE_adapter_test_key_0123456789';
const MERCHANT = 'AdapterTestMerchant';
const HMAC_KEY = '0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0';
const VISA = '4111111145551142';
const CVC = '737';

let sim: AdyenSimulator;
let sink: WebhookSink;
let adapter: GatewayAdapter;
const outcomes: unknown[] = [];
let sequence = 0;

beforeAll(async () => {
  sink = await startWebhookSink();
  sim = await startAdyenSimulator({ hmacKey: HMAC_KEY, apiKey: API_KEY, merchantAccount: MERCHANT, webhookUrl: sink.url, notificationDelayMs: 5 });
  adapter = adapterFor();
});
afterAll(async () => {
  await sim.close();
  await sink.close();
});
beforeEach(async () => {
  await sim.clearFault();
  sim.setLatency(null);
  sim.setApprovalRates([]);
  sim.ledger.reset();
  sink.clear();
});

function adapterFor(overrides: Partial<Parameters<typeof createAdyenAdapter>[0]> = {}): GatewayAdapter {
  return createAdyenAdapter({ apiKey: API_KEY, merchantAccount: MERCHANT, baseUrl: sim.url, hmacKey: HMAC_KEY, returnUrl: 'https://shop.example/return', timeoutMs: 300, ...overrides });
}

function card(holderName: string | null = 'Jane Shopper', number = VISA): CardInput {
  return { number, expMonth: 3, expYear: 2030, cvc: CVC, holderName };
}

function request({ card: given, ...input }: Partial<AuthorizeRequest> & { card?: CardInput } = {}): AuthorizeRequest {
  sequence += 1;
  const paymentId = `pay_adyen_test_${sequence}`;
  return {
    paymentId,
    attemptNumber: 1,
    idempotencyKey: `${paymentId}:attempt:1`,
    amount: 2500,
    currency: 'EUR',
    captureMethod: 'automatic',
    method: { type: 'card', card: given ?? card() },
    description: 'Order 1',
    customerEmail: 'shopper@example.com',
    returnUrl: null,
    threeDSecure: 'automatic',
    ...input,
  };
}

async function authorize(req: AuthorizeRequest, using = adapter) {
  const outcome = await using.authorize(req);
  outcomes.push(outcome);
  return outcome;
}

async function approvedManual(amount = 2500) {
  const req = request({ captureMethod: 'manual', amount });
  const outcome = await authorize(req);
  if (outcome.kind !== 'approved') throw new Error(`expected approval, got ${JSON.stringify(outcome)}`);
  return { req, reference: outcome.reference };
}

/** The first verified event of this type about this modification (or payment). */
async function event(type: WebhookEventType, reference: string): Promise<WebhookEvent> {
  let found: WebhookEvent | undefined;
  await sink.waitFor(async (delivered) => {
    const verified = await adapter.parseWebhook(delivered, new Date());
    found = verified.ok ? verified.events.find((e) => e.type === type && (e.modificationReference ?? e.reference) === reference) : undefined;
    return found !== undefined;
  });
  return found!;
}

describe('authorize', () => {
  it('approves and captures at once with automatic capture, and says so by notification', async () => {
    const req = request();
    const outcome = await authorize(req);
    expect(outcome).toMatchObject({ kind: 'approved', captured: true });
    if (outcome.kind !== 'approved') return;
    expect(sim.ledger.payment(outcome.reference)).toMatchObject({ manualCapture: false, authorized: 2500, captured: 2500, merchantReference: req.idempotencyKey });
    expect(await event('authorization.succeeded', outcome.reference)).toMatchObject({ merchantReference: req.idempotencyKey, amount: 2500, currency: 'EUR' });
  });

  it('asks for manual capture, leaving the authorization uncaptured', async () => {
    const { reference } = await approvedManual();
    expect(sim.ledger.payment(reference)).toMatchObject({ manualCapture: true, authorized: 2500, captured: 0 });
  });

  it('declines through the decline table, and the notification agrees', async () => {
    const outcome = await authorize(request({ card: card('NOT_ENOUGH_BALANCE') }));
    expect(outcome).toMatchObject({ kind: 'declined', decline: { reason: 'insufficient_funds', providerCode: '12', cascade: false } });
    if (outcome.kind !== 'declined' || outcome.reference === null) throw new Error('expected a referenced decline');
    expect((await event('authorization.failed', outcome.reference)).decline).toMatchObject({ reason: 'insufficient_funds', providerCode: '12' });
    expect(sim.ledger.charges()).toBe(0);
  });

  it('declines Cancelled and Error results as Adyen gives them', async () => {
    expect(await authorize(request({ card: card('FRAUD_CANCELLED') }))).toMatchObject({ kind: 'declined', decline: { reason: 'suspected_fraud', providerCode: '22' } });
    expect(await authorize(request({ card: card('ERROR') }))).toMatchObject({ kind: 'declined', decline: { reason: 'processing_error', cascade: true } });
  });

  it('leaves a payment Adyen has only received unknown (pending at the gateway)', async () => {
    expect(await authorize(request({ card: card('PENDING') }))).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
  });

  it('answers requires_action with the redirect, and the authentication result arrives by notification', async () => {
    const outcome = await authorize(request({ card: card(null, '4212345678910006'), captureMethod: 'manual' }));
    expect(outcome).toMatchObject({ kind: 'requires_action', nextAction: { type: 'redirect' } });
    if (outcome.kind !== 'requires_action' || outcome.nextAction === null) return;
    expect(outcome.nextAction.url).toBe(`${sim.url}/_sim/3ds/${outcome.reference}`);
    expect((await fetch(outcome.nextAction.url)).status).toBe(200);
    expect((await fetch(`${outcome.nextAction.url}/complete?result=succeed`, { redirect: 'manual' })).status).toBe(302);
    await event('authorization.succeeded', outcome.reference);
    expect(sim.ledger.payment(outcome.reference)).toMatchObject({ authorized: 2500, captured: 0 });
  });

  it('a failed authentication refuses the payment', async () => {
    const outcome = await authorize(request({ card: card(null, '5454545454545454') }));
    if (outcome.kind !== 'requires_action' || outcome.nextAction === null) throw new Error('expected a redirect');
    await fetch(`${outcome.nextAction.url}/complete?result=fail`, { redirect: 'manual' });
    expect((await event('authorization.failed', outcome.reference)).decline).toMatchObject({ reason: 'authentication_required' });
    expect(sim.ledger.charges()).toBe(0);
  });

  it('is not processed when Adyen rejects the request: a card number that fails Luhn, an expiry in the past', async () => {
    expect(await authorize(request({ card: { ...card(), number: '4111111145551143' } }))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    expect(await authorize(request({ card: { ...card(), expYear: 2020 } }))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    expect(sim.ledger.charges()).toBe(0);
  });

  it('is not processed when the API key or merchant account is refused', async () => {
    expect(await authorize(request(), adapterFor({ apiKey: 'AQE_wrong' }))).toMatchObject({ kind: 'not_processed', reason: 'authentication_failed' });
    expect(await authorize(request(), adapterFor({ merchantAccount: 'SomeoneElse' }))).toMatchObject({ kind: 'not_processed', reason: 'authentication_failed' });
  });

  it('soft-declines per the approval rates with Adyen\'s generic refusal', async () => {
    sim.setApprovalRates([{ network: 'visa', rate: 0 }]);
    expect(await authorize(request())).toMatchObject({ kind: 'declined', decline: { reason: 'do_not_honor', providerCode: '2', cascade: true } });
    expect(await authorize(request({ card: card(null, '5555341244441115') }))).toMatchObject({ kind: 'approved' });
  });
});

describe('3-D Secure completion', () => {
  /** What the shopper's browser does: finish the challenge, and come back to the shop with the query it is given. */
  async function challenge(url: string, result: 'succeed' | 'fail'): Promise<{ location: URL; returnParams: Record<string, string> }> {
    const page = await (await fetch(url)).text();
    const link = /href="([^"]+result=succeed)"/.exec(page)?.[1];
    if (!link) throw new Error('no completion link on the 3-D Secure page');
    const back = await fetch(new URL(link.replace('result=succeed', `result=${result}`), url), { redirect: 'manual' });
    expect(back.status).toBe(302);
    const location = new URL(back.headers.get('location')!);
    return { location, returnParams: Object.fromEntries(location.searchParams) };
  }

  it('asks for 3-D Secure when required, returns to the request\'s returnUrl, and completes through /payments/details', async () => {
    const req = request({ captureMethod: 'manual', threeDSecure: 'required', returnUrl: 'https://shop.example/pay/7/back' });
    const outcome = await authorize(req);
    if (outcome.kind !== 'requires_action' || outcome.nextAction === null) throw new Error(`expected a redirect, got ${outcome.kind}`);
    const attempt = attemptIdentity(req);
    expect(await adapter.completeAction({ reference: outcome.reference, attempt, returnParams: {} })).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });

    const { location, returnParams } = await challenge(outcome.nextAction.url, 'succeed');
    expect(`${location.origin}${location.pathname}`).toBe('https://shop.example/pay/7/back');
    expect(Object.keys(returnParams)).toEqual(['redirectResult']);
    const completed = await adapter.completeAction({ reference: outcome.reference, attempt, returnParams });
    outcomes.push(completed);
    // additionalData's cardIssuingCountry (Adyen's test card list gives no funding source for it).
    expect(completed).toEqual({ kind: 'approved', reference: outcome.reference, captured: false, card: { type: null, issuerCountry: 'US' }, networkTransactionId: expect.stringMatching(/^\d{15}$/) });
    // Asked again (a reloaded return page): the same answer, replayed under the same key, nothing new.
    expect(await adapter.completeAction({ reference: outcome.reference, attempt, returnParams })).toEqual(completed);
    expect(sim.ledger.requests().filter((r) => r.path === '/v72/payments/details').map((r) => r.replayed)).toEqual([false, true]);
    expect(sim.ledger.payment(outcome.reference)).toMatchObject({ authorized: 2500, captured: 0 });
    await event('authorization.succeeded', outcome.reference);
  });

  it('a failed challenge completes as an authentication decline, and the default returnUrl is the configured one', async () => {
    const req = request({ card: card(null, '4212345678910006') });
    const outcome = await authorize(req);
    if (outcome.kind !== 'requires_action' || outcome.nextAction === null) throw new Error('expected a redirect');
    const { location, returnParams } = await challenge(outcome.nextAction.url, 'fail');
    expect(location.href.startsWith('https://shop.example/return?')).toBe(true);
    expect(await adapter.completeAction({ reference: outcome.reference, attempt: attemptIdentity(req), returnParams })).toMatchObject({
      kind: 'declined',
      reference: outcome.reference,
      decline: { reason: 'authentication_required', providerCode: '11' },
    });
    expect(sim.ledger.charges()).toBe(0);
  });

  it('refuses to take another payment\'s redirectResult for this one', async () => {
    const [first, second] = [request({ card: card(null, '4212345678910006') }), request({ card: card(null, '4212345678910006') })];
    const a = await authorize(first);
    const b = await authorize(second);
    if (a.kind !== 'requires_action' || b.kind !== 'requires_action') throw new Error('expected redirects');
    const { returnParams } = await challenge(a.nextAction!.url, 'succeed');
    expect(await adapter.completeAction({ reference: b.reference, attempt: attemptIdentity(second), returnParams })).toMatchObject({
      kind: 'unknown',
      reason: 'pending_at_gateway',
      detail: expect.stringContaining('another Adyen payment'),
    });
  });

  it('an unknown redirectResult or a failed call stays unknown, never not_processed', async () => {
    const req = request({ card: card(null, '4212345678910006') });
    const outcome = await authorize(req);
    if (outcome.kind !== 'requires_action') throw new Error('expected a redirect');
    const attempt = attemptIdentity(req);
    expect(await adapter.completeAction({ reference: outcome.reference, attempt, returnParams: { redirectResult: 'forged' } })).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
    await sim.setFault({ kind: 'http_error', status: 429 }, { times: 1 });
    expect(await adapter.completeAction({ reference: outcome.reference, attempt, returnParams: { redirectResult: 'x' } })).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
    await sim.setFault({ kind: 'hang' });
    expect(await adapter.completeAction({ reference: outcome.reference, attempt, returnParams: { redirectResult: 'x' } })).toMatchObject({ kind: 'unknown', reason: 'timeout' });
  });
});

describe('ambiguity', () => {
  it('a timeout is unknown and charged nothing', async () => {
    await sim.setFault({ kind: 'hang' });
    expect(await authorize(request())).toMatchObject({ kind: 'unknown', reason: 'timeout' });
    expect(sim.ledger.charges()).toBe(0);
  });

  it('a refused connection is certain, and the same port answers again once cleared', async () => {
    const port = sim.port;
    await sim.setFault({ kind: 'refuse_connections' });
    expect(await authorize(request())).toMatchObject({ kind: 'not_processed', reason: 'connection_refused' });
    await sim.clearFault();
    expect(sim.port).toBe(port);
    expect(await authorize(request())).toMatchObject({ kind: 'approved' });
  });

  it.each([500, 502, 503] as const)('a %i is unknown', async (status) => {
    await sim.setFault({ kind: 'http_error', status });
    expect(await authorize(request())).toMatchObject({ kind: 'unknown', reason: 'server_error' });
  });

  it('a 429 is certain: rate limited', async () => {
    await sim.setFault({ kind: 'http_error', status: 429 });
    expect(await authorize(request())).toMatchObject({ kind: 'not_processed', reason: 'rate_limited' });
  });

  it.each([
    ['charge_then_hang', 'timeout'],
    ['charge_then_500', 'server_error'],
    ['malformed_response', 'malformed_response'],
  ] as const)('%s is unknown; sync resends under the same key and finds the one charge', async (kind, reason) => {
    const req = request();
    await sim.setFault({ kind }, { times: 1 });
    expect(await authorize(req)).toMatchObject({ kind: 'unknown', reason });
    await sim.clearFault();
    const found = await adapter.sync({ reference: null, attempt: attemptIdentity(req), resend: req });
    outcomes.push(found);
    expect(found).toMatchObject({ kind: 'approved', captured: true });
    expect(sim.ledger.charges()).toBe(1);
    expect(sim.ledger.requests().filter((r) => r.idempotencyKey === req.idempotencyKey).map((r) => r.replayed)).toEqual([false, true]);
  });

  it('sync with a reference also resends the original (Checkout has no lookup) and charges nothing more', async () => {
    const { req, reference } = await approvedManual();
    expect(await adapter.sync({ reference, attempt: attemptIdentity(req), resend: req })).toMatchObject({ kind: 'approved', reference, captured: false });
    expect(sim.ledger.charges()).toBe(1);
  });

  it('without the card data (the reconciler) sync asks nothing and leaves the attempt to its notification', async () => {
    const req = request();
    await sim.setFault({ kind: 'charge_then_500' }, { times: 1 });
    expect(await authorize(req)).toMatchObject({ kind: 'unknown' });
    const requests = sim.ledger.requestCount();
    for (const reference of [null, 'ANYPSPREFERENCE0']) {
      expect(await adapter.sync({ reference, attempt: attemptIdentity(req), resend: null })).toMatchObject({
        kind: 'unknown',
        reason: 'pending_at_gateway',
        detail: expect.stringContaining('AUTHORISATION notification'),
      });
    }
    expect(sim.ledger.requestCount()).toBe(requests);
    const [payment] = sim.ledger.payments();
    expect(await event('authorization.succeeded', payment!.pspReference)).toMatchObject({ merchantReference: req.idempotencyKey });
    expect(sim.ledger.charges()).toBe(1);
  });

  it('a resend while the first request still runs is unknown, never a second charge', async () => {
    sim.setLatency({ kind: 'fixed', ms: 150 });
    const req = request();
    const [first, second] = await Promise.all([authorize(req), new Promise((r) => setTimeout(r, 30)).then(() => authorize(req))]);
    expect(first).toMatchObject({ kind: 'approved' });
    expect(second).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
    expect(sim.ledger.charges()).toBe(1);
  });

  it('a gateway nobody listens on is certainly not reached', async () => {
    const closed = await startAdyenSimulator({ hmacKey: HMAC_KEY });
    const url = closed.url;
    await closed.close();
    expect(await authorize(request(), adapterFor({ baseUrl: url }))).toMatchObject({ kind: 'not_processed', reason: 'connection_refused' });
  });
});

describe('modifications', () => {
  it('a partial capture is final: the rest is released, and a second capture fails by notification', async () => {
    const { req, reference } = await approvedManual(3000);
    const first = await adapter.capture({ reference, amount: 1000, currency: req.currency, idempotencyKey: `${req.paymentId}:capture:1` });
    outcomes.push(first);
    expect(first).toMatchObject({ kind: 'pending', amount: 1000 });
    if (first.kind !== 'pending') return;
    expect(await event('capture.succeeded', first.reference)).toMatchObject({ reference, amount: 1000 });
    const second = await adapter.capture({ reference, amount: 1000, currency: req.currency, idempotencyKey: `${req.paymentId}:capture:2` });
    if (second.kind !== 'pending') throw new Error('expected pending');
    await event('capture.failed', second.reference);
    expect(sim.ledger.totals('eur')).toEqual({ authorized: 3000, captured: 1000, refunded: 0 });
    expect(sim.ledger.export().charges.find((c) => c.reference === reference)).toMatchObject({ captured: 1000, released: 2000 });
  });

  it('a capture beyond the authorization is accepted, then fails by notification', async () => {
    const { req, reference } = await approvedManual(1000);
    const outcome = await adapter.capture({ reference, amount: 1500, currency: req.currency, idempotencyKey: `${req.paymentId}:capture` });
    if (outcome.kind !== 'pending') throw new Error('expected pending');
    await event('capture.failed', outcome.reference);
    expect(sim.ledger.totals().captured).toBe(0);
  });

  it('voids an uncaptured authorization with /cancels', async () => {
    const { req, reference } = await approvedManual();
    const outcome = await adapter.cancel({ reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:cancel` });
    expect(outcome).toMatchObject({ kind: 'pending', amount: req.amount });
    if (outcome.kind !== 'pending') return;
    await event('cancel.succeeded', outcome.reference);
    expect(sim.ledger.payment(reference)).toMatchObject({ released: req.amount, captured: 0 });
    expect(sim.ledger.modifications()).toEqual([expect.objectContaining({ kind: 'cancel', status: 'succeeded' })]);
  });

  it('a void of a captured payment fails rather than refunding it', async () => {
    const req = request();
    const approved = await authorize(req);
    if (approved.kind !== 'approved') throw new Error('expected approval');
    const outcome = await adapter.cancel({ reference: approved.reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:cancel` });
    if (outcome.kind !== 'pending') throw new Error('expected pending');
    await event('cancel.failed', outcome.reference);
    expect(sim.ledger.totals()).toMatchObject({ captured: req.amount, refunded: 0 });
  });

  it('refunds in part several times, and a refund beyond what is left fails by notification', async () => {
    const req = request({ amount: 1000 });
    const approved = await authorize(req);
    if (approved.kind !== 'approved') throw new Error('expected approval');
    for (const [key, amount, type] of [['1', 400, 'refund.succeeded'], ['2', 600, 'refund.succeeded'], ['3', 1, 'refund.failed']] as const) {
      const outcome = await adapter.refund({ reference: approved.reference, amount, currency: req.currency, idempotencyKey: `${req.paymentId}:refund:${key}` });
      outcomes.push(outcome);
      if (outcome.kind !== 'pending') throw new Error('expected pending');
      await event(type, outcome.reference);
    }
    expect(sim.ledger.totals().refunded).toBe(1000);
  });

  it("Adyen's 'capture failed' card reports the capture, then its failure", async () => {
    const req = request({ captureMethod: 'manual', card: card('capture failed') });
    const approved = await authorize(req);
    if (approved.kind !== 'approved') throw new Error('expected approval');
    const outcome = await adapter.capture({ reference: approved.reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:capture` });
    if (outcome.kind !== 'pending') throw new Error('expected pending');
    await event('capture.succeeded', outcome.reference);
    expect((await event('capture.failed', outcome.reference)).eventId).toBe(`${outcome.reference}:CAPTURE_FAILED:true`);
    await sim.idle();
    expect(sim.ledger.totals().captured).toBe(0);
  });

  it('a modification of a payment Adyen does not know is rejected', async () => {
    expect(await adapter.capture({ reference: 'NOSUCHPAYMENT000', amount: 1, currency: 'EUR', idempotencyKey: 'x:capture' })).toMatchObject({
      kind: 'rejected',
      code: 'adyen_167',
    });
  });

  it('a resent capture under its key is the same capture', async () => {
    const { req, reference } = await approvedManual();
    const capture = { reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:capture` };
    const [a, b] = [await adapter.capture(capture), await adapter.capture(capture)];
    expect(b).toEqual(a);
    await sim.idle();
    expect(sim.ledger.modifications()).toHaveLength(1);
    expect(sim.ledger.totals().captured).toBe(req.amount);
  });

  it('a modification whose answer is lost is unknown; the resend finds it', async () => {
    const { req, reference } = await approvedManual();
    const capture = { reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:capture` };
    await sim.setFault({ kind: 'charge_then_500' }, { times: 1, pathPrefix: '/v72/payments/' });
    expect(await adapter.capture(capture)).toMatchObject({ kind: 'unknown', reason: 'server_error' });
    expect(await adapter.capture(capture)).toMatchObject({ kind: 'pending' });
    await sim.idle();
    expect(sim.ledger.totals().captured).toBe(req.amount);
  });
});

describe('currency units', () => {
  it('sends CLP in two decimals, as Adyen counts it, and reads its answers and notifications back in whole pesos', async () => {
    const clp = request({ captureMethod: 'manual', amount: 990, currency: 'CLP' });
    const approved = await authorize(clp);
    if (approved.kind !== 'approved') throw new Error(`expected approval, got ${approved.kind}`);
    expect(sim.ledger.payment(approved.reference)).toMatchObject({ amount: 99000, currency: 'CLP' });
    expect(await event('authorization.succeeded', approved.reference)).toMatchObject({ amount: 990, currency: 'CLP' });

    const captured = await adapter.capture({ reference: approved.reference, amount: 500, currency: 'CLP', idempotencyKey: `${clp.paymentId}:capture` });
    expect(captured).toMatchObject({ kind: 'pending', amount: 500 });
    if (captured.kind !== 'pending') return;
    expect(await event('capture.succeeded', captured.reference)).toMatchObject({ reference: approved.reference, amount: 500 });
    const refunded = await adapter.refund({ reference: approved.reference, amount: 200, currency: 'CLP', idempotencyKey: `${clp.paymentId}:refund` });
    if (refunded.kind !== 'pending') throw new Error(`expected pending, got ${refunded.kind}`);
    expect(await event('refund.succeeded', refunded.reference)).toMatchObject({ amount: 200 });
    expect(sim.ledger.modifications().map((m) => m.amount)).toEqual([50000, 20000]);
    // The shared ledger export speaks canonical units again, for the chaos bench.
    expect(sim.ledger.totals('CLP')).toEqual({ authorized: 990, captured: 500, refunded: 200 });
  });

  it('sends CVE in whole escudos', async () => {
    const approved = await authorize(request({ amount: 12300, currency: 'CVE' }));
    if (approved.kind !== 'approved') throw new Error(`expected approval, got ${approved.kind}`);
    expect(sim.ledger.payment(approved.reference)).toMatchObject({ amount: 123, currency: 'CVE' });
  });

  it('refuses CVE with centavos before any request: not processed, or a rejected modification', async () => {
    const approved = await authorize(request({ captureMethod: 'manual', amount: 12300, currency: 'CVE' }));
    if (approved.kind !== 'approved') throw new Error(`expected approval, got ${approved.kind}`);
    const before = sim.ledger.requestCount();
    expect(await authorize(request({ amount: 12345, currency: 'CVE' }))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    const modification = { reference: approved.reference, amount: 150, currency: 'CVE', idempotencyKey: 'cve-cents' };
    expect(await adapter.capture(modification)).toMatchObject({ kind: 'rejected', code: 'amount_not_representable' });
    expect(await adapter.refund(modification)).toMatchObject({ kind: 'rejected', code: 'amount_not_representable' });
    expect(sim.ledger.requestCount()).toBe(before);
  });
});

describe('resumeModification', () => {
  it.each(['capture', 'refund', 'cancel'] as const)('a %s whose answer was lost is resent under its key: one modification, then the same answer again', async (operation) => {
    const req = request({ captureMethod: operation === 'refund' ? 'automatic' : 'manual' });
    const approved = await authorize(req);
    if (approved.kind !== 'approved') throw new Error('expected approval');
    const mod = { operation, reference: approved.reference, modificationReference: null, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:${operation}` };
    await sim.setFault({ kind: 'charge_then_hang' }, { times: 1, pathPrefix: '/v72/payments/' });
    const call = operation === 'capture' ? adapter.capture(mod) : operation === 'refund' ? adapter.refund(mod) : adapter.cancel(mod);
    expect(await call).toMatchObject({ kind: 'unknown', reason: 'timeout' });
    await sim.clearFault();
    const resumed = await adapter.resumeModification(mod);
    expect(resumed).toMatchObject({ kind: 'pending', amount: req.amount });
    expect(await adapter.resumeModification({ ...mod, modificationReference: resumed.kind === 'pending' ? resumed.reference : null })).toEqual(resumed);
    await sim.idle();
    expect(sim.ledger.modifications()).toEqual([expect.objectContaining({ kind: operation, status: 'succeeded' })]);
    expect(sim.ledger.totals()).toMatchObject(
      operation === 'capture' ? { captured: req.amount } : operation === 'refund' ? { captured: req.amount, refunded: req.amount } : { captured: 0 },
    );
  });

  it('a modification never sent is performed now', async () => {
    const { req, reference } = await approvedManual();
    const outcome = await adapter.resumeModification({ operation: 'capture', reference, modificationReference: null, amount: 1000, currency: req.currency, idempotencyKey: `${req.paymentId}:capture` });
    expect(outcome).toMatchObject({ kind: 'pending', amount: 1000 });
    await sim.idle();
    expect(sim.ledger.totals().captured).toBe(1000);
  });
});

describe('secrets', () => {
  it('no outcome carries a card number, CVC, API key or HMAC key', () => {
    const text = JSON.stringify(outcomes);
    expect(outcomes.length).toBeGreaterThan(20);
    for (const secret of [VISA, '4212345678910006', '5454545454545454', API_KEY, HMAC_KEY]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"737"/);
  });
});

describe('voidAttempt (technical cancel by our reference)', () => {
  const identity = (req: AuthorizeRequest) => attemptIdentity(req);

  it('voids an authorisation whose answer was lost: nothing under the reference is authorized any more', async () => {
    const req = request({ captureMethod: 'manual' });
    await sim.setFault({ kind: 'charge_then_500' }, { times: 1 });
    expect(await authorize(req)).toMatchObject({ kind: 'unknown' });
    await sim.clearFault();
    const voided = await adapter.voidAttempt!(identity(req));
    expect(voided).toMatchObject({ kind: 'pending' });
    if (voided.kind !== 'pending') return;
    expect(await event('authorization.voided', voided.reference)).toMatchObject({ merchantReference: req.idempotencyKey, type: 'authorization.voided' });
    const charge = sim.ledger.export().charges.find((c) => c.orderReference === req.idempotencyKey);
    expect(charge).toMatchObject({ authorized: 2500, captured: 0, released: 2500 });
    // Resent under the same key: the same answer, nothing more.
    expect(await adapter.voidAttempt!(identity(req))).toEqual(voided);
  });

  it('says voided for a reference Adyen never received', async () => {
    const req = request();
    const voided = await adapter.voidAttempt!(identity(req));
    if (voided.kind !== 'pending') throw new Error(`expected pending, got ${JSON.stringify(voided)}`);
    expect(await event('authorization.voided', voided.reference)).toMatchObject({ merchantReference: req.idempotencyKey });
    expect(sim.ledger.charges()).toBe(0);
  });

  it('cannot void a captured payment: the failure carries no event, its AUTHORISATION settles it', async () => {
    const req = request({ captureMethod: 'automatic' });
    expect(await authorize(req)).toMatchObject({ kind: 'approved', captured: true });
    const voided = await adapter.voidAttempt!(identity(req));
    if (voided.kind !== 'pending') throw new Error('expected pending');
    const delivered = await sink.waitFor((r) => r.rawBody.includes('TECHNICAL_CANCEL'));
    expect(delivered.rawBody).toContain('"success":"false"');
    expect(await adapter.parseWebhook(delivered, new Date())).toEqual({ ok: true, events: [] });
    expect(sim.ledger.totals('eur')).toMatchObject({ captured: 2500 });
  });
});
