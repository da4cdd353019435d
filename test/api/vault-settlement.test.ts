import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completeChallenge } from '../../adapters/testkit/shopper.js';
import { SYNC_DELAYS_MS } from '../../src/orchestrator/authorize.js';
import { DEFAULT_SETTLEMENT_POLICY } from '../../src/orchestrator/settle.js';
import { manualClock, type ManualClock } from '../support/clock.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../support/databases.js';
import { sandboxClient } from '../support/sandbox-client.js';

const policy = DEFAULT_SETTLEMENT_POLICY;
const LOST_WITH_LOOKUPS = 1 + SYNC_DELAYS_MS.length;
const THREE_DS_CARD = '4000002760003184';
const EXPIRED_CARD = '4000000000000069';

/**
 * A saved card's payment whose answer comes after the request (a 3-D Secure confirmation, the
 * provider's webhook, the reconciler) teaches the vault what an answer on the request path does:
 * the network transaction id merchant-initiated payments cite, and the flag on a card never to be
 * tried again as it is.
 */
describe.each(DRIVERS)('saved-card facts from late settlements, on %s', (driver) => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  let database: TestDatabase | undefined;
  let clock: ManualClock;
  const sims = () => t.sandbox.simulators;

  beforeAll(async () => {
    database = driver === 'postgres' ? await testDatabase('postgres') : undefined;
    clock = manualClock(new Date());
    t = await sandboxClient({ clock, jobPollMs: 3_600_000, gatewayTimeoutMs: 1000, databaseUrl: database?.url });
  });
  afterAll(async () => {
    await t.close();
    await database?.close();
  });
  beforeEach(async () => {
    clock.set(new Date());
    for (const sim of Object.values(sims())) {
      await sim.clearFault();
      sim.clearWebhookFaults();
      sim.setWebhookRetryScale(0.001);
    }
  });

  const get = async (id: string) => (await t.api('GET', `/v1/payments/${id}`)).body;
  const stored = (id: string) => t.sandbox.repositories.vault.get(t.sandbox.merchantId, id);
  async function later(ms: number) {
    clock.advance(ms);
    await t.sandbox.jobs.runDue();
  }
  /** A card saved for a new customer (its default). */
  async function savedCard(number: string) {
    const card = await t.api('POST', '/v1/payment_methods', { type: 'card', card: { number, exp_month: 3, exp_year: 2031 } });
    // The sandbox keeps cards across tests: one already flagged or attached stays so.
    const pm = card.body.id as string;
    await t.sandbox.repositories.vault.update(t.sandbox.merchantId, pm, { flaggedReason: null, flaggedAt: null }, clock.now());
    await t.sandbox.repositories.vault.setCustomer(t.sandbox.merchantId, pm, null, clock.now());
    const customer = await t.api('POST', '/v1/customers', { email: 'late@example.com', payment_method: pm });
    return { pm, customer: customer.body.id as string };
  }
  const payWith = (saved: { pm: string; customer: string }, gateway: string, extra: Record<string, unknown> = {}) =>
    t.api('POST', '/v1/payments', { amount: 1500, currency: 'EUR', customer: saved.customer, payment_method: saved.pm, routing: { gateways: [gateway] }, ...extra });

  it('a 3-D Secure payment confirmed after the challenge keeps the network transaction id', async () => {
    const saved = await savedCard(THREE_DS_CARD);
    const first = (await payWith(saved, 'adyen', { return_url: 'https://shop.example/back' })).body;
    expect(first).toMatchObject({ status: 'requires_action' });
    expect((await stored(saved.pm))?.networkTransactionId ?? null).toBeNull();
    sims().adyen!.setWebhookFault({ kind: 'drop', forever: true }, { types: ['AUTHORISATION'] });
    const back = await completeChallenge(first.next_action.url, 'succeed');
    const confirmed = await t.api('POST', `/v1/payments/${first.id}/confirm`, { return_params: back.returnParams });
    expect(confirmed.body.status).toBe('succeeded');
    expect((await stored(saved.pm))?.networkTransactionId).toMatch(/^\d{15}$/);
  });

  it("a 3-D Secure payment settled by Adyen's AUTHORISATION notification keeps the network transaction id it carries", async () => {
    const saved = await savedCard(THREE_DS_CARD);
    const first = (await payWith(saved, 'adyen', { return_url: 'https://shop.example/back' })).body;
    await completeChallenge(first.next_action.url, 'succeed');
    const settled = await t.eventually(() => get(first.id), (p) => p.status !== 'requires_action');
    expect(settled.status).toBe('succeeded');
    expect((await stored(saved.pm))?.networkTransactionId).toMatch(/^\d{15}$/);
  });

  it('a payment whose answer was lost and that the reconciler settles keeps the network transaction id', async () => {
    const saved = await savedCard('4111111111111111');
    await sims().braintree!.setFault({ kind: 'charge_then_hang' }, { times: LOST_WITH_LOOKUPS });
    const first = (await payWith(saved, 'braintree', { currency: 'USD' })).body;
    expect(first.status).toBe('processing');
    expect((await stored(saved.pm))?.networkTransactionId ?? null).toBeNull();
    await later(policy.retryDelaysMs[0]!);
    expect(await get(first.id)).toMatchObject({ status: 'succeeded' });
    expect((await stored(saved.pm))?.networkTransactionId).toMatch(/^\d{15}$/);
    const renewed = await t.api('POST', '/v1/payments', { amount: 700, currency: 'USD', customer: saved.customer, initiator: 'merchant', routing: { gateways: ['braintree'] } });
    expect(renewed.body).toMatchObject({ status: 'succeeded', gateway: { provider: 'braintree' } });
  });

  it('a decline as expired that the reconciler finds flags the saved card, and the next payment with it is refused', async () => {
    const saved = await savedCard(EXPIRED_CARD);
    await sims().braintree!.setFault({ kind: 'charge_then_hang' }, { times: LOST_WITH_LOOKUPS });
    const first = (await payWith(saved, 'braintree', { currency: 'USD' })).body;
    expect(first.status).toBe('processing');
    expect((await stored(saved.pm))?.flaggedReason).toBeNull();
    await later(policy.retryDelaysMs[0]!);
    expect(await get(first.id)).toMatchObject({ status: 'failed', attempts: [{ decline_reason: 'expired_card' }] });
    expect((await stored(saved.pm))?.flaggedReason).toBe('expired_card');
    const again = await payWith(saved, 'braintree', { currency: 'USD' });
    expect(again).toMatchObject({ status: 422, body: { code: 'payment_method_flagged' } });
  });
});
