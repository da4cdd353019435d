/**
 * `npm run chaos`: the router in its own process against the standalone simulators, thousands of
 * orders under request and webhook faults and SIGKILL restarts, a recovery window, then every
 * simulator ledger entry reconciled against the router's database. See bench/README.md.
 *
 *   npm run chaos [-- --quick] [--json] [--driver postgres|pglite|both] [--seed N]
 *
 * Exits 1 when a money invariant is broken or anything is left unsettled after the window.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchFlags, report } from '../lib/report.js';
import { chaosConfig, settlementHorizonMs, type Driver } from './config.js';
import { runDriver, type DriverResult } from './run.js';
import { summarize } from './summary.js';

const argv = process.argv.slice(2);
function takeOption(name: string): string | undefined {
  const at = argv.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  argv.splice(at, 2);
  return value;
}
const driverOption = takeOption('driver') ?? 'both';
if (!['postgres', 'pglite', 'both'].includes(driverOption)) throw new Error(`--driver must be postgres, pglite or both, got ${driverOption}`);
const seedOption = takeOption('seed');
const flags = benchFlags(argv);
const seed = seedOption === undefined ? Date.now() % 2 ** 31 : Number(seedOption);
if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a whole number, got ${seedOption}`);

const drivers: Driver[] = driverOption === 'both' ? ['pglite', 'postgres'] : [driverOption as Driver];
const config = chaosConfig(flags.quick, seed);
// Progress goes to stderr, so --json prints only the document on stdout.
const progress = (line: string) => process.stderr.write(`${line}\n`);

const workDir = await mkdtemp(join(tmpdir(), 'switchyard-chaos-'));
progress(`chaos${flags.quick ? ' --quick' : ''}: ${drivers.join(', ')}, seed ${seed}; logs and PGlite data in ${workDir}`);
const results: DriverResult[] = [];
for (const driver of drivers) {
  progress(`\n${driver}:`);
  results.push(await runDriver(driver, config, workDir, progress));
}

const passed = results.every((r) => r.passed);
await report(
  'chaos',
  flags,
  summarize(config, results),
  {
    passed,
    config: { ...config, settlement_horizon_ms: settlementHorizonMs(config), drivers },
    drivers: Object.fromEntries(results.map((r) => [r.driver, r])),
  },
);
if (passed && !process.env.CHAOS_KEEP) await rm(workDir, { recursive: true, force: true });
else process.stderr.write(`\nLogs and data kept in ${workDir}\n`);
process.exit(passed ? 0 : 1);
