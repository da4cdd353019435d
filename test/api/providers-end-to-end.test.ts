import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxClient } from '../support/sandbox-client.js';

/** Each provider through the router, its SDK and its simulator: the flows a merchant uses. */
describe('every provider end to end through the sandbox', () => {
  let client: Awaited<ReturnType<typeof sandboxClient>>;
  beforeAll(async () => {
    client = await sandboxClient({ gatewayTimeoutMs: 3000 });
  });
  afterAll(() => client.close());

  const api = (method: string, path: string, body?: unknown) => client.api(method, path, body);
  const settled = async (id: string, done: (payment: { status: string }) => boolean) =>
    (await client.eventually(() => api('GET', `/v1/payments/${id}`), (r) => done(r.body))).body;

  const cards = {
    stripe: { number: '4242424242424242', cvc: '123' },
    adyen: { number: '4111111145551142', cvc: '737' },
    braintree: { number: '4111111111111111', cvc: '123' },
    checkout: { number: '4242424242424242', cvc: '100' },
  } as const;

  describe.each(Object.keys(cards) as (keyof typeof cards)[])('%s', (provider) => {
    it('authorizes, captures in part, refunds in part', async () => {
      const card = { ...cards[provider], exp_month: 3, exp_year: 2030 };
      const { body: payment } = await api('POST', '/v1/payments', { amount: 1000, currency: 'USD', capture_method: 'manual', payment_method: { type: 'card', card }, routing: { gateways: [provider] } });
      expect(payment).toMatchObject({ status: 'requires_capture', gateway: { provider } });
      await api('POST', `/v1/payments/${payment.id}/capture`, { amount: 800 });
      expect(await settled(payment.id, (p) => p.status !== 'processing')).toMatchObject({ status: 'succeeded', amount_captured: 800 });
      const { body: refund } = await api('POST', `/v1/payments/${payment.id}/refunds`, { amount: 300 });
      expect(['succeeded', 'pending']).toContain(refund.status);
      const refunded = await settled(payment.id, (p) => (p as unknown as { amount_refunded: number }).amount_refunded === 300);
      expect(refunded).toMatchObject({ amount_refunded: 300 });
      expect(client.sandbox.simulators[provider]!.ledger.totals()).toMatchObject({ captured: 800, refunded: 300 });
    });

    it('voids an authorization', async () => {
      const card = { ...cards[provider], exp_month: 3, exp_year: 2030 };
      const { body: payment } = await api('POST', '/v1/payments', { amount: 700, currency: 'USD', capture_method: 'manual', payment_method: { type: 'card', card }, routing: { gateways: [provider] } });
      await api('POST', `/v1/payments/${payment.id}/cancel`);
      expect(await settled(payment.id, (p) => p.status !== 'processing')).toMatchObject({ status: 'canceled' });
    });
  });
});
