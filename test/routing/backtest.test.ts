import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/runtime/node/sandbox.js';
import { captureLogger } from '../support/capture-logger.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../support/databases.js';
import { fixedKey } from '../support/keys.js';
import { signIn } from '../support/operators.js';
import { systemClock } from '../../src/domain/clock.js';

const root = new URL('../..', import.meta.url).pathname;
const VISA = '4111111111111111';

/** `npm run rules:backtest -- …` as a child process; resolves with its exit code and output. */
function cli(args: string[], env: Record<string, string>) {
  return promisify(execFile)(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'scripts/rules-backtest.ts', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: '', ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}
const DECLINE = '4000000000000002';
const Z = 1.959963984540054;

/** The 95 % interval of a mean of 0/1 or money outcomes with equal weights, as the estimator computes it. */
function interval(rewards: number[], scale = 1) {
  const mean = rewards.reduce((s, r) => s + r, 0) / rewards.length;
  const half = (Z * Math.sqrt(rewards.reduce((s, r) => s + (r - mean) ** 2, 0))) / rewards.length;
  return { estimate: mean * scale, low: (mean - half) * scale, high: (mean + half) * scale };
}

describe.each(DRIVERS)('backtesting a ruleset version on recorded payments, on %s', (driver) => {
  let postgres: TestDatabase | null = null;
  let dataDir: string;
  let sandbox: Sandbox;
  let running = false;
  let operatorToken: string;

  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${sandbox.apiKey}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  }

  async function store(source: string): Promise<number> {
    const created = await api('POST', '/v1/routing/rules', { source });
    expect(created.status).toBe(201);
    return created.body.version;
  }

  async function activate(version: number) {
    operatorToken ??= await signIn(sandbox.url, sandbox.operator, systemClock);
    const res = await fetch(`${sandbox.url}/v1/routing/rules/${version}/activate?merchant_id=${sandbox.merchantId}`, { method: 'POST', headers: { Authorization: `Bearer ${operatorToken}` } });
    expect(res.status).toBe(200);
  }

  const pay = async (amount: number, number: string, extra: Record<string, unknown> = {}) =>
    (await api('POST', '/v1/payments', { amount, currency: 'USD', payment_method: { type: 'card', card: { number, exp_month: 12, exp_year: 2030, cvc: '123' } }, ...extra })).body;

  const apiReport = () => api('POST', `/v1/routing/rules/${candidate}/backtest`, { from, to });

  let from: string;
  let to: string;
  let candidate: number;
  let current: number;

  beforeAll(async () => {
    if (driver === 'postgres') postgres = await testDatabase('postgres');
    dataDir = await mkdtemp(join(tmpdir(), 'switchyard-backtest-'));
    sandbox = await startSandbox({
      host: '127.0.0.1',
      port: 0,
      ...(postgres ? { databaseUrl: postgres.url } : { pgliteDir: join(dataDir, 'pglite') }),
      sandboxKey: fixedKey('backtest'),
      fingerprintSecret: 'fp',
      gatewayTimeoutMs: 10_000,
      routingRulesDir: 'routing-rules',
      routingSeed: 5,
      logger: captureLogger().logger,
      rateLimit: { perSecond: 1, burst: 1_000_000 },
    });
    running = true;
    from = new Date(Date.now() - 60_000).toISOString();
    const blockKp = "  - id: no-kp\n    when: { country.billing: KP }\n    then: { block: { code: country_not_supported } }\n";
    current = await store(`rules:\n${blockKp}default: { route: [stripe] }\n`);
    await activate(current);
    // The history: small and big USD payments, all routed to Stripe, some declined; one blocked.
    const small = [await pay(2500, VISA), await pay(2500, VISA), await pay(2500, VISA), await pay(2500, VISA), await pay(2500, VISA), await pay(2500, DECLINE)];
    const big = [await pay(7500, VISA), await pay(7500, VISA), await pay(7500, DECLINE)];
    const blocked = await pay(2500, VISA, { customer: { country: 'KP' } });
    expect(small.map((p) => p.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed']);
    expect(big.map((p) => p.status)).toEqual(['succeeded', 'succeeded', 'failed']);
    expect(blocked.status).toBe('failed');
    expect(small[0].decision).toMatchObject({ propensity: 1, probe: false, order: ['stripe'] });
    // One payment recorded before decisions logged their propensities.
    const old = (await sandbox.repositories.payments.get(sandbox.merchantId, small[0].id))!.payment;
    const { propensity: _dropped, ...legacy } = old.decision as Record<string, unknown>;
    await sandbox.repositories.payments.update(old.id, old.version, { decision: legacy }, new Date());
    to = new Date(Date.now() + 60_000).toISOString();
    // The candidate sends big USD payments to Braintree instead.
    candidate = await store(`rules:\n${blockKp}  - id: big-to-braintree\n    when: { amount: { gte: 5000, currency: USD } }\n    then: { route: [braintree] }\ndefault: { route: [stripe] }\n`);
  }, 120_000);

  afterAll(async () => {
    if (running) await sandbox.close();
    await postgres?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers for the stored history with the numbers a hand computation gives', async () => {
    const res = await api('POST', `/v1/routing/rules/${candidate}/backtest`, { from, to });
    expect(res.status).toBe(200);
    const report = res.body;
    // 10 payments in the window: one without a logged propensity and one blocked (nothing tried) are left out.
    expect(report).toMatchObject({
      object: 'routing_backtest',
      window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      estimator: { name: 'self_normalised_inverse_propensity_weighting', confidence: 0.95, outcome: 'first_attempt' },
      payments: { in_window: 10, estimated: 8, excluded: { no_propensity: 1, not_attempted: 1, unsettled: 0, probe: 0 } },
      changed_route: 3,
      observed: { approval_rate: 0.75 },
    });

    // Active version: everything to Stripe with probability 1, as logged: every weight is 1.
    // Approvals 4 small + 2 big of 8.
    const currentRewards = [1, 1, 1, 1, 0, 1, 1, 0];
    const r4 = (x: { estimate: number; low: number; high: number }) => ({ estimate: round4(x.estimate), low: round4(x.low), high: round4(x.high) });
    expect(report.current).toMatchObject({ version: current, approval_rate: r4(interval(currentRewards)), effective_sample_size: 8, refused_share: 0, unsupported_share: 0 });

    // Candidate: the 3 big payments would go to Braintree, where the history never sent one first:
    // weight 0, and 3/8 of its choices unsupported. The 5 small ones keep weight 1: 4 of 5 approved.
    const smallRewards = [1, 1, 1, 1, 0];
    expect(report.candidate).toMatchObject({ version: candidate, approval_rate: r4(interval(smallRewards)), effective_sample_size: 5, refused_share: 0, unsupported_share: 0.375 });

    // Stripe USD: 2.9 % + 30: 103 on 25.00 (72.5 rounds half up to 73), 248 on 75.00 (217.5 → 218).
    const fees = [103, 103, 103, 103, 0, 248, 248, 0];
    const net = [2397, 2397, 2397, 2397, 0, 7252, 7252, 0];
    const [usd] = report.currencies;
    expect(report.currencies).toHaveLength(1);
    expect(usd).toMatchObject({ currency: 'USD', payments: 8, observed: { fees: 908, net_revenue: 24_092 } });
    const totals = (rewards: number[], n: number) => {
      const i = interval(rewards, n);
      return { estimate: Math.round(i.estimate), low: Math.round(i.low), high: Math.round(i.high) };
    };
    expect(usd.current).toEqual({ fees: totals(fees, 8), net_revenue: totals(net, 8) });
    expect(usd.current.fees.estimate).toBe(908);
    // Per payment the small ones' mean, over all 8: 8 × 412 / 5 = 659.2 in fees, 8 × 9 588 / 5 = 15 340.8 net.
    expect(usd.candidate).toEqual({ fees: totals(fees.slice(0, 5), 8), net_revenue: totals(net.slice(0, 5), 8) });
    expect(usd.candidate.fees.estimate).toBe(659);
    expect(usd.candidate.net_revenue.estimate).toBe(15_341);
  });

  it('estimates the active version against itself as what happened', async () => {
    const { body } = await api('POST', `/v1/routing/rules/${current}/backtest`, { from, to });
    expect(body.changed_route).toBe(0);
    expect(body.candidate.approval_rate.estimate).toBe(0.75);
    expect(body.currencies[0].candidate.fees.estimate).toBe(908);
  });

  it('refuses malformed, missing, oversized and hostile input with a problem naming the field, changing nothing', async () => {
    const before = (await api('GET', '/v1/routing/rules')).body;
    const cases: [unknown, number, string, string | undefined][] = [
      [{ to }, 400, 'missing_field', 'from'],
      [{ from }, 400, 'missing_field', 'to'],
      [{ from: 'yesterday', to }, 400, 'invalid_field', 'from'],
      [{ from, to: 1_764_000_000 }, 400, 'invalid_field', 'to'],
      [{ from: to, to: from }, 400, 'invalid_window', 'to'],
      [{ from: '2026-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }, 400, 'window_too_large', 'to'],
      [{ from: "2026-01-01T00:00:00Z' OR 1=1; DROP TABLE payments;--", to }, 400, 'invalid_field', 'from'],
      [{ from, to, merchant_id: 'mer_other' }, 400, 'unknown_field', 'merchant_id'],
      ['{"from":', 400, 'invalid_json', undefined],
    ];
    for (const [body, status, code, param] of cases) {
      const res = await api('POST', `/v1/routing/rules/${candidate}/backtest`, body);
      expect(res.type).toMatch(/application\/problem\+json/);
      expect({ status: res.status, code: res.body.code, param: res.body.param }).toEqual({ status, code, param });
    }
    const huge = await api('POST', `/v1/routing/rules/${candidate}/backtest`, { from, to, padding: 'x'.repeat(100_000) });
    expect(huge).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
    expect((await api('POST', '/v1/routing/rules/999999/backtest', { from, to })).body).toMatchObject({ code: 'resource_missing' });
    for (const version of ['0', '1e3', '-1', '..%2F..%2Fpayments']) {
      const res = await api('POST', `/v1/routing/rules/${version}/backtest`, { from, to });
      expect(res).toMatchObject({ status: 400, body: { param: 'version' } });
    }
    expect((await api('GET', '/v1/routing/rules')).body).toEqual(before);
  });

  it('prints the same report from npm run rules:backtest, on the same store, and refuses bad arguments naming the flag', async () => {
    const api = (await apiReport()).body;
    // PGlite takes one process at a time: the sandbox lets go of its data directory first.
    if (driver === 'pglite') {
      await sandbox.close();
      running = false;
    }
    const env: Record<string, string> = postgres ? { DATABASE_URL: postgres.url! } : { SWITCHYARD_DATA_DIR: dataDir };
    const args = ['--merchant', sandbox.merchantId, '--version', String(candidate), '--from', from, '--to', to];
    const ran = await cli(args, env);
    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(ran.stdout)).toEqual(api);
    const bad = await cli(['--merchant', sandbox.merchantId, '--version', String(candidate), '--from', 'last week', '--to', to], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^--from: /);
    const wide = await cli([...args.slice(0, 6), '--to', '2099-01-01T00:00:00Z'], env);
    expect(wide.code).toBe(1);
    expect(wide.stderr).toMatch(/^--to: .*93 days/);
  }, 120_000);
});

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
