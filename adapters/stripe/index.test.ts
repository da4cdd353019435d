import { describe, expect, it } from 'vitest';
import { stripeProvider } from './index.js';

describe('Stripe provider module', () => {
  const env = { ST_SECRET_KEY: 'sk_test_x', ST_WEBHOOK_SECRET: 'whsec_x' };

  it("reads an account from <PREFIX>_* variables, Stripe's API unless <PREFIX>_BASE_URL points elsewhere", () => {
    expect(stripeProvider.configFromEnv('ST', env)).toEqual({ secretKey: 'sk_test_x', webhookSecret: 'whsec_x' });
    expect(stripeProvider.configFromEnv('ST', { ...env, ST_BASE_URL: 'http://127.0.0.1:12111' })).toEqual({
      secretKey: 'sk_test_x',
      webhookSecret: 'whsec_x',
      host: '127.0.0.1',
      port: 12111,
      protocol: 'http',
    });
    expect(stripeProvider.configFromEnv('ST', { ...env, ST_BASE_URL: 'https://stripe.internal.example/' })).toMatchObject({ host: 'stripe.internal.example', port: 443, protocol: 'https' });
  });

  it.each(['ST_SECRET_KEY', 'ST_WEBHOOK_SECRET'])('answers null when %s is missing', (name) => {
    expect(stripeProvider.configFromEnv('ST', { ...env, [name]: undefined })).toBeNull();
  });

  it.each(['not a url', 'ftp://127.0.0.1:21', 'http://127.0.0.1:12111/v1', 'http://user:pw@127.0.0.1'])('answers null for a base URL it cannot use: %s', (url) => {
    expect(stripeProvider.configFromEnv('ST', { ...env, ST_BASE_URL: url })).toBeNull();
  });
});
