import { describe, expect, it } from 'vitest';
import { paypalProvider } from './index.js';

const env = {
  PP_CLIENT_ID: 'client-id',
  PP_CLIENT_SECRET: 'client-secret',
  PP_WEBHOOK_ID: 'WH123',
  PP_RETURN_URL: 'https://shop.example/return',
  PP_ENVIRONMENT: 'sandbox',
};

describe('the PayPal provider module', () => {
  it('reads an env: account', () => {
    expect(paypalProvider.configFromEnv('PP', env)).toEqual({
      clientId: 'client-id',
      clientSecret: 'client-secret',
      webhookId: 'WH123',
      returnUrl: 'https://shop.example/return',
      environment: 'sandbox',
      baseUrl: null,
    });
  });

  it('has no account when a variable is missing, the environment is unknown or the base URL has a path', () => {
    for (const name of Object.keys(env)) expect(paypalProvider.configFromEnv('PP', { ...env, [name]: undefined }), name).toBeNull();
    expect(paypalProvider.configFromEnv('PP', { ...env, PP_ENVIRONMENT: 'production' })).toBeNull();
    expect(paypalProvider.configFromEnv('PP', { ...env, PP_BASE_URL: 'http://127.0.0.1:9000/v2' })).toBeNull();
  });
});
