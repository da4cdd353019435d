import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizeRequest } from '../../testkit/contract.js';
import { expectUndeliveredWebhookResumedAfterRestart } from '../../testkit/simulator-restart.js';
import { startWebhookSink, type WebhookSink } from '../../testkit/webhook-sink.js';
import { createCheckoutAdapter } from '../adapter.js';
import { startCheckoutSimulator, type CheckoutSimulator } from './index.js';

const SECRET_KEY = 'sk_sbox_simulatortestkeyabcdefghi2';
const CARD = '4000056655665556';

function request(n: number): AuthorizeRequest {
  return {
    paymentId: `pay_sim${n}`,
    attemptNumber: 1,
    idempotencyKey: `pay_sim${n}:attempt:1`,
    amount: 4200,
    currency: 'EUR',
    captureMethod: 'automatic',
    method: { type: 'card', card: { number: CARD, expMonth: 3, expYear: 2030, cvc: '987', holderName: null } },
    description: null,
    customerEmail: null,
    returnUrl: null,
    threeDSecure: 'automatic',
  };
}

const adapterFor = (sim: CheckoutSimulator) =>
  createCheckoutAdapter({ secretKey: SECRET_KEY, publicKey: null, webhookSecret: sim.account.webhookSecret, baseUrl: sim.url, subdomain: null, returnUrl: 'https://shop.example/back', timeoutMs: 5000 });

const call = (sim: CheckoutSimulator, method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
  fetch(`${sim.url}${path}`, { method, headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body }) });

describe('the Checkout.com simulator', () => {
  let dir: string;
  let sink: WebhookSink;
  let sim: CheckoutSimulator;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-checkout-'));
    sink = await startWebhookSink();
    sim = await startCheckoutSimulator({ secretKey: SECRET_KEY, statePath: join(dir, 'checkout.json'), webhookUrl: sink.url, webhookRetry: { scale: 0.0001 } });
  });
  afterEach(async () => {
    await sim.close();
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps payments, keys and its webhook secret across a restart, and never the card number or CVV', async () => {
    const outcome = await adapterFor(sim).authorize(request(1));
    if (outcome.kind !== 'approved') throw new Error('expected an approval');
    await sim.close();
    const text = await readFile(join(dir, 'checkout.json'), 'utf8');
    expect(text).not.toContain(CARD);
    expect(text).not.toContain('987');
    expect(text).toContain(CARD.slice(-4));

    sim = await startCheckoutSimulator({ statePath: join(dir, 'checkout.json'), webhookUrl: sink.url });
    const refunded = await adapterFor(sim).refund({ reference: outcome.reference, amount: 4200, currency: 'EUR', idempotencyKey: 'pay_sim1:refund:1' });
    expect(refunded).toMatchObject({ kind: 'pending' });
    expect(sim.ledger.totals()).toMatchObject({ captured: 4200, refunded: 4200 });
    // The same request again under its key is a replay: the same action, nothing refunded twice.
    expect(await adapterFor(sim).refund({ reference: outcome.reference, amount: 4200, currency: 'EUR', idempotencyKey: 'pay_sim1:refund:1' })).toEqual(refunded);
    expect(sim.ledger.totals().refunded).toBe(4200);
  });

  it('goes on retrying after a restart the webhooks it could not deliver before', async () => {
    await sim.close();
    await expectUndeliveredWebhookResumedAfterRestart({
      sink,
      start: async () => (sim = await startCheckoutSimulator({ secretKey: SECRET_KEY, statePath: join(dir, 'restarted.json'), webhookUrl: sink.url, webhookRetry: { scale: 0.0001 } })),
      pay: async (started) => {
        const paid = await adapterFor(started).authorize(request(9));
        return paid.kind === 'approved' ? paid.reference : null;
      },
      eventTypes: ['payment_approved', 'payment_captured'],
      verify: (started, delivered) => adapterFor(started).parseWebhook(delivered, new Date()),
    });
  });

  it('delivers signed webhooks the adapter verifies: approval and capture of an automatic-capture payment', async () => {
    const outcome = await adapterFor(sim).authorize(request(2));
    await sim.idle();
    const events = [];
    for (const delivered of sink.received) {
      const verified = await adapterFor(sim).parseWebhook(delivered, new Date());
      expect(verified.ok).toBe(true);
      if (verified.ok) events.push(...verified.events);
    }
    // Sent in order, but concurrently: they may arrive either way round.
    expect(events.map((e) => e.type).sort()).toEqual(['authorization.succeeded', 'capture.succeeded']);
    expect(events.find((e) => e.type === 'authorization.succeeded')).toMatchObject({ reference: outcome.kind === 'approved' ? outcome.reference : '', merchantReference: 'pay_sim2:attempt:1', amount: 4200, currency: 'EUR' });
  });

  it('answers 401 without the key, 422 naming bad fields, 404 for unknown payments and pages, and changes nothing', async () => {
    const body = JSON.stringify({ source: { type: 'card', number: CARD, expiry_month: 3, expiry_year: 2030 }, amount: 100, currency: 'EUR' });
    expect((await call(sim, 'POST', '/payments', body, { authorization: 'Bearer sk_sbox_wrong' })).status).toBe(401);
    const invalid = await call(sim, 'POST', '/payments', JSON.stringify({ source: { type: 'card', number: '42', expiry_month: 13, expiry_year: 2030 }, amount: 1.5, currency: 'EUR' }));
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({ error_type: 'request_invalid', error_codes: ['card_number_invalid'] });
    expect((await call(sim, 'POST', '/payments', JSON.stringify({ ...JSON.parse(body), amount: 1005, currency: 'KWD' }))).status).toBe(422);
    expect((await call(sim, 'POST', '/payments', '{"source":')).status).toBe(422);
    expect((await call(sim, 'GET', '/payments/pay_aaaaaaaaaaaaaaaaaaaaaaaaaa')).status).toBe(404);
    expect((await fetch(`${sim.url}/_sim/3ds/sid_aaaaaaaaaaaaaaaaaaaaaaaaaa`)).status).toBe(404);
    expect(sim.ledger.charges()).toBe(0);
  });

  it('refuses a key reused for another request, and replays the first answer to the same one', async () => {
    const body = JSON.stringify({ source: { type: 'card', number: CARD, expiry_month: 3, expiry_year: 2030 }, amount: 100, currency: 'EUR', reference: 'r1' });
    const first = await call(sim, 'POST', '/payments', body, { 'cko-idempotency-key': 'k1' });
    const again = await call(sim, 'POST', '/payments', body, { 'cko-idempotency-key': 'k1' });
    expect(first.status).toBe(201);
    expect(await again.json()).toEqual(await first.json());
    expect((await call(sim, 'POST', '/payments', body.replace('"amount":100', '"amount":200'), { 'cko-idempotency-key': 'k1' })).status).toBe(409);
    expect(sim.ledger.charges()).toBe(1);
  });

  it('answers an approved payment with a 15-digit scheme_id, kept across a restart, and refuses a merchant-initiated payment citing no previous payment', async () => {
    const card = { type: 'card', number: CARD, expiry_month: 3, expiry_year: 2030, stored: true };
    const mit = { source: card, amount: 500, currency: 'EUR', payment_type: 'Unscheduled', merchant_initiated: true };
    const refused = await call(sim, 'POST', '/payments', JSON.stringify(mit));
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ error_type: 'request_invalid', error_codes: ['previous_payment_id_required'] });
    for (const hostile of [
      { ...mit, previous_payment_id: '' },
      { ...mit, previous_payment_id: 'x'.repeat(101) },
      { ...mit, previous_payment_id: 483297487231504 },
      { ...mit, previous_payment_id: '483297487231504', merchant_initiated: 'true' },
      { ...mit, previous_payment_id: '483297487231504', payment_type: 'Sometimes' },
      { ...mit, previous_payment_id: '483297487231504', source: { ...card, stored: 'yes' } },
    ]) {
      expect((await call(sim, 'POST', '/payments', JSON.stringify(hostile))).status).toBe(422);
    }
    expect(sim.ledger.charges()).toBe(0);

    const made = await call(sim, 'POST', '/payments', JSON.stringify({ ...mit, previous_payment_id: '483297487231504' }));
    expect(made.status).toBe(201);
    const answer = (await made.json()) as { id: string; scheme_id: string };
    expect(answer.scheme_id).toMatch(/^\d{15}$/);
    await sim.close();
    sim = await startCheckoutSimulator({ secretKey: SECRET_KEY, statePath: join(dir, 'checkout.json'), webhookUrl: sink.url });
    const read = await call(sim, 'GET', `/payments/${answer.id}`);
    expect(await read.json()).toMatchObject({ scheme_id: answer.scheme_id, payment_type: 'Unscheduled', merchant_initiated: true, previous_payment_id: '483297487231504' });
  });

  it('gives no scheme_id to a declined payment', async () => {
    const declined = await call(sim, 'POST', '/payments', JSON.stringify({ source: { type: 'card', number: '4000000000009995', expiry_month: 3, expiry_year: 2030 }, amount: 100, currency: 'EUR' }));
    const body = (await declined.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'Declined' });
    expect(body).not.toHaveProperty('scheme_id');
  });
});
