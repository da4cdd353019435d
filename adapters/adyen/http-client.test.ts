import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Adyen from '@adyen/api-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdyenTransportError, createFetchClient } from './http-client.js';

const { CheckoutAPI, Client, EnvironmentEnum, HttpClientException } = Adyen;

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers whatever the test queued next and records what it received. */
let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
let next: { status: number; body: string; hang?: boolean } = { status: 200, body: '{}' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (next.hang) return;
      res.writeHead(next.status, { 'content-type': 'application/json', 'transient-error': 'true' }).end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function checkout(base = baseUrl, timeoutMs = 1000) {
  const client = new Client({ apiKey: 'AQE_key', environment: EnvironmentEnum.TEST }, createFetchClient({ baseUrl: base, timeoutMs }));
  return new CheckoutAPI(client);
}

const paymentRequest = {
  merchantAccount: 'M',
  amount: { value: 100, currency: 'EUR' },
  reference: 'r',
  returnUrl: 'https://example.invalid',
  paymentMethod: { type: Adyen.Types.checkout.CardDetails.TypeEnum.Scheme },
};

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('createFetchClient', () => {
  it('sends the library path under the base URL (keeping its prefix), with the key and the idempotency key', async () => {
    next = { status: 201, body: '{"status":"received","pspReference":"P"}' };
    seen.length = 0;
    const response = await checkout(`${baseUrl}/checkout/`).ModificationsApi.captureAuthorisedPayment(
      'PSP1',
      { merchantAccount: 'M', amount: { value: 5, currency: 'EUR' } },
      { idempotencyKey: 'pay_1:capture' },
    );
    expect(response).toMatchObject({ status: 'received', pspReference: 'P' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/checkout/v72/payments/PSP1/captures' });
    expect(seen[0]?.headers).toMatchObject({ 'x-api-key': 'AQE_key', 'idempotency-key': 'pay_1:capture', 'content-type': 'application/json' });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ merchantAccount: 'M', amount: { currency: 'EUR', value: 5 } });
  });

  it('sends no Idempotency-Key when none is given', async () => {
    next = { status: 200, body: '{"resultCode":"Authorised"}' };
    seen.length = 0;
    await checkout().PaymentsApi.payments(paymentRequest);
    expect(seen[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it("throws the library's HttpClientException with Adyen's error for a non-2xx answer", async () => {
    next = { status: 422, body: '{"status":422,"errorCode":"101","message":"Invalid card number","errorType":"validation"}' };
    const error = await failure(checkout().PaymentsApi.payments(paymentRequest));
    expect(error).toBeInstanceOf(HttpClientException);
    expect(error).toMatchObject({ statusCode: 422, errorCode: '101', apiError: { errorType: 'validation' } });
    expect((error as InstanceType<typeof HttpClientException>).responseHeaders).toMatchObject({ 'transient-error': 'true' });
  });

  it('throws HttpClientException without apiError when the error body is not JSON', async () => {
    next = { status: 502, body: '<html>bad gateway</html>' };
    const error = await failure(checkout().PaymentsApi.payments(paymentRequest));
    expect(error).toMatchObject({ statusCode: 502 });
    expect((error as InstanceType<typeof HttpClientException>).apiError).toBeUndefined();
  });

  it('refuses a 2xx body that is not JSON instead of handing the text on', async () => {
    next = { status: 200, body: '{"resultCode":"Autho' };
    const error = await failure(checkout().PaymentsApi.payments(paymentRequest));
    expect(error).toBeInstanceOf(AdyenTransportError);
    expect(error).toMatchObject({ kind: 'malformed_response' });
  });

  it('reports its own timeout', async () => {
    next = { status: 200, body: '{}', hang: true };
    const error = await failure(checkout(baseUrl, 100).PaymentsApi.payments(paymentRequest));
    expect(error).toMatchObject({ kind: 'timeout' });
    server.closeAllConnections();
  });

  it('reports a refused connection as certain', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(checkout(`http://127.0.0.1:${port}`).PaymentsApi.payments(paymentRequest));
    expect(error).toMatchObject({ kind: 'connection_refused', message: 'Adyen could not be reached.' });
  });

  it('reports a connection dropped before the answer as lost, not refused', async () => {
    const dropping = createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    const error = await failure(checkout(`http://127.0.0.1:${(dropping.address() as AddressInfo).port}`).PaymentsApi.payments(paymentRequest));
    expect(error).toMatchObject({ kind: 'connection_lost' });
    await new Promise((resolve) => dropping.close(resolve));
  });
});
