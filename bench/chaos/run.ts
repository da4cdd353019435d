import { mkdir, readFile } from 'node:fs/promises';
import { generate } from 'otplib';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { join } from 'node:path';
import type { WebhookDelivery } from '../../adapters/testkit/simulator.js';
import { CHAOS_RULESET, routerSettlementEnv, type ChaosConfig, type Driver } from './config.js';
import { PROVIDERS, SimulatorsControl, type Provider } from './control.js';
import { createBenchDatabase } from '../lib/postgres-database.js';
import { readRouterFacts } from './database.js';
import { FaultSchedule, type FaultCounts } from './faults.js';
import { MerchantClient, newClientStats, type ClientStats } from './merchant.js';
import { planOrders, runOrder, type OrderResult } from './orders.js';
import { freePort, RouterProcess, sleep, startSimulators } from './processes.js';
import { random } from './random.js';
import { scanRouterLogs, type RouterLogFindings } from './logs.js';
import { reconcile, type Findings } from './reconcile.js';
import { awaitRecovery, type Recovery } from './recovery.js';

export interface WebhookCounts {
  /** Notifications the simulators produced, and their delivery attempts. */
  deliveries: number;
  attempts: number;
  /** Attempts lost by a `drop` fault (the provider retried them). */
  dropped: number;
  /** Events lost for good by a `drop` fault with `forever`. */
  dropped_forever: number;
  duplicated: number;
  delayed: number;
  reordered: number;
  /** Attempts that failed otherwise (router down or restarting, a non-2xx answer) and were retried. */
  failed_attempts: number;
  by_state: Record<string, number>;
}

export interface DriverResult {
  driver: Driver;
  passed: boolean;
  /** Why the run failed (empty when it passed). */
  failures: string[];
  seconds: { startup: number; load: number; recovery: number; total: number };
  load: {
    orders: number;
    orders_finished: number;
    /** Orders the client stopped early (an unexpected answer, a request given up, still processing after its wait). */
    orders_stopped: number;
    stopped_reasons: Record<string, number>;
    requests: number;
    answers: Record<string, number>;
    creates_by_status: Record<string, number>;
    /** The same, per payment method (`paypal: {succeeded: 17, ...}`). */
    creates_by_method: Record<string, Record<string, number>>;
    operations: Record<string, number>;
    refunds: { requested: number; succeeded: number; pending: number; failed: number };
  };
  chaos: {
    kills: number;
    kill_at_seconds: number[];
    restart_ms: number[];
    router_crashes: { incarnation: number; code: number | null; signal: string | null; log: string }[];
    faults: FaultCounts;
    webhooks: WebhookCounts;
    client: ClientStats['retries'] & { cut_off_then_answered: number; replay_mismatches: number; gave_up: number };
  };
  /** `bank_days`: how often GoCardless' calendar moved on a day and BitPay's waiting refunds were given addresses (`bank_day_errors`: control calls that failed). */
  recovery: Recovery & { window_seconds: number; bank_days: number; bank_day_errors: number };
  findings: Findings;
  /** From every incarnation's log: unhandled errors, failed jobs, webhooks answered 5xx. */
  router_logs: RouterLogFindings;
  /** Where the router and simulators logged (kept when the run failed). */
  log_dir: string;
}

/** One chaos run on one driver: its own simulators process, database and router. */
export async function runDriver(driver: Driver, config: ChaosConfig, workDir: string, progress: (line: string) => void): Promise<DriverResult> {
  const started = Date.now();
  const logDir = join(workDir, driver);
  await mkdir(logDir, { recursive: true });
  const rng = random(config.seed);
  const runId = `${driver}-${config.seed.toString(36)}-${Date.now().toString(36)}`;

  const sims = await startSimulators({ webhookRetryScale: config.webhookRetryScale, logFile: join(logDir, 'simulators.log') });
  const control = new SimulatorsControl(sims.controlUrl);
  const database = driver === 'postgres' ? await createBenchDatabase('chaos') : null;
  const dataDir = join(logDir, 'data');
  const port = await freePort();
  const apiKey = generateApiKey('test');
  const operatorPassword = `chaos-operator-${Math.random().toString(36).slice(2, 12)}`;
  const router = new RouterProcess(
    `http://127.0.0.1:${port}`,
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: database?.url ?? '',
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_SANDBOX_KEY: apiKey,
      SWITCHYARD_SANDBOX_OPERATOR_PASSWORD: operatorPassword,
      SWITCHYARD_SANDBOX_GATEWAYS: 'env',
      SWITCHYARD_SIMULATORS_CONTROL_URL: sims.controlUrl,
      SWITCHYARD_ROUTING_SEED: String(config.seed),
      ...routerSettlementEnv(config),
    },
    logDir,
  );
  const restartMs: number[] = [];
  router.onCrash = () => {
    progress(`  router exited by itself (incarnation ${router.incarnations}): restarting`);
    void router.start().then(
      (ms) => restartMs.push(ms),
      () => {},
    );
  };

  let bankDays: BankDays | null = null;
  try {
    await router.start();
    const stats = newClientStats();
    const client = new MerchantClient(router.url, apiKey, stats, { ...config.client, maxInFlight: config.concurrency });
    const admin = new MerchantClient(router.url, apiKey, newClientStats(), config.client);
    await activateRuleset(admin, router, { password: operatorPassword, totpSecretFile: join(dataDir, 'operator-totp-secret') });
    const startupSeconds = (Date.now() - started) / 1000;
    progress(`  ${driver}: router up (${router.url}), simulators ${sims.controlUrl}, ruleset: cards split over stripe/adyen/braintree/checkout, paypal, crypto to bitpay, debits to gocardless`);
    // The payers' side of the slow methods runs on its own clock, through the load and the recovery.
    bankDays = new BankDays(control, config.bankDayMs);

    // The load, with faults switched on and off and the router killed at random moments.
    const plans = planOrders(config.orders, runId, rng.fork());
    const faults = new FaultSchedule(control, config, rng.fork());
    const killRng = rng.fork();
    // Each kill falls at a random point of its share of the load (by orders done), at a random moment after it.
    const killAt = Array.from({ length: config.kills }, (_, i) => Math.floor(config.orders * (0.05 + (0.8 * (i + killRng.next())) / config.kills)));
    const killSeconds: number[] = [];
    const loadStarted = Date.now();
    let next = 0;
    let finished = 0;
    const results: OrderResult[] = [];
    faults.start();
    let loadDone = false;
    const killer = (async () => {
      for (const threshold of killAt) {
        while (!loadDone && finished < threshold) await sleep(50);
        if (loadDone) return;
        await router.ready().catch(() => {});
        // A random moment a little after the threshold, while orders are in flight.
        await sleep(killRng.int(0, 1500));
        if (loadDone) return;
        await router.kill();
        killSeconds.push((Date.now() - loadStarted) / 1000);
        progress(`  ${driver}: SIGKILL at ${killSeconds.at(-1)!.toFixed(1)} s (${finished} of ${config.orders} orders done), restarting`);
        restartMs.push(await router.start().catch(() => Number.NaN));
      }
    })();
    const ticker = setInterval(() => progress(`  ${driver}: ${finished}/${config.orders} orders, ${stats.requests} requests, ${((Date.now() - loadStarted) / 1000).toFixed(0)} s`), 15_000);
    await Promise.all(
      Array.from({ length: config.ordersInProgress }, async () => {
        while (next < plans.length) {
          const plan = plans[next++]!;
          results.push(await runOrder(plan, client, config.client.settleWaitMs));
          finished += 1;
        }
      }),
    );
    loadDone = true;
    clearInterval(ticker);
    await killer;
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    progress(`  ${driver}: load done in ${loadSeconds.toFixed(0)} s; faults cleared; waiting up to ${config.recoveryWindowMs / 1000} s for everything to settle`);

    // Recovery: no faults, the router up; everything must settle within the window.
    await faults.stop();
    const recoveryStarted = Date.now();
    await router.ready();
    const recovery = await awaitRecovery(admin, control, config.recoveryWindowMs, recoveryStarted);
    progress(`  ${driver}: ${recovery.settled ? `settled after ${recovery.seconds.toFixed(1)} s` : `NOT settled within ${config.recoveryWindowMs / 1000} s`}; reconciling`);

    // Reconcile: the router stopped (PGlite's directory can then be opened), every ledger entry against its database.
    await bankDays.stop();
    await router.stop();
    const facts = await readRouterFacts(database ? { url: database.url } : { pgliteDir: join(dataDir, 'pglite') });
    const ledger = await control.ledger();
    const deliveries = await control.deliveries();
    const findings = reconcile({ facts, ledger, deliveries, orderKeys: plans.map((p) => p.key) });

    const result: DriverResult = {
      driver,
      passed: false,
      failures: [],
      seconds: { startup: startupSeconds, load: loadSeconds, recovery: recovery.seconds, total: (Date.now() - started) / 1000 },
      load: loadSummary(plans.length, results, stats),
      chaos: {
        kills: killSeconds.length,
        kill_at_seconds: killSeconds,
        restart_ms: restartMs,
        router_crashes: router.unexpectedExits,
        faults: faults.counts,
        webhooks: webhookCounts(deliveries),
        client: { ...stats.retries, cut_off_then_answered: stats.cut_off_then_answered, replay_mismatches: stats.replay_mismatches.length, gave_up: stats.gave_up.length },
      },
      recovery: { ...recovery, window_seconds: config.recoveryWindowMs / 1000, bank_days: bankDays.days, bank_day_errors: bankDays.errors },
      findings,
      router_logs: scanRouterLogs(Array.from({ length: router.incarnations }, (_, i) => router.logFile(i + 1))),
      log_dir: logDir,
    };
    if (stats.replay_mismatches.length > 0) findings.examples.replay_mismatches = stats.replay_mismatches.slice(0, 10);
    if (stats.gave_up.length > 0) findings.examples.client_gave_up = stats.gave_up.slice(0, 10);
    result.failures = failuresOf(result, config);
    result.passed = result.failures.length === 0;
    return result;
  } finally {
    await bankDays?.stop();
    await router.stop().catch(() => {});
    await sims.stop().catch(() => {});
    if (database && !process.env.CHAOS_KEEP) await database.drop().catch(() => {});
  }
}

/**
 * Every `dayMs`, one bank day (`SimulatorsControl.bankDay`): GoCardless' debits and refunds fall due,
 * BitPay's refunds get their payer's address. A control call that fails is counted and tried the next day.
 */
class BankDays {
  days = 0;
  errors = 0;
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(control: SimulatorsControl, dayMs: number) {
    this.timer = setInterval(() => {
      this.running = this.running.then(() =>
        control.bankDay().then(
          () => void (this.days += 1),
          () => void (this.errors += 1),
        ),
      );
    }, dayMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

/** The merchant's key stores the ruleset; the sandbox's demo operator, signed in with a TOTP code, activates it. */
async function activateRuleset(admin: MerchantClient, router: RouterProcess, operator: { password: string; totpSecretFile: string }): Promise<void> {
  const stored = await admin.call('POST', '/v1/routing/rules', { source: CHAOS_RULESET }, `chaos-ruleset-${Date.now()}`);
  if (stored.status !== 201 && stored.status !== 200) throw new Error(`storing the chaos ruleset: ${stored.status} ${JSON.stringify(stored.body)}`);
  const totpCode = await generate({ secret: (await readFile(operator.totpSecretFile, 'utf8')).trim() });
  const session = await fetch(`${router.url}/v1/admin/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'demo@switchyard.local', password: operator.password, totp_code: totpCode }),
  });
  const { token } = (await session.json()) as { token?: string };
  if (!token) throw new Error(`signing in the demo operator: ${session.status}`);
  const merchantId = await bannerValue(router.logFile(), /demo merchant id: +(\S+)/);
  const activated = await fetch(`${router.url}/v1/routing/rules/${stored.body.version}/activate?merchant_id=${merchantId}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  if (activated.status !== 200) throw new Error(`activating the chaos ruleset: ${activated.status} ${await activated.text()}`);
}

/** A value the router's start banner prints (written just after it starts answering). */
async function bannerValue(logFile: string, pattern: RegExp): Promise<string> {
  for (let tries = 0; tries < 100; tries++) {
    const match = pattern.exec(await readFile(logFile, 'utf8'));
    if (match) return match[1]!;
    await sleep(50);
  }
  throw new Error(`the router's banner in ${logFile} has no ${pattern}`);
}

function loadSummary(orders: number, results: OrderResult[], stats: ClientStats): DriverResult['load'] {
  const creates: Record<string, number> = {};
  const byMethod: Record<string, Record<string, number>> = {};
  const operations: Record<string, number> = {};
  const stoppedReasons: Record<string, number> = {};
  const refunds = { requested: 0, succeeded: 0, pending: 0, failed: 0 };
  for (const r of results) {
    creates[r.status ?? 'unanswered'] = (creates[r.status ?? 'unanswered'] ?? 0) + 1;
    const ofMethod = (byMethod[r.method] ??= {});
    ofMethod[r.status ?? 'unanswered'] = (ofMethod[r.status ?? 'unanswered'] ?? 0) + 1;
    if (r.operation) operations[r.operation] = (operations[r.operation] ?? 0) + 1;
    for (const k of Object.keys(refunds) as (keyof typeof refunds)[]) refunds[k] += r.refunds[k];
    if (r.problem) {
      const reason = r.problem.replace(/pay_[0-9A-Za-z]+/g, 'pay_…').replace(/chaos-[^ )]+/g, 'chaos-…').replace(/after \d+ ms/, 'after the deadline');
      stoppedReasons[reason] = (stoppedReasons[reason] ?? 0) + 1;
    }
  }
  const stopped = results.filter((r) => r.problem).length;
  return {
    orders,
    orders_finished: results.length - stopped,
    orders_stopped: stopped,
    stopped_reasons: stoppedReasons,
    requests: stats.requests,
    answers: stats.answers,
    creates_by_status: creates,
    creates_by_method: byMethod,
    operations,
    refunds,
  };
}

function webhookCounts(deliveries: Record<Provider, WebhookDelivery[]>): WebhookCounts {
  const counts: WebhookCounts = { deliveries: 0, attempts: 0, dropped: 0, dropped_forever: 0, duplicated: 0, delayed: 0, reordered: 0, failed_attempts: 0, by_state: {} };
  for (const provider of PROVIDERS) {
    for (const d of deliveries[provider] ?? []) {
      counts.deliveries += 1;
      counts.by_state[d.state] = (counts.by_state[d.state] ?? 0) + 1;
      if (d.state === 'dropped') counts.dropped_forever += 1;
      for (const a of d.attempts) {
        counts.attempts += 1;
        if (a.fault === 'drop' && d.state !== 'dropped') counts.dropped += 1;
        else if (a.fault === 'duplicate') counts.duplicated += 1;
        else if (a.fault === 'delay') counts.delayed += 1;
        else if (a.fault === 'reorder') counts.reordered += 1;
        else if (!a.fault && (a.status === null || a.status < 200 || a.status >= 300)) counts.failed_attempts += 1;
      }
    }
  }
  return counts;
}

/** Everything that fails a run, in words. */
function failuresOf(result: DriverResult, config: ChaosConfig): string[] {
  const f = result.findings;
  const failures: string[] = [];
  const add = (n: number, what: string) => {
    if (n > 0) failures.push(`${n} ${what}`);
  };
  add(f.money.double_charges, 'double charges');
  add(f.money.charges_without_payment, 'charges without a payment');
  add(f.money.failed_while_charged, 'payments failed or canceled while charged');
  add(f.money.amount_mismatches, 'amount mismatches');
  add(f.idempotency.orders_with_several_payments, 'orders with more than one payment (one create key)');
  add(result.chaos.client.replay_mismatches, 'replays that answered another resource');
  add(f.unsettled.unexplained, 'unsettled payments, refunds or keys (not explained by a notification lost for good)');
  if (!result.recovery.settled) failures.push(`not settled within the ${config.recoveryWindowMs / 1000} s recovery window`);
  add(result.chaos.router_crashes.length, 'router exits nobody caused');
  add(
    Object.entries(result.load.answers)
      .filter(([label]) => label.startsWith('500'))
      .reduce((n, [, count]) => n + count, 0),
    'unexpected 500 answers from the router',
  );
  add(result.router_logs.errors['http.unhandled_error'] ?? 0, 'unhandled errors in the router (answered 500: to the merchant, or to a provider webhook)');
  add(result.chaos.kills < config.kills ? config.kills - result.chaos.kills : 0, 'planned kills not made (the load ended first)');
  return failures;
}
