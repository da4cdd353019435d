import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/api/env.js';
import { addressRateLimit, peerAddress, tokenBuckets } from '../../src/api/middleware/rate-limit.js';
import { problemResponse } from '../../src/api/problem-response.js';
import { Problem } from '../../src/domain/problem.js';
import { listen } from '../../src/runtime/node/http-server.js';
import { manualClock } from '../support/clock.js';
import { paymentBody, startHarness, type Harness } from '../support/harness.js';

/** A token bucket per API key (and per address for unauthenticated requests), on an injected clock. */
describe('rate limits', () => {
  const clock = manualClock();
  let h: Harness;
  beforeAll(async () => {
    // 5 at once, then one every 2 s.
    h = await startHarness('pglite', { clock, rateLimit: { perSecond: 0.5, burst: 5 }, clientAddress: (c) => c.req.header('X-Test-Peer') ?? 'none' });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.reset();
    // Every bucket is full again after a long quiet spell.
    clock.advance(3_600_000);
  });

  const list = (key: string, peer = 'shop') => h.request('GET', '/v1/payments', { key, headers: { 'X-Test-Peer': peer } });

  async function expectLimited(res: Response, retryAfter: number) {
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBe(String(retryAfter));
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect(await res.json()).toMatchObject({ status: 429, code: 'rate_limited', type: 'urn:switchyard:problem:rate_limited', request_id: res.headers.get('request-id') });
  }

  it('allows the burst, then answers 429 with Retry-After until the bucket refills', async () => {
    for (let i = 4; i >= 0; i--) {
      const res = await list(h.key);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('5');
      expect(res.headers.get('ratelimit-remaining')).toBe(String(i));
    }
    await expectLimited(await list(h.key), 2);
    clock.advance(1_999);
    await expectLimited(await list(h.key), 1);
    clock.advance(1);
    expect((await list(h.key)).status).toBe(200);
    await expectLimited(await list(h.key), 2);
  });

  it("one key's flood does not limit another key", async () => {
    for (let i = 0; i < 8; i++) await list(h.key);
    await expectLimited(await list(h.key), 2);
    for (let i = 0; i < 5; i++) expect((await list(h.otherKey)).status).toBe(200);
  });

  it('a limited POST stores nothing and takes no Idempotency-Key; the same key works once the bucket refills', async () => {
    for (let i = 0; i < 5; i++) await list(h.key);
    const headers = { 'Idempotency-Key': 'after-the-wait', 'X-Test-Peer': 'shop' };
    await expectLimited(await h.request('POST', '/v1/payments', { body: paymentBody(), headers }), 2);
    expect(h.stripe.ledger.requestCount()).toBe(0);
    expect((await h.repositories.payments.list((await h.repositories.merchants.findByName('one'))!, { limit: 10 })).length).toBe(0);
    clock.advance(2_000);
    expect((await h.request('POST', '/v1/payments', { body: paymentBody(), headers })).status).toBe(201);
  });

  it('counts failed authentication per address: a guessing address waits, others and keyed traffic do not', async () => {
    for (let i = 0; i < 5; i++) expect((await list('sk_test_guess_' + i, 'guesser')).status).toBe(401);
    await expectLimited(await list('sk_test_guess_5', 'guesser'), 2);
    // Before any key is looked up, so a valid key from that address waits too.
    await expectLimited(await list(h.key, 'guesser'), 2);
    expect((await list(h.key, 'elsewhere')).status).toBe(200);
    // Authenticated requests never use their address's bucket.
    for (let i = 0; i < 4; i++) expect((await list(h.otherKey, 'office')).status).toBe(200);
    expect((await list('sk_test_wrong', 'office')).status).toBe(401);
  });

  it("never limits provider webhooks by address: a provider's peak is not a guess", async () => {
    for (let i = 0; i < 6; i++) await list('sk_test_guess_' + i, 'provider');
    await expectLimited(await list(h.key, 'provider'), 2);
    for (let i = 0; i < 10; i++) {
      const res = await h.request('POST', '/v1/webhooks/stripe/gwa_unknown', { key: null, body: { id: `evt_${i}` }, headers: { 'X-Test-Peer': 'provider' } });
      expect(res.status).toBe(404);
    }
  });
});

describe('the peer address on the Node server', () => {
  it("is the socket's, not a header a client sets", async () => {
    const app = new Hono<AppEnv>()
      .use(addressRateLimit(tokenBuckets({ perSecond: 0.001, burst: 1 }, manualClock()), peerAddress))
      .get('/', (c) => c.text('ok'))
      .onError((error, c) => (error instanceof Problem ? problemResponse(c, error) : c.text('unexpected', 500)));
    const server = await listen(app.fetch, '127.0.0.1', 0);
    try {
      const address = server.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
      expect((await fetch(url)).status).toBe(200);
      const limited = await fetch(url, { headers: { 'CF-Connecting-IP': '203.0.113.9', 'X-Forwarded-For': '203.0.113.10' } });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
