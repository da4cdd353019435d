import type braintree from 'braintree';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBraintreeSimulator, type BraintreeSimulator } from './index.js';
import { card, KEYS, rejectionOf, sdkFor, searchAll, sleep } from './test-support.js';

type Result = braintree.ValidatedResponse<braintree.Transaction>;
const codes = (result: Result) => result.errors.deepErrors().map((e) => e.code);

describe('Braintree simulator: the transaction API through the SDK', () => {
  let sim: BraintreeSimulator;
  let gateway: braintree.BraintreeGateway;
  const sale = (amount: string, extra: Partial<braintree.TransactionRequest> = {}) => gateway.transaction.sale({ amount, creditCard: card(), ...extra });

  beforeAll(async () => {
    sim = await startBraintreeSimulator({ ...KEYS, merchantAccounts: { sim_usd: 'USD', sim_jpy: 'JPY' } });
    gateway = sdkFor(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.ledger.reset());

  describe('sale', () => {
    it('authorizes, with the transaction the SDK expects', async () => {
      const result = await sale('10.00', { orderId: 'order-1', creditCard: { ...card(), cardholderName: 'Ada' } });
      expect(result.success).toBe(true);
      expect(result.transaction).toMatchObject({
        status: 'authorized',
        type: 'sale',
        amount: '10.00',
        currencyIsoCode: 'USD',
        merchantAccountId: 'sim_usd',
        orderId: 'order-1',
        processorResponseCode: '1000',
        processorResponseText: 'Approved',
        cvvResponseCode: 'I',
        creditCard: { bin: '411111', last4: '1111', cardType: 'Visa', expirationMonth: '12', expirationYear: '2030', cardholderName: 'Ada', maskedNumber: '411111******1111' },
      });
      expect(result.transaction.id).toMatch(/^[a-z0-9]{8}$/);
      expect(new Date(result.transaction.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    });

    it('submits for settlement at once when asked', async () => {
      const result = await sale('10.00', { options: { submitForSettlement: true } });
      expect(result.transaction.status).toMatch(/^(submitted_for_settlement|settled)$/);
      expect(sim.ledger.totals()).toEqual({ authorized: 1000, captured: 1000, refunded: 0 });
    });

    it.each([
      ['1999.99', 'authorized', '1000'],
      ['2000.00', 'processor_declined', '2000'],
      ['2046.50', 'processor_declined', '2046'],
      ['2999.99', 'processor_declined', '2999'],
      ['3000.00', 'failed', '3000'],
      ['3000.99', 'failed', '3000'],
      ['3001.00', 'authorized', '1000'],
      ['5002.00', 'authorized', '1000'],
    ])('the amount %s gives %s with processor response %s', async (amount, status, code) => {
      const result = await sale(amount);
      expect(result.transaction).toMatchObject({ status, processorResponseCode: code });
      expect(result.success).toBe(status === 'authorized');
      expect(sim.ledger.charges()).toBe(status === 'authorized' ? 1 : 0);
    });

    it('answers a decline with Braintree’s text as the message', async () => {
      expect(await sale('2001.00')).toMatchObject({ success: false, message: 'Insufficient Funds', transaction: { processorResponseText: 'Insufficient Funds' } });
    });

    it('reads test amounts in major units of any currency', async () => {
      expect((await sale('2001', { merchantAccountId: 'sim_jpy' })).transaction).toMatchObject({ status: 'processor_declined', processorResponseCode: '2001', currencyIsoCode: 'JPY', amount: '2001' });
    });

    it.each([
      [{ amount: '5001.00' }, 'application_incomplete', null],
      [{ creditCard: card('4000111111111511') }, 'fraud', null],
      [{ creditCard: card('4111130000000003') }, 'risk_threshold', null],
      [{ creditCard: card('4111111111111111', { cvv: '200' }) }, 'cvv', '1000'],
      [{ billing: { postalCode: '20001' } }, 'avs', '1000'],
      [{ creditCard: card('4111111111111111', { cvv: '200' }), billing: { postalCode: '20001' } }, 'avs_and_cvv', '1000'],
    ] as const)('gateway-rejects %j as %s', async (extra, reason, processorCode) => {
      const result = await sale('10.00', extra as Partial<braintree.TransactionRequest>);
      expect(result).toMatchObject({ success: false, message: `Gateway Rejected: ${reason}`, transaction: { status: 'gateway_rejected', gatewayRejectionReason: reason } });
      expect(result.transaction.processorResponseCode ?? null).toBe(processorCode);
      expect(sim.ledger.charges()).toBe(0);
    });

    it('reports AVS and CVV responses', async () => {
      const result = await sale('10.00', { creditCard: card('4111111111111111', { cvv: '123' }), billing: { postalCode: '60606', streetAddress: '1 Main St' } });
      expect(result.transaction).toMatchObject({ cvvResponseCode: 'M', avsPostalCodeResponseCode: 'M', avsStreetAddressResponseCode: 'M' });
    });

    it.each([
      [{ amount: '' }, ['81502']],
      [{ amount: '1.001' }, ['81503']],
      [{ amount: '-1.00' }, ['81501']],
      [{ amount: '0.00' }, ['81531']],
      [{ amount: '12345678.90' }, ['81528']],
      [{ amount: '1.5', merchantAccountId: 'sim_jpy' }, ['81503']],
      [{ creditCard: { expirationDate: '12/2030' } }, ['81714']],
      [{ creditCard: card('4111111111111112') }, ['81715']],
      [{ creditCard: card('411111') }, ['81716']],
      [{ creditCard: card('4000000000000010') }, ['81717']],
      [{ creditCard: { number: '4111111111111111' } }, ['81709']],
      [{ creditCard: { number: '4111111111111111', expirationMonth: '13', expirationYear: '30' } }, ['81712', '81713']],
      [{ creditCard: card('378282246310005', { cvv: '123' }) }, ['81707']],
      [{ merchantAccountId: 'nope' }, ['91513']],
      [{ orderId: 'x'.repeat(256) }, ['91501']],
    ] as const)('refuses %j with validation errors %j and no transaction', async (extra, expected) => {
      const result = await sale('10.00', extra as Partial<braintree.TransactionRequest>);
      expect(result.success).toBe(false);
      expect(result.transaction).toBeUndefined();
      expect(codes(result)).toEqual(expected);
      expect(sim.ledger.transactions()).toHaveLength(0);
    });

    it('nests card errors under the card, as the SDK reads them', async () => {
      const result = await sale('', { creditCard: card('4111111111111112') });
      expect(result.errors.for('transaction').on('amount')).toMatchObject([{ code: '81502' }]);
      expect(result.errors.for('transaction').for('creditCard').on('number')).toMatchObject([{ code: '81715' }]);
      expect(result.message).toBe('Amount is required.\nCredit card number is invalid.');
    });
  });

  describe('modifications', () => {
    async function authorized(amount = '10.00'): Promise<string> {
      return (await sale(amount)).transaction.id;
    }

    it('submits for settlement in full or in part, once', async () => {
      const full = await authorized();
      expect((await gateway.transaction.submitForSettlement(full)).transaction).toMatchObject({ amount: '10.00' });
      const part = await authorized();
      expect(await gateway.transaction.submitForSettlement(part, '4.00')).toMatchObject({ success: true, transaction: { amount: '4.00' } });
      expect(codes(await gateway.transaction.submitForSettlement(part, '4.00'))).toEqual(['91507']);
      expect(codes(await gateway.transaction.submitForSettlement(await authorized(), '10.01'))).toEqual(['91522']);
      expect(sim.ledger.totals()).toMatchObject({ authorized: 3000, captured: 1400 });
    });

    it('voids an authorization or an unsettled submission, nothing else', async () => {
      const id = await authorized();
      expect((await gateway.transaction.void(id)).transaction.status).toBe('voided');
      expect(codes(await gateway.transaction.void(id))).toEqual(['91504']);
      expect(sim.ledger.charges()).toBe(1);
      expect(sim.ledger.totals()).toMatchObject({ authorized: 1000, captured: 0 });
    });

    it('refunds a settled sale with credit transactions, up to what is left', async () => {
      const id = await authorized();
      await gateway.transaction.submitForSettlement(id);
      const first = await gateway.transaction.refund(id, '3.00');
      expect(first.transaction).toMatchObject({ type: 'credit', amount: '3.00', refundedTransactionId: id, processorResponseCode: '1002' });
      expect(codes(await gateway.transaction.refund(id, '7.01'))).toEqual(['91521']);
      expect((await gateway.transaction.refund(id)).transaction.amount).toBe('7.00');
      expect(codes(await gateway.transaction.refund(id))).toEqual(['91521']);
      expect(codes(await gateway.transaction.refund(first.transaction.id))).toEqual(['91505']);
      expect((await gateway.transaction.find(id)).refundIds).toHaveLength(2);
      expect(sim.ledger.totals()).toEqual({ authorized: 1000, captured: 1000, refunded: 1000 });
    });

    it('refuses to refund what has not settled', async () => {
      expect(codes(await gateway.transaction.refund(await authorized()))).toEqual(['91506']);
    });

    it('answers 404 for an unknown transaction', async () => {
      expect(await rejectionOf(gateway.transaction.find('nosuchid'))).toMatchObject({ type: 'notFoundError' });
      expect(await rejectionOf(gateway.transaction.submitForSettlement('nosuchid'))).toMatchObject({ type: 'notFoundError' });
    });
  });

  describe('settlement', () => {
    it('settles with a delay, or through the testing endpoints only', async () => {
      const slow = await startBraintreeSimulator({ ...KEYS, settlementDelayMs: 80 });
      const manual = await startBraintreeSimulator({ ...KEYS, settlementDelayMs: null });
      try {
        const a = await sdkFor(slow).transaction.sale({ amount: '10.00', creditCard: card(), options: { submitForSettlement: true } });
        expect(a.transaction.status).toBe('submitted_for_settlement');
        await sleep(120);
        expect((await sdkFor(slow).transaction.find(a.transaction.id)).status).toBe('settled');

        const b = sdkFor(manual);
        const settled = (await b.transaction.sale({ amount: '10.00', creditCard: card(), options: { submitForSettlement: true } })).transaction.id;
        const declined = (await b.transaction.sale({ amount: '10.00', creditCard: card(), options: { submitForSettlement: true } })).transaction.id;
        await sleep(30);
        expect((await b.transaction.find(settled)).status).toBe('submitted_for_settlement');
        expect((await b.testing.settle(settled)).transaction.status).toBe('settled');
        expect((await b.testing.settlementDecline(declined)).transaction.status).toBe('settlement_declined');
        // The SDK's testing gateway resolves the raw answer, without its result wrapper.
        expect(await b.testing.settle(settled)).toMatchObject({ apiErrorResponse: { message: 'Cannot simulate transaction settlement.' } });
        expect(manual.ledger.totals()).toMatchObject({ captured: 1000 });
      } finally {
        await slow.close();
        await manual.close();
      }
    });
  });

  describe('search', () => {
    it('finds transactions by order id and id, in two steps as the SDK pages', async () => {
      const a = (await sale('10.00', { orderId: 'pay_1:attempt:1' })).transaction.id;
      const b = (await sale('2000.00', { orderId: 'pay_1:attempt:2' })).transaction.id;
      expect((await searchAll(gateway, (s) => s.orderId().is('pay_1:attempt:1'))).map((t) => t.id)).toEqual([a]);
      expect((await searchAll(gateway, (s) => s.orderId().startsWith('pay_1:'))).map((t) => t.id)).toEqual([a, b]);
      expect((await searchAll(gateway, (s) => s.orderId().isNot('pay_1:attempt:1'))).map((t) => t.id)).toEqual([b]);
      expect((await searchAll(gateway, (s) => s.id().is(b)))[0]).toMatchObject({ status: 'processor_declined' });
      expect(await searchAll(gateway, (s) => s.orderId().is('nothing'))).toEqual([]);
      const paths = sim.ledger.requests().map((r) => r.path);
      expect(paths).toContain(`/merchants/${KEYS.merchantId}/transactions/advanced_search_ids`);
      expect(paths).toContain(`/merchants/${KEYS.merchantId}/transactions/advanced_search`);
    });

    it('finds a refund\'s credit by order id and type, and filters by status', async () => {
      const paid = (await sale('10.00', { orderId: 'pay_2:attempt:1', options: { submitForSettlement: true } })).transaction.id;
      const refund = (await gateway.transaction.refund(paid, { amount: '4.00', orderId: 'pay_2:refund:1' } as unknown as string)).transaction.id;
      expect((await searchAll(gateway, (s) => s.orderId().is('pay_2:refund:1'))).map((t) => t.id)).toEqual([refund]);
      const credits = await searchAll(gateway, (s) => {
        s.orderId().is('pay_2:refund:1');
        s.type().is('credit');
      });
      expect(credits).toEqual([expect.objectContaining({ id: refund, type: 'credit', amount: '4.00', refundedTransactionId: paid })]);
      expect(await searchAll(gateway, (s) => {
        s.orderId().is('pay_2:refund:1');
        s.type().is('sale');
      })).toEqual([]);
      expect((await searchAll(gateway, (s) => s.status().in(['settled', 'submitted_for_settlement']))).map((t) => t.id).sort()).toEqual([paid, refund].sort());
    });

    it('refuses criteria it does not model instead of ignoring them', async () => {
      await expect(searchAll(gateway, (s) => s.customerEmail().is('a@b.c'))).rejects.toMatchObject({ type: 'unexpectedError' });
    });
  });

  describe('authentication and routing', () => {
    it('answers 401 to other keys, and to none', async () => {
      expect(await rejectionOf(sdkFor(sim, { privateKey: 'wrong' }).transaction.sale({ amount: '10.00', creditCard: card() }))).toMatchObject({ type: 'authenticationError' });
      const response = await fetch(`${sim.url}/merchants/${KEYS.merchantId}/transactions/abc`);
      expect(response.status).toBe(401);
      expect(sim.ledger.transactions()).toHaveLength(0);
    });

    it('answers 404 for another merchant or an unknown path, and XML for the API', async () => {
      const auth = { authorization: `Basic ${Buffer.from(`${KEYS.publicKey}:${KEYS.privateKey}`).toString('base64')}` };
      expect((await fetch(`${sim.url}/merchants/other/transactions/abc`, { headers: auth })).status).toBe(404);
      expect((await fetch(`${sim.url}/status`, { headers: auth })).status).toBe(404);
      const id = (await sale('10.00')).transaction.id;
      const found = await fetch(`${sim.url}/merchants/${KEYS.merchantId}/transactions/${id}`, { headers: auth });
      expect(found.headers.get('content-type')).toBe('application/xml; charset=utf-8');
      expect(await found.text()).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<transaction>/);
    });
  });

  it('keeps no card number or CVV: not in its records, its request log, nor its answers', async () => {
    const number = '4111111111111111';
    const id = (await sale('10.00', { creditCard: card(number, { cvv: '987' }), options: { submitForSettlement: true } })).transaction.id;
    await gateway.transaction.refund(id, '1.00');
    const auth = { authorization: `Basic ${Buffer.from(`${KEYS.publicKey}:${KEYS.privateKey}`).toString('base64')}` };
    const answer = await (await fetch(`${sim.url}/merchants/${KEYS.merchantId}/transactions/${id}`, { headers: auth })).text();
    const kept = JSON.stringify([sim.ledger.transactions(), sim.ledger.requests(), answer]);
    expect(kept).not.toContain(number);
    expect(kept).not.toMatch(/\b987\b/);
  });
});
