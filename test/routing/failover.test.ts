import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cardFingerprint } from '../../src/domain/card.js';
import { manualClock } from '../support/clock.js';
import { SANDBOX_BREAKERS, sandboxClient } from '../support/sandbox-client.js';

const STRIPE_LOST_CARD = '4000000000009987';
const STRIPE_INSUFFICIENT_FUNDS = '4000000000009995';
const STRIPE_GENERIC_DECLINE = '4000000000000002';

describe('safe failover between gateways', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  const sims = () => t.sandbox.simulators;
  beforeAll(async () => {
    // A gateway that never answers is cut off after 2 s; every other answer comes well within that.
    t = await sandboxClient({ gatewayTimeoutMs: 2_000 });
    await t.activate('default: { route: [stripe, adyen] }\n');
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    for (const sim of Object.values(sims())) {
      await sim.clearFault();
      sim.ledger.reset();
    }
  });

  it('a hard decline never reaches a second gateway', async () => {
    for (const card of [STRIPE_LOST_CARD, STRIPE_INSUFFICIENT_FUNDS]) {
      const payment = await t.pay({}, card);
      expect(payment.status).toBe('failed');
      expect(payment.attempts).toHaveLength(1);
    }
    expect(sims().adyen!.ledger.requestCount()).toBe(0);
  });

  it('a soft decline that is safe to cascade goes on to the next gateway', async () => {
    // Stripe's issuer turns down every card (a soft "do not honor"); Adyen's approves.
    sims().stripe!.setApprovalRates([{ rate: 0 }]);
    try {
      const payment = await t.pay();
      expect(payment).toMatchObject({ status: 'succeeded', gateway: { provider: 'adyen' } });
      expect(payment.attempts.map((a: { outcome: string; decline_reason: string | null }) => [a.outcome, a.decline_reason])).toEqual([
        ['declined', 'do_not_honor'],
        ['approved', null],
      ]);
    } finally {
      sims().stripe!.setApprovalRates([]);
    }
  });

  it('a sandbox decline card declines on every gateway it cascades to', async () => {
    const payment = await t.pay({}, STRIPE_GENERIC_DECLINE);
    expect(payment).toMatchObject({ status: 'failed', failure: { code: 'generic_decline' } });
    expect(payment.attempts.map((a: { gateway: { provider: string }; decline_reason: string | null }) => [a.gateway.provider, a.decline_reason])).toEqual([
      ['stripe', 'generic_decline'],
      ['adyen', 'generic_decline'],
    ]);
  });

  it('a gateway that charges and then times out: no second gateway charges', async () => {
    await sims().stripe!.setFault({ kind: 'charge_then_hang' });
    const payment = await t.pay();
    await sims().stripe!.clearFault();
    // Unknown to the attempt loop; Stripe's webhook may already have settled it while the loop waited.
    expect(payment.attempts).toHaveLength(1);
    if (payment.status === 'processing') expect(payment.attempts[0]).toMatchObject({ status: 'unknown', outcome: 'unknown' });
    else expect(payment.attempts[0]).toMatchObject({ status: 'succeeded', outcome_reason: 'resolved_by_webhook' });
    expect(sims().stripe!.ledger.charges()).toBe(1);
    expect(sims().adyen!.ledger.charges()).toBe(0);
    expect(sims().adyen!.ledger.requestCount()).toBe(0);
  });

  it('a 5xx is never failed over either', async () => {
    await sims().stripe!.setFault({ kind: 'http_error', status: 503 });
    const payment = await t.pay();
    expect(payment).toMatchObject({ status: 'processing' });
    expect(sims().adyen!.ledger.requestCount()).toBe(0);
  });
});

describe('a gateway refusing connections', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  // The breakers' time moves only when the test says: the breaker stays open however slow the payments are.
  const clock = manualClock();
  beforeAll(async () => {
    t = await sandboxClient({ breakerClock: clock });
    await t.activate('default: { route: [stripe, braintree] }\n');
  });
  afterAll(() => t.close());

  it('payments succeed through failover, its breaker opens, and traffic returns after it recovers', async () => {
    const stripe = t.sandbox.simulators.stripe!;
    await stripe.setFault({ kind: 'refuse_connections' });
    const during = [];
    for (let i = 0; i < 6; i++) during.push(await t.pay());
    expect(during.every((p) => p.status === 'succeeded' && p.gateway.provider === 'braintree')).toBe(true);
    expect(during[0].attempts[0]).toMatchObject({ outcome: 'not_processed', outcome_reason: 'connection_refused' });
    const last = during.at(-1);
    expect(last.attempts).toHaveLength(1);
    expect(last.decision.candidates.find((c: { gateway: string }) => c.gateway === 'stripe')).toMatchObject({ eligible: false, reason: 'breaker_open', health: 'open' });
    const stripeBreaker = async () => (await t.api('GET', '/v1/gateways/health')).body.data.find((g: { gateway: string }) => g.gateway === 'stripe').breaker;
    expect(await stripeBreaker()).toMatchObject({ state: 'open' });

    await stripe.clearFault();
    clock.advance(SANDBOX_BREAKERS.resetTimeoutMs - 1);
    expect(await stripeBreaker()).toMatchObject({ state: 'open' });
    clock.advance(1);
    expect(await stripeBreaker()).toMatchObject({ state: 'half_open' });
    const after = [];
    for (let i = 0; i < 3; i++) after.push(await t.pay());
    expect(after.every((p) => p.status === 'succeeded' && p.gateway.provider === 'stripe')).toBe(true);
    expect(await stripeBreaker()).toMatchObject({ state: 'closed' });
  });
});

describe('the network retry guard', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  beforeAll(async () => {
    t = await sandboxClient({ maxDeclines: 3 });
    await t.activate('default: { route: [stripe] }\n');
  });
  afterAll(() => t.close());

  it('stops sending a card anywhere once it was declined as often as the limit allows', async () => {
    for (let i = 0; i < 3; i++) expect((await t.pay({}, STRIPE_INSUFFICIENT_FUNDS)).failure.code).toBe('insufficient_funds');
    const calls = t.sandbox.simulators.stripe!.ledger.requestCount();
    const refused = await t.pay({}, STRIPE_INSUFFICIENT_FUNDS);
    expect(refused).toMatchObject({ status: 'failed', failure: { code: 'card_retry_limit_reached' }, attempts: [] });
    expect(t.sandbox.simulators.stripe!.ledger.requestCount()).toBe(calls);
    expect((await t.pay()).status).toBe('succeeded');
  });

  it('never tries a card again after do-not-try-again advice', async () => {
    const first = await t.pay({}, '5555555555554444');
    expect(first.status).toBe('succeeded');
    // What a Mastercard decline with advice code 03 leaves: the card's network key blocked.
    await t.sandbox.repositories.cards.block(await cardFingerprint('5555555555554444', 'fp', 'network'), 'mastercard_advice_03');
    const again = await t.pay({}, '5555555555554444');
    expect(again).toMatchObject({ status: 'failed', failure: { code: 'card_do_not_retry' }, attempts: [] });
  });
});
