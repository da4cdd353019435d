import { describe, expect, it } from 'vitest';
import { decline, unmappedDeclineCounts, type DeclineReason } from '../../src/domain/decline.js';
import {
  cardValidationDecline,
  gatewayRejection,
  gatewayRejectionTable,
  processorCodeTable,
  processorDecline,
  processorResponseText,
} from './declines.js';

/** The mapping, written out independently of the table it checks. */
const EXPECTED: Record<DeclineReason, readonly string[]> = {
  do_not_honor: ['2000', '2011', '2041', '2044'],
  insufficient_funds: ['2001'],
  velocity_exceeded: ['2002', '2003', '2086', '2097', '2098', '2103'],
  expired_card: ['2004', '2006', '2022'],
  invalid_number: ['2005', '2007', '2008', '2009', '2051'],
  invalid_cvc: ['2010', '2102'],
  lost_or_stolen: ['2012', '2013', '2047', '2053'],
  suspected_fraud: ['2014', '2021', '2059', '2060', '2077', '2085'],
  restricted_card: ['2015', '2017', '2018', '2019', '2020', '2029', '2043', '2050', '2057', '2070', '2075', '2076', '2082', '2083', '2084', '2093', '2096', '2107', '2108'],
  generic_decline: ['2035', '2038', '2046', '2061', '2074', '2092', '2104', '2105', '2106'],
  authentication_required: ['2058', '2099', '2101'],
  issuer_unavailable: [],
  invalid_account: [],
  mandate_invalid: [],
  payment_expired: [],
  underpaid: [],
  processing_error: [
    '2023', '2024', '2025', '2026', '2027', '2028', '2030', '2031', '2032', '2033', '2034', '2036', '2037', '2039', '2040',
    '2042', '2045', '2048', '2049', '2052', '2054', '2055', '2056', '2062', '2063', '2064', '2065', '2066', '2067', '2068',
    '2071', '2072', '2073', '2078', '2079', '2080', '2081', '2087', '2088', '2089', '2090', '2091', '2094', '2095', '2100',
  ],
  unknown: ['2016', '2069'],
};

const expectedRows = Object.entries(EXPECTED).flatMap(([reason, codes]) => codes.map((code) => [code, reason as DeclineReason] as const));

describe('Braintree processor response codes', () => {
  it('the expectations cover every row of the table, and nothing else', () => {
    const table = processorCodeTable().map(([code]) => code).sort();
    expect(expectedRows.map(([code]) => code).sort()).toEqual(table);
    // Every documented code from 2000 to 2108 has a row.
    expect(table).toEqual(Array.from({ length: 109 }, (_, i) => String(2000 + i)));
  });

  it.each(expectedRows)('%s → %s, with the taxonomy flags', (code, reason) => {
    const mapped = processorDecline(code);
    expect(mapped).toEqual(decline(reason, code));
    expect(processorResponseText(code).length).toBeGreaterThan(0);
  });

  it('never retries the codes Mastercard forbids retrying', () => {
    for (const code of ['2009', '2012', '2019', '2047', '2053']) expect(processorDecline(code).retry, code).toBe('never');
    // 2022: the card was replaced; only new card data can succeed.
    expect(processorDecline('2022').retry).toBe('with_new_data');
  });

  it.each(['2109', '2500', '2999'])('%s, in the documented generic range, is a generic decline', (code) => {
    expect(processorDecline(code)).toMatchObject({ reason: 'generic_decline', providerCode: code, cascade: true });
  });

  it.each(['3000', '3001', '3999'])('%s, a processing network failure, is a processing error that cascades', (code) => {
    expect(processorDecline(code)).toMatchObject({ reason: 'processing_error', providerCode: code, cascade: true, retry: 'later' });
  });

  it('maps a code it does not know to unknown without cascade, counts it, and never throws', () => {
    const before = unmappedDeclineCounts().get('braintree:4000') ?? 0;
    expect(processorDecline('4000')).toEqual(decline('unknown', '4000'));
    expect(processorDecline('4000').cascade).toBe(false);
    expect(unmappedDeclineCounts().get('braintree:4000')).toBe(before + 2);
    expect(processorDecline(undefined)).toMatchObject({ reason: 'unknown', providerCode: 'processor_declined' });
    expect(processorDecline('abc')).toMatchObject({ reason: 'unknown', providerCode: 'abc' });
  });

  it('passes a Mastercard merchant advice code through, and never cascades or retries after 03 or 21', () => {
    expect(processorDecline('2000', '01')).toMatchObject({ reason: 'do_not_honor', adviceCode: '01', cascade: true, retry: 'later' });
    expect(processorDecline('2000', '03')).toMatchObject({ adviceCode: '03', cascade: false, retry: 'never' });
    expect(processorDecline('2001', '21')).toMatchObject({ adviceCode: '21', cascade: false, retry: 'never' });
  });

  it('knows the approval texts the simulator answers with', () => {
    expect(processorResponseText('1000')).toBe('Approved');
    expect(processorResponseText('1002')).toBe('Processed');
  });
});

describe('Braintree gateway rejections', () => {
  const EXPECTED_REJECTIONS: Record<string, DeclineReason> = {
    cvv: 'invalid_cvc',
    avs: 'suspected_fraud',
    avs_and_cvv: 'suspected_fraud',
    fraud: 'suspected_fraud',
    risk_threshold: 'suspected_fraud',
    duplicate: 'unknown',
    excessive_retry: 'velocity_exceeded',
    three_d_secure: 'authentication_required',
    application_incomplete: 'processing_error',
    token_issuance: 'processing_error',
  };

  it('the expectations cover every rejection reason in the table', () => {
    expect(Object.fromEntries(gatewayRejectionTable())).toEqual(EXPECTED_REJECTIONS);
  });

  it.each(Object.entries(EXPECTED_REJECTIONS))('%s → %s', (reason, canonical) => {
    expect(gatewayRejection(reason)).toEqual(decline(canonical, reason));
  });

  it('never cascades a rejection by the merchant’s own rules or a possible duplicate', () => {
    for (const reason of ['cvv', 'avs', 'avs_and_cvv', 'fraud', 'risk_threshold', 'duplicate', 'excessive_retry']) {
      expect(gatewayRejection(reason).cascade, reason).toBe(false);
    }
  });

  it('maps an unknown rejection reason to unknown and counts it', () => {
    const before = unmappedDeclineCounts().get('braintree:brand_new_rule') ?? 0;
    expect(gatewayRejection('brand_new_rule')).toEqual(decline('unknown', 'brand_new_rule'));
    expect(unmappedDeclineCounts().get('braintree:brand_new_rule')).toBe(before + 1);
  });
});

describe('Braintree card validation errors', () => {
  it.each([
    ['81715', 'invalid_number'],
    ['81716', 'invalid_number'],
    ['81706', 'invalid_cvc'],
    ['81707', 'invalid_cvc'],
    ['81710', 'expired_card'],
    ['81711', 'expired_card'],
    ['81712', 'expired_card'],
    ['81713', 'expired_card'],
  ] as const)('%s → %s', (code, reason) => {
    expect(cardValidationDecline(['81502', code])).toEqual(decline(reason, code));
  });

  it('is null when no error is about the card data', () => {
    expect(cardValidationDecline(['81502', '91513', '81703'])).toBeNull();
    expect(cardValidationDecline([])).toBeNull();
  });
});
