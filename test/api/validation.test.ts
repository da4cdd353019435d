import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { paymentBody, startHarness, type Harness } from '../support/harness.js';

/** Bad input gets a problem naming the field, and changes nothing: no row, no gateway call. */
describe('bad input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h.close());
  beforeEach(() => h.reset());

  async function rowCounts() {
    const result = await h.database.db.execute(
      sql`select (select count(*) from payments) as payments, (select count(*) from attempts) as attempts, (select count(*) from refunds) as refunds, (select count(*) from idempotency_keys) as keys`,
    );
    const rows = (result as unknown as { rows?: unknown[] }).rows ?? (result as unknown as unknown[]);
    return rows[0];
  }

  async function expectProblem(res: Response, status: number, code: string, param?: string) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ status, code, type: `urn:switchyard:problem:${code}` });
    expect(typeof body.title).toBe('string');
    expect(typeof body.detail).toBe('string');
    expect(res.headers.get('request-id')).toBe(body.request_id);
    if (param !== undefined) expect(body.param).toBe(param);
    return body;
  }

  async function expectRejected(body: unknown, status: number, code: string, param?: string, headers: Record<string, string> = {}) {
    const before = await rowCounts();
    const res = await h.request('POST', '/v1/payments', { body, headers: { 'Idempotency-Key': `bad-${Math.random()}`, ...headers } });
    const problem = await expectProblem(res, status, code, param);
    expect(await rowCounts()).toEqual(before);
    expect(h.stripe.ledger.requestCount()).toBe(0);
    return problem;
  }

  describe('POST /v1/payments', () => {
    it('malformed JSON', () => expectRejected('{"amount": 19', 400, 'invalid_json'));
    it('a JSON array', () => expectRejected('[1,2]', 400, 'invalid_field'));
    it('a body that is not JSON', () => expectRejected('amount=1999', 415, 'unsupported_media_type', 'Content-Type', { 'Content-Type': 'application/x-www-form-urlencoded' }));
    it('an empty body', () => expectRejected('', 400, 'invalid_json'));
    it('a missing amount', () => expectRejected({ ...paymentBody(), amount: undefined }, 400, 'missing_field', 'amount'));
    it('a missing card number', () => expectRejected(paymentBody({}, { number: undefined }), 400, 'missing_field', 'payment_method.card.number'));
    it('an amount given as a string', () => expectRejected(paymentBody({ amount: '1999' }), 400, 'invalid_field', 'amount'));
    it('a zero amount', () => expectRejected(paymentBody({ amount: 0 }), 400, 'invalid_amount', 'amount'));
    it('a negative amount', () => expectRejected(paymentBody({ amount: -100 }), 400, 'invalid_amount', 'amount'));
    it('a fractional amount', () => expectRejected(paymentBody({ amount: 19.99 }), 400, 'invalid_amount', 'amount'));
    it('an amount beyond 2^53', () => expectRejected('{"amount": 90071992547409930, "currency": "USD", "payment_method": {"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}}', 400, 'amount_too_large', 'amount'));
    it('an amount that overflows a double', () => expectRejected('{"amount": 1e999, "currency": "USD", "payment_method": {"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}}', 400, 'invalid_field', 'amount'));
    it('an amount above the currency maximum', () => expectRejected(paymentBody({ amount: 1_000_000_000, currency: 'JPY' }), 400, 'amount_too_large', 'amount'));
    it('an unknown currency', () => expectRejected(paymentBody({ currency: 'XYZ' }), 400, 'unsupported_currency', 'currency'));
    it('a lower-case currency', () => expectRejected(paymentBody({ currency: 'usd' }), 400, 'unsupported_currency', 'currency'));
    it('an unknown capture method', () => expectRejected(paymentBody({ capture_method: 'later' }), 400, 'invalid_field', 'capture_method'));
    it('an unknown top-level field', () => expectRejected(paymentBody({ amout: 5 }), 400, 'unknown_field', 'amout'));
    it('an unknown nested field', () => expectRejected(paymentBody({}, { pin: '1234' }), 400, 'unknown_field', 'payment_method.card.pin'));
    it('a number failing the Luhn check', () => expectRejected(paymentBody({}, { number: '4242424242424241' }), 400, 'invalid_card_number', 'payment_method.card.number'));
    it('a number with letters', () => expectRejected(paymentBody({}, { number: '4242abcd42424242' }), 400, 'invalid_card_number', 'payment_method.card.number'));
    it('an expired card', () => expectRejected(paymentBody({}, { exp_month: 1, exp_year: 2020 }), 400, 'card_expired', 'payment_method.card.exp_year'));
    it('month 13', () => expectRejected(paymentBody({}, { exp_month: 13 }), 400, 'invalid_field', 'payment_method.card.exp_month'));
    it('a 4-digit CVC on a Visa card', () => expectRejected(paymentBody({}, { cvc: '1234' }), 400, 'invalid_cvc', 'payment_method.card.cvc'));
    it('a 5-digit CVC', () => expectRejected(paymentBody({}, { cvc: '12345' }), 400, 'invalid_field', 'payment_method.card.cvc'));
    it('a bad customer email', () => expectRejected(paymentBody({ customer: { email: 'not-an-email' } }), 400, 'invalid_field', 'customer.email'));
    it('a metadata value that is not a string', () => expectRejected(paymentBody({ metadata: { a: 1 } }), 400, 'invalid_field', 'metadata.a'));
    it('too many metadata keys', () => expectRejected(paymentBody({ metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }), 400, 'too_many_metadata_keys', 'metadata'));
    it('a __proto__ metadata key', () => expectRejected('{"amount":1999,"currency":"USD","payment_method":{"type":"card","card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"}},"metadata":{"__proto__":{"admin":"true"}}}', 400, 'invalid_metadata_key', 'metadata.__proto__'));
    it('a reserved metadata key', () => expectRejected(paymentBody({ metadata: { constructor: 'x' } }), 400, 'invalid_field', 'metadata.constructor'));
    it('a __proto__ top-level key', () => expectRejected('{"__proto__":{"amount":1},"amount":1999,"currency":"USD","payment_method":{"type":"card","card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"}}}', 400, 'unknown_field', '__proto__'));
    it('a NUL character in text', () => expectRejected(paymentBody({ description: 'a\u0000b' }), 400, 'invalid_text', 'description'));
    it('a NUL character in metadata', () => expectRejected(paymentBody({ metadata: { k: '\u0000' } }), 400, 'invalid_text', 'metadata.k'));
    it('a very long description', () => expectRejected(paymentBody({ description: 'x'.repeat(1001) }), 400, 'invalid_field', 'description'));
    it('a body over the size limit', () => expectRejected(paymentBody({ description: 'x'.repeat(40_000) }), 413, 'payload_too_large'));
    it('a body over the size limit, declared by Content-Length', () => {
      const body = JSON.stringify(paymentBody({ description: 'x'.repeat(40_000) }));
      return expectRejected(body, 413, 'payload_too_large', undefined, { 'Content-Length': String(Buffer.byteLength(body)) });
    });
    it('a Content-Length over the size limit, even with a short body', () =>
      expectRejected(paymentBody({}), 413, 'payload_too_large', undefined, { 'Content-Length': '40000' }));
    it('a malformed Idempotency-Key', () => expectRejected(paymentBody(), 400, 'invalid_idempotency_key', 'Idempotency-Key', { 'Idempotency-Key': 'k'.repeat(256) }));

    it('never echoes the card number in an error', async () => {
      const problem = await expectRejected(paymentBody({}, { number: '4242424242424241', cvc: 'abc' }), 400, 'invalid_field');
      expect(JSON.stringify(problem)).not.toContain('4242424242424241');
    });

    describe('text fields refuse lone surrogates and control characters', () => {
      const HOSTILE: Array<[string, string]> = [
        ['a lone high surrogate', 'ab\ud800c'],
        ['a lone low surrogate', '\udc00abc'],
        ['a line feed', 'ab\ncd'],
        ['an escape (C0)', 'ab\u001b[31mcd'],
        ['DEL', 'ab\u007fcd'],
        ['a next-line (C1)', 'ab\u0085cd'],
      ];
      // Each text field of the create body: where the value goes, the field the problem names, its code.
      const FIELDS: Array<[string, (bad: string) => unknown, string, string]> = [
        ['description', (bad) => paymentBody({ description: bad }), 'description', 'invalid_text'],
        ['holder_name', (bad) => paymentBody({}, { holder_name: bad }), 'payment_method.card.holder_name', 'invalid_text'],
        ['customer.id', (bad) => paymentBody({ customer: { id: bad } }), 'customer.id', 'invalid_text'],
        ['customer.email', (bad) => paymentBody({ customer: { email: `${bad}@example.com` } }), 'customer.email', 'invalid_field'],
        ['customer.country', (bad) => paymentBody({ customer: { country: `U${bad}` } }), 'customer.country', 'invalid_field'],
        ['a metadata value', (bad) => paymentBody({ metadata: { order: bad } }), 'metadata.order', 'invalid_text'],
        ['return_url', (bad) => paymentBody({ return_url: `https://shop.example/${bad}` }), 'return_url', 'invalid_return_url'],
        ['routing.gateways', (bad) => paymentBody({ routing: { gateways: [`stripe${bad}`] } }), 'routing.gateways[0]', 'invalid_field'],
        ['currency', (bad) => paymentBody({ currency: `US${bad}` }), 'currency', 'unsupported_currency'],
      ];
      for (const [field, body, param, code] of FIELDS) {
        for (const [what, bad] of HOSTILE) {
          it(`${field} with ${what} → 400 naming ${param}`, () => expectRejected(body(bad), 400, code, param));
        }
      }
      it.each(HOSTILE)('a metadata key with %s → 400 naming the metadata', async (_, bad) => {
        const problem = await expectRejected(paymentBody({ metadata: { [`k${bad}`]: 'v' } }), 400, 'invalid_field');
        expect(problem.param).toMatch(/^metadata\./);
      });

      it('keeps nothing under the Idempotency-Key: the retry with a fixed body succeeds', async () => {
        const headers = { 'Idempotency-Key': 'fix-the-name' };
        const bad = await h.request('POST', '/v1/payments', { body: paymentBody({}, { holder_name: 'Ada \ud800' }), headers });
        await expectProblem(bad, 400, 'invalid_text', 'payment_method.card.holder_name');
        expect(await rowCounts()).toEqual({ payments: 0, attempts: 0, refunds: 0, keys: 0 });
        const fixed = await h.request('POST', '/v1/payments', { body: paymentBody({}, { holder_name: 'Ada 🦊' }), headers });
        expect(fixed.status).toBe(201);
        expect((await fixed.json()).payment_method.card.holder_name).toBe('Ada 🦊');
      });

      it('accepts paired surrogates (emoji) and non-Latin text', async () => {
        const res = await h.request('POST', '/v1/payments', {
          body: paymentBody({ description: 'Café ☕ 🧁 заказ 注文', metadata: { note: '👍🏽' } }, { holder_name: 'Zoë Ødegård 李' }),
          headers: { 'Idempotency-Key': 'unicode-ok' },
        });
        expect(res.status).toBe(201);
        expect((await res.json()).description).toBe('Café ☕ 🧁 заказ 注文');
      });
    });
  });

  describe('authentication', () => {
    it('a missing Authorization header → 401', async () => {
      const res = await h.request('POST', '/v1/payments', { body: paymentBody(), key: null });
      await expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      expect(h.stripe.ledger.requestCount()).toBe(0);
    });
    it('a wrong key → 401', async () => {
      await expectProblem(await h.request('GET', '/v1/payments', { key: 'sk_test_wrong' }), 401, 'unauthorized');
    });
    it('a Basic scheme → 401', async () => {
      await expectProblem(await h.request('GET', '/v1/payments', { key: null, headers: { Authorization: 'Basic abc' } }), 401, 'unauthorized');
    });
  });

  describe('other endpoints', () => {
    it('an unknown payment id → 404', async () => {
      await expectProblem(await h.request('GET', '/v1/payments/pay_nope'), 404, 'resource_missing');
      await expectProblem(await h.request('POST', '/v1/payments/pay_nope/capture', { body: {} }), 404, 'resource_missing');
      await expectProblem(await h.request('POST', '/v1/payments/pay_nope/refunds', { body: {} }), 404, 'resource_missing');
    });
    it('a hostile payment id → 404 or 400, never an error', async () => {
      for (const id of ["pay_1' OR '1'='1", '..%2F..%2Fetc', '%00', 'x'.repeat(65)]) {
        const res = await h.request('GET', `/v1/payments/${id}`);
        expect([400, 404]).toContain(res.status);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
      }
    });
    it('capture with a bad amount', async () => {
      await expectProblem(await h.request('POST', '/v1/payments/pay_x/capture', { body: { amount: -1 } }), 400, 'invalid_amount', 'amount');
      await expectProblem(await h.request('POST', '/v1/payments/pay_x/capture', { body: { amount: 1.5 } }), 400, 'invalid_amount', 'amount');
      await expectProblem(await h.request('POST', '/v1/payments/pay_x/capture', { body: { amont: 1 } }), 400, 'unknown_field', 'amont');
    });
    it('refund with an unknown reason', async () => {
      await expectProblem(await h.request('POST', '/v1/payments/pay_x/refunds', { body: { reason: 'because' } }), 400, 'invalid_field', 'reason');
    });
    it('list with bad parameters', async () => {
      await expectProblem(await h.request('GET', '/v1/payments?starting_after=%00'), 400, 'invalid_parameter', 'starting_after');
      await expectProblem(await h.request('GET', '/v1/payments?limit=0'), 400, 'invalid_parameter', 'limit');
      await expectProblem(await h.request('GET', '/v1/payments?limit=101'), 400, 'invalid_parameter', 'limit');
      await expectProblem(await h.request('GET', '/v1/payments?limit=ten'), 400, 'invalid_parameter', 'limit');
      await expectProblem(await h.request('GET', '/v1/payments?status=paid'), 400, 'invalid_parameter', 'status');
      await expectProblem(await h.request('GET', '/v1/payments?created[gte]=yesterday'), 400, 'invalid_parameter', 'created[gte]');
      await expectProblem(await h.request('GET', '/v1/payments?sort=asc'), 400, 'unknown_field', 'sort');
    });
    it('an unknown route → 404 problem', async () => {
      await expectProblem(await h.request('GET', '/v1/nothing'), 404, 'route_not_found');
    });
  });
});
