import { describe, expect, it } from 'vitest';
import { checkoutProvider } from './index.js';

const base = { CKO_SECRET_KEY: 'sk_sbox_abcdefghijklmnopqrstuvwxyz2', CKO_WEBHOOK_SECRET: 'whk', CKO_RETURN_URL: 'https://shop.example/back', CKO_BASE_URL: 'http://127.0.0.1:12114' };

describe('Checkout.com env: accounts', () => {
  it('reads the public key when given (wallets), and takes an account without one (cards only)', () => {
    expect(checkoutProvider.configFromEnv('CKO', { ...base, CKO_PUBLIC_KEY: 'pk_sbox_abcdefghijklmnopqrstuvwxyz2' })).toMatchObject({ publicKey: 'pk_sbox_abcdefghijklmnopqrstuvwxyz2' });
    const cardsOnly = checkoutProvider.configFromEnv('CKO', base);
    expect(cardsOnly).toMatchObject({ publicKey: null });
    expect(checkoutProvider.create(cardsOnly!, { timeoutMs: 1000 }).capabilities.paymentMethods).toEqual(['card']);
    expect(checkoutProvider.create({ ...cardsOnly!, publicKey: 'pk_sbox_abcdefghijklmnopqrstuvwxyz2' }, { timeoutMs: 1000 }).capabilities.paymentMethods).toEqual(['card', 'apple_pay', 'google_pay']);
  });

  it('refuses a public key that is not one (a secret key put there by mistake)', () => {
    expect(checkoutProvider.configFromEnv('CKO', { ...base, CKO_PUBLIC_KEY: base.CKO_SECRET_KEY })).toBeNull();
  });
});
