import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { PendingRequests, readRequest, SimulatorHttpServer } from './http-server.js';

describe('SimulatorHttpServer', () => {
  let server: SimulatorHttpServer | undefined;
  afterEach(() => server?.close());

  const echo = () =>
    new SimulatorHttpServer('127.0.0.1', 0, (req, res) => {
      void readRequest(req, res).then((request) => res.end(request?.body));
    });

  it('refuses connections, then listens again on the same port', async () => {
    server = echo();
    const { url } = await server.listen();
    // The client keeps this connection alive: after refuse() it must not carry the next request.
    expect(await (await fetch(url, { method: 'POST', body: 'ping' })).text()).toBe('ping');
    await server.refuse();
    const refused = await fetch(url).catch((error: unknown) => error);
    expect((refused as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    await server.accept();
    expect(await (await fetch(url, { method: 'POST', body: 'pong' })).text()).toBe('pong');
  });

  it('refuses node:http clients holding kept-alive sockets too', async () => {
    server = echo();
    const { host, port } = await server.listen();
    const agent = new Agent({ keepAlive: true });
    const send = () =>
      new Promise<string>((resolve, reject) => {
        const req = request({ host, port, method: 'POST', agent }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end('ping');
      });
    try {
      expect(await send()).toBe('ping');
      await server.refuse();
      expect(await send().catch((error: { code?: string }) => error.code)).toBe('ECONNREFUSED');
    } finally {
      agent.destroy();
    }
  });

  it('drops a request in progress: its client lost the connection, it was not refused', async () => {
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => (received = resolve));
    server = new SimulatorHttpServer('127.0.0.1', 0, () => received());
    const { url } = await server.listen();
    const held = fetch(url, { method: 'POST', body: 'ping' }).catch((error: unknown) => error);
    await arrived;
    await server.refuse();
    expect(((await held) as { cause?: { code?: string } }).cause?.code).toBe('UND_ERR_SOCKET');
  });
});

describe('PendingRequests', () => {
  it('ends delays early once closed', async () => {
    const pending = new PendingRequests();
    expect(await pending.delay(0)).toBe(true);
    const waiting = pending.delay(10_000);
    pending.close();
    expect(await waiting).toBe(false);
    expect(await pending.delay(1)).toBe(false);
  });
});
