import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalJson, idempotencyHash } from '../../src/api/hash.js';
import { DRIVERS } from '../support/databases.js';
import { CARDS, paymentBody, startHarness, type Harness } from '../support/harness.js';

/** Card numbers and CVCs reach the gateway and nothing else: not the database, not the logs. */
describe.each(DRIVERS)('card data on %s', (driver) => {
  let h: Harness;
  const cvc = '739';
  const pans = [CARDS.visa, CARDS.mastercard, CARDS.insufficientFunds, CARDS.threeDs];

  beforeAll(async () => {
    h = await startHarness(driver);
    const card = (number: string) => ({ number, cvc, holder_name: 'Jane Doe' });
    for (const number of pans) {
      const res = await h.request('POST', '/v1/payments', { body: paymentBody({ capture_method: 'manual' }, card(number)) });
      const payment = await res.json();
      if (payment.status === 'requires_capture') {
        await h.request('POST', `/v1/payments/${payment.id}/capture`, { body: { amount: 1000 } });
        await h.request('POST', `/v1/payments/${payment.id}/refunds`, { body: { amount: 500 } });
      }
    }
    // Rejected requests carry card data too, and must not leave it anywhere either.
    await h.request('POST', '/v1/payments', { body: paymentBody({ amount: -1 }, card(CARDS.visa)) });
    await h.request('POST', '/v1/payments', { body: paymentBody({ pin: cvc }, card(CARDS.mastercard)) });
    await h.request('POST', '/v1/payments', { body: '{"amount": 1, "payment_method": {"card": {"number": "4242424242424242", "cvc": "739"' });
    h.stripe.faults.set({ kind: 'hang' });
    await h.request('POST', '/v1/payments', { body: paymentBody({}, card(CARDS.visa)) });
    h.stripe.faults.clear();
  });
  afterAll(() => h.close());

  it('really ran the payments it checks', async () => {
    const list = await (await h.request('GET', '/v1/payments')).json();
    expect(list.data.map((p: { status: string }) => p.status).sort()).toEqual(['failed', 'processing', 'requires_action', 'succeeded', 'succeeded']);
    expect(h.logs.length).toBeGreaterThan(10);
  });

  it('the database dump holds no card number and no CVC', async () => {
    const dump = await h.database.dump();
    expect(dump.length).toBeGreaterThan(10_000);
    expect(dump).toContain('424242'); // the BIN is stored: the dump really holds the payments
    for (const pan of pans) expect(dump).not.toContain(pan);
    expect(dump).not.toMatch(/"cvc"/i);
    expect(dump).not.toContain(`"${cvc}"`);
    if (driver === 'postgres') expect(dump).not.toMatch(new RegExp(`\t${cvc}\t`));
  });

  it('the logs hold no card number and no CVC', () => {
    const text = h.logs.join('\n');
    for (const pan of pans) expect(text).not.toContain(pan);
    expect(text).not.toContain(`"${cvc}"`);
    expect(text).not.toMatch(/cvc/i);
  });

  it("an Idempotency-Key's stored request hash cannot be recomputed from the card payment's body", async () => {
    const body = JSON.stringify(paymentBody({}, { number: CARDS.visa, cvc }));
    const res = await h.request('POST', '/v1/payments', { body, headers: { 'Idempotency-Key': 'hash-check-1' } });
    expect(res.status).toBe(201);
    const result = await h.database.db.execute(sql`select request_hash, merchant_id from idempotency_keys where key = 'hash-check-1'`);
    const [row] = ((result as unknown as { rows?: unknown[] }).rows ?? (result as unknown as unknown[])) as { request_hash: string; merchant_id: string }[];
    // What anyone holding the row and guessing the card could compute: plain digests of the body, with or without the method and path.
    for (const guess of [body, canonicalJson(body), `POST /v1/payments\n${canonicalJson(body)}`]) {
      expect(row!.request_hash).not.toBe(createHash('sha256').update(guess).digest('hex'));
    }
    // It is the keyed HMAC over the body with the card replaced by the merchant's fingerprint, and needs the secret.
    expect(row!.request_hash).toBe(await idempotencyHash('test-fingerprint-secret', row!.merchant_id, 'POST', '/v1/payments', body));
    expect(row!.request_hash).not.toBe(await idempotencyHash('another-secret', row!.merchant_id, 'POST', '/v1/payments', body));
    // The same card with another CVC is the same request; another card is not.
    expect(await idempotencyHash('test-fingerprint-secret', row!.merchant_id, 'POST', '/v1/payments', JSON.stringify(paymentBody({}, { number: CARDS.visa, cvc: '111' })))).toBe(row!.request_hash);
    expect(await idempotencyHash('test-fingerprint-secret', row!.merchant_id, 'POST', '/v1/payments', JSON.stringify(paymentBody({}, { number: CARDS.mastercard, cvc })))).not.toBe(row!.request_hash);
  });
});
