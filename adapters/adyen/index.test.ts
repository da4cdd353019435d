import { describe, expect, it } from 'vitest';
import { adyenProvider } from './index.js';

describe('adyenProvider', () => {
  const env = { ADYEN_API_KEY: 'AQE_key', ADYEN_MERCHANT_ACCOUNT: 'Shop', ADYEN_HMAC_KEY: 'AB'.repeat(32), ADYEN_RETURN_URL: 'https://shop/return' };

  it("reads an account from <PREFIX>_* variables, defaulting to Adyen's test environment", () => {
    expect(adyenProvider.configFromEnv('ADYEN', env)).toEqual({
      apiKey: 'AQE_key',
      merchantAccount: 'Shop',
      hmacKey: 'AB'.repeat(32),
      returnUrl: 'https://shop/return',
      baseUrl: 'https://checkout-test.adyen.com',
    });
    expect(adyenProvider.configFromEnv('ADYEN', { ...env, ADYEN_BASE_URL: 'https://x-checkout-live.adyenpayments.com/checkout' })).toMatchObject({
      baseUrl: 'https://x-checkout-live.adyenpayments.com/checkout',
    });
  });

  it.each(['ADYEN_API_KEY', 'ADYEN_MERCHANT_ACCOUNT', 'ADYEN_HMAC_KEY', 'ADYEN_RETURN_URL'])('answers null when %s is missing', (name) => {
    expect(adyenProvider.configFromEnv('ADYEN', { ...env, [name]: undefined })).toBeNull();
  });

  it('creates an adapter carrying the same capabilities, and refuses a key that is not hex', () => {
    const config = adyenProvider.configFromEnv('ADYEN', env)!;
    const adapter = adyenProvider.create(config, { timeoutMs: 1000 });
    expect(adapter.provider).toBe('adyen');
    expect(adapter.capabilities).toBe(adyenProvider.capabilities);
    expect(() => adyenProvider.create({ ...config, hmacKey: 'not-hex' }, { timeoutMs: 1000 })).toThrow('hex');
  });
});
