import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxClient } from '../support/sandbox-client.js';

type Sandbox = Awaited<ReturnType<typeof sandboxClient>>;

/** An HTTP/1.1 request written byte for byte, as curl sends it: only the headers given, the body only if there is one. */
function raw(url: string, method: string, headers: Record<string, string>, body = ''): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { hostname, port, pathname } = new URL(url);
  const head = [`${method} ${pathname} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), ...(body ? [`Content-Length: ${Buffer.byteLength(body)}`] : [])];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`${head.join('\r\n')}\r\n\r\n${body}`));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const [top = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = top.split('\r\n');
      const fields = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      const payload = rest.join('\r\n\r\n');
      resolve({ status: Number(statusLine.split(' ')[1]), headers: fields, body: fields['transfer-encoding'] === 'chunked' ? unchunk(payload) : payload });
    });
  });
}

function unchunk(payload: string): string {
  let out = '';
  let rest = payload;
  for (;;) {
    const end = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, end), 16);
    if (!size) return out;
    out += rest.slice(end + 2, end + 2 + size);
    rest = rest.slice(end + 2 + size + 2);
  }
}

describe('the HTTP contract, over a real connection', () => {
  let t: Sandbox;
  beforeAll(async () => {
    t = await sandboxClient();
  });
  afterAll(() => t.close());

  const authorized = async () =>
    (
      await t.api('POST', '/v1/payments', {
        amount: 4200,
        currency: 'USD',
        capture_method: 'manual',
        payment_method: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' } },
        routing: { gateways: ['stripe'] },
      })
    ).body as { id: string; status: string };

  it('takes a bodyless POST without a content type, as `curl -X POST` sends it', async () => {
    const auth = { Authorization: `Bearer ${t.sandbox.apiKey}` };
    const first = await authorized();
    expect(first.status).toBe('requires_capture');
    const captured = await raw(`${t.sandbox.url}/v1/payments/${first.id}/capture`, 'POST', auth);
    expect(captured.status).toBe(200);
    expect(JSON.parse(captured.body)).toMatchObject({ status: 'succeeded', amount_captured: 4200 });

    const second = await authorized();
    const canceled = await raw(`${t.sandbox.url}/v1/payments/${second.id}/cancel`, 'POST', { ...auth, 'Content-Length': '0' });
    expect(canceled.status).toBe(200);
    expect(JSON.parse(canceled.body)).toMatchObject({ status: 'canceled' });
  });

  it('still refuses a body that does not say it is JSON, and changes nothing', async () => {
    const payment = await authorized();
    const refused = await raw(`${t.sandbox.url}/v1/payments/${payment.id}/capture`, 'POST', { Authorization: `Bearer ${t.sandbox.apiKey}`, 'Content-Type': 'text/plain' }, '{"amount":100}');
    expect(refused.status).toBe(415);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'unsupported_media_type', param: 'Content-Type' });
    // `curl -d ''` sends a form type: not JSON either, even empty.
    const form = await raw(`${t.sandbox.url}/v1/payments/${payment.id}/capture`, 'POST', { Authorization: `Bearer ${t.sandbox.apiKey}`, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '0' }, '');
    expect(form.status).toBe(415);
    expect(JSON.parse(form.body)).toMatchObject({ code: 'unsupported_media_type' });
    expect((await t.api('GET', `/v1/payments/${payment.id}`)).body).toMatchObject({ status: 'requires_capture', amount_captured: 0 });
  });
});
