import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAdyenSimulator, type AdyenSimulator } from './index.js';

const API_KEY = 'AQE_simulator_debits';
let sim: AdyenSimulator;

beforeAll(async () => {
  sim = await startAdyenSimulator({ apiKey: API_KEY, merchantAccount: 'SimMerchant', notificationDelayMs: 5 });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setApprovalRates([]);
  sim.ledger.reset();
});

async function pay(paymentMethod: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const response = await fetch(`${sim.url}/v72/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify({ merchantAccount: 'SimMerchant', amount: { value: 2500, currency: 'EUR' }, reference: `ref-${Math.random()}`, returnUrl: 'https://shop.example/r', paymentMethod, ...extra }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const sepa = (iban = 'DE89370400440532013000', ownerName = 'Ada Lovelace') => ({ type: 'sepadirectdebit', iban, ownerName });
const ach = (bankAccountNumber = '000123456789', bankLocationId = '011000138') => ({ type: 'ach', bankAccountNumber, bankLocationId, ownerName: 'Grace Hopper' });

describe('Adyen simulator: bank debits', () => {
  it('answers Received, keeps the last four digits only, and authorises the debit when its bank settles it', async () => {
    const { status, json } = await pay(sepa());
    expect(status).toBe(200);
    expect(json).toMatchObject({ resultCode: 'Received', paymentMethod: { type: 'sepadirectdebit' } });
    const psp = json['pspReference'] as string;
    expect(sim.ledger.payment(psp)).toMatchObject({ resultCode: 'Received', authorized: 0, debit: { last4: '3000' } });
    expect(JSON.stringify(sim.ledger.payments())).not.toContain('0532013000');
    sim.advanceBank(sim.debitSettlementMs);
    expect(sim.ledger.payment(psp)).toMatchObject({ resultCode: 'Authorised', captured: 2500 });
    await sim.idle();
    expect(sim.notifications()).toContainEqual(expect.objectContaining({ eventCode: 'AUTHORISATION', success: true, pspReference: psp }));
  });

  it('refuses at settlement a debit whose owner name is a refusal trigger, and one the approval rates turn down', async () => {
    const triggered = (await pay(sepa(undefined, 'NOT_ENOUGH_BALANCE'))).json['pspReference'] as string;
    sim.setApprovalRates([{ rate: 0, currency: 'USD' }]);
    const steered = (await pay(ach(), { amount: { value: 5000, currency: 'USD' } })).json['pspReference'] as string;
    sim.advanceBank(sim.debitSettlementMs);
    for (const psp of [triggered, steered]) expect(sim.ledger.payment(psp)).toMatchObject({ resultCode: 'Refused', refusal: { code: '12' }, captured: 0 });
  });

  it('returns a collected debit once, by CHARGEBACK with the reason code, and only a collected one', async () => {
    const psp = (await pay(sepa())).json['pspReference'] as string;
    expect(() => sim.returnDebit(psp, 'MD06')).toThrow(/only a collected debit/);
    sim.advanceBank(sim.debitSettlementMs);
    sim.returnDebit(psp, 'MD06');
    expect(() => sim.returnDebit(psp, 'MD06')).toThrow(/returned already/);
    await sim.idle();
    expect(sim.notifications()).toContainEqual(expect.objectContaining({ eventCode: 'CHARGEBACK', pspReference: psp }));
  });

  it.each([
    ['an invalid IBAN', () => pay(sepa('DE89370400440532013001')), '161'],
    ['a non-SEPA IBAN', () => pay(sepa('BR1800360305000010009795493C1')), '161'],
    ['no owner name', () => pay({ type: 'sepadirectdebit', iban: 'DE89370400440532013000' }), '161'],
    ['a bad routing number', () => pay(ach('000123456789', '011000139'), { amount: { value: 5000, currency: 'USD' } }), '161'],
    ['a short account number', () => pay(ach('12'), { amount: { value: 5000, currency: 'USD' } }), '161'],
    ['SEPA in dollars', () => pay(sepa(), { amount: { value: 2500, currency: 'USD' } }), '138'],
    ['manual capture', () => pay(sepa(), { additionalData: { manualCapture: 'true' } }), '905'],
  ])('refuses %s with a 422, holding nothing and echoing no account number', async (_name, call, code) => {
    const { status, json } = await call();
    expect(status).toBe(422);
    expect(json['errorCode']).toBe(code);
    expect(JSON.stringify(json)).not.toMatch(/0532013|0123456789|0010009795493/);
    expect(sim.ledger.payments()).toHaveLength(0);
  });
});
