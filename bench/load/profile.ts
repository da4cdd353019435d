/**
 * `npm run bench:load -- --profile [options]`: what one payment costs the PostgreSQL router, in
 * CPU time, and where that time goes. One Stripe simulator answering in 0 ms, the router
 * (`router-process.ts`) on a fresh PostgreSQL database, a warm-up, then runs of exactly
 * `--payments` payments at `--connections`, repeated `--runs` times:
 *
 *   --payments N       payments per run (default 2000)
 *   --connections C    concurrent connections (default 32)
 *   --runs R           measured runs per router (default 3); the table shows medians
 *   --against REV      also measure the router of git revision REV (archived into a temp dir), side
 *                      by side: the routers take turns, so load from elsewhere falls on both
 *   --save-profile F   also write the raw V8 profile to F (for Chrome DevTools or profile-summary.ts)
 *   --callgrind        run the routers under `valgrind --tool=callgrind` and count the instructions
 *                      each run executes (repeatable on a loaded machine; about 50 times slower, so
 *                      use a few hundred payments)
 *
 * Env: BENCH_PROFILE_NODE_OPTIONS, Node options for the routers (`--perf-basic-prof` for `perf record`,
 * `--trace-deopt`; their output goes to the router's log in the run's temp dir).
 *
 * CPU is the router process's utime + stime (/proc) over a run, per 201 answer. A V8 CPU profile
 * of this checkout's router covers one more run after those (not with --callgrind); its top self-time areas
 * and functions are printed and written with the figures to bench/results/profile.json
 * (profile.callgrind.json with --callgrind).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { createBenchDatabase } from '../lib/postgres-database.js';
import { environment, median, table } from '../lib/report.js';
import { runLoad } from './load.js';
import { processCpuMs } from './process-cpu.js';
import { startChild, stopAll, type Child } from './processes.js';
import { renderProfile, summarizeProfile, type CpuProfile, type ProfileSummary } from './profile-summary.js';
import type { StatementCounts } from './statement-counter.js';

interface Options {
  payments: number;
  connections: number;
  runs: number;
  against?: string;
  saveProfile?: string;
  callgrind: boolean;
}

interface Router {
  label: string;
  child: Child<{ url: string; counters: string }>;
  callgrindDir?: string;
  runs: RunFigures[];
}

interface RunFigures {
  created: number;
  seconds: number;
  cpuMsPerPayment: number;
  /** Instructions the router executed over the run, per 201 answer (--callgrind only). */
  instructionsPerPayment: number | null;
  statementsPerPayment: number;
  commitsPerPayment: number;
  failures: number;
  ledgerOk: boolean;
}

const ROOT = new URL('../../', import.meta.url).pathname;
const ROUTER_START_TIMEOUT_MS = 600_000;
/**
 * V8 keeps optimizing the payment path for thousands of payments: after a 1,000-payment warm-up,
 * TurboFan took 1.1 s of CPU over the next 1,000 payments, 0.5 s over the next, 0.2 s, then
 * 0.03 s (`--trace-opt`). Runs after this many payments measure the steady state a server that has
 * been up a while is in. Under callgrind (about 50 times slower) the warm-up stays short.
 */
const STEADY_WARMUP_PAYMENTS = 4_000;

export function profileOptions(argv: readonly string[]): Options {
  const known = new Set(['--profile', '--payments', '--connections', '--runs', '--against', '--save-profile', '--callgrind']);
  const options: Options = { payments: 2000, connections: 32, runs: 3, callgrind: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (!known.has(flag)) throw new Error(`unknown argument ${flag} (known: ${[...known].join(', ')})`);
    if (flag === '--profile') continue;
    if (flag === '--callgrind') {
      options.callgrind = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--against') options.against = value;
    else if (flag === '--save-profile') options.saveProfile = value;
    else {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`);
      options[flag.slice(2) as 'payments' | 'connections' | 'runs'] = n;
    }
  }
  return options;
}

export async function runProfile(options: Options, log: (line: string) => void): Promise<number> {
  const workDir = await mkdtemp(join(tmpdir(), 'switchyard-profile-'));
  const children: Child<unknown>[] = [];
  const databases: Awaited<ReturnType<typeof createBenchDatabase>>[] = [];
  const apiKey = generateApiKey('test');
  const { DATABASE_URL: _ignored, ...baseEnv } = process.env;
  const env = { ...baseEnv, SWITCHYARD_GATEWAY_TIMEOUT_MS: '10000' };
  try {
    const sim = await startChild<{ port: number; control: string }>({ name: 'simulator', file: './simulator-process.ts', env, logFile: join(workDir, 'simulator.log') });
    children.push(sim);
    const control = async (path: string, method = 'POST') => {
      const response = await fetch(`${sim.ready.control}${path}`, { method });
      return (await response.json()) as { charges?: number };
    };

    const checkouts: { label: string; root: string }[] = [{ label: `this checkout (${revision(ROOT, 'HEAD')}${dirty(ROOT) ? '+changes' : ''})`, root: ROOT }];
    if (options.against) checkouts.push({ label: `${options.against} (${revision(ROOT, options.against)})`, root: await archive(options.against, workDir) });

    const routers: Router[] = [];
    for (const [i, checkout] of checkouts.entries()) {
      const database = await createBenchDatabase('profile');
      databases.push(database);
      const callgrindDir = options.callgrind ? await mkdtemp(join(workDir, `callgrind-${i}-`)) : undefined;
      const child = await startChild<{ url: string; counters: string }>({
        name: `router-${i}`,
        file: join(checkout.root, 'bench/load/router-process.ts'),
        args: ['--sim-port', String(sim.ready.port), '--key', apiKey],
        env: { ...env, DATABASE_URL: database.url },
        nodeOptions: process.env.BENCH_PROFILE_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [],
        ...(callgrindDir ? { wrapper: ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${callgrindDir}/callgrind.out.%p`] } : {}),
        logFile: join(workDir, `router-${i}.log`),
        timeoutMs: ROUTER_START_TIMEOUT_MS,
      });
      children.push(child);
      routers.push({ label: checkout.label, child, ...(callgrindDir ? { callgrindDir } : {}), runs: [] });
      log(`started ${checkout.label}`);
    }

    const warmup = options.callgrind ? Math.max(options.connections * 4, Math.round(options.payments / 4)) : Math.max(options.connections * 4, STEADY_WARMUP_PAYMENTS);
    for (const router of routers) await runLoad({ url: router.child.ready.url, apiKey, pid: router.child.pid, connections: options.connections, amount: warmup });
    log(`warmed up (${warmup} payments each)`);

    for (let run = 0; run < options.runs; run++) {
      const order = run % 2 === 0 ? routers : [...routers].reverse();
      for (const router of order) {
        await control('/reset');
        const figures = await measure(router, options, apiKey);
        figures.ledgerOk = (await control('/charges', 'GET')).charges === figures.created;
        router.runs.push(figures);
        log(
          `run ${run + 1} ${router.label}: ${figures.cpuMsPerPayment.toFixed(2)} CPU ms/pay` +
            (figures.instructionsPerPayment !== null ? `, ${(figures.instructionsPerPayment / 1e6).toFixed(2)} M instructions/pay` : '') +
            `, ${figures.statementsPerPayment.toFixed(2)} stmts/pay, ${(figures.created / figures.seconds).toFixed(0)}/s`,
        );
      }
    }
    // The profile is a run of its own after the measured ones: the profiler's cost stays out of the figures.
    let profile: ProfileSummary | undefined;
    if (!options.callgrind) {
      const { child } = routers[0]!;
      await fetch(`${child.ready.counters}/profile/start`, { method: 'POST' });
      await runLoad({ url: child.ready.url, apiKey, pid: child.pid, connections: options.connections, amount: options.payments });
      const raw = (await (await fetch(`${child.ready.counters}/profile/stop`, { method: 'POST' })).json()) as CpuProfile;
      if (options.saveProfile) await writeFile(options.saveProfile, JSON.stringify(raw));
      profile = summarizeProfile(raw);
    }

    const rows = routers.map((r) => {
      const pick = (f: (x: RunFigures) => number | null) => {
        const values = r.runs.map(f).filter((v): v is number => v !== null);
        return values.length ? median(values) : NaN;
      };
      return {
        router: r.label,
        runs: r.runs,
        cpu_ms_per_payment: pick((x) => x.cpuMsPerPayment),
        instructions_per_payment: options.callgrind ? pick((x) => x.instructionsPerPayment) : null,
        statements_per_payment: pick((x) => x.statementsPerPayment),
        commits_per_payment: pick((x) => x.commitsPerPayment),
        payments_per_second: pick((x) => x.created / x.seconds),
      };
    });
    const text =
      `router on PostgreSQL, simulator 0 ms, ${options.payments} payments x ${options.runs} runs at c=${options.connections} (medians)\n` +
      table(
        ['router', 'CPU ms/pay', ...(options.callgrind ? ['M instr/pay'] : []), 'stmts/pay', 'commits/pay', 'pay/s'],
        rows.map((r) => [r.router, r.cpu_ms_per_payment, ...(options.callgrind ? [(r.instructions_per_payment ?? NaN) / 1e6] : []), r.statements_per_payment, r.commits_per_payment, r.payments_per_second]),
      ) +
      `\n\n${profile ? `CPU profile of ${routers[0]!.label}, last run:\n${renderProfile(profile)}` : ''}`;
    process.stdout.write(`${text}\n`);
    const failed = routers.some((r) => r.runs.some((x) => x.failures > 0 || !x.ledgerOk));
    const file = join(ROOT, `bench/results/profile${options.callgrind ? '.callgrind' : ''}.json`);
    await writeFile(file, `${JSON.stringify({ benchmark: 'load-profile', environment: environment(), options, results: { routers: rows, profile: profile ?? null }, load_average: loadavg() }, null, 2)}\n`);
    log(`wrote ${file}`);
    if (failed) log('CORRECTNESS PROBLEMS: some payment did not answer 201 succeeded, or the ledger disagrees');
    return failed ? 1 : 0;
  } finally {
    await stopAll(children);
    await Promise.all(databases.map((d) => d.drop().catch((error: unknown) => log(`could not drop ${d.name}: ${String(error)}`))));
    await rm(workDir, { recursive: true, force: true });
  }
}

async function measure(router: Router, options: Options, apiKey: string): Promise<RunFigures> {
  const { child } = router;
  const countsBefore = await counts(child.ready.counters);
  if (router.callgrindDir) callgrind(child.pid, ['-z', '-i', 'on']);
  const cpuBefore = processCpuMs(child.pid);
  const run = await runLoad({ url: child.ready.url, apiKey, pid: child.pid, connections: options.connections, amount: options.payments });
  const cpuMs = processCpuMs(child.pid) - cpuBefore;
  const instructions = router.callgrindDir ? await dumpedInstructions(router) : null;
  const countsAfter = await counts(child.ready.counters);
  const per = (n: number) => (run.created > 0 ? n / run.created : NaN);
  return {
    created: run.created,
    seconds: run.seconds,
    cpuMsPerPayment: per(cpuMs),
    instructionsPerPayment: instructions === null ? null : per(instructions),
    statementsPerPayment: per(countsAfter.statements - countsAfter.lookupReads - (countsBefore.statements - countsBefore.lookupReads)),
    commitsPerPayment: per(countsAfter.commits - countsAfter.lookupReads - (countsBefore.commits - countsBefore.lookupReads)),
    failures: run.responses - run.created + run.notSucceeded + run.errors,
    ledgerOk: false,
  };
}

async function counts(url: string): Promise<StatementCounts> {
  return (await (await fetch(url)).json()) as StatementCounts;
}

function callgrind(pid: number, args: string[]): void {
  execFileSync('callgrind_control', [...args, String(pid)], { stdio: 'ignore' });
}

/**
 * Stops counting, asks for a dump, and reads its total instructions (its `totals:` line, written last).
 * Valgrind takes the request only while the process runs code, so each poll also wakes the
 * router with a request to its control port.
 */
async function dumpedInstructions(router: Router): Promise<number> {
  const { pid, ready } = router.child;
  const dir = router.callgrindDir!;
  const dumps = async () => (await readdir(dir)).filter((f) => /^callgrind\.out\.\d+\.\d+$/.test(f));
  const before = new Set(await dumps());
  callgrind(pid, ['-i', 'off']);
  callgrind(pid, ['-d']);
  for (let poll = 0; poll < 600; poll++) {
    await fetch(ready.counters);
    const fresh = (await dumps()).filter((f) => !before.has(f));
    for (const file of fresh) {
      // `totals:` closes a complete dump; the header's `summary:` can read 0 (it did on valgrind 3.x here).
      const total = /^totals:\s+(\d+)/m.exec(await readFile(join(dir, file), 'utf8'));
      if (total) return Number(total[1]);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no callgrind dump from ${pid} in ${dir}`);
}

function revision(root: string, rev: string): string {
  return execFileSync('git', ['-C', root, 'rev-parse', '--short', rev], { encoding: 'utf8' }).trim();
}

function dirty(root: string): boolean {
  return execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
}

/** The tree of `rev`, unpacked into the run's temp dir, with this checkout's node_modules. */
async function archive(rev: string, workDir: string): Promise<string> {
  const dir = await mkdtemp(join(workDir, 'against-'));
  execFileSync('sh', ['-c', `git -C "$1" archive "$2" | tar -x -C "$3"`, 'archive', ROOT, rev, dir]);
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}
