/**
 * Target (a), "direct": the official stripe SDK calling the simulator, no Switchyard. A thin
 * node:http server so autocannon drives it like the others: each `POST` (the Switchyard payment
 * body) becomes one `stripe.paymentIntents.create({ confirm: true, ... })` with the request's
 * Idempotency-Key, configured as the Node runtime's Stripe adapter configures its client (node:http
 * without the SDK's hidden resend, no SDK retries), answered 201 with the PaymentIntent's id and status.
 *
 *   tsx bench/load/direct-process.ts --sim-port N   → prints {"ready":true,"url"}
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { stripeNodeHttpClient } from '../../adapters/stripe/node-http-client.js';
import { announce, exitOnSignal, option } from './args.js';
import { readBody, sendJson } from './http-util.js';
import type { PaymentRequest } from './payment-request.js';

const stripe = new Stripe('sk_test_load_bench', {
  host: '127.0.0.1',
  port: Number(option('sim-port')),
  protocol: 'http',
  timeout: Number(process.env.SWITCHYARD_GATEWAY_TIMEOUT_MS ?? 10_000),
  maxNetworkRetries: 0,
  httpClient: stripeNodeHttpClient('http'),
  telemetry: false,
});

let counter = 0;
const server = createServer(async (request, response) => {
  try {
    const body = JSON.parse(await readBody(request)) as PaymentRequest;
    const key = request.headers['idempotency-key'];
    const card = body.payment_method.card;
    const intent = await stripe.paymentIntents.create(
      {
        amount: body.amount,
        currency: body.currency.toLowerCase(),
        capture_method: body.capture_method,
        confirm: true,
        allowed_payment_method_types: ['card'],
        payment_method_data: {
          type: 'card',
          card: { number: card.number, exp_month: card.exp_month, exp_year: card.exp_year, cvc: card.cvc },
        } as unknown as Stripe.PaymentIntentCreateParams.PaymentMethodData,
        metadata: { reference: `direct_${++counter}` },
      },
      typeof key === 'string' ? { idempotencyKey: key } : {},
    );
    sendJson(response, 201, { id: intent.id, object: 'payment', status: intent.status });
  } catch (error) {
    sendJson(response, 502, { error: error instanceof Error ? error.message : String(error) });
  }
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
exitOnSignal(async () => void server.close());
announce({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
