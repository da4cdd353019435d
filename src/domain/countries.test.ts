import { describe, expect, it } from 'vitest';
import { alpha2FromAlpha3, alpha3FromAlpha2 } from './countries.js';

describe('ISO 3166-1 country codes', () => {
  it('convert between three and two letters both ways', () => {
    expect(alpha2FromAlpha3('USA')).toBe('US');
    expect(alpha2FromAlpha3('GBR')).toBe('GB');
    expect(alpha2FromAlpha3('DEU')).toBe('DE');
    expect(alpha3FromAlpha2('JP')).toBe('JPN');
    expect(alpha3FromAlpha2('XK')).toBeUndefined();
    expect(alpha2FromAlpha3('Unknown')).toBeUndefined();
  });
});
