import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GoCardlessSimulator } from '../../adapters/gocardless/simulator/index.js';
import type { AdyenSimulator } from '../../adapters/adyen/simulator/index.js';
import type { StripeSimulator } from '../../adapters/stripe/simulator/index.js';
import { DEFAULT_SETTLEMENT_POLICY } from '../../src/orchestrator/settle.js';
import { captureLogger } from '../support/capture-logger.js';
import { manualClock, type ManualClock } from '../support/clock.js';
import { sandboxClient } from '../support/sandbox-client.js';
import { until } from '../support/until.js';

const DAY = 86_400_000;
const IBAN = 'DE89370400440532013000';
const sepa = (overrides: Record<string, unknown> = {}) => ({
  type: 'sepa_debit',
  sepa_debit: { iban: 'DE89 3704 0044 0532 0130 00', account_holder_name: 'Ada Lovelace', mandate_acceptance: { accepted_at: '2026-11-30T10:00:00Z', ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (test)' }, ...overrides },
});
const ach = (overrides: Record<string, unknown> = {}) => ({
  type: 'ach_debit',
  ach_debit: { routing_number: '110000000', account_number: '000123456789', account_type: 'checking', account_holder_name: 'Grace Hopper', account_holder_type: 'individual', mandate_acceptance: { accepted_at: '2026-11-30T10:00:00Z', ip: '198.51.100.4', user_agent: 'Mozilla/5.0 (test)' }, ...overrides },
});

/**
 * Bank debits end to end in the sandbox: the API, routing by method, the GoCardless adapter through
 * gocardless-nodejs, and its simulator, whose bank calendar the test moves on (`advance`), as the
 * router's clock (for the reconciler's schedule) is the test's own.
 */
describe('bank debits through GoCardless', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  let clock: ManualClock;
  const { logger, lines } = captureLogger();
  const sim = () => t.sandbox.simulators['gocardless'] as GoCardlessSimulator;
  const get = async (id: string) => (await t.api('GET', `/v1/payments/${id}`)).body;
  const pay = (body: Record<string, unknown>) => t.api('POST', '/v1/payments', { amount: 2500, currency: 'EUR', routing: { gateways: ['gocardless'] }, ...body });
  async function settledTo(id: string, status: string) {
    await until(async () => (await get(id)).status === status);
    return get(id);
  }

  beforeAll(async () => {
    clock = manualClock(new Date());
    t = await sandboxClient({ clock, jobPollMs: 3_600_000, logger });
  });
  afterAll(() => t?.close());
  beforeEach(() => {
    sim().clearWebhookFaults();
    sim().failNextPayments(null);
  });

  it('sends a SEPA debit to GoCardless, keeps it processing until the bank confirms it by webhook, and keeps no IBAN', async () => {
    const created = await pay({ payment_method: sepa() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'processing',
      gateway: { provider: 'gocardless' },
      payment_method: { type: 'sepa_debit', sepa_debit: { country: 'DE', bank_code: '37040044', last4: '3000', holder_name: 'Ada Lovelace' } },
      attempts: [{ outcome: 'pending' }],
      settlement: { state: 'scheduled' },
    });
    // No other gateway was tried: a pending debit is certain.
    expect(created.body.attempts).toHaveLength(1);
    const reference = created.body.attempts[0].gateway_reference as string;
    const atGateway = sim().payment(reference)!;
    expect(atGateway).toMatchObject({ status: 'pending_submission', amount: 2500, currency: 'EUR', mandate: { id: expect.stringMatching(/^MD/), reference: expect.any(String) } });
    // The mandate as the payer's bank statement names it, for ops and the merchant to recognise the payer.
    expect(created.body.payment_method.sepa_debit.mandate).toEqual(atGateway.mandate);

    sim().advance(4 * DAY);
    const settled = await settledTo(created.body.id, 'succeeded');
    expect(settled).toMatchObject({ amount_captured: 2500, settlement: null });

    expect(settled.payment_method.sepa_debit.mandate).toEqual(atGateway.mandate);

    const stored = await t.sandbox.repositories.payments.get(t.sandbox.merchantId, created.body.id);
    expect(stored?.attempts[0]?.payer).toEqual({ kind: 'mandate', mandateId: atGateway.mandate.id, reference: atGateway.mandate.reference });
    for (const text of [JSON.stringify(stored), JSON.stringify(created.body), lines.join('\n')]) {
      expect(text).not.toContain(IBAN);
      expect(text).not.toContain('0532013000');
      expect(text).not.toContain('203.0.113.7');
    }
  });

  it('fails a debit the bank refuses at settlement, with the canonical reason', async () => {
    sim().failNextPayments({ cause: 'insufficient_funds', reasonCode: 'AM04' }, 1);
    const created = await pay({ payment_method: sepa() });
    expect(created.body.status).toBe('processing');
    sim().advance(4 * DAY);
    expect(await settledTo(created.body.id, 'failed')).toMatchObject({ failure: { code: 'insufficient_funds' } });
  });

  it('reverses a succeeded debit the payer\'s bank returns, and tells the merchant', async () => {
    const created = await pay({ payment_method: sepa() });
    sim().advance(4 * DAY);
    await settledTo(created.body.id, 'succeeded');
    sim().returnPayment(created.body.attempts[0].gateway_reference, 'charged_back', 'MD06');
    const returned = await settledTo(created.body.id, 'returned');
    expect(returned).toMatchObject({ failure: { code: 'debit_returned' } });
    expect(returned.failure.message).toContain('MD06');
    const timeline = (await t.api('GET', `/v1/payments/${created.body.id}/events`)).body;
    expect(JSON.stringify(timeline)).toContain('payment.returned');
    // Nothing is left to refund.
    expect((await t.api('POST', `/v1/payments/${created.body.id}/refunds`, {})).status).toBe(409);
  });

  it('settles a debit whose confirmation webhook is lost, by the reconciler on its settlement schedule', async () => {
    sim().setWebhookFault({ kind: 'drop', forever: true }, { types: ['payments.confirmed'] });
    const created = await pay({ payment_method: sepa() });
    sim().advance(4 * DAY);
    await sim().idle();
    expect((await get(created.body.id)).status).toBe('processing');
    // The reconciler's first look, an hour after the debit was accepted, asks GoCardless.
    clock.advance(DEFAULT_SETTLEMENT_POLICY.settlementDelaysMs[0]!);
    await t.sandbox.jobs.runDue();
    expect(await get(created.body.id)).toMatchObject({ status: 'succeeded', settlement: null });
  });

  it('flags for review a debit the bank has not settled when its scheme\'s window ends, and never fails it on a guess', async () => {
    const created = await pay({ payment_method: sepa() });
    // The bank's calendar stands still: GoCardless keeps answering pending_submission.
    let elapsed = 0;
    while (elapsed <= DEFAULT_SETTLEMENT_POLICY.settlementWindowMs.sepa_debit) {
      clock.advance(DAY / 2);
      elapsed += DAY / 2;
      await t.sandbox.jobs.runDue();
    }
    const flagged = await get(created.body.id);
    expect(flagged).toMatchObject({ status: 'processing' });
    const stored = await t.sandbox.repositories.payments.get(t.sandbox.merchantId, created.body.id);
    expect(stored?.payment.reviewReason).toBe('unresolved:settlement_overdue');
  });

  it('debits a US account by ACH in USD, keeping only the last four digits and the routing number', async () => {
    const created = await pay({ amount: 5000, currency: 'USD', payment_method: ach() });
    expect(created.body).toMatchObject({ status: 'processing', gateway: { provider: 'gocardless' }, payment_method: { type: 'ach_debit', ach_debit: { country: 'US', bank_code: '110000000', last4: '6789', account_type: 'checking' } } });
    expect(JSON.stringify(created.body)).not.toContain('000123456789');
    expect(created.body.payment_method.ach_debit.mandate).toEqual(sim().payment(created.body.attempts[0].gateway_reference)!.mandate);
    sim().advance(4 * DAY);
    await settledTo(created.body.id, 'succeeded');
  });

  it('refuses bad bank details with a problem naming the field, echoing nothing and storing nothing', async () => {
    const before = (await t.api('GET', '/v1/payments?limit=100')).body.data.length;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ payment_method: sepa({ iban: 'DE89370400440532013001' }) }, 'payment_method.sepa_debit.iban', 'invalid_iban'],
      [{ payment_method: sepa({ iban: 'BR1800360305000010009795493C1' }) }, 'payment_method.sepa_debit.iban', 'iban_country_not_sepa'],
      [{ payment_method: sepa({ iban: 'X'.repeat(10_000) }) }, 'payment_method.sepa_debit.iban', 'invalid_request'],
      [{ payment_method: sepa({ mandate_acceptance: undefined }) }, 'payment_method.sepa_debit.mandate_acceptance', 'mandate_required'],
      [{ payment_method: sepa({ mandate_acceptance: { accepted_at: 'yesterday', ip: '203.0.113.7', user_agent: 'x' } }) }, 'payment_method.sepa_debit.mandate_acceptance.accepted_at', 'invalid_request'],
      [{ payment_method: sepa({ account_holder_name: 'Ada\u0000' }) }, 'payment_method.sepa_debit.account_holder_name', 'invalid_text'],
      [{ payment_method: sepa(), currency: 'USD' }, 'currency', 'currency_not_supported_by_method'],
      [{ payment_method: sepa(), capture_method: 'manual' }, 'capture_method', 'capture_method_not_supported'],
      [{ payment_method: ach({ routing_number: '110000001' }), currency: 'USD' }, 'payment_method.ach_debit.routing_number', 'invalid_routing_number'],
      [{ payment_method: ach({ account_number: '12' }), currency: 'USD' }, 'payment_method.ach_debit.account_number', 'invalid_account_number'],
      [{ payment_method: ach({ account_type: 'brokerage' }), currency: 'USD' }, 'payment_method.ach_debit.account_type', 'invalid_request'],
      [{ payment_method: { type: 'ach_debit', ach_debit: { __proto__: { x: 1 } } }, currency: 'USD' }, 'payment_method.ach_debit.routing_number', 'invalid_request'],
    ];
    for (const [body, param, code] of cases) {
      const res = await pay(body);
      expect(res.status, param).toBe(400);
      expect(res.body, param).toMatchObject({ param, ...(code === 'invalid_request' ? {} : { code }) });
      expect(JSON.stringify(res.body)).not.toContain('DE8937040044053201300');
      expect(JSON.stringify(res.body)).not.toContain('0010009795493');
    }
    expect((await t.api('GET', '/v1/payments?limit=100')).body.data.length).toBe(before);
  });

  it('routes an unforced debit like a card: by the rules\' default among the gateways that take it, the others ineligible', async () => {
    type Candidate = { gateway: string; eligible: boolean };
    const eligible = (body: { decision: { candidates: Candidate[] } }) => body.decision.candidates.filter((c) => c.eligible).map((c) => c.gateway).sort();
    const sepaDebit = await t.api('POST', '/v1/payments', { amount: 2500, currency: 'EUR', payment_method: sepa() });
    expect(sepaDebit.body).toMatchObject({ status: 'processing', decision: { rule: 'default' } });
    expect(eligible(sepaDebit.body)).toEqual(['adyen', 'gocardless', 'stripe']);
    expect(['adyen', 'gocardless', 'stripe']).toContain(sepaDebit.body.gateway.provider);
    const achDebit = await t.api('POST', '/v1/payments', { amount: 5000, currency: 'USD', payment_method: ach() });
    expect(eligible(achDebit.body)).toEqual(['adyen', 'gocardless']);
    expect(achDebit.body.attempts).toHaveLength(1);
  });

  it('offers SEPA in euros and ACH in dollars in the methods menu, with every debit gateway behind them', async () => {
    const eur = (await t.api('GET', '/v1/payment_methods/available?amount=2500&currency=EUR&country=DE')).body;
    const sepaMenu = eur.available.find((m: { type: string }) => m.type === 'sepa_debit');
    expect([...sepaMenu.gateways].sort()).toEqual(['adyen', 'gocardless', 'stripe']);
    expect(eur.unavailable).toContainEqual({ type: 'ach_debit', reason: 'no_eligible_gateway', rule: null });
    const usd = (await t.api('GET', '/v1/payment_methods/available?amount=2500&currency=USD&country=US')).body;
    const achMenu = usd.available.find((m: { type: string }) => m.type === 'ach_debit');
    expect([...achMenu.gateways].sort()).toEqual(['adyen', 'gocardless']);
  });
});

/**
 * A SEPA debit through Stripe end to end: the stripe SDK, `processing` kept as a pending debit, the
 * simulator's bank calendar settling it, and its return as a lost dispute.
 */
describe('SEPA debits through Stripe', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  const { logger, lines } = captureLogger();
  const sim = () => t.sandbox.simulators['stripe'] as StripeSimulator;
  const get = async (id: string) => (await t.api('GET', `/v1/payments/${id}`)).body;
  const pay = (iban: string) => t.api('POST', '/v1/payments', { amount: 2500, currency: 'EUR', routing: { gateways: ['stripe'] }, payment_method: sepa({ iban }) });
  async function settledTo(id: string, status: string) {
    await until(async () => (await get(id)).status === status);
    return get(id);
  }

  beforeAll(async () => {
    t = await sandboxClient({ clock: manualClock(new Date()), jobPollMs: 3_600_000, logger });
  });
  afterAll(() => t?.close());

  it('keeps a debit processing until Stripe settles it, then succeeds, keeping no IBAN', async () => {
    const created = await pay('DE89370400440532013000');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'processing', gateway: { provider: 'stripe' }, attempts: [{ outcome: 'pending' }], payment_method: { sepa_debit: { last4: '3000' } } });
    expect(created.body.attempts).toHaveLength(1);
    sim().advanceBank(sim().debitSettlementMs);
    expect(await settledTo(created.body.id, 'succeeded')).toMatchObject({ amount_captured: 2500 });
    const stored = await t.sandbox.repositories.payments.get(t.sandbox.merchantId, created.body.id);
    for (const text of [JSON.stringify(stored), lines.join('\n')]) expect(text).not.toContain('0532013000');
  });

  it('fails a debit from Stripe\'s failing test IBAN, never trying another gateway', async () => {
    const created = await pay('AT861904300235473202');
    expect(created.body.status).toBe('processing');
    sim().advanceBank(sim().debitSettlementMs);
    const failed = await settledTo(created.body.id, 'failed');
    expect(failed).toMatchObject({ failure: { code: 'insufficient_funds' } });
    expect(failed.attempts).toHaveLength(1);
  });

  it('reverses a collected debit the payer\'s bank returns (a lost SEPA dispute)', async () => {
    const created = await pay('DE89370400440532013000');
    sim().advanceBank(sim().debitSettlementMs);
    await settledTo(created.body.id, 'succeeded');
    sim().returnDebit(created.body.attempts[0].gateway_reference, 'MD06');
    const returned = await settledTo(created.body.id, 'returned');
    expect(returned.failure.message).toContain('debit_not_authorized');
  });
});

/**
 * SEPA and ACH debits through Adyen end to end: `Received` kept as a pending debit, the AUTHORISATION
 * notification settling it on the simulator's bank calendar, and a CHARGEBACK returning it.
 */
describe('bank debits through Adyen', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  const { logger, lines } = captureLogger();
  const sim = () => t.sandbox.simulators['adyen'] as AdyenSimulator;
  const get = async (id: string) => (await t.api('GET', `/v1/payments/${id}`)).body;
  const pay = (body: Record<string, unknown>) => t.api('POST', '/v1/payments', { amount: 2500, currency: 'EUR', routing: { gateways: ['adyen'] }, ...body });
  async function settledTo(id: string, status: string) {
    await until(async () => (await get(id)).status === status);
    return get(id);
  }

  beforeAll(async () => {
    t = await sandboxClient({ clock: manualClock(new Date()), jobPollMs: 3_600_000, logger });
  });
  afterAll(() => t?.close());

  it('keeps a SEPA debit processing until Adyen authorises it, then succeeds, keeping no IBAN', async () => {
    const created = await pay({ payment_method: sepa() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'processing', gateway: { provider: 'adyen' }, attempts: [{ outcome: 'pending' }] });
    expect(created.body.attempts).toHaveLength(1);
    sim().advanceBank(sim().debitSettlementMs);
    expect(await settledTo(created.body.id, 'succeeded')).toMatchObject({ amount_captured: 2500 });
    const stored = await t.sandbox.repositories.payments.get(t.sandbox.merchantId, created.body.id);
    for (const text of [JSON.stringify(stored), lines.join('\n')]) expect(text).not.toContain('0532013000');
  });

  it('debits a US account by ACH, fails one the bank refuses, and returns a collected one by CHARGEBACK', async () => {
    const collected = await pay({ amount: 5000, currency: 'USD', payment_method: ach() });
    const refused = await pay({ amount: 5000, currency: 'USD', payment_method: ach({ account_holder_name: 'NOT_ENOUGH_BALANCE' }) });
    expect([collected.body.status, refused.body.status]).toEqual(['processing', 'processing']);
    sim().advanceBank(sim().debitSettlementMs);
    await settledTo(collected.body.id, 'succeeded');
    expect(await settledTo(refused.body.id, 'failed')).toMatchObject({ failure: { code: 'insufficient_funds' } });
    sim().returnDebit(collected.body.attempts[0].gateway_reference, 'R10');
    const returned = await settledTo(collected.body.id, 'returned');
    expect(returned.failure.message).toContain('R10');
    expect(JSON.stringify([collected.body, returned, lines])).not.toContain('000123456789');
  });
});
