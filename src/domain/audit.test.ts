import { describe, expect, it } from 'vitest';
import { MASK, maskSecrets } from './audit.js';

describe('maskSecrets', () => {
  it('masks secret-bearing fields at any depth and keeps references and hints', () => {
    const masked = maskSecrets({
      name: 'Stripe EU',
      credentials_ref: 'env:STRIPE_EU',
      webhook_secret: 'whsec_live_abc',
      key: { hint: 'sk_live_Ab…9xYz', keyHash: 'f00d', key_hint: 'sk_live_Ab…9xYz' },
      operators: [{ password: 'hunter2', totpSecret: 'JBSWY3DP', email: 'ana@example.com' }],
      apiKey: 'sk_live_whole',
    });
    expect(masked).toEqual({
      name: 'Stripe EU',
      credentials_ref: 'env:STRIPE_EU',
      webhook_secret: MASK,
      key: { hint: 'sk_live_Ab…9xYz', keyHash: MASK, key_hint: 'sk_live_Ab…9xYz' },
      operators: [{ password: MASK, totpSecret: MASK, email: 'ana@example.com' }],
      apiKey: MASK,
    });
    expect(JSON.stringify(masked)).not.toMatch(/whsec_live_abc|hunter2|JBSWY3DP|sk_live_whole|f00d/);
  });

  it('leaves absent secrets absent, so a record shows whether one was set', () => {
    expect(maskSecrets({ secret: null, token: undefined, list: [1, 'a'] })).toEqual({ secret: null, token: undefined, list: [1, 'a'] });
  });
});
