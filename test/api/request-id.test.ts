import { Hono } from 'hono';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/api/env.js';
import { requestIds } from '../../src/api/middleware/request-id.js';
import { listen } from '../../src/runtime/node/http-server.js';
import { startHarness, type Harness } from '../support/harness.js';

/** Our own request id always; a client's only when it is well formed, beside ours, never as sent otherwise. */
describe('Request-Id', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h.close());
  beforeEach(() => h.reset());

  const requestLine = () => JSON.parse(h.logs.find((line) => line.includes('"http.request"'))!) as Record<string, unknown>;

  it('answers our own req_ id on every request, a fresh one each time', async () => {
    const first = await h.request('GET', '/v1/payments');
    const second = await h.request('GET', '/v1/payments');
    expect(first.headers.get('request-id')).toMatch(/^req_[0-9A-Z]{26}$/);
    expect(second.headers.get('request-id')).not.toBe(first.headers.get('request-id'));
    expect(first.headers.get('client-request-id')).toBeNull();
  });

  it('keeps a well-formed client id beside ours: echoed in Client-Request-Id and logged with ours', async () => {
    const res = await h.request('GET', '/v1/payments/pay_missing', { headers: { 'Request-Id': 'shop-42:checkout.7_a' } });
    const ours = res.headers.get('request-id');
    expect(ours).toMatch(/^req_/);
    expect(res.headers.get('client-request-id')).toBe('shop-42:checkout.7_a');
    expect((await res.json()).request_id).toBe(ours);
    expect(requestLine()).toMatchObject({ request_id: ours, client_request_id: 'shop-42:checkout.7_a' });
  });

  it.each([
    ['10 KB', 'a'.repeat(10 * 1024)],
    ['65 characters', 'a'.repeat(65)],
    ['spaces', 'a b'],
    ['a tab', 'a\tb'],
    ['quotes and markup', '"><script>alert(1)</script>'],
    ['JSON', '{"level":"error"}'],
    ['an encoded line break', 'a%0d%0aSet-Cookie:x=1'],
    ['Latin-1 letters', 'caf\u00e9'],
  ])('ignores a client id with %s: never echoed, never logged', async (_, hostile) => {
    const res = await h.request('GET', '/v1/payments', { headers: { 'Request-Id': hostile } });
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(/^req_[0-9A-Z]{26}$/);
    expect(res.headers.get('client-request-id')).toBeNull();
    const line = requestLine();
    expect(line.request_id).toBe(res.headers.get('request-id'));
    expect(line).not.toHaveProperty('client_request_id');
    expect(h.logs.join('\n')).not.toContain(hostile.length > 8 ? hostile.slice(0, 40) : JSON.stringify(hostile).slice(1, -1));
  });
});

/** Bytes no fetch client would send, straight onto a socket of the Node server. */
describe('Request-Id over raw HTTP', () => {
  const app = new Hono<AppEnv>().use(requestIds()).get('/', (c) => c.json({ client: c.get('clientRequestId') ?? null }));
  let port = 0;
  let close = () => Promise.resolve();
  beforeAll(async () => {
    const server = await listen(app.fetch, '127.0.0.1', 0);
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  function send(head: Buffer): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(Buffer.concat([Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'), head, Buffer.from('\r\n')])));
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
      socket.on('error', () => {});
      socket.on('close', () => resolve(received));
    });
  }

  it('UTF-8 text is answered with our id only', async () => {
    const answer = await send(Buffer.from('Request-Id: \u65e5\u672c-\ud83e\udd8a\r\n', 'utf8'));
    expect(answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\nrequest-id: req_[0-9A-Z]{26}\r\n/i);
    expect(answer).not.toMatch(/client-request-id/i);
    expect(answer).toContain('{"client":null}');
  });

  // Node refuses these before the app sees them; nothing is echoed or split into another header.
  it.each([
    ['a folded line', 'Request-Id: abc\r\n Injected: yes\r\n'],
    ['a bare line feed', 'Request-Id: abc\nInjected: yes\r\n'],
    ['a NUL byte', 'Request-Id: ab\u0000c\r\n'],
  ])('%s is refused with 400', async (_, head) => {
    const answer = await send(Buffer.from(head));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).not.toMatch(/client-request-id|injected/i);
  });
});
