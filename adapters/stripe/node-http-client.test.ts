import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeNodeHttpClient } from './node-http-client.js';

describe('the node:http Stripe client', () => {
  let server: Server;
  let port: number;
  const trickles = new Set<ReturnType<typeof setInterval>>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.includes('pi_trickle')) {
        // A byte every 20 ms: no read ever waits long enough for Node's per-read timeout.
        res.write('{"id":"pi_trickle","object":"payment_intent"');
        const trickle = setInterval(() => res.write(' '), 20);
        trickles.add(trickle);
        res.on('close', () => clearInterval(trickle));
      } else {
        res.end('{"id":"pi_plain","object":"payment_intent"}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const trickle of trickles) clearInterval(trickle);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const stripe = (timeout: number) =>
    new Stripe('sk_test_trickle', { httpClient: stripeNodeHttpClient('http'), host: '127.0.0.1', port, protocol: 'http', timeout, maxNetworkRetries: 0 });

  it('answers a body that arrives', async () => {
    expect((await stripe(30_000).paymentIntents.retrieve('pi_plain')).id).toBe('pi_plain');
  });

  // The body never ends: whatever the machine's load, only the whole-call deadline can end the call.
  it('ends a call whose body trickles past the timeout as a timeout', async () => {
    await expect(stripe(500).paymentIntents.retrieve('pi_trickle')).rejects.toMatchObject({ type: 'StripeConnectionError', message: expect.stringMatching(/timeout/i) });
  });
});
