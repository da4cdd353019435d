import type { ServerType } from '@hono/node-server';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeGracefully, DEFAULT_SERVER_LIMITS, listen, type ServerLimits } from './http-server.js';

/** Small injected limits; the sockets are real, so the waits are bounded generously for a busy machine. */
describe('the HTTP server limits', () => {
  let server: ServerType | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function start(limits: Partial<ServerLimits>, answer: () => Response | Promise<Response> = () => new Response('ok')) {
    server = await listen(answer, '127.0.0.1', 0, { ...DEFAULT_SERVER_LIMITS, ...limits });
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** A raw connection: everything it received, and when the server closed it. */
  function open(port: number) {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => {});
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    return { socket, connected, closed, received: () => received };
  }

  const within = <T>(promise: Promise<T>, ms: number) =>
    Promise.race([promise, new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), ms))]);

  it('cuts off a client that never finishes its headers (slow loris)', async () => {
    const port = await start({ headersTimeoutMs: 200, requestTimeoutMs: 1_000 });
    const client = open(port);
    await client.connected;
    client.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a');
    const opened = Date.now();
    const closedAt = await within(client.closed, 5_000);
    expect(closedAt).not.toBe('still open');
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
    expect((closedAt as number) - opened).toBeGreaterThanOrEqual(150);
  });

  it('answers a client that sends its request in time', async () => {
    const port = await start({ headersTimeoutMs: 200, requestTimeoutMs: 1_000 });
    const client = open(port);
    await client.connected;
    client.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await within(client.closed, 10_000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 200[\s\S]*\r\n\r\nok$/);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const port = await start({ keepAliveTimeoutMs: 200 });
    const client = open(port);
    await client.connected;
    client.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await within(client.closed, 10_000)).not.toBe('still open');
    expect(client.received()).toMatch(/^HTTP\/1\.1 200/);
  });

  it('closes gracefully: a connection busy at close is ended once its answer is sent, not after the keep-alive timeout', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const requested = new Promise<void>((resolve) => (arrived = resolve));
    const port = await start({ keepAliveTimeoutMs: 600_000 }, async () => {
      arrived();
      await held;
      return new Response('late');
    });
    const client = open(port);
    await client.connected;
    client.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await requested;
    const closing = closeGracefully(server!);
    server = undefined;
    release();
    expect(await within(closing, 10_000)).not.toBe('still open');
    expect(client.received()).toMatch(/^HTTP\/1\.1 200[\s\S]*late$/);
  });

  it('refuses connections beyond the cap while the others stay open', async () => {
    const port = await start({ maxConnections: 1 });
    // The server has taken the first connection once it says so, not after some wait.
    const accepted = once(server!, 'connection');
    const first = open(port);
    await Promise.all([first.connected, accepted]);
    const second = open(port);
    expect(await within(second.closed, 10_000)).not.toBe('still open');
    expect(second.received()).toBe('');
    first.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await within(first.closed, 10_000);
    expect(first.received()).toMatch(/^HTTP\/1\.1 200/);
  });
});
