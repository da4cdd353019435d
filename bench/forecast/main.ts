/**
 * `npm run bench:forecast` — how well the peak forecast predicts a held-out week.
 *
 *   tsx bench/forecast/main.ts [--quick] [--json]
 *
 * Generates hourly payment volume with daily and weekly seasonality, slow growth, Poisson noise
 * and a campaign spike (bench/forecast/traffic.ts), fits the forecast the API answers
 * (src/analytics/holt-winters.ts, through peakForecast) to all but the last week, and reports
 * the MAPE on that held-out week, with two baselines on the same data: Holt-Winters with the
 * daily cycle only, and the seasonal naive forecast (each hour as it was a week before), and the
 * noise floor (the MAPE of the true means the Poisson counts were drawn from). Several seeds per
 * scenario; medians and the worst seed side by side. Also the time one forecast takes (the fit
 * and the held-out-week accuracy check the API answers with).
 */
import { forecastHourly, mape, WEEK } from '../../src/analytics/holt-winters.js';
import { peakForecast } from '../../src/analytics/forecast.js';
import { benchFlags, median, report, table } from '../lib/report.js';
import { generateTraffic, type TrafficShape } from './traffic.js';

const flags = benchFlags();
const SEEDS = flags.quick ? 3 : 20;
const WEEKS = 8;
const HISTORY = (WEEKS - 1) * WEEK;

interface Scenario {
  name: string;
  shape: Omit<TrafficShape, 'seed'>;
}

const SCENARIOS: Scenario[] = [
  { name: 'seasonal, 200/h, no campaign', shape: { weeks: WEEKS, base: 200, weeklyGrowth: 0.02, campaign: null } },
  // A three-day campaign at three times the volume, two weeks before the held-out week.
  { name: 'seasonal, 200/h, campaign ×3 for 3 days in history', shape: { weeks: WEEKS, base: 200, weeklyGrowth: 0.02, campaign: { start: HISTORY - 2 * WEEK + 2 * 24, hours: 72, factor: 3 } } },
  // The campaign falls in the held-out week: nothing in the history announces it.
  { name: 'seasonal, 200/h, campaign ×3 for 1 day in the held-out week', shape: { weeks: WEEKS, base: 200, weeklyGrowth: 0.02, campaign: { start: HISTORY + 3 * 24, hours: 24, factor: 3 } } },
  { name: 'small shop, 20/h, no campaign', shape: { weeks: WEEKS, base: 20, weeklyGrowth: 0, campaign: null } },
];

const capacity = { paymentsPerSecond: 129.2, source: 'bench' };
const results = SCENARIOS.map((scenario) => {
  const ours: number[] = [];
  const daily: number[] = [];
  const naive: number[] = [];
  const floor: number[] = [];
  const covered: number[] = [];
  const ms: number[] = [];
  let peakError: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { counts: series, means } = generateTraffic({ ...scenario.shape, seed });
    const history = series.slice(0, HISTORY);
    const actual = series.slice(HISTORY);
    const started = performance.now();
    const f = peakForecast(history, new Date(Date.UTC(2026, 0, 5) + HISTORY * 3_600_000), '7d', capacity);
    ms.push(performance.now() - started);
    const predicted = f.points.map((p) => p.volume);
    ours.push(mape(actual, predicted)!);
    covered.push(f.points.filter((p, i) => actual[i]! >= p.lower && actual[i]! <= p.upper).length / WEEK);
    const actualPeak = Math.max(...actual);
    peakError = [...peakError, Math.abs(f.peak.volume - actualPeak) / actualPeak];
    // Holt-Winters on the daily cycle alone, on the same history.
    daily.push(mape(actual, forecastHourly(history, WEEK, { weekly: false }).points.map((p) => p.value))!);
    naive.push(mape(actual, history.slice(-WEEK))!);
    // The noise floor: forecasting the very means the counts were drawn from.
    floor.push(mape(actual, means.slice(HISTORY))!);
  }
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    scenario: scenario.name,
    seeds: SEEDS,
    mape_median: round(median(ours)),
    mape_worst: round(Math.max(...ours)),
    daily_only_mape_median: round(median(daily)),
    seasonal_naive_mape_median: round(median(naive)),
    noise_floor_mape_median: round(median(floor)),
    interval_95_coverage_median: round(median(covered)),
    peak_volume_error_median: round(median(peakError)),
    forecast_ms_median: Math.round(median(ms) * 10) / 10,
  };
});

const text = [
  `Peak forecast: MAPE on a held-out week, ${SEEDS} seeds per scenario, ${WEEKS - 1} weeks of hourly history${flags.quick ? ' (quick)' : ''}`,
  '',
  table(
    ['scenario', 'MAPE (median)', 'MAPE (worst)', 'daily-only HW', 'seasonal naive', 'noise floor', '95 % interval coverage', 'peak error', 'ms / forecast'],
    results.map((r) => [r.scenario, pct(r.mape_median), pct(r.mape_worst), pct(r.daily_only_mape_median), pct(r.seasonal_naive_mape_median), pct(r.noise_floor_mape_median), pct(r.interval_95_coverage_median), pct(r.peak_volume_error_median), r.forecast_ms_median]),
  ),
].join('\n');

await report('forecast', flags, text, { weeks_of_history: WEEKS - 1, held_out_hours: WEEK, scenarios: results });

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
