/**
 * Target (b), "ceiling": a bare Hono proxy. Each `POST` (the Switchyard payment body) is turned
 * into the simulator's form-encoded `POST /v1/payment_intents` and forwarded over a keep-alive
 * connection; the simulator's answer goes back as 201. No SDK, no store, no routing: the
 * physical limit of one HTTP hop in front of the simulator.
 *
 *   tsx bench/load/proxy-process.ts --sim-port N   → prints {"ready":true,"url"}
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announce, exitOnSignal, option } from './args.js';
import { paymentIntentForm, type PaymentRequest } from './payment-request.js';

const simPort = Number(option('sim-port'));
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function forward(form: string, idempotencyKey: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      authorization: 'Bearer sk_test_load_bench',
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(form),
    };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const outgoing = httpRequest({ host: '127.0.0.1', port: simPort, method: 'POST', path: '/v1/payment_intents', agent, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(form);
  });
}

let counter = 0;
const app = new Hono();
app.post('/v1/payments', async (c) => {
  const body = await c.req.json<PaymentRequest>();
  const answer = await forward(paymentIntentForm(body, `proxy_${++counter}`), c.req.header('idempotency-key'));
  return c.body(answer.body, answer.status === 200 ? 201 : 502, { 'content-type': 'application/json' });
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
  announce({ url: `http://127.0.0.1:${info.port}` });
});
exitOnSignal(async () => void server.close());
