import type braintree from 'braintree';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBraintreeSimulator, type BraintreeSimulator } from './index.js';
import { card, KEYS, rejectionOf, sdkFor, sleep } from './test-support.js';

const TIMEOUT_MS = 200;

describe('Braintree simulator: faults', () => {
  let sim: BraintreeSimulator;
  let gateway: braintree.BraintreeGateway;
  const sale = () => gateway.transaction.sale({ amount: '10.00', creditCard: card(), options: { submitForSettlement: true } });

  beforeAll(async () => {
    sim = await startBraintreeSimulator(KEYS);
    gateway = sdkFor(sim, { timeoutMs: TIMEOUT_MS });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await sim.clearFault();
    sim.ledger.reset();
  });

  it.each([
    [500, 'serverError'],
    [502, 'unexpectedError'],
    [503, 'serviceUnavailableError'],
    [429, 'tooManyRequestsError'],
  ] as const)('http_error %i: the SDK throws %s, nothing is done', async (status, type) => {
    await sim.setFault({ kind: 'http_error', status });
    expect(await rejectionOf(sale())).toMatchObject({ type });
    expect(sim.ledger.transactions()).toHaveLength(0);
    expect(sim.ledger.requests()).toMatchObject([{ status, fault: 'http_error' }]);
  });

  it('hang: the SDK times out, nothing is done, the request stays unanswered', async () => {
    await sim.setFault({ kind: 'hang' });
    const started = Date.now();
    expect(await rejectionOf(sale())).toMatchObject({ type: 'unexpectedError', message: 'Request timed out' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    expect(sim.ledger.transactions()).toHaveLength(0);
    expect(sim.ledger.requests()).toMatchObject([{ status: null, fault: 'hang' }]);
  });

  it('charge_then_hang: charged, the SDK times out; clearing the fault drops the connection', async () => {
    await sim.setFault({ kind: 'charge_then_hang' });
    const patient = sdkFor(sim, { timeoutMs: 10_000 });
    const pending = rejectionOf(patient.transaction.sale({ amount: '10.00', creditCard: card() }));
    await sleep(100);
    expect(sim.ledger.charges()).toBe(1);
    await sim.clearFault();
    expect((await pending).message).toMatch(/^Unexpected request error/);
  });

  it('charge_then_500: charged, the SDK gets a server error', async () => {
    await sim.setFault({ kind: 'charge_then_500' });
    expect(await rejectionOf(sale())).toMatchObject({ type: 'serverError' });
    expect(sim.ledger.charges()).toBe(1);
  });

  it('malformed_response: charged, the SDK cannot read the answer', async () => {
    await sim.setFault({ kind: 'malformed_response' });
    const error = await rejectionOf(sale());
    expect(error.type).toBeUndefined();
    expect(sim.ledger.charges()).toBe(1);
  });

  it('refuse_connections: ECONNREFUSED, nothing arrives; cleared, the same port answers again', async () => {
    await sale();
    await sim.setFault({ kind: 'refuse_connections' });
    expect((await rejectionOf(sale())).message).toMatch(/ECONNREFUSED/);
    expect(sim.ledger.requestCount()).toBe(1);
    await sim.clearFault();
    expect((await sale()).success).toBe(true);
    await sim.setFault({ kind: 'refuse_connections' });
    await sim.setFault({ kind: 'http_error', status: 503 }, { times: 1 });
    expect(await rejectionOf(sale())).toMatchObject({ type: 'serviceUnavailableError' });
    expect((await sale()).success).toBe(true);
  });

  it('applies a fault to so many requests, of one method, under one path, then clears it', async () => {
    const id = (await gateway.transaction.sale({ amount: '10.00', creditCard: card() })).transaction.id;
    await sim.setFault({ kind: 'http_error', status: 500 }, { times: 2, method: 'put', pathPrefix: `/merchants/${KEYS.merchantId}/transactions/${id}/submit` });
    expect((await gateway.transaction.find(id)).status).toBe('authorized');
    expect((await gateway.transaction.sale({ amount: '10.00', creditCard: card() })).success).toBe(true);
    await rejectionOf(gateway.transaction.submitForSettlement(id));
    await rejectionOf(gateway.transaction.submitForSettlement(id));
    expect((await gateway.transaction.submitForSettlement(id)).success).toBe(true);
  });

  it('refuses malformed faults', async () => {
    await expect(sim.setFault({ kind: 'http_error', status: 418 as 500 })).rejects.toThrow();
    await expect(sim.setFault({ kind: 'hang' }, { times: 0 })).rejects.toThrow();
    await expect(sim.setFault({ kind: 'refuse_connections' }, { times: 1 })).rejects.toThrow();
  });
});

describe('Braintree simulator: approval rates and latency', () => {
  let sim: BraintreeSimulator;
  beforeAll(async () => {
    sim = await startBraintreeSimulator({ ...KEYS, merchantAccounts: { usd: 'USD', eur: 'EUR' } });
  });
  afterAll(() => sim.close());

  async function outcomes(count: number, extra: Partial<braintree.TransactionRequest> = {}): Promise<string> {
    const gateway = sdkFor(sim);
    let codes = '';
    for (let i = 0; i < count; i += 1) {
      const result = await gateway.transaction.sale({ amount: '10.00', creditCard: card(), ...extra });
      codes += result.success ? 'A' : result.transaction.processorResponseCode === '2000' ? 'D' : '?';
    }
    return codes;
  }

  it('soft-declines a seeded share of a segment with Do Not Honor, the same way for the same seed', async () => {
    sim.setApprovalRates([{ network: 'VISA', currency: 'usd', country: 'US', rate: 0.5 }], 42);
    const first = await outcomes(40);
    sim.setApprovalRates([{ network: 'visa', currency: 'USD', rate: 0.5 }], 42);
    expect(await outcomes(40)).toBe(first);
    expect(first).toMatch(/^[AD]+$/);
    const declined = first.replaceAll('A', '').length;
    expect(declined).toBeGreaterThan(8);
    expect(declined).toBeLessThan(32);
  });

  it('approves whatever no rule matches, and takes the first matching rule', async () => {
    sim.setApprovalRates([{ currency: 'EUR', rate: 0 }, { network: 'mastercard', rate: 0 }, { network: 'visa', rate: 1 }]);
    expect(await outcomes(3)).toBe('AAA');
    expect(await outcomes(3, { merchantAccountId: 'eur' })).toBe('DDD');
    expect(await outcomes(2, { creditCard: card('5555555555554444') })).toBe('DD');
    sim.setApprovalRates([]);
    expect(await outcomes(2, { merchantAccountId: 'eur' })).toBe('AA');
    expect(() => sim.setApprovalRates([{ rate: 1.5 }])).toThrow();
  });

  it('holds answers back by the latency distribution', async () => {
    sim.setLatency({ kind: 'fixed', ms: 80 });
    const started = Date.now();
    await outcomes(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    sim.setLatency(null);
    expect(() => sim.setLatency({ kind: 'uniform', minMs: 10, maxMs: 5 })).toThrow();
  });
});

describe('Braintree simulator: close()', () => {
  it('ends hung requests and latency waits at once', async () => {
    const sim = await startBraintreeSimulator(KEYS);
    const gateway = sdkFor(sim, { timeoutMs: 10_000 });
    await sim.setFault({ kind: 'hang' }, { times: 1 });
    const hung = rejectionOf(gateway.transaction.sale({ amount: '10.00', creditCard: card() }));
    sim.setLatency({ kind: 'fixed', ms: 10_000 });
    const slow = rejectionOf(gateway.transaction.find('abc'));
    await sleep(50);
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect((await hung).message).toMatch(/^Unexpected request error/);
    expect((await slow).message).toMatch(/^Unexpected request error/);
  });
});
