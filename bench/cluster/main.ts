/**
 * `npm run bench:cluster [-- --quick] [-- --json]`: 1, 2 and 4 Switchyard instances (processes)
 * on one PostgreSQL behind a round-robin balancer, with two Stripe simulator processes as two
 * gateways. Proves the instances act as one router: correct ledgers, an activation visible on
 * all within 1 s, an outage learned on one instance moving traffic on all, and CPU per payment
 * per instance not growing with N. See bench/README.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { createBenchDatabase } from '../lib/postgres-database.js';
import { benchFlags, median, report } from '../lib/report.js';
import { startChild, stopAll, type Child } from '../load/processes.js';
import { activateEverywhere, type ActivationResult } from './activation.js';
import { startCluster } from './cluster.js';
import { cpuMs } from './cpu.js';
import { checkLedgers, simulatorCharges, type LedgerCheck, type SimulatorCharges } from './ledger.js';
import { outageLearnedEverywhere, type OutageResult } from './outage.js';
import { ENV_PREFIX, GATEWAYS, seedCluster, signIn, type GatewayName } from './seed.js';
import { checks, render, type Plan, type RunResult } from './summary.js';
import { sendPayments, type Sent } from './traffic.js';

const flags = benchFlags();
const log = (line: string) => process.stderr.write(`[bench:cluster] ${line}\n`);

const plan: Plan = flags.quick ? { instances: [1, 2, 4], warmup: 20, payments: 40, concurrency: 4 } : { instances: [1, 2, 4], warmup: 60, payments: 300, concurrency: 8 };
/** How long each instance's CPU is watched with no traffic, before the measured payments. */
const IDLE_MS = 2_000;
const SIM_SECRET_KEY = 'sk_test_cluster_bench';

/** Each instance's CPU use with no traffic, ms per second. */
async function idleCpu(pids: readonly number[]): Promise<number[]> {
  const before = pids.map(cpuMs);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  return pids.map((pid, i) => ((cpuMs(pid) - before[i]!) * 1000) / IDLE_MS);
}

const started = Date.now();
const workDir = await mkdtemp(join(tmpdir(), 'switchyard-cluster-'));
const simulators: Partial<Record<GatewayName, Child<{ port: number; control: string }>>> = {};
let exitCode = 0;
try {
  const { DATABASE_URL: _ignored, ...baseEnv } = process.env;
  for (const name of GATEWAYS) {
    simulators[name] = await startChild({ name: `simulator-${name}`, file: './simulator-process.ts', env: baseEnv, logFile: join(workDir, `simulator-${name}.log`) });
  }
  const simulatorUrl = (name: GatewayName) => `http://127.0.0.1:${simulators[name]!.ready.port}/`;
  const secretsKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
  const env: Record<string, string | undefined> = {
    ...baseEnv,
    CLUSTER_SECRETS_KEY: secretsKey,
    CLUSTER_FINGERPRINT_SECRET: 'cluster-bench-fingerprint-secret',
  };
  for (const name of GATEWAYS) {
    env[`${ENV_PREFIX[name]}_SECRET_KEY`] = SIM_SECRET_KEY;
    env[`${ENV_PREFIX[name]}_WEBHOOK_SECRET`] = 'whsec_cluster_bench_unused';
    env[`${ENV_PREFIX[name]}_BASE_URL`] = simulatorUrl(name);
  }

  const runs: RunResult[] = [];
  let activation: ActivationResult[] = [];
  let outage: OutageResult | null = null;
  let counter = 0;
  for (const count of plan.instances) {
    const last = count === plan.instances[plan.instances.length - 1];
    const database = await createBenchDatabase('cluster');
    const apiKey = generateApiKey('test');
    const books: SimulatorCharges[] = [];
    try {
      for (const name of GATEWAYS) await fetch(`${simulators[name]!.ready.control}/reset`, { method: 'POST' });
      const seeded = await seedCluster(database.url, apiKey, secretsKey);
      const cluster = await startCluster({ count, databaseUrl: database.url, env, workDir });
      log(`${count} instance(s) up (pids ${cluster.instances.map((i) => i.pid).join(', ')})`);
      try {
        // Every instance warms up on as many payments, and is measured on as many, whatever N.
        const sent: Sent[] = await sendPayments({ url: cluster.balancer.url, apiKey, count: plan.warmup * count, concurrency: plan.concurrency * count, first: counter, seed: count });
        counter += plan.warmup * count;
        const idleMsPerSecond = await idleCpu(cluster.instances.map((instance) => instance.pid));
        const servedBefore = cluster.balancer.served();
        const cpuBefore = cluster.instances.map((instance) => cpuMs(instance.pid));
        const t0 = performance.now();
        const measured = await sendPayments({ url: cluster.balancer.url, apiKey, count: plan.payments * count, concurrency: plan.concurrency * count, first: counter, seed: 1000 + count });
        const seconds = (performance.now() - t0) / 1000;
        const cpuAfter = cluster.instances.map((instance) => cpuMs(instance.pid));
        const served = cluster.balancer.served().map((n, i) => n - servedBefore[i]!);
        counter += plan.payments * count;
        sent.push(...measured);
        const cpuPerPayment = cluster.instances.map((_, i) => (cpuAfter[i]! - cpuBefore[i]!) / served[i]!);
        // What the payments cost, without what the instance spends anyway (its timers, the job poll, listening).
        const paymentCpu = cluster.instances.map((_, i) => (cpuAfter[i]! - cpuBefore[i]! - idleMsPerSecond[i]! * seconds) / served[i]!);
        log(`${count} instance(s): ${plan.payments * count} payments in ${seconds.toFixed(1)} s; CPU ms/payment per instance ${cpuPerPayment.map((v) => v.toFixed(2)).join(', ')}, idle ${idleMsPerSecond.map((v) => v.toFixed(0)).join(', ')} ms/s`);

        if (last && count > 1) {
          const operatorToken = await signIn(cluster.instances[0]!.url, seeded.operator);
          const common = { instances: cluster.instances, apiKey, operatorToken, merchantId: seeded.merchantId };
          activation = [await activateEverywhere({ ...common, source: 'default: { route: [stripe_b, stripe_a] }\n' }), await activateEverywhere({ ...common, version: seeded.activeVersion })];
          log(`activation visible on all ${count} instances after ${activation.map((a) => `${a.max_ms ?? 'never'} ms`).join(', then ')}`);
          // The dead gateway's charges are read while it still answers.
          books.push(await simulatorCharges('stripe_b', simulatorUrl('stripe_b'), SIM_SECRET_KEY));
          outage = await outageLearnedEverywhere({
            instances: cluster.instances,
            balancerUrl: cluster.balancer.url,
            apiKey,
            dead: 'stripe_b',
            alive: 'stripe_a',
            kill: () => simulators.stripe_b!.stop(),
            first: counter,
          });
          counter += outage.sent.length;
          sent.push(...outage.sent);
          log(
            `outage of stripe_b: learned by instance 1 in ${outage.payments_to_learn} payments, the others' estimates agreed after ${outage.estimate_agreed_after_ms.join(', ')} ms; ` +
              `its breaker opened after ${outage.payments_to_open} more, seen open by the others after ${outage.breaker_seen_after_ms.join(', ')} ms`,
          );
        } else {
          books.push(await simulatorCharges('stripe_b', simulatorUrl('stripe_b'), SIM_SECRET_KEY));
        }
        books.push(await simulatorCharges('stripe_a', simulatorUrl('stripe_a'), SIM_SECRET_KEY));
        const ledger: LedgerCheck = await checkLedgers(database.url, sent, books);
        runs.push({
          instances: count,
          payments: plan.payments * count,
          seconds,
          payments_per_second: (plan.payments * count) / seconds,
          served,
          idle_cpu_ms_per_second: idleMsPerSecond,
          cpu_ms_per_payment: cpuPerPayment,
          cpu_ms_per_payment_median: median(cpuPerPayment),
          payment_cpu_ms: paymentCpu,
          payment_cpu_ms_median: median(paymentCpu),
          ledger,
        });
      } finally {
        await cluster.close();
      }
    } finally {
      await database.drop().catch((error: unknown) => log(`could not drop the bench database: ${String(error)}`));
    }
  }
  const checked = checks(runs, activation, outage);
  await report('cluster', flags, render(plan, runs, activation, outage, checked), { plan, runs, activation, outage: outage && { ...outage, sent: undefined }, checks: checked, wall_seconds: (Date.now() - started) / 1000 });
  if (checked.some((c) => c.correctness && !c.pass)) exitCode = 1;
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)} (logs in ${workDir})`);
  exitCode = 1;
} finally {
  await stopAll(Object.values(simulators));
  if (exitCode === 0) await rm(workDir, { recursive: true, force: true });
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
process.exit(exitCode);
