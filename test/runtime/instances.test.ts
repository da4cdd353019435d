import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { startSandbox, type Sandbox } from '../../src/runtime/node/sandbox.js';
import { captureLogger } from '../support/capture-logger.js';
import { testDatabase, type TestDatabase } from '../support/databases.js';
import { DEFAULT_BREAKER_SETTINGS } from '../../src/orchestrator/breakers.js';
import { paymentBody, SECRETS_KEY } from '../support/harness.js';
import { fixedKey } from '../support/keys.js';
import { signIn } from '../support/operators.js';

const KEY = fixedKey('instancesTests');
const ONE_HOUR_MS = 3_600_000;

/** Rules that send every payment to one gateway, so a decision shows which version made it. */
const onlyTo = (gateway: string) => `default: { route: [${gateway}] }\n`;

/** Two instances on one PostgreSQL database, as a deployment behind a load balancer runs them. */
describe('several router instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let admin: postgres.Sql;
  let a: Sandbox;
  let b: Sandbox;
  let dir: string;
  let operatorToken: string;

  const start = (rulesetCheckMs: number) =>
    startSandbox({
      host: '127.0.0.1',
      port: 0,
      databaseUrl: database.url,
      sandboxKey: KEY,
      secretsKey: SECRETS_KEY,
      fingerprintSecret: 'fp',
      gatewayTimeoutMs: 10_000,
      routingRulesDir: 'routing-rules',
      routingSeed: 7,
      logger: captureLogger().logger,
      rateLimit: { perSecond: 1, burst: 1_000_000 },
      rulesetCheckMs,
      lookupCacheMs: rulesetCheckMs,
      // An opened breaker stays open long enough for the slowest poll to see it, however busy the machine.
      breakers: { ...DEFAULT_BREAKER_SETTINGS, resetTimeoutMs: ONE_HOUR_MS },
      // Every start provisions the demo operator: the same credentials keep one session valid throughout.
      operatorPassword: 'correct horse battery staple',
      operatorTotpSecretFile: join(dir, 'totp-secret'),
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-instances-'));
    database = await testDatabase('postgres');
    admin = postgres(database.url!, { max: 1, onnotice: () => {} });
    // The periodic check and the cache lifetime are pushed out of the way: these tests prove the notification path.
    a = await start(ONE_HOUR_MS);
    b = await start(ONE_HOUR_MS);
    // A TOTP code is accepted once: one sign-in serves every activation.
    operatorToken = await signIn(a.url, a.operator, systemClock);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await admin?.end();
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function decide(instance: Sandbox) {
    const res = await fetch(`${instance.url}/v1/routing/decide`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: 2500, currency: 'USD', payment_method: { type: 'card', card: { number: '4111111111111111', exp_month: 12, exp_year: 2030, cvc: '123' } } }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { ruleset_version: number; order: string[] };
  }

  /** Stores a ruleset through `instance` and activates it there, as the demo operator. */
  async function activateThrough(instance: Sandbox, source: string): Promise<number> {
    const headers = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' };
    const created = await fetch(`${instance.url}/v1/routing/rules`, { method: 'POST', headers, body: JSON.stringify({ source }) });
    const { version } = (await created.json()) as { version: number };
    expect(created.status).toBe(201);
    const activated = await fetch(`${instance.url}/v1/routing/rules/${version}/activate?merchant_id=${a.merchantId}`, { method: 'POST', headers: { Authorization: `Bearer ${operatorToken}` } });
    expect(activated.status).toBe(200);
    return version;
  }

  /** Decides through `instance` until it routes with `version`: bounded only by the test's timeout, since no notification means no change. */
  async function decidesWith(instance: Sandbox, version: number) {
    for (;;) {
      const decision = await decide(instance);
      if (decision.ruleset_version === version) return decision;
    }
  }

  it('an activation through one instance changes the next decisions of the other, with no restart', async () => {
    const before = await decide(b);
    const version = await activateThrough(a, onlyTo('adyen'));
    expect(version).toBeGreaterThan(before.ruleset_version);
    expect(await decidesWith(b, version)).toMatchObject({ ruleset_version: version, order: ['adyen'] });
    expect(await decide(a)).toMatchObject({ ruleset_version: version, order: ['adyen'] });
  });

  it('keeps propagating after the listening connections are cut', async () => {
    await decide(b);
    const cut = await admin`
      select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()`;
    expect(cut.length).toBe(2);
    const version = await activateThrough(a, onlyTo('braintree'));
    expect(await decidesWith(b, version)).toMatchObject({ ruleset_version: version, order: ['braintree'] });
  });

  it('the periodic check catches an activation whose notification never came', async () => {
    const c = await start(50);
    try {
      const current = await decide(c);
      const version = await activateThrough(a, onlyTo('stripe'));
      await decidesWith(c, version);
      // Back to the previous version behind every listener's back: no NOTIFY is sent.
      await admin`update merchants set active_ruleset_version = ${current.ruleset_version} where id = ${a.merchantId}`;
      expect(await decidesWith(c, current.ruleset_version)).toMatchObject({ ruleset_version: current.ruleset_version });
    } finally {
      await c.close();
    }
  });

  /** Polls `probe` until it answers true; the deadline is far below the hour the cache would otherwise keep an entry. */
  async function within(ms: number, probe: () => Promise<boolean>): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await probe()) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  async function adminPost(instance: Sandbox, path: string, body: unknown) {
    const res = await fetch(`${instance.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${operatorToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const listAccounts = (instance: Sandbox, key: string) => fetch(`${instance.url}/v1/gateway_accounts`, { headers: { Authorization: `Bearer ${key}` } });

  it('a key revoked through one instance is refused by the other within a bounded wait', async () => {
    const created = await adminPost(a, `/v1/admin/merchants/${a.merchantId}/keys`, { mode: 'test', label: 'instances' });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    // B has never seen the key: a miss is not remembered, so it works there at once, and B now holds it.
    expect((await listAccounts(b, secret)).status).toBe(200);
    expect((await listAccounts(b, secret)).status).toBe(200);
    expect((await adminPost(a, `/v1/admin/keys/${created.body.id as string}/revoke`, {})).status).toBe(200);
    expect(await within(5_000, async () => (await listAccounts(b, secret)).status === 401)).toBe(true);
    expect((await listAccounts(a, secret)).status).toBe(401);
  });

  it('a gateway account disabled through one instance is no longer a candidate on the other', async () => {
    const names = async (instance: Sandbox) => ((await (await listAccounts(instance, KEY)).json()) as { data: { id: string }[] }).data.map((account) => account.id);
    const account = a.accounts.braintree!;
    expect(await names(b)).toContain(account);
    expect((await adminPost(a, `/v1/admin/gateway_accounts/${account}/disable`, {})).status).toBe(200);
    expect(await within(5_000, async () => !(await names(b)).includes(account))).toBe(true);
  });

  interface Health {
    account_id: string;
    breaker: { state: string; calls: number };
    success_rate: { probability: number; samples: number };
  }
  const health = async (instance: Sandbox, accountId: string) => {
    const res = await fetch(`${instance.url}/v1/gateways/health`, { headers: { Authorization: `Bearer ${KEY}` } });
    const { data } = (await res.json()) as { data: Health[] };
    return data.find((row) => row.account_id === accountId)!;
  };
  const pay = async (instance: Sandbox) => {
    const res = await fetch(`${instance.url}/v1/payments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify(paymentBody()),
    });
    return (await res.json()) as { status: string; failure?: { code: string } };
  };

  it("outcomes recorded on one instance change the other's learner estimate, to the same numbers", async () => {
    await activateThrough(a, onlyTo('stripe'));
    await decidesWith(b, (await decide(a)).ruleset_version);
    const stripe = a.accounts.stripe!;
    const before = (await health(b, stripe)).success_rate;
    for (let i = 0; i < 8; i++) expect((await pay(a)).status).toBe('succeeded');
    const learned = (await health(a, stripe)).success_rate;
    expect(learned.samples).toBeGreaterThan(before.samples);
    // B made no payment: only A's outcomes, shared, can move its estimate, and onto A's exactly.
    expect(await within(5_000, async () => JSON.stringify((await health(b, stripe)).success_rate) === JSON.stringify(learned))).toBe(true);
    expect((await health(b, stripe)).breaker.calls).toBe(0);
  });

  it('a breaker opened on one instance is open on the other, which then does not call the gateway', async () => {
    const version = await activateThrough(a, onlyTo('stripe'));
    await decidesWith(b, version);
    const stripe = a.accounts.stripe!;
    await a.simulators.stripe!.setFault({ kind: 'refuse_connections' });
    try {
      for (let i = 0; i < 20 && (await health(a, stripe)).breaker.state !== 'open'; i++) {
        expect((await pay(a)).failure?.code).toBe('gateway_unavailable');
      }
      expect((await health(a, stripe)).breaker.state).toBe('open');
      expect(await within(5_000, async () => (await health(b, stripe)).breaker.state === 'open')).toBe(true);
      const requests = b.simulators.stripe!.ledger.requestCount();
      // Stripe is the only gateway the ruleset allows: B refuses the payment, naming the open breaker.
      const refused = (await pay(b)) as { status: string; attempts: unknown[]; decision: { candidates: { account_id: string; reason: string | null }[] } };
      expect(refused).toMatchObject({ status: 'failed', attempts: [] });
      expect(refused.decision.candidates.find((c) => c.account_id === stripe)).toMatchObject({ reason: 'breaker_open' });
      expect(b.simulators.stripe!.ledger.requestCount()).toBe(requests);
    } finally {
      await a.simulators.stripe!.clearFault();
    }
  });
});
