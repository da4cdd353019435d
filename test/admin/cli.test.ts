import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from '../../adapters/stripe/simulator/index.js';
import { runAdmin, type AdminCommandContext } from '../../src/runtime/node/admin-commands.js';
import { startSandbox, type Sandbox } from '../../src/runtime/node/sandbox.js';
import { PROVIDERS } from '../../src/runtime/providers.js';
import { captureLogger } from '../support/capture-logger.js';
import { manualClock, type ManualClock } from '../support/clock.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../support/databases.js';
import { paymentBody } from '../support/harness.js';
import { fixedKey } from '../support/keys.js';
import { signIn, TEST_PASSWORDS } from '../support/operators.js';
import { operatorService } from '../../src/admin/operators.js';
import { createSecretBox } from '../../src/domain/secret-box.js';
import { localKms } from '../../src/vault/kms.js';
import { SCOPES } from '../../src/domain/api-keys.js';

const HOUR = 3_600_000;
const RAW_SECRET = 'sk_live_51RawProviderSecretNeverStored';
const SECRETS_KEY = Buffer.alloc(32, 5).toString('base64');

/** Admin commands as `npm run admin` runs them, on the sandbox's own store; payments go through its HTTP API. */
describe.each(DRIVERS)('the admin CLI on %s', (driver) => {
  let database: TestDatabase | undefined;
  let sandbox: Sandbox;
  let stripe: StripeSimulator;
  let clock: ManualClock;
  let ctx: AdminCommandContext;

  beforeAll(async () => {
    clock = manualClock(new Date());
    // The account the CLI adds reads its credentials from CLI_STRIPE_* variables, pointed at a Stripe simulator.
    stripe = await startStripeSimulator({ secretKey: 'sk_test_cli_account', webhookSecret: 'whsec_cli_account' });
    Object.assign(process.env, { CLI_STRIPE_SECRET_KEY: 'sk_test_cli_account', CLI_STRIPE_WEBHOOK_SECRET: 'whsec_cli_account', CLI_STRIPE_BASE_URL: `http://${stripe.host}:${stripe.port}` });
    if (driver === 'postgres') database = await testDatabase('postgres');
    sandbox = await startSandbox({
      host: '127.0.0.1',
      port: 0,
      databaseUrl: database?.url,
      sandboxKey: fixedKey('adminCli'),
      fingerprintSecret: 'fp',
      secretsKey: SECRETS_KEY,
      gatewayTimeoutMs: 10_000,
      routingRulesDir: 'routing-rules',
      routingSeed: 1,
      logger: captureLogger().logger,
      clock,
    });
    let passwords = 0;
    ctx = {
      repositories: sandbox.repositories,
      actor: { type: 'cli', id: 'ops-alice', name: 'ops-alice' },
      clock,
      providers: PROVIDERS.map((p) => p.name),
      operators: operatorService({ repositories: sandbox.repositories, secrets: createSecretBox(SECRETS_KEY), passwords: TEST_PASSWORDS, clock }),
      newPassword: () => `generated-password-${++passwords}`,
      vaultKms: null,
    };
  });
  afterAll(async () => {
    await sandbox.close();
    await database?.close();
    await stripe.close();
  });

  async function admin(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAdmin(argv, ctx, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join(''), err: err.join('') };
  }
  async function adminJson(...argv: string[]) {
    const result = await admin(...argv, '--json');
    expect(result, result.err).toMatchObject({ code: 0 });
    return JSON.parse(result.out);
  }
  const pay = (key: string) =>
    fetch(`${sandbox.url}/v1/payments`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(paymentBody()) });

  it('creates a merchant, a key and a gateway account that take a payment; rolls, revokes and disables, each audited', async () => {
    const merchant = await adminJson('merchants', 'create', '--name', 'Acme Shoes');
    expect(merchant).toMatchObject({ id: expect.stringMatching(/^mer_/), name: 'Acme Shoes', disabled_at: null });
    expect((await adminJson('merchants', 'list')).map((m: { id: string }) => m.id)).toContain(merchant.id);

    const key = await adminJson('keys', 'create', '--merchant', merchant.id, '--mode', 'test', '--label', 'checkout');
    expect(key.secret).toMatch(/^sk_test_[0-9A-Za-z]{32}$/);
    expect(key.hint).toBe(`${key.secret.slice(0, 10)}…${key.secret.slice(-4)}`);
    // A standard key has every scope.
    expect(key.scopes).toEqual([...SCOPES]);

    const account = await adminJson('gateway-accounts', 'add', '--merchant', merchant.id, '--provider', 'stripe', '--name', 'stripe-cli', '--label', 'Stripe (CLI)', '--credentials', 'env:CLI_STRIPE', '--currencies', 'usd,eur', '--priority', '3');
    expect(account).toMatchObject({ provider: 'stripe', name: 'stripe-cli', credentials_ref: 'env:CLI_STRIPE', currencies: ['USD', 'EUR'], priority: 3 });

    const paid = await pay(key.secret);
    const payment = await paid.json();
    expect(paid.status, JSON.stringify(payment)).toBe(201);
    expect(payment).toMatchObject({ status: 'succeeded', gateway: { account_id: account.id, provider: 'stripe' } });
    // Its key sees its own payment, account, health and rules, and nothing of the demo merchant's.
    const view = async (path: string) => (await fetch(`${sandbox.url}${path}`, { headers: { Authorization: `Bearer ${key.secret}` } })).json();
    expect((await pay(sandbox.apiKey)).status).toBe(201);
    expect((await view('/v1/payments')).data.map((p: { id: string }) => p.id)).toEqual([payment.id]);
    expect((await view('/v1/gateway_accounts')).data.map((a: { id: string }) => a.id)).toEqual([account.id]);
    expect((await view('/v1/gateways/health')).data.map((g: { account_id: string }) => g.account_id)).toEqual([account.id]);
    expect(await view('/v1/routing/rules')).toMatchObject({ active_version: null, versions: [], audit: [] });

    const listed = await admin('keys', 'list', '--merchant', merchant.id);
    expect(listed.out).toContain(key.hint);
    expect(listed.out).not.toContain(key.secret);

    const rolled = await adminJson('keys', 'roll', key.id, '--overlap', '1h');
    expect(rolled.secret).toMatch(/^sk_test_/);
    expect(rolled.scopes).toEqual(key.scopes);
    expect(rolled.replaces.expires_at).toBe(new Date(clock.now().getTime() + HOUR).toISOString());
    expect((await pay(key.secret)).status).toBe(201);
    clock.advance(HOUR);
    expect((await pay(key.secret)).status).toBe(401);
    expect((await pay(rolled.secret)).status).toBe(201);

    const updated = await adminJson('gateway-accounts', 'update', account.id, '--priority', '5');
    expect(updated).toMatchObject({ priority: 5, currencies: ['USD', 'EUR'] });

    const restricted = await adminJson('keys', 'create', '--merchant', merchant.id, '--scopes', 'payments:read', '--mode', 'live');
    expect(restricted.secret).toMatch(/^sk_live_/);
    expect((await pay(restricted.secret)).status).toBe(403);
    await adminJson('keys', 'revoke', restricted.id);
    const revoked = await fetch(`${sandbox.url}/v1/payments`, { headers: { Authorization: `Bearer ${restricted.secret}` } });
    expect(revoked.status).toBe(401);

    await adminJson('merchants', 'disable', merchant.id);
    expect((await pay(rolled.secret)).status).toBe(401);
    expect((await pay(sandbox.apiKey)).status).toBe(201);

    const audit = await sandbox.repositories.audit.list({ merchantId: merchant.id, limit: 50 });
    expect(audit.map((a) => a.action).reverse()).toEqual([
      'merchant.create',
      'api_key.create',
      'gateway_account.create',
      'api_key.roll',
      'api_key.create',
      'gateway_account.update',
      'api_key.create',
      'api_key.revoke',
      'merchant.disable',
    ]);
    for (const row of audit) expect(row).toMatchObject({ actorType: 'cli', actorId: 'ops-alice', actorName: 'ops-alice' });
    const update = audit.find((a) => a.action === 'gateway_account.update')!;
    expect(update.before).toMatchObject({ priority: 3 });
    expect(update.after).toMatchObject({ priority: 5, credentials_ref: 'env:CLI_STRIPE' });
    const stored = JSON.stringify(audit);
    for (const secret of [key.secret, rolled.secret, restricted.secret]) expect(stored).not.toContain(secret.slice(8));
  });

  it('creates an operator with TOTP on, who signs in with what it printed and activates rulesets only for their merchants', async () => {
    const merchant = await adminJson('merchants', 'create', '--name', 'Operated shop');
    const key = await adminJson('keys', 'create', '--merchant', merchant.id, '--mode', 'test');
    await adminJson('gateway-accounts', 'add', '--merchant', merchant.id, '--provider', 'stripe', '--name', 'stripe', '--label', 'Stripe', '--credentials', 'env:CLI_STRIPE');
    const created = await admin('operators', 'create', '--email', 'Grace@Ops.Example', '--name', 'Grace Hopper', '--role', 'operator', '--merchants', merchant.id);
    expect(created.code, created.err).toBe(0);
    const password = /password: +(\S+)/.exec(created.out)![1]!;
    const totpSecret = /TOTP secret: +(\S+)/.exec(created.out)![1]!;
    expect(created.out).toContain('otpauth://totp/');
    expect((await adminJson('operators', 'list')).find((o: { email: string }) => o.email === 'grace@ops.example')).toMatchObject({ role: 'operator', merchant_ids: [merchant.id], totp_enabled: true });

    const stored = await fetch(`${sandbox.url}/v1/routing/rules`, { method: 'POST', headers: { Authorization: `Bearer ${key.secret}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ source: 'default: { route: [stripe] }\n' }) });
    const { version } = await stored.json();
    const token = await signIn(sandbox.url, { email: 'grace@ops.example', password, totpSecret }, clock);
    const activate = (merchantId: string) => fetch(`${sandbox.url}/v1/routing/rules/${version}/activate?merchant_id=${merchantId}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect((await activate(merchant.id)).status).toBe(200);
    expect(await (await activate(sandbox.merchantId)).json()).toMatchObject({ status: 403, code: 'merchant_not_allowed' });
    const [record] = await sandbox.repositories.audit.list({ merchantId: merchant.id, action: 'routing.ruleset.activate', limit: 1 });
    expect(record).toMatchObject({ actorType: 'operator', actorName: 'Grace Hopper' });
    const audit = JSON.stringify(await sandbox.repositories.audit.list({ limit: 1000 }));
    expect(audit).not.toContain(password);
    expect(audit).not.toContain(totpSecret);

    const disabled = await adminJson('operators', 'disable', record!.actorId);
    expect(disabled).toMatchObject({ id: record!.actorId, disabled_at: expect.any(String) });
    expect((await activate(merchant.id)).status).toBe(401);
  });

  it('refuses to manage operators without the secrets key that seals their TOTP secrets', async () => {
    const before = await sandbox.repositories.audit.list({ limit: 1000 });
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAdmin(['operators', 'create', '--email', 'x@ops.example', '--name', 'X', '--role', 'viewer'], { ...ctx, operators: null }, { out: (t) => out.push(t), err: (t) => err.push(t) });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/^error: SWITCHYARD_SECRETS_KEY: is needed to manage operators/);
    expect(await sandbox.repositories.audit.list({ limit: 1000 })).toEqual(before);
  });

  describe('refuses hostile input with exit 2, naming the option, changing nothing', () => {
    let merchantId: string;
    let keyId: string;
    beforeAll(async () => {
      merchantId = (await adminJson('merchants', 'create', '--name', 'Hostile input target')).id;
      keyId = (await adminJson('keys', 'create', '--merchant', merchantId)).id;
    });
    const account = (...extra: string[]) => ['gateway-accounts', 'add', '--merchant', '$M', '--provider', 'stripe', '--name', 'stripe-x', '--label', 'X', '--credentials', 'env:X', ...extra];

    it.each([
      [['merchants', 'create'], '--name'],
      [['merchants', 'create', '--name', 'x'.repeat(500)], '--name'],
      [['merchants', 'create', '--name', 'a\u0000b'], '--name'],
      [['merchants', 'create', '--name', 'a', 'extra'], 'extra'],
      [['merchants', 'list', '--all'], "'--all'"],
      [['merchants', 'disable'], '<merchant_id>'],
      [['merchants', 'disable', "mer_' OR 1=1 --"], '<merchant_id>'],
      [['keys', 'create', '--merchant', "mer_x'; DROP TABLE api_keys; --"], '--merchant'],
      [['keys', 'create', '--merchant', '$M', '--scopes', 'payments:write,admin:everything'], '--scopes'],
      [['keys', 'create', '--merchant', '$M', '--scopes', ','], '--scopes'],
      [['keys', 'create', '--merchant', '$M', '--mode', 'prod'], '--mode'],
      [['keys', 'create', '--merchant', '$M', '--label', '\u001b[31mred'], '--label'],
      [['keys', 'roll', '$K', '--overlap', '10 years'], '--overlap'],
      [['keys', 'roll', '$K', '--overlap', '31d'], '--overlap'],
      [['keys', 'revoke'], '<key_id>'],
      [['keys', 'revoke', 'key_nope'], '<key_id>'],
      [account('--credentials', RAW_SECRET), '--credentials'],
      [account('--credentials', 'sandbox:stripe'), '--credentials'],
      [account('--credentials', 'env:lower'), '--credentials'],
      [account('--provider', 'worldpay'), '--provider'],
      [account('--name', 'Bad Name'), '--name'],
      [account('--priority', '1e3'), '--priority'],
      [account('--priority', '1001'), '--priority'],
      [account('--currencies', 'USD,XYZ'), '--currencies'],
      [account('--countries', 'USA'), '--countries'],
      [['gateway-accounts', 'update', 'gwa_nope', '--priority', '1'], '<account_id>'],
      [['gateway-accounts', 'list'], '--merchant'],
      [['operators', 'create', '--email', 'not-an-email', '--name', 'A', '--role', 'viewer'], '--email'],
      [['operators', 'create', '--email', 'a@ops.example', '--name', 'A\u001b[2J', '--role', 'viewer'], '--name'],
      [['operators', 'create', '--email', 'a@ops.example', '--name', 'A', '--role', 'root'], '--role'],
      [['operators', 'create', '--email', 'a@ops.example', '--name', 'A', '--role', 'viewer', '--merchants', 'mer_nope'], '--merchants'],
      [['operators', 'create', '--email', 'demo@switchyard.local', '--name', 'A', '--role', 'viewer'], '--email'],
      [['operators', 'disable', 'op_nope'], '<operator_id>'],
      [['payments', 'delete'], 'Unknown command'],
    ])('%j', async (argv, named) => {
      const before = { merchants: await adminJson('merchants', 'list'), audit: await sandbox.repositories.audit.list({ limit: 1000 }), keys: await adminJson('keys', 'list', '--merchant', merchantId) };
      const result = await admin(...argv.map((a) => (a === '$M' ? merchantId : a === '$K' ? keyId : a)));
      expect(result.code).toBe(2);
      expect(result.out).toBe('');
      expect(result.err).toContain(named);
      expect(result.err).not.toContain(RAW_SECRET);
      expect(await adminJson('merchants', 'list')).toEqual(before.merchants);
      expect(await adminJson('keys', 'list', '--merchant', merchantId)).toEqual(before.keys);
      expect(await sandbox.repositories.audit.list({ limit: 1000 })).toEqual(before.audit);
    });

    it('answers a refusal as JSON with --json', async () => {
      const result = await admin('keys', 'create', '--merchant', merchantId, '--mode', 'prod', '--json');
      expect(result.code).toBe(2);
      expect(JSON.parse(result.err)).toEqual({ error: { option: '--mode', message: expect.stringContaining('live or test') } });
    });
  });

  it('creates a publishable key that only tokenizes, from its origins', async () => {
    const merchant = await adminJson('merchants', 'create', '--name', 'Web shop');
    const refused = await admin('keys', 'create', '--merchant', merchant.id, '--publishable');
    expect(refused).toMatchObject({ code: 2 });
    expect(refused.err).toMatch(/origin/);
    const created = await adminJson('keys', 'create', '--merchant', merchant.id, '--mode', 'test', '--publishable', '--origins', 'https://shop.example');
    expect(created).toMatchObject({ type: 'publishable', scopes: ['payment_methods:tokenize'], allowed_origins: ['https://shop.example'] });
    expect(created.secret).toMatch(/^pk_test_[0-9A-Za-z]{32}$/);
    const tokenized = await fetch(`${sandbox.url}/v1/tokens`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${created.secret}`, 'Content-Type': 'application/json', Origin: 'https://shop.example' },
      body: JSON.stringify({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2030 } }),
    });
    expect(tokenized.status).toBe(201);
    expect((await pay(created.secret)).status).toBe(403);
  });

  it('vault rotate-kek re-wraps every data key with the new KEK, in batches, and has nothing left on a second run', async () => {
    for (const number of ['4242424242424242', '5555555555554444', '4000056655665556']) {
      const res = await fetch(`${sandbox.url}/v1/payment_methods`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${sandbox.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'card', card: { number, exp_month: 12, exp_year: 2030 } }),
      });
      expect(res.status).toBe(201);
    }
    expect(await admin('vault', 'rotate-kek')).toMatchObject({ code: 2 });
    const newKek = Buffer.alloc(32, 9).toString('base64');
    ctx.vaultKms = localKms([newKek, SECRETS_KEY]);
    // The cards above, and the one the publishable key tokenized.
    const saved = [...(await sandbox.repositories.vault.countByKek()).values()].reduce((sum, count) => sum + count, 0);
    expect(saved).toBe(4);
    const first = await adminJson('vault', 'rotate-kek', '--batch', '2');
    expect(first).toMatchObject({ rewrapped: saved, remaining: 0, kek_id: await localKms(newKek).currentKeyId() });
    expect(await adminJson('vault', 'rotate-kek')).toMatchObject({ rewrapped: 0, remaining: 0 });
    ctx.vaultKms = null;
  });
});
