/**
 * `npm run bench:alerts` — what one alert evaluation costs with forecast rules, with the forecast
 * fits cached between evaluations (what the alert job does) and without (a fresh fit every 15 s,
 * as before the cache).
 *
 *   tsx bench/alerts/main.ts [--quick] [--json]
 *
 * Seeds an in-memory PGlite store with merchants that each have a `forecast_above_capacity` rule
 * and eight weeks of hourly rollups (the forecast's full history), then times evaluations: the
 * first (every fit made), the ones after it (the history unchanged: no fit), and the same
 * evaluations with no cache. What stays after the cache is reading the history (two queries per
 * merchant), which tells whether the fit is still current.
 */
import { performance } from 'node:perf_hooks';
import { forecastCache } from '../../src/alerts/forecast-cache.js';
import { DEFAULT_INSTANCE_CAPACITY } from '../../src/analytics/capacity.js';
import { newId } from '../../src/domain/ids.js';
import { evaluateAlerts, type AlertDeps } from '../../src/jobs/alerts.js';
import { openDatabase } from '../../src/runtime/node/database.js';
import { createRepositories } from '../../src/store/index.js';
import { alertRules, merchants, rollupPayments } from '../../src/store/schema.js';
import { benchFlags, median, report, table } from '../lib/report.js';
import { generateTraffic } from '../forecast/traffic.js';

const flags = benchFlags();
const MERCHANTS = flags.quick ? 5 : 20;
const ROUNDS = flags.quick ? 3 : 5;
const HOUR = 3_600_000;
const now = new Date('2026-06-01T12:30:00.000Z');
const clock = { now: () => now };
const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } } as unknown as AlertDeps['logger'];

const database = await openDatabase({ migrations: 'apply' });
const repositories = createRepositories(database.db);
const firstHour = Math.floor(now.getTime() / HOUR) * HOUR - 8 * 7 * 24 * HOUR;
for (let m = 0; m < MERCHANTS; m++) {
  const merchantId = newId('mer');
  await database.db.insert(merchants).values({ id: merchantId, name: `bench ${m}` });
  await database.db.insert(alertRules).values({ id: newId('alr'), merchantId, kind: 'forecast_above_capacity', name: 'peak', params: { horizon: '24h', instances: 2, resolve_after: 2 }, enabled: true });
  const volume = generateTraffic({ weeks: 8, base: 200, weeklyGrowth: 0.02, campaign: null, seed: m + 1 }).counts;
  const rows = volume.map((created, h) => ({ merchantId, granularity: 'hour', bucket: new Date(firstHour + h * HOUR), network: 'visa', currency: 'USD', created }));
  for (let i = 0; i < rows.length; i += 500) await database.db.insert(rollupPayments).values(rows.slice(i, i + 500));
}

const deps: AlertDeps = {
  repositories,
  clock,
  logger: silent,
  capacity: DEFAULT_INSTANCE_CAPACITY,
  health: { accounts: async () => [], breaker: () => 'closed' },
};
const time = async (run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

// A warm-up evaluation (PGlite's and V8's first-use costs), not timed.
await evaluateAlerts(deps);
// Rounds interleave the three, so a busy machine weighs on each alike.
const uncached: number[] = [];
const cachedFirst: number[] = [];
const cachedNext: number[] = [];
let fitsFirst = 0;
let fitsNext = 0;
for (let r = 0; r < ROUNDS; r++) {
  uncached.push(await time(() => evaluateAlerts(deps)));
  const cache = forecastCache();
  cachedFirst.push(await time(() => evaluateAlerts({ ...deps, forecasts: cache })));
  fitsFirst = cache.fits;
  cachedNext.push(await time(() => evaluateAlerts({ ...deps, forecasts: cache })));
  fitsNext = cache.fits - fitsFirst;
}
await database.close();

const results = {
  merchants: MERCHANTS,
  history_hours: 8 * 7 * 24,
  rounds: ROUNDS,
  uncached_ms_median: Math.round(median(uncached)),
  cached_first_ms_median: Math.round(median(cachedFirst)),
  cached_next_ms_median: Math.round(median(cachedNext)),
  fits_first: fitsFirst,
  fits_next: fitsNext,
};
const text = [
  `One alert evaluation, ${MERCHANTS} merchants with a forecast rule each, 8 weeks of hourly history, PGlite in memory (median of ${ROUNDS}):`,
  table(
    ['evaluation', 'ms', 'fits'],
    [
      ['no cache (every evaluation)', results.uncached_ms_median, MERCHANTS],
      ['cached, first evaluation', results.cached_first_ms_median, results.fits_first],
      ['cached, history unchanged', results.cached_next_ms_median, results.fits_next],
    ],
  ),
].join('\n');
console.log(await report('alerts', flags, text, results));
