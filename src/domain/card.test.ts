import { describe, expect, it } from 'vitest';
import {
  cardBrand,
  cardFacts,
  cardFingerprint,
  isExpired,
  luhnValid,
  maskPan,
  MIN_HIDDEN_DIGITS,
  shownBinDigits,
  redactPan,
  validCardLength,
  type CardBrand,
} from './card';

const TEST_CARDS: ReadonlyArray<readonly [string, CardBrand]> = [
  ['4242424242424242', 'visa'],
  ['5555555555554444', 'mastercard'],
  ['2223003122003222', 'mastercard'],
  ['378282246310005', 'amex'],
  ['6011111111111117', 'discover'],
  ['3056930009020004', 'diners'],
  ['3566002020360505', 'jcb'],
  ['6200000000000005', 'unionpay'],
];

describe('luhnValid', () => {
  it.each(TEST_CARDS)('accepts test card %s', (pan) => {
    expect(luhnValid(pan)).toBe(true);
  });

  it('rejects a bad check digit', () => {
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('5555555555554445')).toBe(false);
  });

  it('rejects anything that is not only digits', () => {
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('4242 4242 4242 4242')).toBe(false);
    expect(luhnValid('4242-4242-4242-4242')).toBe(false);
    expect(luhnValid('42424242424242a2')).toBe(false);
    expect(luhnValid('４２４２４２４２４２４２４２４２')).toBe(false);
  });
});

describe('cardBrand', () => {
  it.each(TEST_CARDS)('%s is %s', (pan, brand) => {
    expect(cardBrand(pan)).toBe(brand);
  });

  it.each([
    ['4000000000000002', 'visa'],
    ['5100000000000000', 'mastercard'],
    ['5500000000000000', 'mastercard'],
    ['2221000000000000', 'mastercard'],
    ['2720990000000000', 'mastercard'],
    ['2220990000000000', 'unknown'],
    ['2721000000000000', 'unknown'],
    ['340000000000000', 'amex'],
    ['370000000000000', 'amex'],
    ['6440000000000000', 'discover'],
    ['6490000000000000', 'discover'],
    ['6500000000000000', 'discover'],
    ['6221260000000000', 'unionpay'],
    ['6229250000000000', 'unionpay'],
    ['30000000000000', 'diners'],
    ['30500000000000', 'diners'],
    ['30600000000000', 'unknown'],
    ['36000000000000', 'diners'],
    ['38000000000000', 'diners'],
    ['39000000000000', 'diners'],
    ['3528000000000000', 'jcb'],
    ['3589000000000000', 'jcb'],
    ['3527000000000000', 'unknown'],
    ['3590000000000000', 'unknown'],
    ['500000000000', 'maestro'],
    ['5600000000000000', 'maestro'],
    ['5800000000000000', 'maestro'],
    ['6304000000000000', 'maestro'],
    ['6759000000000000', 'maestro'],
    ['6767700000000000', 'maestro'],
    ['6767740000000000', 'maestro'],
    ['6767710000000000', 'unknown'],
    ['1234567890123456', 'unknown'],
    ['', 'unknown'],
    ['4242 4242 4242 4242', 'unknown'],
  ] as const)('%s is %s', (pan, brand) => {
    expect(cardBrand(pan)).toBe(brand);
  });
});

describe('validCardLength', () => {
  it.each(TEST_CARDS)('%s has a valid length for %s', (pan, brand) => {
    expect(validCardLength(pan, brand)).toBe(true);
  });

  it('applies per-brand lengths', () => {
    expect(validCardLength('4'.repeat(13), 'visa')).toBe(true);
    expect(validCardLength('4'.repeat(19), 'visa')).toBe(true);
    expect(validCardLength('4'.repeat(15), 'visa')).toBe(false);
    expect(validCardLength('5'.repeat(15), 'mastercard')).toBe(false);
    expect(validCardLength('3'.repeat(16), 'amex')).toBe(false);
    expect(validCardLength('3'.repeat(14), 'diners')).toBe(true);
    expect(validCardLength('3'.repeat(13), 'diners')).toBe(false);
    expect(validCardLength('6'.repeat(15), 'discover')).toBe(false);
    expect(validCardLength('6'.repeat(19), 'unionpay')).toBe(true);
    expect(validCardLength('3'.repeat(19), 'jcb')).toBe(true);
    expect(validCardLength('5'.repeat(12), 'maestro')).toBe(true);
    expect(validCardLength('5'.repeat(11), 'maestro')).toBe(false);
    expect(validCardLength('9'.repeat(12), 'unknown')).toBe(true);
    expect(validCardLength('9'.repeat(20), 'unknown')).toBe(false);
  });

  it('rejects non-digits', () => {
    expect(validCardLength('4242 4242 4242', 'visa')).toBe(false);
  });
});

describe('isExpired', () => {
  const now = new Date(Date.UTC(2026, 10, 24, 12)); // 2026-11-24

  it('is not expired during the expiry month', () => {
    expect(isExpired(11, 2026, now)).toBe(false);
    expect(isExpired(11, 2026, new Date(Date.UTC(2026, 10, 30, 23, 59, 59, 999)))).toBe(false);
  });

  it('is expired from the first instant of the following month', () => {
    expect(isExpired(11, 2026, new Date(Date.UTC(2026, 11, 1)))).toBe(true);
  });

  it('is expired for last month and last year', () => {
    expect(isExpired(10, 2026, now)).toBe(true);
    expect(isExpired(12, 2025, now)).toBe(true);
  });

  it('is not expired for future months', () => {
    expect(isExpired(12, 2026, now)).toBe(false);
    expect(isExpired(1, 2027, now)).toBe(false);
  });

  it('rolls month 12 over into January of the next year', () => {
    expect(isExpired(12, 2026, new Date(Date.UTC(2026, 11, 31, 23, 59, 59, 999)))).toBe(false);
    expect(isExpired(12, 2026, new Date(Date.UTC(2027, 0, 1)))).toBe(true);
  });

  it('treats malformed input as expired', () => {
    expect(isExpired(0, 2030, now)).toBe(true);
    expect(isExpired(13, 2030, now)).toBe(true);
    expect(isExpired(1.5, 2030, now)).toBe(true);
    expect(isExpired(NaN, 2030, now)).toBe(true);
    expect(isExpired(12, 30, now)).toBe(true);
    expect(isExpired(12, 2030.5, now)).toBe(true);
  });
});

describe('cardFacts', () => {
  it('returns brand, bin (6 digits for 16+, fewer for shorter numbers) and last4', () => {
    expect(cardFacts('4242424242424242')).toEqual({ brand: 'visa', bin: '424242', last4: '4242' });
    expect(cardFacts('378282246310005')).toEqual({ brand: 'amex', bin: '37828', last4: '0005' });
    expect(cardFacts('4222222222222')).toEqual({ brand: 'visa', bin: '422', last4: '2222' });
    expect(cardFacts('2223 0031 2200 3222')).toEqual({
      brand: 'mastercard',
      bin: '222300',
      last4: '3222',
    });
  });

  it('rejects input that is not a card number', () => {
    expect(() => cardFacts('4242')).toThrow(RangeError);
    expect(() => cardFacts('4242x42424242424')).toThrow(RangeError);
  });
});

describe('cardFingerprint', () => {
  it('is stable for the same number and secret', async () => {
    const a = await cardFingerprint('4242424242424242', 'secret-1', 'merchant:m1');
    const b = await cardFingerprint('4242424242424242', 'secret-1', 'merchant:m1');
    expect(a).toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('ignores spaces and dashes', async () => {
    expect(await cardFingerprint('4242 4242-4242 4242', 'secret-1', 'merchant:m1')).toBe(
      await cardFingerprint('4242424242424242', 'secret-1', 'merchant:m1'),
    );
  });

  it('differs across merchants, so two merchants cannot link one customer, and from the networks\' scope', async () => {
    const one = await cardFingerprint('4242424242424242', 'secret-1', 'merchant:m1');
    expect(await cardFingerprint('4242424242424242', 'secret-1', 'merchant:m2')).not.toBe(one);
    expect(await cardFingerprint('4242424242424242', 'secret-1', 'network')).not.toBe(one);
  });

  it('differs across secrets and across numbers', async () => {
    const base = await cardFingerprint('4242424242424242', 'secret-1', 'merchant:m1');
    expect(await cardFingerprint('4242424242424242', 'secret-2', 'merchant:m1')).not.toBe(base);
    expect(await cardFingerprint('5555555555554444', 'secret-1', 'merchant:m1')).not.toBe(base);
  });

  it('matches HMAC-SHA256 computed independently', async () => {
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode('k'),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const mac = new Uint8Array(
      await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('merchant:m1\u00004242424242424242')),
    );
    const base64 = btoa(String.fromCharCode(...mac));
    const expected = base64.replace(/\+/g, '-').replace(/\//g, '_').slice(0, 22);
    expect(await cardFingerprint('4242424242424242', 'k', 'merchant:m1')).toBe(expected);
  });

  it('rejects an empty secret and malformed numbers', async () => {
    await expect(cardFingerprint('4242424242424242', '', 'network')).rejects.toThrow(RangeError);
    await expect(cardFingerprint('not a card', 'k', 'network')).rejects.toThrow(RangeError);
  });
});

describe('shownBinDigits', () => {
  it.each([
    [19, 6],
    [18, 6],
    [17, 6],
    [16, 6],
    [15, 5],
    [14, 4],
    [13, 3],
    [12, 2],
  ])('a %i-digit PAN shows %i leading digits and hides at least six', (length, shown) => {
    expect(shownBinDigits(length)).toBe(shown);
    expect(length - shown - 4).toBeGreaterThanOrEqual(MIN_HIDDEN_DIGITS);
  });
});

describe('maskPan', () => {
  it.each([
    ['4242424242424242', '424242******4242'],
    ['4242 4242 4242 4242', '424242******4242'],
    ['6011000990139424123', '601100*********4123'],
    ['378282246310005', '37828******0005'],
    ['36259600000004', '3625******0004'],
    ['4222222222222', '422******2222'],
    ['675964982643', '67******2643'],
  ])('%s -> %s: never fewer than six hidden digits', (pan, masked) => {
    expect(maskPan(pan)).toBe(masked);
    expect(masked.split('*').length - 1).toBeGreaterThanOrEqual(MIN_HIDDEN_DIGITS);
  });

  it('masks short input entirely', () => {
    expect(maskPan('1234567890')).toBe('**********');
  });
});

describe('redactPan', () => {
  it('redacts an unseparated PAN in a sentence', () => {
    expect(redactPan('card 4242424242424242 was declined')).toBe(
      'card 424242******4242 was declined',
    );
  });

  it('redacts space- and dash-separated PANs, keeping separators', () => {
    expect(redactPan('pan=4242 4242 4242 4242.')).toBe('pan=4242 42** **** 4242.');
    expect(redactPan('pan=5555-5555-5555-4444')).toBe('pan=5555-55**-****-4444');
    expect(redactPan('amex 3782 822463 10005 ok')).toBe('amex 3782 8***** *0005 ok');
  });

  it('redacts several PANs in one text', () => {
    expect(redactPan('4242424242424242,6011111111111117')).toBe(
      '424242******4242,601111******1117',
    );
  });

  it('redacts a PAN followed by other numbers', () => {
    expect(redactPan('4242424242424242 123 12/27')).toBe('424242******4242 123 12/27');
  });

  it('leaves non-Luhn digit runs such as order numbers alone', () => {
    const text =
      'order 4242424242424241 no 100200300400500 ref 9876 5432 1098 7654 ' +
      'inv ORD-2026-000123-778154 at 2026-11-24 10:00';
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('100200300400500')).toBe(false);
    expect(luhnValid('9876543210987654')).toBe(false);
    expect(redactPan(text)).toBe(text);
  });

  it('only redacts part of a grouped run when that part looks like a branded card', () => {
    // 1234-5678-9012-3456 fails Luhn as a whole; its slice 5678 9012 3456 passes Luhn
    // and is a 12-digit Maestro-range number, so it is treated as a card.
    expect(redactPan('ref 1234-5678-9012-3456')).toBe('ref 1234-56**-****-3456');
    // Here the slice 9876 5432 1098 passes Luhn too, but no brand starts with 9: left alone.
    expect(luhnValid('9876543210987654')).toBe(false);
    expect(luhnValid('987654321098')).toBe(true);
    expect(redactPan('ref 9876 5432 1098 7654')).toBe('ref 9876 5432 1098 7654');
  });

  it('leaves short and overlong digit runs alone', () => {
    expect(redactPan('amount 12345 and id 42424242424')).toBe('amount 12345 and id 42424242424');
    const long = '4242424242424242424242';
    expect(redactPan(`id ${long}`)).toBe(`id ${long}`);
  });

  it('does not join digits across double spaces or other punctuation', () => {
    expect(redactPan('424242  4242424242')).toBe('424242  4242424242');
  });

  it('returns text without digits unchanged', () => {
    expect(redactPan('nothing to see')).toBe('nothing to see');
    expect(redactPan('')).toBe('');
  });
});
