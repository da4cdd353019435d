import { describe, expect, it } from 'vitest';
import { bitpayProvider } from './index.js';

const KEY = 'a'.repeat(64);
const env = (overrides: Record<string, string | undefined> = {}) => ({
  BP_PRIVATE_KEY: KEY,
  BP_MERCHANT_TOKEN: 'token',
  BP_RETURN_URL: 'https://shop.example/return',
  BP_ENVIRONMENT: 'test',
  ...overrides,
});

describe('bitpay provider module', () => {
  it('reads an env account', () => {
    expect(bitpayProvider.configFromEnv('BP', env({ BP_BASE_URL: 'http://127.0.0.1:4100' }))).toEqual({
      privateKey: KEY,
      merchantToken: 'token',
      returnUrl: 'https://shop.example/return',
      environment: 'test',
      notificationUrl: null,
      baseUrl: 'http://127.0.0.1:4100',
    });
  });

  it.each([
    ['a missing token', { BP_MERCHANT_TOKEN: undefined }],
    ['a key that is not 64 hex digits', { BP_PRIVATE_KEY: 'xyz' }],
    ['an unknown environment', { BP_ENVIRONMENT: 'sandbox' }],
    ['a base URL with a path', { BP_BASE_URL: 'http://127.0.0.1:4100/api' }],
  ])('refuses %s', (_name, overrides) => {
    expect(bitpayProvider.configFromEnv('BP', env(overrides))).toBeNull();
  });

  it('takes crypto only, priced in the currencies BitPay prices, captured at once', () => {
    expect(bitpayProvider.capabilities).toMatchObject({ paymentMethods: ['crypto'], cardNetworks: [], captureMethods: ['automatic'], threeDSecure: false });
    expect(bitpayProvider.capabilities.currencies).toContain('USD');
    expect(bitpayProvider.capabilities.currencies).not.toContain('SEK');
  });
});
