import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../../test/support/until.js';
import { attemptIdentity, type AuthorizeRequest, type GatewayAdapter } from '../testkit/contract.js';
import { attemptQuery, createStripeAdapter } from './adapter.js';
import { stripeNodeHttpClient } from './node-http-client.js';
import { startStripeSimulator, type StripeSimulator } from './simulator/index.js';

const WEBHOOK_SECRET = 'whsec_adapter_test_secret';

// The Worker runs the SDK's fetch client, the Node runtime node-http-client.ts: both must classify alike.
describe.each([
  { client: 'fetch', httpClient: () => undefined },
  { client: 'node:http', httpClient: () => stripeNodeHttpClient('http') },
])('Stripe adapter against the simulator ($client client)', ({ client, httpClient }) => {
  let sim: StripeSimulator;
  let adapter: GatewayAdapter;
  let n = 0;
  const adapterFor = (timeoutMs: number) =>
    createStripeAdapter({ secretKey: 'sk_test_adapter', webhookSecret: WEBHOOK_SECRET, host: sim.host, port: sim.port, protocol: 'http', timeoutMs, httpClient: httpClient() });
  beforeAll(async () => {
    sim = await startStripeSimulator();
    // Patient: an answer slowed down by a busy machine is still an answer, never a timeout.
    adapter = adapterFor(10_000);
  });
  afterAll(() => sim.close());
  const sdk = (server: StripeSimulator = sim) => new Stripe('sk_test_adapter', { host: server.host, port: server.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  beforeEach(async () => {
    await sim.clearFault();
    sim.setApprovalRates([]);
    sim.ledger.reset();
  });

  const request = (number = '4242424242424242', captureMethod: 'automatic' | 'manual' = 'automatic'): AuthorizeRequest => ({
    paymentId: `pay_${++n}`,
    attemptNumber: 1,
    idempotencyKey: `pay_${n}:attempt:1`,
    amount: 2500,
    currency: 'EUR',
    captureMethod,
    method: { type: 'card', card: { number, expMonth: 12, expYear: 2030, cvc: '123', holderName: null } },
    description: null,
    customerEmail: null,
    returnUrl: null,
    threeDSecure: 'automatic',
  });

  it('approves and captures, or approves and waits for capture', async () => {
    expect(await adapter.authorize(request())).toMatchObject({ kind: 'approved', captured: true });
    expect(await adapter.authorize(request(undefined, 'manual'))).toMatchObject({ kind: 'approved', captured: false });
  });

  it('maps a decline to its canonical reason and flags', async () => {
    const outcome = await adapter.authorize(request('4000000000009987'));
    expect(outcome).toMatchObject({ kind: 'declined', decline: { reason: 'lost_or_stolen', providerCode: 'lost_card', cascade: false, retry: 'never' } });
  });

  it('calls a timeout unknown', async () => {
    await sim.setFault({ kind: 'hang' });
    // The simulator never answers: however short the timeout, it is what ends the call.
    expect(await adapterFor(300).authorize(request())).toMatchObject({ kind: 'unknown', reason: 'timeout' });
  });

  it('calls a charge followed by a dropped connection unknown, never not_processed', async () => {
    sim.faults.set({ kind: 'charge_then_hang' }, { times: 1 });
    const original = request();
    const outcome = adapter.authorize(original);
    await until(() => sim.ledger.charges() === 1);
    sim.faults.clear(); // drops the held connection after the charge
    expect(await outcome).toMatchObject({ kind: 'unknown' });
    expect(sim.ledger.charges()).toBe(1);
    expect(sim.ledger.requestCount()).toBe(1); // not resent behind our back
    expect(await adapter.sync({ reference: null, attempt: attemptIdentity(original), resend: original })).toMatchObject({ kind: 'approved' });
    expect(sim.ledger.charges()).toBe(1);
  });

  it('calls a resend while the first request is still running unknown', async () => {
    // The first request runs for 2 s at the simulator, holding its idempotency key: the resend
    // below, one round trip on this machine, arrives well within that, however busy the machine.
    sim.faults.set({ kind: 'latency', ms: 2_000 }, { times: 1 });
    const applied = sim.faults.applied;
    const original = request();
    const first = adapter.authorize(original);
    // Taking the fault, the simulator has locked the idempotency key in the same step.
    await until(() => sim.faults.applied > applied);
    expect(await adapter.sync({ reference: null, attempt: attemptIdentity(original), resend: original })).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
    expect(await first).toMatchObject({ kind: 'approved' });
    expect(sim.ledger.charges()).toBe(1);
  });

  it('calls a 5xx unknown and a 429 certain', async () => {
    sim.faults.set({ kind: 'http_error', status: 502 }, { times: 1 });
    expect(await adapter.authorize(request())).toMatchObject({ kind: 'unknown', reason: 'server_error' });
    sim.faults.set({ kind: 'http_error', status: 429 }, { times: 1 });
    expect(await adapter.authorize(request())).toMatchObject({ kind: 'not_processed', reason: 'rate_limited' });
  });

  it('captures in part, refunds, and reports a refused modification as rejected', async () => {
    const auth = await adapter.authorize(request(undefined, 'manual'));
    if (auth.kind !== 'approved') throw new Error('expected approval');
    expect(await adapter.capture({ reference: auth.reference, amount: 1000, currency: 'EUR', idempotencyKey: 'c1' })).toMatchObject({ kind: 'succeeded', amount: 1000 });
    expect(await adapter.refund({ reference: auth.reference, amount: 400, currency: 'EUR', idempotencyKey: 'r1' })).toMatchObject({ kind: 'succeeded', amount: 400 });
    expect(await adapter.refund({ reference: auth.reference, amount: 700, currency: 'EUR', idempotencyKey: 'r2' })).toMatchObject({ kind: 'rejected' });
    expect(await adapter.cancel({ reference: auth.reference, amount: 2500, currency: 'EUR', idempotencyKey: 'x1' })).toMatchObject({ kind: 'rejected', code: 'payment_intent_unexpected_state' });
  });

  it('voids an authorization and reports the amount released', async () => {
    const auth = await adapter.authorize(request(undefined, 'manual'));
    if (auth.kind !== 'approved') throw new Error('expected approval');
    expect(await adapter.cancel({ reference: auth.reference, amount: 2500, currency: 'EUR', idempotencyKey: 'v1' })).toEqual({ kind: 'succeeded', reference: auth.reference, amount: 2500 });
    expect(sim.ledger.paymentIntent(auth.reference)).toMatchObject({ released: 2500, captured: 0 });
  });

  it('calls a refused port certain, and works again once it listens', async () => {
    await sim.setFault({ kind: 'refuse_connections' });
    expect(await adapter.authorize(request())).toMatchObject({ kind: 'not_processed', reason: 'connection_refused' });
    expect(sim.ledger.requestCount()).toBe(0);
    await sim.clearFault();
    expect(await adapter.authorize(request())).toMatchObject({ kind: 'approved' });
  });

  it('calls an unreadable answer unknown (malformed_response), and sync finds the one charge', async () => {
    await sim.setFault({ kind: 'malformed_response' }, { times: 1 });
    const original = request();
    expect(await adapter.authorize(original)).toMatchObject({ kind: 'unknown', reason: 'malformed_response' });
    expect(await adapter.sync({ reference: null, attempt: attemptIdentity(original), resend: original })).toMatchObject({ kind: 'approved' });
    expect(sim.ledger.charges()).toBe(1);
  });

  it('maps a steered soft decline to do_not_honor, which may cascade', async () => {
    sim.setApprovalRates([{ rate: 0 }]);
    expect(await adapter.authorize(request())).toMatchObject({
      kind: 'declined',
      decline: { reason: 'do_not_honor', providerCode: 'do_not_honor', cascade: true, retry: 'later' },
    });
  });

  it('finds an attempt by its reference, and will not answer for another attempt\'s payment intent', async () => {
    const req = request(undefined, 'manual');
    const auth = await adapter.authorize(req);
    if (auth.kind !== 'approved') throw new Error('expected approval');
    expect(await adapter.sync({ reference: auth.reference, attempt: attemptIdentity(req), resend: null })).toEqual(auth);
    const other = attemptIdentity(request());
    expect(await adapter.sync({ reference: auth.reference, attempt: other, resend: null })).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
  });

  describe('the reconciler (no card data)', () => {
    it('finds an attempt whose answer was lost by searching its key in the metadata, charging nothing', async () => {
      await sim.setFault({ kind: 'charge_then_500' }, { times: 1 });
      const req = request();
      expect(await adapter.authorize(req)).toMatchObject({ kind: 'unknown', reason: 'server_error' });
      const requests = sim.ledger.requestCount('/v1/payment_intents');
      expect(await adapter.sync({ reference: null, attempt: attemptIdentity(req), resend: null })).toMatchObject({ kind: 'approved', captured: true });
      expect(sim.ledger.requestCount('/v1/payment_intents/search')).toBe(1);
      expect(sim.ledger.requestCount('/v1/payment_intents')).toBe(requests + 1);
      expect(sim.ledger.charges()).toBe(1);
    });

    it('finds a declined attempt as declined', async () => {
      const req = request('4000000000009995');
      await adapter.authorize(req);
      expect(await adapter.sync({ reference: null, attempt: attemptIdentity(req), resend: null })).toMatchObject({
        kind: 'declined',
        decline: { reason: 'insufficient_funds' },
      });
    });

    it('answers not_found for an attempt Stripe never saw, and a failed search stays unknown', async () => {
      const attempt = attemptIdentity(request());
      expect(await adapter.sync({ reference: null, attempt, resend: null })).toMatchObject({ kind: 'unknown', reason: 'not_found' });
      await sim.setFault({ kind: 'http_error', status: 429 }, { times: 1 });
      expect(await adapter.sync({ reference: null, attempt, resend: null })).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
      await sim.setFault({ kind: 'refuse_connections' });
      expect(await adapter.sync({ reference: null, attempt, resend: null })).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
      expect(sim.ledger.charges()).toBe(0);
    });

    it('answers pending_at_gateway when several payment intents carry the key', async () => {
      const key = `pay_twice_${++n}:attempt:1`;
      for (const copy of [1, 2]) {
        await sdk().paymentIntents.create(
          { amount: 2500, currency: 'eur', payment_method: 'pm_card_visa', confirm: true, allowed_payment_method_types: ['card'], metadata: { switchyard_idempotency_key: key } },
          { idempotencyKey: `${key}-copy-${copy}` },
        );
      }
      const attempt = { paymentId: 'pay_twice', attemptNumber: 1, idempotencyKey: key, amount: 2500, currency: 'EUR', captureMethod: 'automatic' as const };
      expect(await adapter.sync({ reference: null, attempt, resend: null })).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
    });

    it('quotes the key in the search query', () => {
      expect(attemptQuery('pay_1:attempt:1')).toBe("metadata['switchyard_idempotency_key']:'pay_1:attempt:1'");
      expect(attemptQuery("it's\\")).toBe("metadata['switchyard_idempotency_key']:'it\\'s\\\\'");
    });
  });

  describe('3-D Secure', () => {
    it('sends return_url and request_three_d_secure when asked, and completeAction reads the result', async () => {
      const req = { ...request('4000002760003184'), returnUrl: 'https://shop.example/back?order=7', threeDSecure: 'required' as const };
      const outcome = await adapter.authorize(req);
      if (outcome.kind !== 'requires_action') throw new Error(`expected requires_action, got ${outcome.kind}`);
      const intent = await sdk().paymentIntents.retrieve(outcome.reference);
      expect(intent.payment_method_options?.card?.request_three_d_secure).toBe('any');
      expect(intent.next_action?.redirect_to_url?.return_url).toBe('https://shop.example/back?order=7');
      const attempt = attemptIdentity(req);
      expect(await adapter.completeAction({ reference: outcome.reference, attempt, returnParams: {} })).toEqual(outcome);

      const back = await fetch(`${outcome.nextAction!.url}/complete?result=succeed`, { redirect: 'manual' });
      expect(back.status).toBe(302);
      const returned = new URL(back.headers.get('location')!);
      expect(returned.origin + returned.pathname).toBe('https://shop.example/back');
      const returnParams = Object.fromEntries(returned.searchParams);
      expect(await adapter.completeAction({ reference: outcome.reference, attempt, returnParams })).toEqual({
        kind: 'approved',
        reference: outcome.reference,
        captured: true,
        // The charge's payment_method_details.card, read through expand: ['latest_charge'].
        card: { type: 'credit', issuerCountry: 'US' },
        networkTransactionId: expect.stringMatching(/^\d{15}$/),
      });
      expect(sim.ledger.charges()).toBe(1);
    });

    it('a failed challenge completes as an authentication decline', async () => {
      const req = request('4000002760003184');
      const outcome = await adapter.authorize(req);
      if (outcome.kind !== 'requires_action') throw new Error('expected requires_action');
      await fetch(`${outcome.nextAction!.url}/complete?result=fail`, { redirect: 'manual' });
      expect(await adapter.completeAction({ reference: outcome.reference, attempt: attemptIdentity(req), returnParams: {} })).toMatchObject({
        kind: 'declined',
        decline: { reason: 'authentication_required' },
      });
      expect(sim.ledger.charges()).toBe(0);
    });
  });

  describe('resumeModification', () => {
    async function manual(): Promise<string> {
      const auth = await adapter.authorize(request(undefined, 'manual'));
      if (auth.kind !== 'approved') throw new Error('expected approval');
      return auth.reference;
    }
    const mod = (operation: 'capture' | 'cancel' | 'refund', reference: string, amount = 2500, key = `${reference}:${operation}`) => ({
      operation,
      reference,
      modificationReference: null,
      amount,
      currency: 'EUR',
      idempotencyKey: key,
    });

    it('capture: captures one never made, reads one made, refuses a canceled one', async () => {
      const never = await manual();
      expect(await adapter.resumeModification(mod('capture', never, 2000))).toMatchObject({ kind: 'succeeded', amount: 2000 });
      expect(await adapter.resumeModification(mod('capture', never, 2000))).toMatchObject({ kind: 'succeeded', amount: 2000 });
      expect(sim.ledger.paymentIntent(never)).toMatchObject({ captured: 2000, released: 500 });

      const lost = await manual();
      await sim.setFault({ kind: 'charge_then_500' }, { times: 1 });
      expect(await adapter.capture(mod('capture', lost))).toMatchObject({ kind: 'unknown' });
      expect(await adapter.resumeModification(mod('capture', lost))).toEqual({ kind: 'succeeded', reference: lost, amount: 2500 });
      expect(sim.ledger.paymentIntent(lost)).toMatchObject({ captured: 2500 });

      const canceled = await manual();
      await adapter.cancel(mod('cancel', canceled));
      expect(await adapter.resumeModification(mod('capture', canceled))).toMatchObject({ kind: 'rejected', code: 'payment_intent_canceled' });
    });

    it('cancel: cancels one never made, reads one made, refuses a captured one', async () => {
      const lost = await manual();
      await sim.setFault({ kind: 'charge_then_hang' }, { times: 1 });
      expect(await adapter.cancel(mod('cancel', lost))).toMatchObject({ kind: 'unknown', reason: 'timeout' });
      await sim.clearFault();
      expect(await adapter.resumeModification(mod('cancel', lost))).toEqual({ kind: 'succeeded', reference: lost, amount: 2500 });
      const never = await manual();
      expect(await adapter.resumeModification(mod('cancel', never))).toMatchObject({ kind: 'succeeded' });
      const captured = await manual();
      await adapter.capture(mod('capture', captured));
      expect(await adapter.resumeModification(mod('cancel', captured))).toMatchObject({ kind: 'rejected' });
      expect(sim.ledger.totals().captured).toBe(2500);
    });

    it('refund: finds a lost refund by the key in its metadata, even after Stripe forgot the key, and makes a missing one once', async () => {
      let clock = Date.now();
      const aged = await startStripeSimulator({ now: () => clock });
      try {
        const agedAdapter = createStripeAdapter({ secretKey: 'sk_test_adapter', webhookSecret: WEBHOOK_SECRET, host: aged.host, port: aged.port, protocol: 'http', timeoutMs: 300, httpClient: httpClient() });
        const auth = await agedAdapter.authorize(request());
        if (auth.kind !== 'approved') throw new Error('expected approval');
        await agedAdapter.refund(mod('refund', auth.reference, 300, 'refund-1'));
        await aged.setFault({ kind: 'charge_then_500' }, { times: 1 });
        expect(await agedAdapter.refund(mod('refund', auth.reference, 500, 'refund-2'))).toMatchObject({ kind: 'unknown' });
        clock += 25 * 3600_000; // Stripe keeps idempotency keys 24 hours: a bare resend would refund again.
        const found = await agedAdapter.resumeModification(mod('refund', auth.reference, 500, 'refund-2'));
        expect(found).toMatchObject({ kind: 'succeeded', amount: 500 });
        if (found.kind !== 'succeeded') return;
        expect(await agedAdapter.resumeModification({ ...mod('refund', auth.reference, 500, 'refund-2'), modificationReference: found.reference })).toEqual(found);
        expect(aged.ledger.totals().refunded).toBe(800);

        expect(await agedAdapter.resumeModification(mod('refund', auth.reference, 700, 'refund-3'))).toMatchObject({ kind: 'succeeded', amount: 700 });
        expect(await agedAdapter.resumeModification(mod('refund', auth.reference, 700, 'refund-3'))).toMatchObject({ kind: 'succeeded', amount: 700 });
        expect(aged.ledger.totals().refunded).toBe(1500);
        const stored = await sdk(aged).refunds.list({ payment_intent: auth.reference });
        expect(stored.data.map((r) => r.metadata)).toEqual([{ switchyard_refund_key: 'refund-3' }, { switchyard_refund_key: 'refund-2' }, { switchyard_refund_key: 'refund-1' }]);
      } finally {
        await aged.close();
      }
    });
  });
  describe('currency units', () => {
    const inCurrency = (currency: string, amount: number, captureMethod: 'automatic' | 'manual' = 'manual'): AuthorizeRequest => ({ ...request(undefined, captureMethod), currency, amount });
    const mod = (reference: string, amount: number, currency: string, key: string) => ({ reference, amount, currency, idempotencyKey: key });

    it('sends ISK in two decimals and reads every answer back in whole krónur', async () => {
      const original = inCurrency('ISK', 5000);
      const auth = await adapter.authorize(original);
      expect(auth).toMatchObject({ kind: 'approved', captured: false });
      if (auth.kind !== 'approved') return;
      expect(sim.ledger.paymentIntent(auth.reference)).toMatchObject({ amount: 500000, currency: 'isk' });
      expect(await adapter.sync({ reference: auth.reference, attempt: attemptIdentity(original), resend: null })).toMatchObject({ kind: 'approved' });
      expect(await adapter.capture(mod(auth.reference, 3000, 'ISK', 'isk-capture'))).toMatchObject({ kind: 'succeeded', amount: 3000 });
      expect(sim.ledger.paymentIntent(auth.reference)).toMatchObject({ captured: 300000 });
      expect(await adapter.refund(mod(auth.reference, 1000, 'ISK', 'isk-refund'))).toMatchObject({ kind: 'succeeded', amount: 1000 });
      expect(sim.ledger.refunds()).toEqual([expect.objectContaining({ amount: 100000, currency: 'isk' })]);
      // The shared ledger export speaks canonical units again, for the chaos bench.
      expect(sim.ledger.totals('ISK')).toEqual({ authorized: 5000, captured: 3000, refunded: 1000 });
    });

    it('sends MGA in whole ariary and KWD in thousandths', async () => {
      const mga = await adapter.authorize(inCurrency('MGA', 12300, 'automatic'));
      const kwd = await adapter.authorize(inCurrency('KWD', 5120, 'automatic'));
      if (mga.kind !== 'approved' || kwd.kind !== 'approved') throw new Error(`not approved: ${mga.kind}, ${kwd.kind}`);
      expect(sim.ledger.paymentIntent(mga.reference)).toMatchObject({ amount: 123, currency: 'mga' });
      expect(sim.ledger.paymentIntent(kwd.reference)).toMatchObject({ amount: 5120, currency: 'kwd' });
    });

    it('refuses an amount Stripe cannot take exactly before any request, as not processed', async () => {
      for (const [currency, amount] of [['KWD', 5124], ['MGA', 12345]] as const) {
        const outcome = await adapter.authorize(inCurrency(currency, amount));
        expect(outcome).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
      }
      expect(sim.ledger.requestCount()).toBe(0);
    });

    it('refuses a capture or refund Stripe cannot take exactly before any request', async () => {
      const auth = await adapter.authorize(inCurrency('KWD', 5120));
      if (auth.kind !== 'approved') throw new Error(auth.kind);
      const before = sim.ledger.requestCount();
      expect(await adapter.capture(mod(auth.reference, 5115, 'KWD', 'kwd-capture'))).toMatchObject({ kind: 'rejected', code: 'amount_not_representable' });
      expect(await adapter.refund(mod(auth.reference, 1, 'KWD', 'kwd-refund'))).toMatchObject({ kind: 'rejected', code: 'amount_not_representable' });
      expect(sim.ledger.requestCount()).toBe(before);
    });

    it('the simulator refuses ISK with fractions of a króna and three-decimal amounts not ending in 0, as Stripe does', async () => {
      const create = (currency: string, amount: number) =>
        sdk().paymentIntents.create({ amount, currency, payment_method: 'pm_card_visa', confirm: true, allowed_payment_method_types: ['card'] });
      await expect(create('isk', 550)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'invalid_charge_amount_no_decimal_compatible', param: 'amount' });
      await expect(create('ugx', 370001)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'invalid_charge_amount_no_decimal_compatible' });
      await expect(create('kwd', 5124)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'amount' });
      expect(sim.ledger.charges()).toBe(0);
    });
  });

  // Why node-http-client.ts exists: the SDK's own Node client resends on a dropped connection (defined once).
  if (client === 'node:http') it("is needed: the SDK's own Node client resends a request whose connection dropped after the charge", async () => {
    const bare = createStripeAdapter({ secretKey: 'sk_test_adapter', webhookSecret: WEBHOOK_SECRET, host: sim.host, port: sim.port, protocol: 'http', timeoutMs: 10_000, httpClient: Stripe.createNodeHttpClient() });
    sim.faults.set({ kind: 'charge_then_hang' }, { times: 1 });
    const outcome = bare.authorize(request());
    await until(() => sim.ledger.charges() === 1);
    sim.faults.clear();
    await outcome;
    expect(sim.ledger.requestCount()).toBe(2);
    expect(sim.ledger.charges()).toBe(1);
  });
});
