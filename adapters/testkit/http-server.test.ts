import { afterEach, describe, expect, it } from 'vitest';
import { PendingRequests, readRequest, SimulatorHttpServer } from './http-server.js';

describe('SimulatorHttpServer', () => {
  let server: SimulatorHttpServer | undefined;
  afterEach(() => server?.close());

  it('refuses connections, then listens again on the same port', async () => {
    server = new SimulatorHttpServer('127.0.0.1', 0, (req, res) => {
      void readRequest(req, res).then((request) => res.end(request?.body));
    });
    const { url } = await server.listen();
    expect(await (await fetch(url, { method: 'POST', body: 'ping' })).text()).toBe('ping');
    await server.refuse();
    const refused = await fetch(url).catch((error: unknown) => error);
    expect((refused as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    await server.accept();
    expect(await (await fetch(url, { method: 'POST', body: 'pong' })).text()).toBe('pong');
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
