import { SCOPES } from '../../src/domain/api-keys.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from '../../adapters/stripe/simulator/index.js';
import { manualClock } from '../support/clock.js';
import { DRIVERS } from '../support/databases.js';
import { paymentBody, SECRETS_KEY, startHarness, type Harness } from '../support/harness.js';
import { seedOperator, totpCode, type OperatorCredentials } from '../support/operators.js';

const STEP = 30_000;
const MINUTE = 60_000;
const ENV_SECRET_KEY = 'sk_test_admin_api_env_account';
const RAW_SECRET = 'sk_live_51RawProviderSecretNeverStored';
const NO_KEY = `key_${'0'.repeat(26)}`;
const NO_ACCOUNT = `gwa_${'0'.repeat(26)}`;
const NO_MERCHANT = `mer_${'0'.repeat(26)}`;

/** The admin API for merchants, keys and gateway accounts: operators with roles and TOTP, on both drivers. */
describe.each(DRIVERS)('the admin API on %s', (driver) => {
  const clock = manualClock();
  let h: Harness;
  let stripe: StripeSimulator;
  let merchantOne: string;
  let merchantTwo: string;
  beforeAll(async () => {
    // Accounts added with credentials_ref env:ADMIN_API_STRIPE read ADMIN_API_STRIPE_* and talk to this simulator.
    stripe = await startStripeSimulator({ secretKey: ENV_SECRET_KEY, webhookSecret: 'whsec_admin_api_env_account' });
    h = await startHarness(driver, {
      clock,
      env: { ADMIN_API_STRIPE_SECRET_KEY: ENV_SECRET_KEY, ADMIN_API_STRIPE_WEBHOOK_SECRET: 'whsec_admin_api_env_account', ADMIN_API_STRIPE_BASE_URL: `http://${stripe.host}:${stripe.port}` },
    });
  });
  afterAll(async () => {
    await h.close();
    await stripe.close();
  });
  beforeEach(async () => {
    await h.reset();
    clock.advance(STEP);
    merchantOne = (await h.repositories.merchants.findByName('one'))!;
    merchantTwo = (await h.repositories.merchants.findByName('two'))!;
  });

  const seed = (input: Parameters<typeof seedOperator>[3] = {}) => seedOperator(h.repositories, SECRETS_KEY, clock, input);
  const as = (token: string, method: string, path: string, body?: unknown) => h.request(method, path, { key: null, body, headers: { Authorization: `Bearer ${token}` } });
  /** A session token; with `mfa`, one whose TOTP code was proven now. Each operator signs in in their own 30 s step. */
  const tokenFor = async (op: OperatorCredentials, mfa = true) => {
    const res = await h.request('POST', '/v1/admin/session', { key: null, body: { email: op.email, password: op.password, ...(mfa ? { totp_code: await totpCode(op.totpSecret, clock) } : {}) } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  };
  const pay = (key: string) => h.request('POST', '/v1/payments', { key, body: paymentBody() });
  const auditRows = () => h.repositories.audit.list({ limit: 1000 });

  it('lets an admin create a merchant and an operator give it a key and an env: account that take a payment; rolls, revokes, updates, disables, each audited by name', async () => {
    const admin = await seed({ role: 'admin', name: 'Root Admin' });
    const adminToken = await tokenFor(admin);
    const created = await as(adminToken, 'POST', '/v1/admin/merchants', { name: '  Acme Shoes ' });
    expect(created.status).toBe(201);
    const merchant = await created.json();
    expect(merchant).toMatchObject({ object: 'merchant', id: expect.stringMatching(/^mer_/), name: 'Acme Shoes', disabled_at: null });

    const op = await seed({ name: 'Olga Operator' });
    const token = await tokenFor(op);
    const accountRes = await as(token, 'POST', `/v1/admin/merchants/${merchant.id}/gateway_accounts`, {
      provider: 'stripe',
      name: 'stripe-env',
      label: 'Stripe (env)',
      credentials_ref: 'env:ADMIN_API_STRIPE',
      currencies: ['USD', 'EUR'],
      priority: 3,
    });
    expect(accountRes.status).toBe(201);
    const account = await accountRes.json();
    expect(account).toMatchObject({ object: 'gateway_account', merchant_id: merchant.id, provider: 'stripe', credentials_ref: 'env:ADMIN_API_STRIPE', currencies: ['USD', 'EUR'], countries: null, priority: 3, disabled_at: null });

    const keyRes = await as(token, 'POST', `/v1/admin/merchants/${merchant.id}/keys`, { mode: 'test', label: 'checkout' });
    expect(keyRes.status).toBe(201);
    const key = await keyRes.json();
    expect(key).toMatchObject({ object: 'api_key', merchant_id: merchant.id, label: 'checkout', revoked_at: null, expires_at: null, secret: expect.stringMatching(/^sk_test_[0-9A-Za-z]{32}$/) });
    expect(key.hint).toBe(`${key.secret.slice(0, 10)}…${key.secret.slice(-4)}`);
    // A standard key has every scope.
    expect(key.scopes).toEqual([...SCOPES]);

    const paid = await pay(key.secret);
    const payment = await paid.json();
    expect(paid.status, JSON.stringify(payment)).toBe(201);
    expect(payment).toMatchObject({ status: 'succeeded', gateway: { account_id: account.id, provider: 'stripe' } });

    const listed = await as(token, 'GET', `/v1/admin/merchants/${merchant.id}/keys`);
    const listedText = await listed.text();
    expect(listed.status).toBe(200);
    expect(JSON.parse(listedText).data.map((k: { id: string }) => k.id)).toEqual([key.id]);
    expect(listedText).not.toContain(key.secret);

    const rolledRes = await as(token, 'POST', `/v1/admin/keys/${key.id}/roll`, { overlap_seconds: 600 });
    expect(rolledRes.status).toBe(201);
    const rolled = await rolledRes.json();
    expect(rolled).toMatchObject({ object: 'api_key', label: 'checkout', scopes: key.scopes, secret: expect.stringMatching(/^sk_test_/), replaces: { id: key.id, expires_at: new Date(clock.now().getTime() + 10 * MINUTE).toISOString() } });
    expect((await pay(key.secret)).status).toBe(201);
    clock.advance(10 * MINUTE);
    expect((await pay(key.secret)).status).toBe(401);
    expect((await pay(rolled.secret)).status).toBe(201);

    const updated = await as(token, 'POST', `/v1/admin/gateway_accounts/${account.id}`, { priority: 5, label: 'Stripe EU' });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ id: account.id, name: 'stripe-env', label: 'Stripe EU', priority: 5, currencies: ['USD', 'EUR'], credentials_ref: 'env:ADMIN_API_STRIPE' });

    const revoked = await as(token, 'POST', `/v1/admin/keys/${rolled.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: rolled.id, revoked_at: clock.now().toISOString() });
    expect((await pay(rolled.secret)).status).toBe(401);

    const disabled = await as(token, 'POST', `/v1/admin/gateway_accounts/${account.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ id: account.id, disabled_at: clock.now().toISOString() });
    const accounts = await (await as(token, 'GET', `/v1/admin/merchants/${merchant.id}/gateway_accounts`)).json();
    expect(accounts.data).toEqual([expect.objectContaining({ id: account.id, disabled_at: clock.now().toISOString() })]);

    const merchantDisabled = await as(adminToken, 'POST', `/v1/admin/merchants/${merchant.id}/disable`);
    expect(merchantDisabled.status).toBe(200);
    const merchants = await (await as(adminToken, 'GET', '/v1/admin/merchants')).json();
    expect(merchants.data.find((m: { id: string }) => m.id === merchant.id)).toMatchObject({ disabled_at: clock.now().toISOString() });

    const log = await (await as(adminToken, 'GET', `/v1/admin/audit?merchant_id=${merchant.id}&limit=100`)).json();
    expect(log.data.map((r: { action: string; actor: { name: string } }) => `${r.action} by ${r.actor.name}`).reverse()).toEqual([
      'merchant.create by Root Admin',
      'gateway_account.create by Olga Operator',
      'api_key.create by Olga Operator',
      'api_key.roll by Olga Operator',
      'api_key.create by Olga Operator',
      'gateway_account.update by Olga Operator',
      'api_key.revoke by Olga Operator',
      'gateway_account.disable by Olga Operator',
      'merchant.disable by Root Admin',
    ]);
    const update = log.data.find((r: { action: string }) => r.action === 'gateway_account.update');
    expect(update).toMatchObject({ actor: { type: 'operator', id: op.id }, target: { type: 'gateway_account', id: account.id }, before: { priority: 3, label: 'Stripe (env)' }, after: { priority: 5, label: 'Stripe EU' } });
    expect(log.data[0].at).toBe(clock.now().toISOString());
    const kept = JSON.stringify(log) + h.logs.join('\n') + (await h.database.dump());
    for (const secret of [key.secret, rolled.secret, ENV_SECRET_KEY]) expect(kept).not.toContain(secret);
  });

  it('refuses without fresh MFA, to a lower role, for another merchant, and with an API key; changes nothing', async () => {
    const [keyTwo] = await h.repositories.merchants.apiKeys(merchantTwo);
    const [accountTwo] = await h.repositories.merchants.gatewayAccounts(merchantTwo, { includeDisabled: true });
    const op = await seed();
    const viewer = await seed({ role: 'viewer' });
    const onlyOne = await seed({ merchantIds: [merchantOne] });
    const passwordOnly = await tokenFor(op, false);
    clock.advance(STEP);
    const viewerToken = await tokenFor(viewer);
    const onlyOneToken = await tokenFor(onlyOne);
    const before = { audit: await auditRows(), keys: await h.repositories.merchants.apiKeys(merchantTwo), accounts: await h.repositories.merchants.gatewayAccounts(merchantTwo, { includeDisabled: true }) };

    const sensitive: [string, string, unknown][] = [
      ['POST', `/v1/admin/merchants/${merchantTwo}/keys`, { mode: 'test', label: 'x' }],
      ['POST', `/v1/admin/keys/${keyTwo!.id}/roll`, { overlap_seconds: 0 }],
      ['POST', `/v1/admin/keys/${keyTwo!.id}/revoke`, undefined],
      ['POST', `/v1/admin/merchants/${merchantTwo}/gateway_accounts`, { provider: 'stripe', name: 'stripe-two', label: 'X', credentials_ref: 'env:ADMIN_API_STRIPE' }],
      ['POST', `/v1/admin/gateway_accounts/${accountTwo!.id}`, { priority: 9 }],
      ['POST', `/v1/admin/gateway_accounts/${accountTwo!.id}/disable`, undefined],
    ];
    const refusal = async (token: string, [method, path, body]: [string, string, unknown]) => {
      const res = await as(token, method, path, body);
      expect(res.headers.get('content-type'), path).toBe('application/problem+json');
      return { status: res.status, code: (await res.json()).code };
    };
    for (const call of sensitive) {
      expect(await refusal(passwordOnly, call), call[1]).toEqual({ status: 403, code: 'mfa_required' });
      expect(await refusal(viewerToken, call), call[1]).toEqual({ status: 403, code: 'insufficient_role' });
      expect(await refusal(onlyOneToken, call), call[1]).toEqual({ status: 403, code: 'merchant_not_allowed' });
      const withKey = await h.request(call[0], call[1], { body: call[2] });
      expect({ status: withKey.status, code: (await withKey.json()).code }, call[1]).toEqual({ status: 403, code: 'operator_required' });
    }
    expect(await refusal(onlyOneToken, ['GET', `/v1/admin/merchants/${merchantTwo}/keys`, undefined])).toEqual({ status: 403, code: 'merchant_not_allowed' });
    expect(await refusal(onlyOneToken, ['GET', `/v1/admin/merchants/${merchantTwo}/gateway_accounts`, undefined])).toEqual({ status: 403, code: 'merchant_not_allowed' });
    expect(await refusal(viewerToken, ['GET', `/v1/admin/merchants/${merchantTwo}/keys`, undefined])).toEqual({ status: 403, code: 'insufficient_role' });
    for (const token of [viewerToken, onlyOneToken]) {
      expect(await refusal(token, ['POST', '/v1/admin/merchants', { name: 'Not yours' }])).toEqual({ status: 403, code: 'insufficient_role' });
      expect(await refusal(token, ['POST', `/v1/admin/merchants/${merchantTwo}/disable`, undefined])).toEqual({ status: 403, code: 'insufficient_role' });
    }
    expect(await refusal(await tokenFor(op), ['POST', '/v1/admin/merchants', { name: 'Not yours' }])).toEqual({ status: 403, code: 'insufficient_role' });
    expect((await h.request('GET', '/v1/admin/merchants')).status).toBe(403);
    expect(await auditRows()).toEqual(before.audit);
    expect(await h.repositories.merchants.apiKeys(merchantTwo)).toEqual(before.keys);
    expect(await h.repositories.merchants.gatewayAccounts(merchantTwo, { includeDisabled: true })).toEqual(before.accounts);

    // What each of them may do.
    const seen = await (await as(onlyOneToken, 'GET', '/v1/admin/merchants')).json();
    expect(seen.data.map((m: { id: string }) => m.id)).toEqual([merchantOne]);
    expect((await (await as(viewerToken, 'GET', '/v1/admin/merchants')).json()).data).toHaveLength(2);
    expect((await as(viewerToken, 'GET', `/v1/admin/merchants/${merchantTwo}/gateway_accounts`)).status).toBe(200);
    expect((await as(passwordOnly, 'GET', `/v1/admin/merchants/${merchantTwo}/keys`)).status).toBe(200);
    const [keyOne] = await h.repositories.merchants.apiKeys(merchantOne);
    // Without a body, the old key keeps working for 24 hours.
    const rolled = await as(onlyOneToken, 'POST', `/v1/admin/keys/${keyOne!.id}/roll`);
    expect(rolled.status).toBe(201);
    expect((await rolled.json()).replaces.expires_at).toBe(new Date(clock.now().getTime() + 24 * 60 * MINUTE).toISOString());
  });

  it('answers unknown ids with 404 and changes nothing', async () => {
    const op = await seed();
    const token = await tokenFor(op);
    const before = await auditRows();
    for (const [method, path, body] of [
      ['GET', `/v1/admin/merchants/${NO_MERCHANT}/keys`, undefined],
      ['GET', `/v1/admin/merchants/${NO_MERCHANT}/gateway_accounts`, undefined],
      ['POST', `/v1/admin/merchants/${NO_MERCHANT}/keys`, { mode: 'test', label: 'x' }],
      ['POST', `/v1/admin/keys/${NO_KEY}/roll`, {}],
      ['POST', `/v1/admin/keys/${NO_KEY}/revoke`, undefined],
      ['POST', `/v1/admin/gateway_accounts/${NO_ACCOUNT}`, { priority: 1 }],
      ['POST', `/v1/admin/gateway_accounts/${NO_ACCOUNT}/disable`, undefined],
    ] as const) {
      const res = await as(token, method, path, body);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ code: 'resource_missing' });
    }
    const admin = await seed({ role: 'admin' });
    const adminToken = await tokenFor(admin);
    const afterSeeding = await auditRows();
    expect((await as(adminToken, 'POST', `/v1/admin/merchants/${NO_MERCHANT}/disable`)).status).toBe(404);
    expect(afterSeeding.length).toBe(before.length + 1);
    expect(await auditRows()).toEqual(afterSeeding);
  });

  it('refuses hostile input with a problem naming the field, and changes nothing', async () => {
    const admin = await seed({ role: 'admin' });
    const token = await tokenFor(admin);
    const [key] = await h.repositories.merchants.apiKeys(merchantOne);
    const [account] = await h.repositories.merchants.gatewayAccounts(merchantOne, { includeDisabled: true });
    const snapshot = async () => ({
      audit: await auditRows(),
      merchants: await h.repositories.merchants.list(),
      keys: await h.repositories.merchants.apiKeys(merchantOne),
      accounts: await h.repositories.merchants.gatewayAccounts(merchantOne, { includeDisabled: true }),
    });
    const before = await snapshot();
    const newAccount = { provider: 'stripe', name: 'stripe-x', label: 'X', credentials_ref: 'env:ADMIN_API_STRIPE' };
    const merchants = '/v1/admin/merchants';
    const keys = `/v1/admin/merchants/${merchantOne}/keys`;
    const accounts = `/v1/admin/merchants/${merchantOne}/gateway_accounts`;
    const cases: [string, unknown, number, Record<string, unknown>][] = [
      [merchants, '{"name": ', 400, { code: 'invalid_json' }],
      [merchants, {}, 400, { code: 'missing_field', param: 'name' }],
      [merchants, { name: '   ' }, 400, { param: 'name' }],
      [merchants, { name: 'a\u0000b' }, 400, { param: 'name' }],
      [merchants, { name: 'x'.repeat(201) }, 400, { param: 'name' }],
      [merchants, { name: 'Fine', is_admin: true }, 400, { code: 'unknown_field', param: 'is_admin' }],
      [merchants, { name: 'x'.repeat(40_000) }, 413, { code: 'payload_too_large' }],
      [keys, { mode: 'prod', label: 'x' }, 400, { param: 'mode' }],
      [keys, { mode: 'test' }, 400, { code: 'missing_field', param: 'label' }],
      [keys, { mode: 'test', label: '\u001b[31mred' }, 400, { param: 'label' }],
      [keys, { mode: 'test', label: 'x', scopes: ['payments:write', 'admin:everything'] }, 400, { param: 'scopes' }],
      [keys, { mode: 'test', label: 'x', scopes: [] }, 400, { param: 'scopes' }],
      [keys, { mode: 'test', label: 'x', merchant_id: merchantTwo }, 400, { code: 'unknown_field', param: 'merchant_id' }],
      [`/v1/admin/keys/${key!.id}/roll`, { overlap_seconds: -1 }, 400, { param: 'overlap_seconds' }],
      [`/v1/admin/keys/${key!.id}/roll`, { overlap_seconds: 31 * 24 * 3600 }, 400, { param: 'overlap_seconds' }],
      [`/v1/admin/keys/${key!.id}/roll`, { overlap_seconds: '1h' }, 400, { param: 'overlap_seconds' }],
      [`/v1/admin/keys/${key!.id}/roll`, '[', 400, { code: 'invalid_json' }],
      ['/v1/admin/keys/key_nope/revoke', undefined, 400, { param: 'id' }],
      [accounts, { ...newAccount, credentials_ref: RAW_SECRET }, 400, { param: 'credentials_ref' }],
      [accounts, { ...newAccount, credentials_ref: 'sandbox:stripe' }, 400, { param: 'credentials_ref' }],
      [accounts, { ...newAccount, credentials_ref: 'env:lower' }, 400, { param: 'credentials_ref' }],
      [accounts, { ...newAccount, provider: 'worldpay' }, 400, { param: 'provider' }],
      [accounts, { ...newAccount, name: 'Bad Name' }, 400, { param: 'name' }],
      [accounts, { ...newAccount, name: 'stripe' }, 400, { param: 'name' }],
      [accounts, { ...newAccount, label: 'a\u2028b\u0007' }, 400, { param: 'label' }],
      [accounts, { ...newAccount, priority: 1001 }, 400, { param: 'priority' }],
      [accounts, { ...newAccount, currencies: ['USD', 'XYZ'] }, 400, { param: 'currencies' }],
      [accounts, { ...newAccount, countries: ['USA'] }, 400, { param: 'countries[0]' }],
      [accounts, { ...newAccount, secret_key: RAW_SECRET }, 400, { code: 'unknown_field', param: 'secret_key' }],
      [`/v1/admin/gateway_accounts/${account!.id}`, {}, 400, {}],
      [`/v1/admin/gateway_accounts/${account!.id}`, { credentials_ref: RAW_SECRET }, 400, { param: 'credentials_ref' }],
      [`/v1/admin/gateway_accounts/${account!.id}`, { name: 'renamed' }, 400, { code: 'unknown_field', param: 'name' }],
      [`/v1/admin/gateway_accounts/${account!.id}`, { priority: 2.5 }, 400, { param: 'priority' }],
    ];
    for (const [path, body, status, problem] of cases) {
      const res = await as(token, 'POST', path, body);
      const text = await res.text();
      expect(res.status, `${path} ${JSON.stringify(body)?.slice(0, 80)}`).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.parse(text)).toMatchObject(problem);
      expect(text).not.toContain(RAW_SECRET);
    }
    const plain = await h.request('POST', merchants, { key: null, body: JSON.stringify({ name: 'Plain' }), headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' } });
    expect(plain.status).toBe(415);
    // A revoked key cannot be rolled or revoked again.
    const revoked = await as(token, 'POST', `/v1/admin/keys/${key!.id}/revoke`);
    expect(revoked.status).toBe(200);
    const afterRevoke = await snapshot();
    expect(await (await as(token, 'POST', `/v1/admin/keys/${key!.id}/revoke`)).json()).toMatchObject({ status: 400, param: 'id' });
    expect(await (await as(token, 'POST', `/v1/admin/keys/${key!.id}/roll`, {})).json()).toMatchObject({ status: 400, param: 'id' });
    expect(await snapshot()).toEqual(afterRevoke);
    expect(afterRevoke.audit.length).toBe(before.audit.length + 1);
    expect({ ...afterRevoke, audit: before.audit, keys: before.keys }).toEqual(before);
    expect(h.logs.join('\n') + (await h.database.dump())).not.toContain(RAW_SECRET);
  });
});
