/**
 * Additive Holt-Winters with two seasonal cycles (Taylor 2003, "Short-term electricity demand
 * forecasting using double seasonal exponential smoothing"): a level, a trend, a daily and a
 * weekly seasonal component on an hourly series. With less than two weeks of history it drops
 * the weekly cycle (ordinary Holt-Winters on the day), with less than two days it forecasts the
 * recent mean. Smoothing parameters are chosen on a grid by the one-step-ahead squared error.
 *
 * A campaign or an outage would otherwise be learnt as the new normal: the recursions see each
 * observation clipped to within CLIP scale units of its one-step forecast, the scale being an
 * exponentially weighted mean absolute error (the robust smoothing of Gelper, Fried and Croux,
 * "Robust forecasting with exponential and Holt-Winters smoothing", 2010).
 */

export const DAY = 24;
export const WEEK = 168;

export interface HoltWintersParams {
  alpha: number;
  beta: number;
  /** Daily seasonal smoothing. */
  delta: number;
  /** Weekly seasonal smoothing (0 when the weekly cycle is not modelled). */
  omega: number;
}

export interface ForecastPoint {
  /** Steps after the last observation, from 1. */
  step: number;
  value: number;
  lower: number;
  upper: number;
}

export type ForecastMethod = 'holt_winters_daily_weekly' | 'holt_winters_daily' | 'mean';

export interface Forecast {
  method: ForecastMethod;
  params: HoltWintersParams | null;
  /** Standard deviation of the one-step-ahead errors over the fitted history (clipped as the recursions see them). */
  sigma: number;
  points: ForecastPoint[];
}

const Z_95 = 1.959963984540054;
const ALPHAS = [0.02, 0.05, 0.1, 0.2, 0.4];
const BETAS = [0, 0.01];
const SEASONALS = [0.05, 0.1, 0.2, 0.35];
/** Observations further than this many scale units from their forecast are clipped. */
const CLIP = 3;
/** Smoothing of the error scale. */
const SCALE_SMOOTHING = 0.05;

interface State {
  level: number;
  trend: number;
  daily: number[];
  weekly: number[];
}

/**
 * Forecasts `horizon` steps after `series` (hourly, oldest first, no gaps). Values are clamped at
 * 0. `weekly: false` leaves the weekly cycle out even with the history for it (a baseline).
 */
export function forecastHourly(series: readonly number[], horizon: number, options: { weekly?: boolean } = {}): Forecast {
  const weekly = series.length >= 2 * WEEK && options.weekly !== false;
  if (!weekly && series.length < 2 * DAY) return meanForecast(series, horizon);
  let best: { params: HoltWintersParams; sse: number } | null = null;
  for (const alpha of ALPHAS) {
    for (const beta of BETAS) {
      for (const delta of SEASONALS) {
        for (const omega of weekly ? SEASONALS : [0]) {
          const params = { alpha, beta, delta, omega };
          const { sse } = run(series, params, weekly);
          if (!best || sse < best.sse) best = { params, sse };
        }
      }
    }
  }
  const params = best!.params;
  const fitted = run(series, params, weekly);
  const points: ForecastPoint[] = [];
  let variance = 0;
  for (let h = 1; h <= horizon; h++) {
    // The h-step error variance of additive Holt-Winters in state-space form: σ² (1 + Σ_{j<h} c_j²).
    if (h > 1) {
      const j = h - 1;
      const c = params.alpha * (1 + j * params.beta) + (j % DAY === 0 ? params.delta : 0) + (weekly && j % WEEK === 0 ? params.omega : 0);
      variance += c * c;
    }
    const value = predict(fitted.state, series.length, h, weekly);
    const half = Z_95 * fitted.sigma * Math.sqrt(1 + variance);
    points.push({ step: h, value: Math.max(0, value), lower: Math.max(0, value - half), upper: Math.max(0, value + half) });
  }
  return { method: weekly ? 'holt_winters_daily_weekly' : 'holt_winters_daily', params, sigma: fitted.sigma, points };
}

/** Mean absolute percentage error over the steps whose actual value is not 0 (null if none is). */
export function mape(actual: readonly number[], predicted: readonly number[]): number | null {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i]! === 0) continue;
    sum += Math.abs((actual[i]! - predicted[i]!) / actual[i]!);
    n++;
  }
  return n === 0 ? null : sum / n;
}

function meanForecast(series: readonly number[], horizon: number): Forecast {
  const recent = series.slice(-DAY);
  const mean = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : 0;
  const sigma = recent.length > 1 ? Math.sqrt(recent.reduce((a, b) => a + (b - mean) ** 2, 0) / (recent.length - 1)) : 0;
  const half = Z_95 * sigma;
  return {
    method: 'mean',
    params: null,
    sigma,
    points: Array.from({ length: horizon }, (_, i) => ({ step: i + 1, value: mean, lower: Math.max(0, mean - half), upper: mean + half })),
  };
}

/** Initial state from the first two cycles of the longest season modelled. */
function initialState(series: readonly number[], weekly: boolean): State {
  const span = weekly ? 2 * WEEK : 2 * DAY;
  const cycle = span / 2;
  const mean = (from: number, to: number) => {
    let s = 0;
    for (let i = from; i < to; i++) s += series[i]!;
    return s / (to - from);
  };
  const first = mean(0, cycle);
  const second = mean(cycle, span);
  const overall = (first + second) / 2;
  const daily = new Array<number>(DAY).fill(0);
  for (let i = 0; i < span; i++) daily[i % DAY]! += (series[i]! - overall) / (span / DAY);
  const weeklyIdx = new Array<number>(WEEK).fill(0);
  if (weekly) for (let i = 0; i < span; i++) weeklyIdx[i % WEEK]! += (series[i]! - overall - daily[i % DAY]!) / 2;
  // Two days cannot tell a trend from the difference between two weekdays: the daily-only model starts flat.
  const trend = weekly ? (second - first) / cycle : 0;
  // The level at the start of the series: the mean of the first cycle, back by half a cycle of trend.
  return { level: first - trend * (cycle / 2), trend, daily, weekly: weeklyIdx };
}

/** Runs the recursions over the series: the final state and the one-step-ahead errors after the first cycle. */
function run(series: readonly number[], p: HoltWintersParams, weekly: boolean): { state: State; sse: number; sigma: number } {
  const state = initialState(series, weekly);
  const burnIn = weekly ? WEEK : DAY;
  let sse = 0;
  let n = 0;
  let scale = initialScale(series, burnIn);
  for (let t = 0; t < series.length; t++) {
    const d = state.daily[t % DAY]!;
    const w = state.weekly[t % WEEK]!;
    const forecast = state.level + state.trend + d + w;
    const error = series[t]! - forecast;
    const bound = CLIP * scale;
    const clipped = Math.max(-bound, Math.min(bound, error));
    // Parameters are chosen on the clipped errors too, so a campaign does not pick them.
    if (t >= burnIn) {
      sse += clipped ** 2;
      n++;
    }
    const y = forecast + clipped;
    scale = SCALE_SMOOTHING * Math.min(Math.abs(error), bound) + (1 - SCALE_SMOOTHING) * scale;
    const previous = state.level;
    state.level = p.alpha * (y - d - w) + (1 - p.alpha) * (state.level + state.trend);
    state.trend = p.beta * (state.level - previous) + (1 - p.beta) * state.trend;
    state.daily[t % DAY] = p.delta * (y - state.level - w) + (1 - p.delta) * d;
    if (weekly) state.weekly[t % WEEK] = p.omega * (y - state.level - d) + (1 - p.omega) * w;
  }
  return { state, sse, sigma: n > 1 ? Math.sqrt(sse / (n - 1)) : 0 };
}

/** The mean absolute change from one cycle to the next over the first one: a start for the error scale. */
function initialScale(series: readonly number[], cycle: number): number {
  let sum = 0;
  let n = 0;
  for (let i = cycle; i < Math.min(series.length, 2 * cycle); i++, n++) sum += Math.abs(series[i]! - series[i - cycle]!);
  return n > 0 && sum > 0 ? sum / n : 1;
}

/** The forecast h steps after the n observations the state has seen. */
function predict(state: State, n: number, h: number, weekly: boolean): number {
  const t = n + h - 1;
  return state.level + h * state.trend + state.daily[t % DAY]! + (weekly ? state.weekly[t % WEEK]! : 0);
}
