import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../../test/support/until.js';
import type { AuthorizeRequest, GatewayAdapter } from '../testkit/contract.js';
import { createStripeAdapter } from './adapter.js';
import { startStripeSimulator, type StripeSimulator } from './simulator/index.js';

const WEBHOOK_SECRET = 'whsec_adapter_test_secret';

describe('Stripe adapter against the simulator', () => {
  let sim: StripeSimulator;
  let adapter: GatewayAdapter;
  let n = 0;
  const adapterFor = (timeoutMs: number) =>
    createStripeAdapter({ secretKey: 'sk_test_adapter', webhookSecret: WEBHOOK_SECRET, host: sim.host, port: sim.port, protocol: 'http', timeoutMs });
  beforeAll(async () => {
    sim = await startStripeSimulator();
    // Patient: an answer slowed down by a busy machine is still an answer, never a timeout.
    adapter = adapterFor(10_000);
  });
  afterAll(() => sim.close());
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
    card: { number, expMonth: 12, expYear: 2030, cvc: '123', holderName: null },
    description: null,
    customerEmail: null,
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
    expect(await adapter.sync({ reference: null, original })).toMatchObject({ kind: 'approved' });
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
    expect(await adapter.sync({ reference: null, original })).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
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
    expect(await adapter.sync({ reference: null, original })).toMatchObject({ kind: 'approved' });
    expect(sim.ledger.charges()).toBe(1);
  });

  it('maps a steered soft decline to do_not_honor, which may cascade', async () => {
    sim.setApprovalRates([{ rate: 0 }]);
    expect(await adapter.authorize(request())).toMatchObject({
      kind: 'declined',
      decline: { reason: 'do_not_honor', providerCode: 'do_not_honor', cascade: true, retry: 'later' },
    });
  });

  it('finds an attempt by its reference', async () => {
    const auth = await adapter.authorize(request(undefined, 'manual'));
    if (auth.kind !== 'approved') throw new Error('expected approval');
    expect(await adapter.sync({ reference: auth.reference, original: request() })).toEqual(auth);
  });
});
