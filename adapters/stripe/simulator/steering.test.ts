import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from './index.js';
import { cardData, rejectionOf, sdkFor } from './test-support.js';

describe('Stripe simulator: shared steering', () => {
  let sim: StripeSimulator;
  let stripe: Stripe;
  beforeAll(async () => {
    sim = await startStripeSimulator();
    stripe = sdkFor(sim, { timeout: 1_000 });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await sim.clearFault();
    sim.setApprovalRates([]);
    sim.setLatency(null);
    sim.ledger.reset();
  });

  /** Authorizes `count` payments with `number` in `currency`; answers the share approved. */
  async function approvalShare(number: string, currency: string, count: number): Promise<number> {
    let approved = 0;
    for (let i = 0; i < count; i += 1) {
      try {
        await stripe.paymentIntents.create({ amount: 1000, currency, confirm: true, payment_method_data: cardData(number) });
        approved += 1;
      } catch (error) {
        expect(error).toMatchObject({ type: 'StripeCardError', code: 'card_declined', decline_code: 'do_not_honor' });
      }
    }
    return approved / count;
  }

  describe('approval rates', () => {
    it('converge to the rate set for a segment over 2000 seeded authorizations (±3 pp)', async () => {
      sim.setApprovalRates([{ network: 'mastercard', rate: 0.7 }], 42);
      expect(Math.abs((await approvalShare('5555555555554444', 'usd', 2000)) - 0.7)).toBeLessThanOrEqual(0.03);
    }, 60_000);

    it('segment by network, currency and issuer country; the first matching rule wins; no match approves', async () => {
      sim.setApprovalRates([
        { country: 'GB', rate: 0 },
        { network: 'visa', currency: 'EUR', rate: 0 },
        { network: 'visa', rate: 1 },
      ]);
      expect(await approvalShare('4000008260000000', 'usd', 20)).toBe(0); // a GB Visa
      expect(await approvalShare('4242424242424242', 'eur', 20)).toBe(0); // a US Visa in EUR
      expect(await approvalShare('4242424242424242', 'usd', 20)).toBe(1);
      expect(await approvalShare('378282246310005', 'eur', 20)).toBe(1); // no rule for Amex
    });

    it('repeat exactly under the same seed', async () => {
      const run = async () => {
        sim.setApprovalRates([{ rate: 0.5 }], 7);
        const outcomes: boolean[] = [];
        for (let i = 0; i < 40; i += 1) outcomes.push((await approvalShare('4242424242424242', 'usd', 1)) === 1);
        return outcomes;
      };
      const first = await run();
      expect(first).toContain(true);
      expect(first).toContain(false);
      expect(await run()).toEqual(first);
    });

    it('leave the test cards\' own declines alone, and count steered ones as declines', async () => {
      sim.setApprovalRates([{ rate: 1 }]);
      const error = await rejectionOf(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData('4000000000009995') }));
      expect(error).toMatchObject({ decline_code: 'insufficient_funds' });
      sim.setApprovalRates([{ rate: 0 }]);
      await approvalShare('4242424242424242', 'usd', 3);
      expect(sim.ledger.charges()).toBe(0);
      expect(sim.ledger.paymentIntents().map((pi) => pi.declines)).toEqual([1, 1, 1, 1]);
    });

    it('refuse a rate outside 0..1', () => {
      expect(() => sim.setApprovalRates([{ rate: 1.5 }])).toThrow();
      expect(() => sim.setApprovalRates([{ rate: Number.NaN }])).toThrow();
    });
  });

  describe('latency', () => {
    it('refuses parameters that make no distribution', () => {
      expect(() => sim.setLatency({ kind: 'fixed', ms: -1 })).toThrow();
      expect(() => sim.setLatency({ kind: 'uniform', minMs: 20, maxMs: 10 })).toThrow();
      expect(() => sim.setLatency({ kind: 'lognormal', medianMs: 50, p99Ms: 10 })).toThrow();
    });

    it('delays every API answer by a draw, until set to null', async () => {
      sim.setLatency({ kind: 'uniform', minMs: 40, maxMs: 60 }, 5);
      for (let i = 0; i < 5; i += 1) {
        const started = performance.now();
        await stripe.paymentIntents.retrieve('pi_missing').catch(() => undefined);
        const elapsed = performance.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(39);
        expect(elapsed).toBeLessThan(300);
      }
      sim.setLatency(null);
      const started = performance.now();
      await stripe.paymentIntents.retrieve('pi_missing').catch(() => undefined);
      expect(performance.now() - started).toBeLessThan(39);
    });
  });

  describe('faults', () => {
    const create = (idempotencyKey: string) =>
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData('4242424242424242') }, { idempotencyKey });

    it('refuse_connections closes the port (ECONNREFUSED, nothing received); clearing listens on the same port', async () => {
      const port = sim.port;
      await sim.setFault({ kind: 'refuse_connections' });
      const error = await rejectionOf(create('refused-1'));
      expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
      expect((error.detail as { code?: string }).code).toBe('ECONNREFUSED');
      expect(sim.ledger.requestCount()).toBe(0);
      await sim.clearFault();
      expect(sim.port).toBe(port);
      expect((await create('refused-1')).status).toBe('succeeded');
      expect(sim.ledger.charges()).toBe(1);
    });

    it('refuse_connections takes no request filters', async () => {
      await expect(sim.setFault({ kind: 'refuse_connections' }, { times: 1 })).rejects.toThrow(/no times/);
    });

    it('a new fault replaces refuse_connections and the port listens again', async () => {
      await sim.setFault({ kind: 'refuse_connections' });
      await sim.setFault({ kind: 'http_error', status: 503 }, { times: 1 });
      expect(await rejectionOf(create('replaced-1'))).toBeInstanceOf(Stripe.errors.StripeAPIError);
      expect((await create('replaced-1')).status).toBe('succeeded');
    });

    it('malformed_response does the operation, answers 200 with half the JSON, and keeps the real answer for a retry', async () => {
      await sim.setFault({ kind: 'malformed_response' }, { times: 1 });
      const error = await rejectionOf(create('garbled-1'));
      expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
      expect(error.message).toBe('Invalid JSON received from the Stripe API');
      expect(sim.ledger.requests()[0]).toMatchObject({ status: 200, fault: 'malformed_response' });
      expect(sim.ledger.charges()).toBe(1);
      const retried = await create('garbled-1');
      expect(retried.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(sim.ledger.charges()).toBe(1);
    });
  });
});
