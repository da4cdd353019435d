import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceEnv } from '../testkit/target.js';
import { paypalTarget } from './target.js';

/**
 * The SDK's OAuth adapter keeps a failed token fetch as the token every later call awaits: without a
 * new client, one token request that failed (no answer, a 5xx, a refused connection) would fail every
 * call of the adapter from then on.
 */
describe('paypal adapter: a failed OAuth token request', () => {
  let env: ConformanceEnv;
  beforeAll(async () => {
    env = await paypalTarget.start({ timeoutMs: 1000, webhookUrl: 'http://127.0.0.1:9/unused' });
  });
  afterAll(() => env?.close());

  const lookup = () =>
    env.adapter.sync({ reference: 'NOSUCHORDER000001', attempt: { paymentId: 'pay_token', attemptNumber: 1, idempotencyKey: 'pay_token:attempt:1', amount: 1000, currency: 'USD', captureMethod: 'automatic' }, resend: null });
  const refund = (n: number) => env.adapter.refund({ reference: 'NOSUCHORDER000001', amount: 100, currency: 'USD', idempotencyKey: `re_token${n}:refund` });

  it('is certain (nothing was sent), and the next call asks for a token again and goes through', async () => {
    // The first call of the adapter fetches its token: that request hangs past the timeout, then answers 500.
    await env.simulator.setFault({ kind: 'hang' }, { times: 1, pathPrefix: '/v1/oauth2/token' });
    expect(await refund(1)).toMatchObject({ kind: 'not_processed', reason: 'authentication_failed' });
    await env.simulator.setFault({ kind: 'http_error', status: 500 }, { times: 1, pathPrefix: '/v1/oauth2/token' });
    expect(await refund(2)).toMatchObject({ kind: 'not_processed', reason: 'authentication_failed' });
    await env.simulator.clearFault();
    // PayPal answers again: the order is looked up (and is not there), the refund refused by PayPal.
    expect(await lookup()).toMatchObject({ kind: 'unknown', reason: 'not_found' });
    expect(await refund(3)).toMatchObject({ kind: 'rejected' });
  });
});
