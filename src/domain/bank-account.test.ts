import { describe, expect, it } from 'vitest';
import { bankAccountFingerprint, bankAccountProblem, parseIban, validRoutingNumber, validUsAccountNumber } from './bank-account.js';

describe('IBAN validation', () => {
  it('accepts a valid SEPA IBAN in any spacing or case, and reads its country and bank code', () => {
    expect(parseIban('de89 3704 0044 0532 0130 00')).toEqual({ ok: true, iban: 'DE89370400440532013000', country: 'DE', bankCode: '37040044' });
    expect(parseIban('NL91ABNA0417164300')).toMatchObject({ ok: true, country: 'NL', bankCode: 'ABNA' });
    // Outside the EU but in the SEPA scheme.
    expect(parseIban('GB33BUKB20201555555555')).toMatchObject({ ok: true, country: 'GB' });
  });

  it('refuses a wrong check digit, a wrong length and garbage as invalid', () => {
    expect(parseIban('DE89370400440532013001')).toEqual({ ok: false, problem: 'invalid_iban' });
    expect(parseIban('DE8937040044053201300')).toEqual({ ok: false, problem: 'invalid_iban' });
    expect(parseIban('not an iban')).toEqual({ ok: false, problem: 'invalid_iban' });
    expect(parseIban('')).toEqual({ ok: false, problem: 'invalid_iban' });
  });

  it('refuses a valid IBAN of a country outside the SEPA scheme', () => {
    // Valid Brazilian and Turkish IBANs: correct checksums, no SEPA debits.
    expect(parseIban('BR1800360305000010009795493C1')).toEqual({ ok: false, problem: 'iban_country_not_sepa' });
    expect(parseIban('TR330006100519786457841326')).toEqual({ ok: false, problem: 'iban_country_not_sepa' });
  });
});

describe('ACH account validation', () => {
  it('checks the ABA routing number checksum and district prefix', () => {
    expect(validRoutingNumber('110000000')).toBe(true);
    expect(validRoutingNumber('021000021')).toBe(true);
    expect(validRoutingNumber('011401533')).toBe(true);
    expect(validRoutingNumber('021000022')).toBe(false);
    expect(validRoutingNumber('12345678')).toBe(false);
    expect(validRoutingNumber('02100002a')).toBe(false);
    // Checksum holds, but 13–20 and 73–99 name no Federal Reserve district.
    expect(validRoutingNumber('130000006')).toBe(false);
  });

  it('takes account numbers of 4 to 17 digits', () => {
    expect(validUsAccountNumber('0001')).toBe(true);
    expect(validUsAccountNumber('12345678901234567')).toBe(true);
    expect(validUsAccountNumber('123')).toBe(false);
    expect(validUsAccountNumber('123456789012345678')).toBe(false);
    expect(validUsAccountNumber('12 34')).toBe(false);
  });
});

describe('bank account fingerprints', () => {
  it('are stable per merchant, differ across merchants and accounts, and do not contain the number', async () => {
    const a = await bankAccountFingerprint('DE89370400440532013000', 'secret', 'mer_1');
    expect(await bankAccountFingerprint('DE89370400440532013000', 'secret', 'mer_1')).toBe(a);
    expect(await bankAccountFingerprint('DE89370400440532013000', 'secret', 'mer_2')).not.toBe(a);
    expect(await bankAccountFingerprint('NL91ABNA0417164300', 'secret', 'mer_1')).not.toBe(a);
    expect(a).not.toContain('0532013000');
    expect(a).toHaveLength(22);
  });
});

describe('bankAccountProblem', () => {
  const acceptance = { kind: 'acceptance' as const, acceptedAt: new Date(0), ip: '203.0.113.7', userAgent: 'x' };
  const sepa = (iban: string) => ({ type: 'sepa_debit' as const, sepaDebit: { iban, accountHolderName: 'A', mandate: acceptance } });
  const ach = (routingNumber: string, accountNumber: string) => ({
    type: 'ach_debit' as const,
    achDebit: { routingNumber, accountNumber, accountType: 'checking' as const, accountHolderName: 'A', accountHolderType: 'individual' as const, acceptance },
  });

  it('names what is wrong with a debit\'s account, or nothing when it can be sent', () => {
    expect(bankAccountProblem(sepa('DE89370400440532013000'))).toBeNull();
    expect(bankAccountProblem(sepa('DE89370400440532013001'))).toBe('invalid_iban');
    expect(bankAccountProblem(sepa('BR1800360305000010009795493C1'))).toBe('iban_country_not_sepa');
    expect(bankAccountProblem(ach('110000000', '000123456789'))).toBeNull();
    expect(bankAccountProblem(ach('110000001', '000123456789'))).toBe('invalid_routing_number');
    expect(bankAccountProblem(ach('110000000', '12'))).toBe('invalid_account_number');
  });
});
