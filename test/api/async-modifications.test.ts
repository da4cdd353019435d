import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../support/capture-logger.js';
import { sandboxClient } from '../support/sandbox-client.js';

/**
 * Adyen accepts captures, cancels and refunds first and confirms them by notification: the
 * sandbox's Adyen simulator calls the router's webhook endpoint over HTTP, as Adyen would.
 */
describe('modifications confirmed by webhook (Adyen, through the sandbox)', () => {
  const { logger, lines } = captureLogger();
  let client: Awaited<ReturnType<typeof sandboxClient>>;

  beforeAll(async () => {
    client = await sandboxClient({ gatewayTimeoutMs: 3000, logger });
  });
  afterAll(() => client.close());

  const api = (method: string, path: string, body?: unknown) => client.api(method, path, body);
  const eventually: typeof client.eventually = (read, done) => client.eventually(read, done);

  const payment = (holder = 'Jane Shopper', amount = 5000) => ({
    amount,
    currency: 'EUR',
    capture_method: 'manual',
    payment_method: { type: 'card', card: { number: '4111111145551142', exp_month: 3, exp_year: 2030, cvc: '737', holder_name: holder } },
    routing: { gateways: ['adyen'] },
  });

  it('routes to Adyen when the request names it', async () => {
    const created = await api('POST', '/v1/payments', payment());
    expect(created.body).toMatchObject({ status: 'requires_capture', gateway: { provider: 'adyen' } });
  });

  it('a capture is processing until Adyen confirms it, then succeeded', async () => {
    const { body: created } = await api('POST', '/v1/payments', payment());
    const captured = await api('POST', `/v1/payments/${created.id}/capture`, { amount: 3000 });
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ status: 'processing', amount_captured: 0 });
    const settled = await eventually(() => api('GET', `/v1/payments/${created.id}`), (r) => r.body.status !== 'processing');
    expect(settled.body).toMatchObject({ status: 'succeeded', amount_captured: 3000, amount_capturable: 0 });
  });

  it('a capture Adyen reports failed after confirming it makes the money capturable again', async () => {
    const { body: created } = await api('POST', '/v1/payments', payment('CAPTURE FAILED'));
    expect((await api('POST', `/v1/payments/${created.id}/capture`, {})).body.status).toBe('processing');
    const settled = await eventually(() => api('GET', `/v1/payments/${created.id}`), (r) => r.body.status === 'requires_capture');
    expect(settled.body).toMatchObject({ status: 'requires_capture', amount_captured: 0, amount_capturable: 5000 });
  });

  it('a cancel is processing until confirmed, then canceled', async () => {
    const { body: created } = await api('POST', '/v1/payments', payment());
    expect((await api('POST', `/v1/payments/${created.id}/cancel`)).body.status).toBe('processing');
    const settled = await eventually(() => api('GET', `/v1/payments/${created.id}`), (r) => r.body.status !== 'processing');
    expect(settled.body).toMatchObject({ status: 'canceled' });
  });

  it('a refund is pending until confirmed, and counts once confirmed', async () => {
    const { body: created } = await api('POST', '/v1/payments', payment());
    await api('POST', `/v1/payments/${created.id}/capture`, {});
    await eventually(() => api('GET', `/v1/payments/${created.id}`), (r) => r.body.status === 'succeeded');
    const refund = await api('POST', `/v1/payments/${created.id}/refunds`, { amount: 1200 });
    expect(refund.body).toMatchObject({ status: 'pending', amount: 1200 });
    const done = await eventually(() => api('GET', `/v1/payments/${created.id}/refunds`), (r) => r.body.data[0].status !== 'pending');
    expect(done.body.data[0]).toMatchObject({ id: refund.body.id, status: 'succeeded' });
    expect((await api('GET', `/v1/payments/${created.id}`)).body).toMatchObject({ amount_refunded: 1200 });
  });

  it('logged each notification it applied', () => {
    expect(lines.some((line) => line.includes('"event":"webhook.event"') && line.includes('"result":"applied"'))).toBe(true);
  });
});
