import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Adyen from '@adyen/api-library';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { luhnValid } from '../../../src/domain/card.js';
import { startAdyenSimulator, TEST_CARDS, type AdyenSimulator } from './index.js';
import { ADYEN_RETRY_SCHEDULE } from '../../testkit/webhook-schedules.js';
import { HOLDER_NAME_TRIGGERS } from './test-cards.js';

const HMAC_KEY = 'ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789';
const API_KEY = 'AQE_simulator_test';
const NUMBER = '4111111145551142';

let sim: AdyenSimulator;

beforeAll(async () => {
  sim = await startAdyenSimulator({ hmacKey: HMAC_KEY, apiKey: API_KEY, merchantAccount: 'SimMerchant', notificationDelayMs: 5, webhookRetry: { scale: 0.0001 } });
});
afterAll(() => sim.close());
beforeEach(async () => {
  await sim.clearFault();
  sim.setLatency(null);
  sim.setApprovalRates([]);
  sim.setWebhookUrl(null);
  sim.setWebhookRetryScale(0.0001);
  sim.clearWebhookFaults();
  sim.ledger.reset();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // a truncated body, on purpose
  }
  return { status: response.status, headers: response.headers, text, json };
}

function payment(overrides: Record<string, unknown> = {}, method: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    merchantAccount: 'SimMerchant',
    amount: { value: 1000, currency: 'EUR' },
    reference: 'order-1',
    returnUrl: 'https://shop.example/return',
    paymentMethod: { type: 'scheme', number: NUMBER, expiryMonth: '03', expiryYear: '2030', cvc: '737', holderName: 'Jane', ...method },
    ...overrides,
  };
}

async function authorised(overrides: Record<string, unknown> = {}): Promise<string> {
  const answer = await post('/v72/payments', payment(overrides));
  expect(answer.json['resultCode']).toBe('Authorised');
  return answer.json['pspReference'] as string;
}

describe('payments', () => {
  it("answers Authorised in Adyen's shape and records no card data", async () => {
    const answer = await post('/v72/payments', payment({ captureDelayHours: 0 }));
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      pspReference: expect.stringMatching(/^[A-Z0-9]{16}$/),
      resultCode: 'Authorised',
      merchantReference: 'order-1',
      amount: { currency: 'EUR', value: 1000 },
      paymentMethod: { brand: 'visa', type: 'scheme' },
      // Adyen's test card 4111 1111 4555 1142 is issued in the US; its list gives no funding source.
      // The network's transaction id, which a merchant-initiated payment on this card cites later.
      additionalData: { cardBin: '411111', cardSummary: '1142', cardIssuingCountry: 'US', networkTxReference: expect.stringMatching(/^\d{15}$/) },
    });
    const record = sim.ledger.payment(answer.json['pspReference'] as string);
    expect(record).toMatchObject({ network: 'visa', issuerCountry: 'US', authorized: 1000, captured: 1000, manualCapture: false });
    expect(JSON.stringify([sim.ledger.payments(), sim.ledger.requests()])).not.toMatch(/4111111145551142|"737"/);
  });

  it('leaves the payment uncaptured for manual or delayed capture', async () => {
    const manual = await authorised({ additionalData: { manualCapture: 'true' } });
    const delayed = await authorised({ captureDelayHours: 24 });
    expect(sim.ledger.payment(manual)).toMatchObject({ manualCapture: true, captured: 0 });
    expect(sim.ledger.payment(delayed)).toMatchObject({ manualCapture: true, captured: 0 });
  });

  it('takes the outcome from the holder name, or from RequestedTestAcquirerResponseCode', async () => {
    expect((await post('/v72/payments', payment({}, { holderName: 'card_expired' }))).json).toMatchObject({
      resultCode: 'Refused',
      refusalReason: 'Expired Card',
      refusalReasonCode: '6',
    });
    expect((await post('/v72/payments', payment({ additionalData: { RequestedTestAcquirerResponseCode: '22' } }))).json).toMatchObject({
      resultCode: 'Cancelled',
      refusalReason: 'FRAUD-CANCELLED',
    });
    expect((await post('/v72/payments', payment({}, { holderName: 'PENDING' }))).json).toMatchObject({ resultCode: 'Received' });
    expect(sim.ledger.charges()).toBe(0);
  });

  it('knows every documented holder name, each with its refusal text where it refuses', () => {
    expect(HOLDER_NAME_TRIGGERS.size).toBe(38);
    for (const [name, outcome] of HOLDER_NAME_TRIGGERS) {
      expect(outcome.resultCode === 'Authorised' || outcome.resultCode === 'Received' || outcome.refusal !== null, name).toBe(true);
    }
  });

  it('lists only Luhn-valid test cards', () => {
    for (const card of TEST_CARDS) expect(luhnValid(card.number), card.number).toBe(true);
  });

  it('redirects 3-D Secure cards to its own page', async () => {
    const answer = await post('/v72/payments', payment({}, { number: '4212345678910006' }));
    expect(answer.json).toMatchObject({ resultCode: 'RedirectShopper', action: { type: 'redirect', method: 'GET', paymentMethodType: 'scheme' } });
    const url = (answer.json['action'] as { url: string }).url;
    expect(url.startsWith(`${sim.url}/_sim/3ds/`)).toBe(true);
    expect(await (await fetch(url)).text()).toContain('Authenticate');
    const back = await fetch(`${url}/complete?result=succeed`, { redirect: 'manual' });
    expect(back.status).toBe(302);
    const location = new URL(back.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://shop.example/return');
    expect(location.searchParams.get('redirectResult')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect((await fetch(`${url}/complete?result=succeed`, { redirect: 'manual' })).status).toBe(409);
    expect(sim.ledger.charges()).toBe(1);
    expect(sim.ledger.requestCount()).toBe(1);
  });

  it('asks any card for 3-D Secure with authenticationData.attemptAuthentication: always', async () => {
    const answer = await post('/v72/payments', payment({ authenticationData: { attemptAuthentication: 'always' } }));
    expect(answer.json).toMatchObject({ resultCode: 'RedirectShopper', action: { type: 'redirect' } });
    expect((await post('/v72/payments', payment({ reference: 'order-2', authenticationData: { attemptAuthentication: 'never' } }))).json).toMatchObject({ resultCode: 'Authorised' });
    const bad = await post('/v72/payments', payment({ reference: 'order-3', authenticationData: { attemptAuthentication: 'sometimes' } }));
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errorCode: '702' });
  });

  describe('/payments/details', () => {
    async function redirected(result: 'succeed' | 'fail', reference = 'order-3ds'): Promise<{ psp: string; redirectResult: string }> {
      const answer = await post('/v72/payments', payment({ reference, additionalData: { manualCapture: 'true' } }, { number: '5454545454545454' }));
      const url = (answer.json['action'] as { url: string }).url;
      const back = await fetch(`${url}/complete?result=${result}`, { redirect: 'manual' });
      return { psp: answer.json['pspReference'] as string, redirectResult: new URL(back.headers.get('location')!).searchParams.get('redirectResult')! };
    }

    it('answers the authorised result for the redirectResult the shopper brought back, as often as asked', async () => {
      const { psp, redirectResult } = await redirected('succeed');
      for (const _ of [1, 2]) {
        const details = await post('/v72/payments/details', { details: { redirectResult } });
        expect(details.status).toBe(200);
        expect(details.json).toEqual({
          pspReference: psp,
          merchantReference: 'order-3ds',
          resultCode: 'Authorised',
          amount: { currency: 'EUR', value: 1000 },
          paymentMethod: { brand: 'mc', type: 'scheme' },
          additionalData: { cardBin: '545454', cardSummary: '5454', cardIssuingCountry: 'US', networkTxReference: expect.stringMatching(/^\d{15}$/) },
        });
      }
      expect(sim.ledger.payment(psp)).toMatchObject({ authorized: 1000, captured: 0 });
      expect(sim.ledger.charges()).toBe(1);
    });

    it('answers the refusal of a failed challenge', async () => {
      const { redirectResult } = await redirected('fail');
      expect((await post('/v72/payments/details', { details: { redirectResult } })).json).toMatchObject({
        resultCode: 'Refused',
        refusalReasonCode: '11',
        refusalReason: '3D Not Authenticated',
      });
      expect(sim.ledger.charges()).toBe(0);
    });

    it('answers 422 to a missing or unknown redirectResult', async () => {
      expect((await post('/v72/payments/details', {})).json).toMatchObject({ status: 422, errorCode: '14_002' });
      expect((await post('/v72/payments/details', { details: { redirectResult: 'nope' } })).json).toMatchObject({ status: 422, errorCode: '14_018' });
    });

    it('sends the AUTHORISATION notification when the shopper finishes, whether or not details is called', async () => {
      const received: string[] = [];
      const hook = createServer((req, res) => {
        let text = '';
        req.on('data', (chunk: Buffer) => (text += chunk.toString()));
        req.on('end', () => {
          received.push(text);
          res.end('[accepted]');
        });
      });
      await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
      try {
        sim.setWebhookUrl(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/`);
        const { psp } = await redirected('succeed');
        await sim.idle();
        expect(received).toHaveLength(1);
        expect(JSON.parse(received[0]!).notificationItems[0].NotificationRequestItem).toMatchObject({ eventCode: 'AUTHORISATION', success: 'true', pspReference: psp });
      } finally {
        await new Promise((resolve) => hook.close(resolve));
      }
    });
  });

  it.each([
    ['no merchant account', payment({ merchantAccount: undefined }), '901'],
    ['no amount', payment({ amount: undefined }), '100'],
    ['a fractional amount', payment({ amount: { value: 10.5, currency: 'EUR' } }), '137'],
    ['an unknown currency', payment({ amount: { value: 10, currency: 'XYZ' } }), '138'],
    ['no reference', payment({ reference: '' }), '130'],
    ['no return URL', payment({ returnUrl: undefined }), '14_030'],
    ['no payment method', payment({ paymentMethod: undefined }), '14_006'],
    ['another payment method', payment({ paymentMethod: { type: 'ideal' } }), '905'],
    ['a number failing Luhn', payment({}, { number: '4111111145551143' }), '101'],
    ['an expiry in the past', payment({}, { expiryYear: '2020' }), '140'],
    ['a month out of range', payment({}, { expiryMonth: '13' }), '140'],
    ['a CVC of the wrong length', payment({}, { cvc: '12' }), '103'],
    ['a negative capture delay', payment({ captureDelayHours: -1 }), '164'],
  ])('refuses %s with 422 and errorCode %s', async (_name, body, errorCode) => {
    const answer = await post('/v72/payments', body);
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({ status: 422, errorCode, message: expect.any(String), errorType: 'validation', pspReference: expect.any(String) });
    expect(answer.text).not.toContain('4111111145551143');
  });

  it('refuses a body that is not a JSON object with 400', async () => {
    expect((await post('/v72/payments', '{"amount":')).json).toMatchObject({ status: 400, errorCode: '702' });
  });

  it('refuses a missing or wrong X-API-Key with 401, another merchant account with 403', async () => {
    expect((await post('/v72/payments', payment(), { 'x-api-key': 'AQE_wrong' })).json).toEqual({
      status: 401,
      errorCode: '000',
      message: 'HTTP Status Response - Unauthorized',
      errorType: 'security',
    });
    expect((await post('/v72/payments', payment({ merchantAccount: 'Other' }))).json).toMatchObject({ status: 403, errorCode: '901' });
    expect(sim.ledger.requestCount('/v72/payments')).toBe(2);
  });
});

describe('modifications', () => {
  it('answers 201 received and decides later', async () => {
    const psp = await authorised({ additionalData: { manualCapture: 'true' } });
    const answer = await post(`/v72/payments/${psp}/captures`, { merchantAccount: 'SimMerchant', amount: { value: 400, currency: 'EUR' }, reference: 'cap-1' });
    expect(answer.status).toBe(201);
    expect(answer.json).toEqual({
      merchantAccount: 'SimMerchant',
      paymentPspReference: psp,
      pspReference: expect.stringMatching(/^[A-Z0-9]{16}$/),
      reference: 'cap-1',
      status: 'received',
      amount: { currency: 'EUR', value: 400 },
    });
    expect(sim.ledger.totals().captured).toBe(0);
    await sim.idle();
    expect(sim.ledger.totals().captured).toBe(400);
  });

  it('reverses by refunding what was captured, or else by cancelling', async () => {
    const captured = await authorised();
    const uncaptured = await authorised({ additionalData: { manualCapture: 'true' } });
    for (const psp of [captured, uncaptured]) {
      expect((await post(`/v72/payments/${psp}/reversals`, { merchantAccount: 'SimMerchant' })).json).not.toHaveProperty('amount');
    }
    await sim.idle();
    expect(sim.ledger.payment(captured)).toMatchObject({ refunded: 1000 });
    expect(sim.ledger.payment(uncaptured)).toMatchObject({ released: 1000 });
    expect(sim.notifications().filter((n) => n.eventCode === 'CANCEL_OR_REFUND')).toHaveLength(2);
  });

  it('refuses a payment it does not know with 422 errorCode 167', async () => {
    expect((await post('/v72/payments/UNKNOWN000000000/refunds', { merchantAccount: 'SimMerchant', amount: { value: 1, currency: 'EUR' } })).json).toMatchObject({
      status: 422,
      errorCode: '167',
    });
  });

  it('needs an amount for captures and refunds, none for cancels', async () => {
    const psp = await authorised({ additionalData: { manualCapture: 'true' } });
    expect((await post(`/v72/payments/${psp}/captures`, { merchantAccount: 'SimMerchant' })).json).toMatchObject({ errorCode: '100' });
    expect((await post(`/v72/payments/${psp}/cancels`, { merchantAccount: 'SimMerchant' })).status).toBe(201);
  });
});

describe('idempotency', () => {
  const key = { 'idempotency-key': 'order-1:attempt:1' };

  it('answers a resend with the first answer, byte for byte, and runs nothing again', async () => {
    const first = await post('/v72/payments', payment(), key);
    const second = await post('/v72/payments', payment(), key);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotency-key')).toBe('order-1:attempt:1');
    expect(sim.ledger.charges()).toBe(1);
    expect(sim.ledger.requests().map((r) => r.replayed)).toEqual([false, true]);
  });

  it('refuses the key for another request with 422 errorCode 704, not to be retried', async () => {
    await post('/v72/payments', payment(), key);
    const other = await post('/v72/payments', payment({ amount: { value: 1, currency: 'EUR' } }), key);
    expect(other.json).toMatchObject({ status: 422, errorCode: '704', message: 'request already processed or in progress' });
    expect(other.headers.get('transient-error')).toBeNull();
  });

  it('answers 409 errorCode 704 with transient-error while the first request runs', async () => {
    sim.setLatency({ kind: 'fixed', ms: 100 });
    const first = post('/v72/payments', payment(), key);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await post('/v72/payments', payment(), key);
    expect(second.json).toMatchObject({ status: 409, errorCode: '704' });
    expect(second.headers.get('transient-error')).toBe('true');
    expect((await first).status).toBe(200);
  });

  it('keeps no refused request under its key, so it can run again', async () => {
    expect((await post('/v72/payments', payment({ returnUrl: undefined }), key)).status).toBe(422);
    expect((await post('/v72/payments', payment(), key)).status).toBe(200);
  });

  it('refuses a key longer than 64 characters', async () => {
    expect((await post('/v72/payments', payment(), { 'idempotency-key': 'k'.repeat(65) })).status).toBe(422);
  });
});

describe('faults', () => {
  it('applies a fault `times` times, to matching method and path only', async () => {
    await sim.setFault({ kind: 'http_error', status: 503 }, { times: 2, pathPrefix: '/v72/payments/', method: 'POST' });
    expect((await post('/v72/payments', payment())).status).toBe(200);
    const psp = await authorised({ additionalData: { manualCapture: 'true' } });
    const capture = () => post(`/v72/payments/${psp}/captures`, { merchantAccount: 'SimMerchant', amount: { value: 1, currency: 'EUR' } });
    expect((await capture()).json).toMatchObject({ status: 503, errorCode: '903' });
    expect((await capture()).status).toBe(503);
    expect((await capture()).status).toBe(201);
    expect(sim.ledger.requests().map((r) => r.fault)).toEqual([null, null, 'http_error', 'http_error', null]);
  });

  it('answers 429 in the error shape without doing anything', async () => {
    await sim.setFault({ kind: 'http_error', status: 429 });
    expect((await post('/v72/payments', payment())).json).toMatchObject({ status: 429 });
    expect(sim.ledger.charges()).toBe(0);
  });

  it('rejects a status it cannot fake', async () => {
    await expect(sim.setFault({ kind: 'http_error', status: 418 as 500 })).rejects.toThrow(RangeError);
  });

  it('truncates the body after doing the work for malformed_response', async () => {
    await sim.setFault({ kind: 'malformed_response' }, { times: 1 });
    const answer = await post('/v72/payments', payment());
    expect(answer.status).toBe(200);
    expect(() => JSON.parse(answer.text)).toThrow();
    expect(sim.ledger.charges()).toBe(1);
  });

  it('answers 500 after doing the work for charge_then_500', async () => {
    await sim.setFault({ kind: 'charge_then_500' });
    expect((await post('/v72/payments', payment())).status).toBe(500);
    expect(sim.ledger.charges()).toBe(1);
  });

  it('holds hang and charge_then_hang until cleared; only the latter charges', async () => {
    for (const kind of ['hang', 'charge_then_hang'] as const) {
      sim.ledger.reset();
      await sim.setFault({ kind });
      const held = post('/v72/payments', payment()).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sim.clearFault();
      expect(await held).toBeInstanceOf(Error);
      expect(sim.ledger.charges()).toBe(kind === 'hang' ? 0 : 1);
    }
  });

  it('refuses connections, then listens again on the same port', async () => {
    const port = sim.port;
    await sim.setFault({ kind: 'refuse_connections' });
    const refused = await fetch(`${sim.url}/v72/payments`, { method: 'POST' }).catch((error: unknown) => error);
    expect((refused as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    await sim.clearFault();
    expect(sim.port).toBe(port);
    expect((await post('/v72/payments', payment())).status).toBe(200);
  });

  it('close() ends hung requests', async () => {
    const own = await startAdyenSimulator({ hmacKey: HMAC_KEY });
    await own.setFault({ kind: 'hang' });
    const held = fetch(`${own.url}/v72/payments`, { method: 'POST', headers: { 'x-api-key': 'k' }, body: '{}' }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await own.close();
    expect(await held).toBeInstanceOf(Error);
  });
});

describe('approval rates', () => {
  async function outcomes(count: number, method: Record<string, unknown> = {}, currency = 'EUR'): Promise<string[]> {
    const results: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const answer = await post('/v72/payments', payment({ amount: { value: 1000, currency } }, method));
      results.push(answer.json['resultCode'] as string);
    }
    return results;
  }

  it('soft-declines the share a segment does not approve, repeatably for a seed', async () => {
    sim.setApprovalRates([{ network: 'visa', currency: 'EUR', rate: 0.5 }], 42);
    const first = await outcomes(40);
    sim.setApprovalRates([{ network: 'visa', currency: 'EUR', rate: 0.5 }], 42);
    expect(await outcomes(40)).toEqual(first);
    const approved = first.filter((r) => r === 'Authorised').length;
    expect(approved).toBeGreaterThan(10);
    expect(approved).toBeLessThan(30);
  });

  it('matches rules on network, currency and issuer country; the first match wins; no match approves', async () => {
    sim.setApprovalRates([
      { country: 'NL', rate: 0 },
      { network: 'mastercard', rate: 0 },
      { currency: 'USD', rate: 0 },
      { rate: 1 },
    ]);
    expect(await outcomes(2, { number: '4111111111111111' })).toEqual(['Refused', 'Refused']);
    expect(await outcomes(2, { number: '5555341244441115' })).toEqual(['Refused', 'Refused']);
    expect(await outcomes(2, {}, 'USD')).toEqual(['Refused', 'Refused']);
    expect(await outcomes(2)).toEqual(['Authorised', 'Authorised']);
  });

  it("uses Adyen's generic refusal", async () => {
    sim.setApprovalRates([{ rate: 0 }]);
    expect((await post('/v72/payments', payment())).json).toMatchObject({ resultCode: 'Refused', refusalReason: 'Refused', refusalReasonCode: '2' });
  });

  it('refuses a rate outside 0..1', () => {
    expect(() => sim.setApprovalRates([{ rate: 1.5 }])).toThrow(RangeError);
  });
});

describe('latency', () => {
  it('delays each API request', async () => {
    sim.setLatency({ kind: 'fixed', ms: 60 });
    const started = Date.now();
    await post('/v72/payments', payment());
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('refuses an impossible distribution', () => {
    expect(() => sim.setLatency({ kind: 'uniform', minMs: 10, maxMs: 5 })).toThrow(RangeError);
    expect(() => sim.setLatency({ kind: 'lognormal', medianMs: 50, p99Ms: 10 })).toThrow(RangeError);
  });
});

describe('notifications', () => {
  let receiver: Server;
  let url: string;
  const received: string[] = [];
  let failuresLeft = 0;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push(body);
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(500).end();
        } else {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('[accepted]');
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  afterEach(() => {
    received.length = 0;
    failuresLeft = 0;
  });

  it('POSTs a standard notification signed as the official library checks it', async () => {
    sim.setWebhookUrl(url);
    const psp = await authorised();
    await sim.idle();
    const body = JSON.parse(received[0] ?? '') as { live: string; notificationItems: { NotificationRequestItem: Record<string, unknown> }[] };
    const item = body.notificationItems[0]!.NotificationRequestItem;
    expect(body.live).toBe('false');
    expect(item).toMatchObject({
      eventCode: 'AUTHORISATION',
      success: 'true',
      pspReference: psp,
      merchantAccountCode: 'SimMerchant',
      merchantReference: 'order-1',
      amount: { value: 1000, currency: 'EUR' },
      paymentMethod: 'visa',
      operations: ['REFUND'],
      additionalData: { networkTxReference: expect.stringMatching(/^\d{15}$/) },
    });
    expect(new Adyen.hmacValidator().validateHMAC(item as never, HMAC_KEY)).toBe(true);
    expect(received.join()).not.toMatch(/4111111145551142|"737"/);
  });

  it('retries a delivery that is not accepted, on Adyen’s schedule', async () => {
    sim.setWebhookUrl(url);
    failuresLeft = 4;
    await authorised();
    await sim.idle();
    expect(received).toHaveLength(5);
    expect(sim.notifications()).toEqual([expect.objectContaining({ eventCode: 'AUTHORISATION', attempts: 5, delivered: true })]);
    expect(sim.webhookDeliveries()).toEqual([expect.objectContaining({ state: 'delivered', attempts: [500, 500, 500, 500, 200].map((status) => expect.objectContaining({ status })) })]);
  });

  it('gives up after the last retry of its 30 days', async () => {
    sim.setWebhookUrl(url);
    sim.setWebhookRetryScale(0);
    failuresLeft = 1000;
    await authorised();
    await sim.idle();
    expect(sim.notifications()).toEqual([expect.objectContaining({ attempts: ADYEN_RETRY_SCHEDULE.delaysMs.length + 1, delivered: false })]);
    expect(sim.webhookDeliveries()).toEqual([expect.objectContaining({ type: 'AUTHORISATION', state: 'failed' })]);
  });

  it('logs notifications it has nowhere to send', async () => {
    await authorised();
    await sim.idle();
    expect(sim.notifications()).toEqual([expect.objectContaining({ eventCode: 'AUTHORISATION', attempts: 0, delivered: false })]);
  });

  it('drops work still queued when the ledger is reset', async () => {
    const psp = await authorised({ additionalData: { manualCapture: 'true' } });
    await post(`/v72/payments/${psp}/captures`, { merchantAccount: 'SimMerchant', amount: { value: 1, currency: 'EUR' } });
    sim.ledger.reset();
    await sim.idle();
    expect(sim.notifications()).toEqual([]);
  });
});

describe('ledger', () => {
  it('totals per currency in either case, counts requests by prefix, and resets', async () => {
    await authorised();
    await authorised({ amount: { value: 500, currency: 'USD' } });
    expect(sim.ledger.totals('usd')).toEqual({ authorized: 500, captured: 500, refunded: 0 });
    expect(sim.ledger.totals()).toEqual({ authorized: 1500, captured: 1500, refunded: 0 });
    expect(sim.ledger.requestCount('/v72/payments')).toBe(2);
    expect(sim.ledger.requestCount('/v72/payments/')).toBe(0);
    sim.ledger.reset();
    expect([sim.ledger.charges(), sim.ledger.requestCount()]).toEqual([0, 0]);
  });
});
