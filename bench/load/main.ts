/**
 * `npm run bench:load [-- --quick] [-- --json]`: Switchyard's `POST /v1/payments` under load,
 * beside (a) the stripe SDK calling the simulator directly and (b) a bare proxy, each target
 * and the Stripe simulator in its own process. See bench/load/README.md.
 */
import { benchFlags, report } from '../lib/report.js';
import { profileOptions, runProfile } from './profile.js';
import { measureAll, type Plan } from './schedule.js';
import { checks, render, summarize } from './summary.js';
import { startStack } from './targets.js';

const log = (line: string) => process.stderr.write(`[bench:load] ${line}\n`);
if (process.argv.includes('--profile')) process.exit(await runProfile(profileOptions(process.argv.slice(2)), log));
const flags = benchFlags();

const plan: Plan = flags.quick
  ? { simulatorLatenciesMs: [0, 50], concurrencies: [1, 32], repetitions: 1, runSeconds: 1, warmupSeconds: 1.5 }
  : { simulatorLatenciesMs: [0, 50], concurrencies: [1, 32, 128], repetitions: 3, runSeconds: 6, warmupSeconds: 2 };

const NOTES = [
  '(a) direct is not a bare SDK call: it includes one HTTP hop from autocannon into a thin node:http server that makes the',
  '    stripe SDK call (node:http without the SDK\'s hidden resend, no retries, as the Node adapter does). It is the same hop every other target has.',
  '(b) ceiling is a Hono proxy that turns the JSON body into the simulator\'s form and forwards it over keep-alive: no SDK.',
  '(c)/(d) are Switchyard (auth, idempotency, card fingerprint, routing, store, Stripe adapter, request log), composed as the',
  '    sandbox composes it but with its stripe account on the separate simulator process; no webhooks are sent.',
  'All processes share the same 2 cores with the load generator (autocannon) and PostgreSQL: absolute numbers are this machine\'s.',
];

const started = Date.now();
let exitCode = 0;
const stack = await startStack({ cpuProfileDir: process.env.BENCH_LOAD_CPU_PROF || undefined, log });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the bench's processes`);
    void stack.close().finally(() => process.exit(130));
  });
}
log(`started simulator and ${stack.targets.length} targets in ${((Date.now() - started) / 1000).toFixed(1)} s (logs in ${stack.workDir})`);
try {
  const measurements = await measureAll(stack, plan, log);
  const summaries = summarize(measurements);
  const checked = checks(summaries, plan);
  const text = render(summaries, checked, plan, NOTES);
  await report('load', flags, text, { plan, summaries, checks: checked, measurements, wall_seconds: (Date.now() - started) / 1000 });
  if (summaries.some((s) => s.ledger_mismatches.length > 0 || s.not_succeeded > 0 || s.non2xx > 0 || s.errors > 0)) {
    log('CORRECTNESS PROBLEMS UNDER LOAD: see the report above');
    exitCode = 1;
  }
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  exitCode = 1;
} finally {
  await stack.close();
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
process.exit(exitCode);
