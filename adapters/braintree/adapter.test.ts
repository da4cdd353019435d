import braintree from 'braintree';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attemptIdentity, type AuthorizeRequest, type CardInput, type GatewayAdapter, type ModificationSyncRequest } from '../testkit/contract.js';
import { createBraintreeAdapter, type BraintreeAdapterConfig } from './adapter.js';
import { startBraintreeSimulator, type BraintreeSimulator } from './simulator/index.js';

const keys = { merchantId: 'adapter_merchant', publicKey: 'adapter_public', privateKey: 'adapter_private' };
const merchantAccounts = { adapter_usd: 'USD', adapter_eur: 'EUR' };
const VISA: CardInput = { number: '4111111111111111', expMonth: 12, expYear: 2030, cvc: '123', holderName: 'Ada Lovelace' };
const TIMEOUT_MS = 300;

describe('Braintree adapter against the simulator', () => {
  let sim: BraintreeSimulator;
  let adapter: GatewayAdapter;
  let n = 0;
  const outcomes: unknown[] = [];

  const adapterFor = (overrides: Partial<BraintreeAdapterConfig> = {}) =>
    createBraintreeAdapter({ ...keys, host: sim.host, port: sim.port, ssl: false, timeoutMs: TIMEOUT_MS, merchantAccounts: { USD: 'adapter_usd', EUR: 'adapter_eur' }, ...overrides });

  beforeAll(async () => {
    sim = await startBraintreeSimulator({ ...keys, merchantAccounts });
    adapter = adapterFor();
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await sim.clearFault();
    sim.setApprovalRates([]);
    sim.ledger.reset();
  });

  function request({ card, ...overrides }: Partial<AuthorizeRequest> & { card?: CardInput } = {}): AuthorizeRequest {
    n += 1;
    return {
      paymentId: `pay_${n}`,
      attemptNumber: 1,
      idempotencyKey: `pay_${n}:attempt:1`,
      amount: 2500,
      currency: 'USD',
      captureMethod: 'automatic',
      method: { type: 'card', card: card ?? VISA },
      description: null,
      customerEmail: 'ada@example.com',
      returnUrl: null,
      threeDSecure: 'automatic',
      ...overrides,
    };
  }

  async function authorize(req: AuthorizeRequest) {
    const outcome = await adapter.authorize(req);
    outcomes.push(outcome);
    return outcome;
  }

  async function approved(req = request({ captureMethod: 'manual' })) {
    const outcome = await authorize(req);
    if (outcome.kind !== 'approved') throw new Error(`expected approval, got ${JSON.stringify(outcome)}`);
    return { req, reference: outcome.reference };
  }

  describe('authorize', () => {
    it('approves and submits for settlement, or only authorizes', async () => {
      expect(await authorize(request())).toMatchObject({ kind: 'approved', captured: true });
      expect(await authorize(request({ captureMethod: 'manual' }))).toMatchObject({ kind: 'approved', captured: false });
      expect(sim.ledger.charges()).toBe(2);
      expect(sim.ledger.totals('usd')).toEqual({ authorized: 5000, captured: 2500, refunded: 0 });
    });

    it('sends our idempotency key as the order id, on the merchant account of the currency', async () => {
      const req = request({ currency: 'EUR', amount: 1999 });
      const { reference } = await approved(req);
      expect(sim.ledger.transaction(reference)).toMatchObject({ orderId: req.idempotencyKey, currency: 'EUR', amount: 1999 });
    });

    it('sends nothing for a currency without a merchant account', async () => {
      expect(await authorize(request({ currency: 'GBP' }))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
      expect(sim.ledger.requestCount()).toBe(0);
    });

    it('calls an approval in another currency than asked unknown, never approved', async () => {
      const misconfigured = adapterFor({ merchantAccounts: { EUR: 'adapter_usd' } });
      expect(await misconfigured.authorize(request({ currency: 'EUR' }))).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
    });

    it('declines by processor response code, with the reference of the declined transaction', async () => {
      const outcome = await authorize(request({ amount: 200100 }));
      expect(outcome).toMatchObject({ kind: 'declined', decline: { reason: 'insufficient_funds', providerCode: '2001', cascade: false } });
      expect(outcome.kind === 'declined' && outcome.reference).toMatch(/^[a-z0-9]+$/);
    });

    it('calls a 3000 processor network failure a processing error that cascades', async () => {
      expect(await authorize(request({ amount: 300000 }))).toMatchObject({ kind: 'declined', decline: { reason: 'processing_error', providerCode: '3000', cascade: true } });
    });

    it.each([
      [{ card: { ...VISA, cvc: '200' } }, 'invalid_cvc', 'cvv'],
      [{ card: { ...VISA, number: '4000111111111511' } }, 'suspected_fraud', 'fraud'],
      [{ card: { ...VISA, number: '4111130000000003' } }, 'suspected_fraud', 'risk_threshold'],
      [{ amount: 500100 }, 'processing_error', 'application_incomplete'],
    ] as const)('declines a gateway rejection %# as %s (%s)', async (overrides, reason, providerCode) => {
      expect(await authorize(request(overrides))).toMatchObject({ kind: 'declined', decline: { reason, providerCode } });
      expect(sim.ledger.charges()).toBe(0);
    });

    it('refuses a card its sandbox does not accept (81717) as a request, not a decline: another gateway may take it', async () => {
      expect(await authorize(request({ card: { ...VISA, number: '4000000000000010' } }))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    });

    it.each([
      ['4111111111111112', '81715'],
      ['41111111', '81716'],
    ])('declines card %s that Braintree refuses to process (%s), without a reference', async (number, providerCode) => {
      expect(await authorize(request({ card: { ...VISA, number } }))).toEqual({
        kind: 'declined',
        reference: null,
        decline: expect.objectContaining({ reason: 'invalid_number', providerCode, cascade: false }),
      });
    });

    it('calls other validation errors not processed, rejected, naming the codes and no card data', async () => {
      const outcome = await authorize(request({ amount: 99_999_999_999, card: { ...VISA, expYear: 1999 } }));
      expect(outcome).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
      if (outcome.kind !== 'not_processed') return;
      expect(outcome.detail).toMatch(/^Braintree refused the sale \(validation errors [0-9, ]+\)\.$/);
      expect(outcome.detail).toContain('81528');
      expect(outcome.detail).not.toContain(VISA.number.slice(-4));
      expect(sim.ledger.charges()).toBe(0);
    });

    it('soft-declines with Do Not Honor where the approval rate says so', async () => {
      sim.setApprovalRates([{ network: 'visa', rate: 0 }]);
      expect(await authorize(request())).toMatchObject({ kind: 'declined', decline: { reason: 'do_not_honor', providerCode: '2000' } });
      expect(await authorize(request({ card: { ...VISA, number: '5555555555554444' } }))).toMatchObject({ kind: 'approved' });
    });
  });

  describe('failures', () => {
    it('a hang is a timeout: unknown, and nothing charged', async () => {
      await sim.setFault({ kind: 'hang' });
      expect(await authorize(request())).toMatchObject({ kind: 'unknown', reason: 'timeout' });
      expect(sim.ledger.charges()).toBe(0);
    });

    it('a refused connection is certain: nothing reached Braintree', async () => {
      await sim.setFault({ kind: 'refuse_connections' });
      expect(await authorize(request())).toMatchObject({ kind: 'not_processed', reason: 'connection_refused' });
      expect(sim.ledger.requestCount()).toBe(0);
      await sim.clearFault();
      expect(await authorize(request())).toMatchObject({ kind: 'approved' });
    });

    it.each([500, 502, 503] as const)('%i is unknown', async (status) => {
      await sim.setFault({ kind: 'http_error', status });
      expect(await authorize(request())).toMatchObject({ kind: 'unknown', reason: 'server_error' });
    });

    it('429 is certain: rate limited', async () => {
      await sim.setFault({ kind: 'http_error', status: 429 });
      expect(await authorize(request())).toMatchObject({ kind: 'not_processed', reason: 'rate_limited' });
    });

    it('wrong keys are certain: authentication failed', async () => {
      expect(await adapterFor({ privateKey: 'wrong' }).authorize(request())).toMatchObject({ kind: 'not_processed', reason: 'authentication_failed' });
      expect(sim.ledger.charges()).toBe(0);
    });

    it('a wrong merchant id is certain: rejected', async () => {
      expect(await adapterFor({ merchantId: 'someone_else' }).authorize(request())).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    });

    it.each([
      ['charge_then_hang', 'timeout'],
      ['charge_then_500', 'server_error'],
      ['malformed_response', 'malformed_response'],
    ] as const)('%s: charged, answered %s; sync finds the one charge without resending', async (kind, reason) => {
      const req = request();
      await sim.setFault({ kind }, { times: 1 });
      expect(await authorize(req)).toMatchObject({ kind: 'unknown', reason });
      expect(sim.ledger.charges()).toBe(1);
      const sales = sim.ledger.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/transactions')).length;
      const found = await adapter.sync({ reference: null, attempt: attemptIdentity(req), resend: req });
      outcomes.push(found);
      expect(found).toMatchObject({ kind: 'approved', captured: true });
      expect(sim.ledger.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/transactions')).length).toBe(sales);
      expect(sim.ledger.charges()).toBe(1);
    });
  });

  describe('sync', () => {
    it('finds an attempt by its reference', async () => {
      const { req, reference } = await approved();
      expect(await adapter.sync({ reference, attempt: attemptIdentity(req), resend: null })).toEqual({ kind: 'approved', reference, captured: false, networkTransactionId: expect.stringMatching(/^\d{15}$/) });
    });

    it('finds a declined attempt by its order id', async () => {
      const req = request({ amount: 201200 });
      await authorize(req);
      expect(await adapter.sync({ reference: null, attempt: attemptIdentity(req), resend: req })).toMatchObject({ kind: 'declined', decline: { reason: 'lost_or_stolen' } });
    });

    it('answers not_found for an attempt Braintree has no trace of (the sale may still be in flight: only the caller may give up on it)', async () => {
      const req = request();
      expect(await adapter.sync({ reference: null, attempt: attemptIdentity(req), resend: req })).toMatchObject({ kind: 'unknown', reason: 'not_found' });
      expect(sim.ledger.charges()).toBe(0);
      expect(sim.ledger.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/transactions'))).toEqual([]);
    });

    it('finds the sale, not the refund credit that carries another order id, and never resends', async () => {
      const { req } = await approved(request());
      const found = await adapter.sync({ reference: null, attempt: attemptIdentity(req), resend: null });
      expect(found).toMatchObject({ kind: 'approved', captured: true });
      if (found.kind !== 'approved') return;
      await adapter.refund({ reference: found.reference, amount: 100, currency: 'USD', idempotencyKey: req.idempotencyKey });
      // A credit under the same order id is not the attempt.
      expect(await adapter.sync({ reference: null, attempt: attemptIdentity(req), resend: null })).toEqual(found);
    });

    it('completeAction reads the attempt as it stands (Braintree runs no 3-D Secure here)', async () => {
      const { req, reference } = await approved();
      expect(adapter.capabilities.threeDSecure).toBe(false);
      expect(await adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams: {} })).toEqual({ kind: 'approved', reference, captured: false, networkTransactionId: expect.stringMatching(/^\d{15}$/) });
    });

    it('never answers not_processed when the lookup itself fails', async () => {
      const { req, reference } = await approved();
      await sim.setFault({ kind: 'refuse_connections' });
      expect(await adapter.sync({ reference: null, attempt: attemptIdentity(req), resend: req })).toMatchObject({ kind: 'unknown' });
      expect(await adapter.sync({ reference, attempt: attemptIdentity(req), resend: null })).toMatchObject({ kind: 'unknown' });
      await sim.clearFault();
      await sim.setFault({ kind: 'http_error', status: 429 });
      expect(await adapter.sync({ reference, attempt: attemptIdentity(req), resend: null })).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
    });

    it('leaves an order id that names several transactions, or a voided one, to a person', async () => {
      const { req, reference } = await approved();
      const gateway = new braintree.BraintreeGateway({ environment: new braintree.Environment(sim.host, String(sim.port), '', false, sim.host, String(sim.port)), ...keys });
      await gateway.transaction.sale({ amount: '25.00', orderId: req.idempotencyKey, merchantAccountId: 'adapter_usd', creditCard: { number: VISA.number, expirationDate: '12/2030' } });
      expect(await adapter.sync({ reference: null, attempt: attemptIdentity(req), resend: req })).toMatchObject({ kind: 'unknown', detail: expect.stringContaining('2 Braintree transactions') });
      await adapter.cancel({ reference, amount: req.amount, currency: req.currency, idempotencyKey: 'x' });
      expect(await adapter.sync({ reference, attempt: attemptIdentity(req), resend: null })).toMatchObject({ kind: 'unknown', detail: expect.stringContaining('voided') });
    });
  });

  describe('capture', () => {
    it('captures in full, or in part', async () => {
      const full = await approved();
      expect(await adapter.capture({ reference: full.reference, amount: 2500, currency: 'USD', idempotencyKey: 'c1' })).toEqual({ kind: 'succeeded', reference: full.reference, amount: 2500 });
      const part = await approved();
      expect(await adapter.capture({ reference: part.reference, amount: 1000, currency: 'USD', idempotencyKey: 'c2' })).toEqual({ kind: 'succeeded', reference: part.reference, amount: 1000 });
      expect(sim.ledger.totals().captured).toBe(3500);
    });

    it('answers a resend of a capture that went through with its success', async () => {
      const { reference } = await approved();
      await sim.setFault({ kind: 'charge_then_500' }, { times: 1 });
      expect(await adapter.capture({ reference, amount: 1500, currency: 'USD', idempotencyKey: 'c3' })).toMatchObject({ kind: 'unknown', reason: 'server_error' });
      expect(await adapter.capture({ reference, amount: 1500, currency: 'USD', idempotencyKey: 'c3' })).toEqual({ kind: 'succeeded', reference, amount: 1500 });
      expect(sim.ledger.totals().captured).toBe(1500);
    });

    it('rejects capturing more than authorized, or a voided authorization', async () => {
      const { reference } = await approved();
      expect(await adapter.capture({ reference, amount: 2501, currency: 'USD', idempotencyKey: 'c4' })).toMatchObject({ kind: 'rejected', code: '91522' });
      await adapter.cancel({ reference, amount: 2500, currency: 'USD', idempotencyKey: 'v4' });
      expect(await adapter.capture({ reference, amount: 2500, currency: 'USD', idempotencyKey: 'c4' })).toMatchObject({ kind: 'rejected', code: '91507' });
    });

    it('rejects an unknown reference', async () => {
      expect(await adapter.capture({ reference: 'nosuchid', amount: 100, currency: 'USD', idempotencyKey: 'c5' })).toMatchObject({ kind: 'rejected', code: 'not_found' });
    });

    it('calls a capture that timed out unknown', async () => {
      const { reference } = await approved();
      await sim.setFault({ kind: 'hang' });
      expect(await adapter.capture({ reference, amount: 2500, currency: 'USD', idempotencyKey: 'c6' })).toMatchObject({ kind: 'unknown', reason: 'timeout' });
    });
  });

  describe('cancel', () => {
    it('voids an authorization, and answers a resend with the same success', async () => {
      const { reference } = await approved();
      expect(await adapter.cancel({ reference, amount: 2500, currency: 'USD', idempotencyKey: 'v1' })).toEqual({ kind: 'succeeded', reference, amount: 2500 });
      expect(await adapter.cancel({ reference, amount: 2500, currency: 'USD', idempotencyKey: 'v1' })).toEqual({ kind: 'succeeded', reference, amount: 2500 });
      expect(sim.ledger.transaction(reference)?.status).toBe('voided');
    });

    it('rejects voiding a settled sale', async () => {
      const { reference } = await approved(request());
      expect(await adapter.cancel({ reference, amount: 2500, currency: 'USD', idempotencyKey: 'v2' })).toMatchObject({ kind: 'rejected', code: '91504' });
    });
  });

  describe('refund', () => {
    it('refunds in full', async () => {
      const { req, reference } = await approved(request());
      const outcome = await adapter.refund({ reference, amount: 2500, currency: 'USD', idempotencyKey: `${req.paymentId}:refund` });
      expect(outcome).toMatchObject({ kind: 'succeeded', amount: 2500 });
      if (outcome.kind !== 'succeeded') return;
      expect(outcome.reference).not.toBe(reference);
      expect(sim.ledger.transaction(outcome.reference)).toMatchObject({ type: 'credit', refundedTransactionId: reference, orderId: `${req.paymentId}:refund` });
      expect(sim.ledger.totals().refunded).toBe(2500);
    });

    it('refunds in part several times, and rejects more than is left', async () => {
      const { reference } = await approved(request());
      for (const key of ['r1', 'r2']) expect(await adapter.refund({ reference, amount: 1000, currency: 'USD', idempotencyKey: key })).toMatchObject({ kind: 'succeeded', amount: 1000 });
      expect(await adapter.refund({ reference, amount: 501, currency: 'USD', idempotencyKey: 'r3' })).toMatchObject({ kind: 'rejected', code: '91521' });
      expect(sim.ledger.totals().refunded).toBe(2000);
    });

    it('rejects refunding a sale that has not settled yet', async () => {
      const slow = await startBraintreeSimulator({ ...keys, settlementDelayMs: null });
      try {
        const unsettled = createBraintreeAdapter({ ...keys, host: slow.host, port: slow.port, ssl: false, timeoutMs: TIMEOUT_MS });
        const outcome = await unsettled.authorize(request());
        if (outcome.kind !== 'approved') throw new Error('expected approval');
        expect(await unsettled.refund({ reference: outcome.reference, amount: 2500, currency: 'USD', idempotencyKey: 'r4' })).toMatchObject({ kind: 'rejected', code: '91506' });
      } finally {
        await slow.close();
      }
    });
  });

  describe('resumeModification', () => {
    const mod = (operation: ModificationSyncRequest['operation'], reference: string, amount = 2500, idempotencyKey = `${reference}:${operation}`): ModificationSyncRequest => ({
      operation,
      reference,
      modificationReference: null,
      amount,
      currency: 'USD',
      idempotencyKey,
    });
    const modifications = () => sim.ledger.requests().filter((r) => r.method !== 'GET' && !r.path.includes('advanced_search') && !r.path.endsWith('/transactions')).length;

    it('capture: submits one never made, reads one made, and a second resume changes nothing', async () => {
      const never = await approved();
      expect(await adapter.resumeModification(mod('capture', never.reference, 2000))).toEqual({ kind: 'succeeded', reference: never.reference, amount: 2000 });
      const lost = await approved();
      await sim.setFault({ kind: 'charge_then_hang' }, { times: 1 });
      expect(await adapter.capture(mod('capture', lost.reference))).toMatchObject({ kind: 'unknown', reason: 'timeout' });
      await sim.clearFault();
      const before = modifications();
      expect(await adapter.resumeModification(mod('capture', lost.reference))).toEqual({ kind: 'succeeded', reference: lost.reference, amount: 2500 });
      expect(await adapter.resumeModification(mod('capture', lost.reference))).toEqual({ kind: 'succeeded', reference: lost.reference, amount: 2500 });
      expect(modifications()).toBe(before);
      expect(sim.ledger.totals().captured).toBe(4500);
    });

    it('capture: a voided sale is rejected, one captured for another amount is left to a person', async () => {
      const voided = await approved();
      await adapter.cancel(mod('cancel', voided.reference));
      expect(await adapter.resumeModification(mod('capture', voided.reference))).toMatchObject({ kind: 'rejected', code: 'voided' });
      const other = await approved();
      await adapter.capture(mod('capture', other.reference, 1000));
      expect(await adapter.resumeModification(mod('capture', other.reference, 2500))).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
      expect(await adapter.resumeModification(mod('capture', 'nosuchid'))).toMatchObject({ kind: 'rejected', code: 'not_found' });
    });

    it('cancel: voids one never made, reads one made, rejects a captured sale', async () => {
      const lost = await approved();
      await sim.setFault({ kind: 'charge_then_500' }, { times: 1 });
      expect(await adapter.cancel(mod('cancel', lost.reference))).toMatchObject({ kind: 'unknown', reason: 'server_error' });
      expect(await adapter.resumeModification(mod('cancel', lost.reference))).toEqual({ kind: 'succeeded', reference: lost.reference, amount: 2500 });
      expect(await adapter.resumeModification(mod('cancel', lost.reference))).toEqual({ kind: 'succeeded', reference: lost.reference, amount: 2500 });
      const never = await approved();
      expect(await adapter.resumeModification(mod('cancel', never.reference))).toMatchObject({ kind: 'succeeded' });
      const captured = await approved(request());
      expect(await adapter.resumeModification(mod('cancel', captured.reference))).toMatchObject({ kind: 'rejected', code: 'settled' });
    });

    it('refund: finds a lost refund by its order id among credits, and makes a missing one once', async () => {
      const { req, reference } = await approved(request());
      await sim.setFault({ kind: 'charge_then_500' }, { times: 1 });
      const lost = mod('refund', reference, 700, `${req.paymentId}:refund:1`);
      expect(await adapter.refund(lost)).toMatchObject({ kind: 'unknown', reason: 'server_error' });
      const found = await adapter.resumeModification(lost);
      expect(found).toMatchObject({ kind: 'succeeded', amount: 700 });
      if (found.kind !== 'succeeded') return;
      expect(sim.ledger.transaction(found.reference)).toMatchObject({ type: 'credit', orderId: lost.idempotencyKey });
      expect(await adapter.resumeModification(lost)).toEqual(found);
      expect(await adapter.resumeModification({ ...lost, modificationReference: found.reference })).toEqual(found);

      const never = mod('refund', reference, 300, `${req.paymentId}:refund:2`);
      const made = await adapter.resumeModification(never);
      expect(made).toMatchObject({ kind: 'succeeded', amount: 300 });
      expect(await adapter.resumeModification(never)).toEqual(made);
      expect(sim.ledger.totals().refunded).toBe(1000);
      expect(sim.ledger.transactions().filter((t) => t.type === 'credit')).toHaveLength(2);
    });
  });

  describe('webhooks and capabilities', () => {
    it('verifies the notifications this account signs, and acknowledges with a 200', async () => {
      const request = await sim.webhooks.sign({ type: 'settlement.succeeded', reference: 'abc', amount: 700, currency: 'USD' });
      expect(await adapter.parseWebhook(request, new Date())).toMatchObject({ ok: true, events: [{ type: 'settlement.succeeded', reference: 'abc', amount: 700 }] });
      expect(await adapterFor({ privateKey: 'other' }).parseWebhook(request, new Date())).toEqual({ ok: false, reason: 'invalid_signature' });
      expect(adapter.webhookAck).toEqual({ status: 200, contentType: 'text/plain', body: 'OK' });
    });

    it('declares the currencies of its merchant accounts, USD on the default account otherwise', () => {
      expect(adapter.capabilities.currencies).toEqual(['USD', 'EUR']);
      expect(createBraintreeAdapter({ ...keys, host: '127.0.0.1', port: 1, ssl: false, timeoutMs: 1 }).capabilities).toMatchObject({
        currencies: ['USD'],
        idempotency: false,
        syncWithoutReference: true,
        asyncModifications: false,
        partialCapture: true,
        multipleCapture: false,
      });
    });
  });

  it('never puts a card number or CVV in an outcome', () => {
    const text = JSON.stringify(outcomes);
    expect(outcomes.length).toBeGreaterThan(20);
    for (const secret of [VISA.number, '4000111111111511', '4242424242424242', '"123"', '"200"']) expect(text).not.toContain(secret);
  });
});
