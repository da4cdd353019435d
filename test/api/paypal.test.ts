import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PayPalSimulator } from '../../adapters/paypal/simulator/index.js';
import { completeChallenge } from '../../adapters/testkit/shopper.js';
import { sandboxClient } from '../support/sandbox-client.js';
import { until } from '../support/until.js';

/** PayPal end to end in the sandbox: the API, routing by method, the PayPal SDK and its simulator, the payer's approval. */
describe('PayPal payments at the API', () => {
  let client: Awaited<ReturnType<typeof sandboxClient>>;
  beforeAll(async () => {
    client = await sandboxClient({ gatewayTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    await client?.close();
  });

  const paypal = { type: 'paypal', paypal: { email_hint: 'buyer@sandbox.paypal.example', brand_name: 'Shop', locale: 'en-US' } };

  it('pays with PayPal once the payer approves: requires_action with the approval page, then confirmed, captured once, refunded', async () => {
    const created = await client.api('POST', '/v1/payments', { amount: 1500, currency: 'USD', payment_method: paypal, return_url: 'https://shop.example/back' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'requires_action', gateway: { provider: 'paypal' }, payment_method: { type: 'paypal', paypal: { payer_id: null, email: null } }, next_action: { type: 'redirect' } });
    const simulator = client.sandbox.simulators['paypal'] as PayPalSimulator;
    expect(simulator.ledger.charges()).toBe(0);

    const back = await completeChallenge(created.body.next_action.url, 'succeed');
    expect(`${back.location?.origin}${back.location?.pathname}`).toBe('https://shop.example/back');
    expect(back.returnParams).toMatchObject({ token: created.body.gateway_reference, PayerID: expect.any(String) });
    const confirmed = await client.api('POST', `/v1/payments/${created.body.id}/confirm`, { return_params: back.returnParams });
    expect(confirmed.body).toMatchObject({ status: 'succeeded', amount_captured: 1500 });
    // The PayPal account that paid, as the completed order names it, so ops and the merchant recognise the payer.
    const payer = simulator.ledger.order(created.body.gateway_reference)!.payer!;
    expect(back.returnParams.PayerID).toBe(payer.payerId);
    expect(confirmed.body.payment_method).toEqual({ type: 'paypal', paypal: { payer_id: payer.payerId, email: 'buyer@sandbox.paypal.example' } });
    const stored = await client.sandbox.repositories.payments.get(client.sandbox.merchantId, created.body.id);
    expect(stored?.attempts.map((a) => a.payer)).toEqual([{ kind: 'paypal', payerId: payer.payerId, email: 'buyer@sandbox.paypal.example' }]);
    // Nothing else of the payer: not the name or address the order carries.
    expect(JSON.stringify(stored)).not.toMatch(/Sandbox|Buyer|country_code/);
    expect((await client.api('POST', `/v1/payments/${created.body.id}/confirm`, { return_params: back.returnParams })).body.status).toBe('succeeded');
    expect(simulator.ledger.charges()).toBe(1);
    expect(simulator.ledger.totals('USD')).toMatchObject({ captured: 1500 });

    const refund = await client.api('POST', `/v1/payments/${created.body.id}/refunds`, { amount: 500 });
    expect(refund.status).toBe(201);
    expect(simulator.ledger.totals('USD')).toMatchObject({ refunded: 500 });
  });

  it('records the payer when the capture webhook approves the payment before the confirm call has its answer', async () => {
    const created = await client.api('POST', '/v1/payments', { amount: 2100, currency: 'USD', payment_method: paypal, return_url: 'https://shop.example/back' });
    const simulator = client.sandbox.simulators['paypal'] as PayPalSimulator;
    const orderId: string = created.body.gateway_reference;
    const back = await completeChallenge(created.body.next_action.url, 'succeed');
    // PayPal captures and sends PAYMENT.CAPTURE.COMPLETED (which names no payer), but its answer to the capture call waits.
    await simulator.setFault({ kind: 'charge_then_hang' }, { times: 1, method: 'POST', pathPrefix: `/v2/checkout/orders/${orderId}/capture` });
    const confirming = client.api('POST', `/v1/payments/${created.body.id}/confirm`, { return_params: back.returnParams });
    const stored = () => client.sandbox.repositories.payments.get(client.sandbox.merchantId, created.body.id);
    await until(async () => (await stored())?.attempts[0]?.outcomeReason === 'resolved_by_webhook');
    const payer = simulator.ledger.order(orderId)!.payer!;
    const expected = { kind: 'paypal', payerId: payer.payerId, email: 'buyer@sandbox.paypal.example' };
    expect((await stored())?.attempts.map((a) => a.payer)).toEqual([expected]);
    await simulator.clearFault();
    await confirming;
    expect((await stored())?.attempts.map((a) => a.payer)).toEqual([expected]);
    expect((await client.api('GET', `/v1/payments/${created.body.id}`)).body.payment_method).toEqual({ type: 'paypal', paypal: { payer_id: payer.payerId, email: 'buyer@sandbox.paypal.example' } });
    expect(simulator.ledger.order(orderId)!.captures).toHaveLength(1);
  });

  it('a payer who cancels at PayPal: the payment fails, nothing charged', async () => {
    const created = await client.api('POST', '/v1/payments', { amount: 900, currency: 'EUR', payment_method: { type: 'paypal' }, return_url: 'https://shop.example/back' });
    const back = await completeChallenge(created.body.next_action.url, 'fail');
    expect(back.returnParams.PayerID).toBeUndefined();
    const confirmed = await client.api('POST', `/v1/payments/${created.body.id}/confirm`, { return_params: back.returnParams });
    expect(confirmed.body).toMatchObject({ status: 'failed', failure: { code: 'authentication_required' } });
  });

  it('sends PayPal only to a gateway that declares it, and a card never to PayPal', async () => {
    const created = await client.api('POST', '/v1/payments', { amount: 1500, currency: 'USD', payment_method: paypal });
    const reasons = Object.fromEntries((created.body.decision.candidates as { gateway: string; reason: string | null }[]).map((c) => [c.gateway, c.reason]));
    expect(reasons).toMatchObject({ paypal: null, stripe: 'payment_method_not_supported', adyen: 'payment_method_not_supported' });
    const elsewhere = await client.api('POST', '/v1/payments', { amount: 1500, currency: 'USD', payment_method: paypal, routing: { gateways: ['stripe'] } });
    expect(elsewhere.body).toMatchObject({ status: 'failed', failure: { code: 'no_eligible_gateway' } });
    const menu = await client.api('GET', '/v1/payment_methods/available?amount=1500&currency=USD&country=US');
    expect(menu.body.available).toContainEqual(expect.objectContaining({ type: 'paypal', networks: [], gateways: ['paypal'] }));
  });

  it('refuses malformed, oversized and hostile PayPal fields, naming the field, and stores nothing', async () => {
    const before = (await client.api('GET', '/v1/payments?limit=100')).body.data.length;
    const cases: [unknown, string][] = [
      [{ type: 'paypal', paypal: { email_hint: 'not-an-email' } }, 'payment_method.paypal.email_hint'],
      [{ type: 'paypal', paypal: { email_hint: `${'a'.repeat(250)}@example.com` } }, 'payment_method.paypal.email_hint'],
      [{ type: 'paypal', paypal: { brand_name: 'x'.repeat(128) } }, 'payment_method.paypal.brand_name'],
      [{ type: 'paypal', paypal: { locale: 'english' } }, 'payment_method.paypal.locale'],
      [{ type: 'paypal', paypal: { shipping_preference: 'set_provided_address' } }, 'payment_method.paypal.shipping_preference'],
      [{ type: 'paypal', paypal: { password: 'hunter2' } }, 'payment_method.paypal.password'],
      [{ type: 'paypal', paypal: 'buyer@example.com' }, 'payment_method.paypal'],
    ];
    for (const [payment_method, param] of cases) {
      const res = await client.api('POST', '/v1/payments', { amount: 1000, currency: 'USD', payment_method });
      expect(res.status, param).toBe(400);
      expect(res.body.param, JSON.stringify(res.body)).toBe(param);
      expect(JSON.stringify(res.body)).not.toContain('hunter2');
    }
    expect((await client.api('GET', '/v1/payments?limit=100')).body.data.length).toBe(before);
  });
});
