import { describe, expect, it } from 'vitest';
import { braintreeProvider } from './index.js';

const env = { BT_MERCHANT_ID: 'm1', BT_PUBLIC_KEY: 'pub', BT_PRIVATE_KEY: 'priv' };

describe('Braintree provider module', () => {
  it('reads an account from its variables, for the sandbox unless told production', () => {
    expect(braintreeProvider.configFromEnv('BT', env)).toEqual({ merchantId: 'm1', publicKey: 'pub', privateKey: 'priv', host: 'api.sandbox.braintreegateway.com', port: 443, ssl: true });
    expect(braintreeProvider.configFromEnv('BT', { ...env, BT_ENVIRONMENT: 'production', BT_MERCHANT_ACCOUNTS: 'USD=acme_usd, EUR=acme_eur' })).toMatchObject({
      host: 'api.braintreegateway.com',
      merchantAccounts: { USD: 'acme_usd', EUR: 'acme_eur' },
    });
  });

  it('points at any gateway given <PREFIX>_BASE_URL, such as a standalone simulator', () => {
    expect(braintreeProvider.configFromEnv('BT', { ...env, BT_BASE_URL: 'http://127.0.0.1:12113' })).toEqual({ merchantId: 'm1', publicKey: 'pub', privateKey: 'priv', host: '127.0.0.1', port: 12113, ssl: false });
    expect(braintreeProvider.configFromEnv('BT', { ...env, BT_ENVIRONMENT: 'production', BT_BASE_URL: 'https://gateway.example' })).toMatchObject({ host: 'gateway.example', port: 443, ssl: true });
    expect(braintreeProvider.configFromEnv('BT', { ...env, BT_BASE_URL: 'http://127.0.0.1:12113/merchants' })).toBeNull();
    expect(braintreeProvider.configFromEnv('BT', { ...env, BT_BASE_URL: 'nonsense' })).toBeNull();
  });

  it('answers null when a variable is missing or malformed', () => {
    expect(braintreeProvider.configFromEnv('BT', { ...env, BT_PRIVATE_KEY: undefined })).toBeNull();
    expect(braintreeProvider.configFromEnv('BT', { ...env, BT_ENVIRONMENT: 'qa' })).toBeNull();
    expect(braintreeProvider.configFromEnv('BT', { ...env, BT_MERCHANT_ACCOUNTS: 'usd:acme' })).toBeNull();
  });

  it('creates adapters that take the currencies of their merchant accounts', () => {
    const config = braintreeProvider.configFromEnv('BT', { ...env, BT_MERCHANT_ACCOUNTS: 'EUR=acme_eur' })!;
    const adapter = braintreeProvider.create(config, { timeoutMs: 1000 });
    expect(adapter.provider).toBe(braintreeProvider.name);
    expect(adapter.capabilities).toEqual({ ...braintreeProvider.capabilities, currencies: ['EUR'] });
  });
});
