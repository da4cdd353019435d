import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { bucketStart, DAY_MS, granularityMs, ratio, type Granularity } from '../../analytics/buckets.js';
import type { InstanceCapacity } from '../../analytics/capacity.js';
import { histogramQuantile } from '../../analytics/latency.js';
import { peakForecast, type Horizon } from '../../analytics/forecast.js';
import { hourlyHistory } from '../../analytics/history.js';
import type { Clock } from '../../domain/clock.js';
import { problems } from '../../domain/problem.js';
import type { Repositories } from '../../store/index.js';
import type { RollupWindow } from '../../store/rollups.js';
import type { AppEnv } from '../env.js';
import { json, security } from '../openapi.js';
import { ProblemView } from '../schemas.js';

const MAX_WINDOW_MS = 92 * DAY_MS;
const MAX_MINUTE_WINDOW_MS = 2 * DAY_MS;
/** Windows starting later than this ago are counted from minute rows (kept 3 days), earlier ones in whole hours. */
const MINUTE_ROWS_COVER_MS = 2 * DAY_MS;

const Timestamp = z.iso.datetime({ offset: true });
const windowParams = {
  from: Timestamp.optional().openapi({ description: 'Start of the window (ISO 8601); default 24 hours before `to`.', example: '2026-11-29T00:00:00Z' }),
  to: Timestamp.optional().openapi({ description: 'End of the window (ISO 8601), after `from`, at most 92 days later; default now.', example: '2026-11-30T00:00:00Z' }),
};
const WindowQuery = z.strictObject(windowParams);
const ApprovalQuery = z.strictObject({
  ...windowParams,
  granularity: z.enum(['minute', 'hour']).default('hour').openapi({ description: '`minute` windows are at most 48 hours.' }),
  gateway_account: z
    .string()
    .regex(/^gwa_[0-9A-Za-z]{1,60}$/, 'gateway_account must be a gateway account id.')
    .optional()
    .openapi({ description: 'Only this gateway account.', example: 'gwa_01JD0000000000000000000000' }),
});
const DeclinesQuery = z.strictObject({ ...windowParams, limit: z.coerce.number().int().min(1).max(100).default(10) });
const ForecastQuery = z.strictObject({ horizon: z.enum(['24h', '7d']).default('24h') });

const Rate = z.number().min(0).max(1).nullable();
const windowView = { from: z.string(), to: z.string() };
const ApprovalRates = z
  .object({
    object: z.literal('analytics.approval_rates'),
    granularity: z.enum(['minute', 'hour']),
    ...windowView,
    series: z.array(
      z.object({
        gateway_account_id: z.string(),
        provider: z.string(),
        points: z.array(
          z.object({
            t: z.string(),
            attempts: z.number().int(),
            approved: z.number().int(),
            declined: z.number().int(),
            technical_failures: z.number().int(),
            approval_rate: Rate.openapi({ description: 'approved / attempts; null without attempts.' }),
            latency_p50_ms: z.number().nullable().openapi({ description: 'Median gateway latency of the attempts, read from the rollups’ histogram (exact to within its histogram bucket); null without attempts.' }),
            latency_p95_ms: z.number().nullable(),
          }),
        ),
      }),
    ),
  })
  .openapi('AnalyticsApprovalRates');
const Funnel = z
  .object({
    object: z.literal('analytics.funnel'),
    ...windowView,
    created: z.number().int(),
    attempted: z.number().int(),
    authorized: z.number().int(),
    captured: z.number().int(),
    recovered_by_cascade: z.number().int().openapi({ description: 'Authorized on a later attempt, after a decline that cascaded or a gateway that did not process it.' }),
  })
  .openapi('AnalyticsFunnel');
const Declines = z
  .object({
    object: z.literal('analytics.declines'),
    ...windowView,
    data: z.array(z.object({ reason: z.string(), count: z.number().int(), share: z.number().min(0).max(1).openapi({ description: 'Of all declines in the window.' }) })),
  })
  .openapi('AnalyticsDeclines');
const Costs = z
  .object({
    object: z.literal('analytics.costs'),
    ...windowView,
    data: z.array(
      z.object({
        gateway_account_id: z.string(),
        provider: z.string(),
        currency: z.string(),
        attempts: z.number().int(),
        approved_amount: z.number().int().openapi({ description: 'Minor units of `currency`.' }),
        fees: z.number().int().openapi({ description: 'Minor units of `currency`, from the fee schedules routing uses (routing-rules/fees.yaml), per approved attempt.' }),
        unpriced_approvals: z.number().int().openapi({ description: 'Approvals the fee schedules have no price for: their fees are not in `fees`.' }),
      }),
    ),
  })
  .openapi('AnalyticsCosts');
const RoutingGain = z
  .object({
    object: z.literal('analytics.routing_gain'),
    ...windowView,
    authorized: z.number().int(),
    recovered_by_cascade: z.object({
      after_decline: z.number().int().openapi({ description: 'Authorized by another gateway after a decline that is safe to cascade.' }),
      after_failure: z.number().int().openapi({ description: 'Authorized by another gateway after one that certainly did not process the payment (connection refused, breaker open).' }),
      total: z.number().int(),
      share_of_authorized: Rate,
    }),
    learner: z
      .object({ estimated: z.literal(false), reason: z.string() })
      .openapi({ description: 'What the learner gained over the rules\u2019 static order is not estimated from rollups; `reason` says why and where to get it.' }),
  })
  .openapi('AnalyticsRoutingGain');
const ForecastView = z
  .object({
    object: z.literal('analytics.forecast'),
    horizon: z.enum(['24h', '7d']),
    generated_at: z.string(),
    method: z.string().openapi({ description: '`holt_winters_daily_weekly` (two weeks of history or more), `holt_winters_daily` (two days or more) or `mean` (the last day\u2019s mean).' }),
    points: z.array(z.object({ t: z.string(), volume: z.number(), lower: z.number(), upper: z.number() }).openapi({ description: 'Payments created in the hour starting at `t`, with a 95 % prediction interval.' })),
    peak: z.object({ t: z.string(), volume: z.number(), payments_per_second: z.number().openapi({ description: 'The peak hour\u2019s mean rate.' }) }),
    capacity: z.object({
      per_instance_payments_per_second: z.number(),
      instances_needed: z.number().int(),
      source: z.string().openapi({ description: 'Where the per-instance capacity comes from: bench/results/load.json, or a configured value.' }),
    }),
    accuracy: z
      .object({ mape: z.number(), held_out: z.string().openapi({ description: 'The held-out week, as an ISO 8601 interval.' }) })
      .nullable()
      .openapi({ description: 'The method\u2019s MAPE on the last week of this merchant\u2019s history, fitted to what came before; null with less than three weeks.' }),
  })
  .openapi('AnalyticsForecast');

const badRequest = { description: 'A bad parameter (`param` names it).', content: { 'application/problem+json': { schema: ProblemView } } };
const route = <Q extends z.ZodObject, R extends z.ZodType>(path: string, operationId: string, summary: string, query: Q, response: R, description: string) =>
  createRoute({ method: 'get', path, operationId, summary, security, request: { query }, responses: { 200: json(response, description), 400: badRequest } });

const routes = {
  approvalRates: route('/v1/analytics/approval_rates', 'getApprovalRates', 'Approval rate over time per gateway account', ApprovalQuery, ApprovalRates, 'One series per gateway account with attempts in the window, one point per bucket.'),
  funnel: route('/v1/analytics/funnel', 'getFunnel', 'The payment funnel: created, attempted, authorized, captured, recovered by cascades', WindowQuery, Funnel, 'The funnel.'),
  declines: route('/v1/analytics/declines', 'getDeclines', 'Top decline reasons', DeclinesQuery, Declines, 'Decline reasons, most frequent first.'),
  costs: route('/v1/analytics/costs', 'getCosts', 'Attempts, approved amount and fees per gateway account and currency', WindowQuery, Costs, 'Costs.'),
  routingGain: route('/v1/analytics/routing_gain', 'getRoutingGain', 'What routing gained: approvals recovered by cascades and failover', WindowQuery, RoutingGain, 'The gain.'),
  forecast: route('/v1/analytics/forecast', 'getForecast', 'Forecast hourly payment volume, its peak and the instances it needs', ForecastQuery, ForecastView, 'The forecast.'),
};

const LEARNER_REASON =
  'Rollups keep counts, not the per-payment propensities an off-policy estimate weighs each logged decision by. POST /v1/routing/rules/{version}/backtest replays the logged decisions (with their propensities) against a ruleset version and estimates its approval rate with an interval.';

export function analyticsRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories, clock: Clock, capacity: InstanceCapacity): void {
  /** The window asked for, or the last 24 hours. */
  function window(query: { from?: string; to?: string }): { from: Date; to: Date } {
    const to = query.to ? new Date(query.to) : clock.now();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS);
    if (to <= from) throw problems.invalidRequest('to must be after from.', 'to');
    if (to.getTime() - from.getTime() > MAX_WINDOW_MS) throw problems.invalidRequest('The window from from to to is at most 92 days.', 'from');
    return { from, to };
  }
  /** Recent windows come from minute rows; older ones in whole hours (from the hour `from` falls in). */
  function rollupWindow(merchantId: string, w: { from: Date; to: Date }): RollupWindow {
    const granularity: Granularity = w.from.getTime() >= clock.now().getTime() - MINUTE_ROWS_COVER_MS ? 'minute' : 'hour';
    return { merchantId, granularity, from: bucketStart(w.from, granularity), to: w.to };
  }
  const iso = (d: Date) => d.toISOString();

  app.openapi(routes.approvalRates, async (c) => {
    const query = c.req.valid('query');
    const w = window(query);
    if (query.granularity === 'minute' && w.to.getTime() - w.from.getTime() > MAX_MINUTE_WINDOW_MS) {
      throw problems.invalidRequest('A minute series covers at most 48 hours: narrow the window or ask for hours.', 'granularity');
    }
    const granularity = query.granularity;
    const first = bucketStart(w.from, granularity);
    const rows = await repositories.rollups.approvals({ merchantId: c.get('merchantId'), granularity, from: first, to: w.to }, query.gateway_account);
    const step = granularityMs(granularity);
    const accounts = new Map<string, { provider: string; byBucket: Map<number, (typeof rows)[number]> }>();
    for (const r of rows) {
      const a = accounts.get(r.gatewayAccountId) ?? { provider: r.provider, byBucket: new Map() };
      a.byBucket.set(r.bucket.getTime(), r);
      accounts.set(r.gatewayAccountId, a);
    }
    const series = [...accounts].map(([id, a]) => {
      const points = [];
      for (let t = first.getTime(); t < w.to.getTime(); t += step) {
        const r = a.byBucket.get(t);
        const attempts = r?.attempts ?? 0;
        const approved = r?.approved ?? 0;
        const quantile = (q: number) => {
          const ms = r ? histogramQuantile(r.latencyBuckets, q) : null;
          return ms === null ? null : Math.round(ms);
        };
        points.push({
          t: iso(new Date(t)),
          attempts,
          approved,
          declined: r?.declined ?? 0,
          technical_failures: r?.technicalFailures ?? 0,
          approval_rate: ratio(approved, attempts),
          latency_p50_ms: quantile(0.5),
          latency_p95_ms: quantile(0.95),
        });
      }
      return { gateway_account_id: id, provider: a.provider, points };
    });
    return c.json({ object: 'analytics.approval_rates' as const, granularity, from: iso(w.from), to: iso(w.to), series }, 200);
  });

  app.openapi(routes.funnel, async (c) => {
    const w = window(c.req.valid('query'));
    const f = await repositories.rollups.funnel(rollupWindow(c.get('merchantId'), w));
    return c.json(
      {
        object: 'analytics.funnel' as const,
        from: iso(w.from),
        to: iso(w.to),
        created: f.created,
        attempted: f.attempted,
        authorized: f.authorized,
        captured: f.captured,
        recovered_by_cascade: f.recoveredAfterDecline + f.recoveredAfterFailure,
      },
      200,
    );
  });

  app.openapi(routes.declines, async (c) => {
    const query = c.req.valid('query');
    const w = window(query);
    const { total, top } = await repositories.rollups.declines(rollupWindow(c.get('merchantId'), w), query.limit);
    const data = top.map((d) => ({ reason: d.reason, count: d.count, share: ratio(d.count, total) ?? 0 }));
    return c.json({ object: 'analytics.declines' as const, from: iso(w.from), to: iso(w.to), data }, 200);
  });

  app.openapi(routes.costs, async (c) => {
    const w = window(c.req.valid('query'));
    const rows = await repositories.rollups.costs(rollupWindow(c.get('merchantId'), w));
    const data = rows.map((r) => ({
      gateway_account_id: r.gatewayAccountId,
      provider: r.provider,
      currency: r.currency,
      attempts: r.attempts,
      approved_amount: r.approvedAmount,
      fees: r.fees,
      unpriced_approvals: r.unpriced,
    }));
    return c.json({ object: 'analytics.costs' as const, from: iso(w.from), to: iso(w.to), data }, 200);
  });

  app.openapi(routes.routingGain, async (c) => {
    const w = window(c.req.valid('query'));
    const f = await repositories.rollups.funnel(rollupWindow(c.get('merchantId'), w));
    const total = f.recoveredAfterDecline + f.recoveredAfterFailure;
    return c.json(
      {
        object: 'analytics.routing_gain' as const,
        from: iso(w.from),
        to: iso(w.to),
        authorized: f.authorized,
        recovered_by_cascade: { after_decline: f.recoveredAfterDecline, after_failure: f.recoveredAfterFailure, total, share_of_authorized: ratio(total, f.authorized) },
        learner: { estimated: false as const, reason: LEARNER_REASON },
      },
      200,
    );
  });

  app.openapi(routes.forecast, async (c) => {
    const horizon: Horizon = c.req.valid('query').horizon;
    const merchantId = c.get('merchantId');
    const now = clock.now();
    const { series, start } = await hourlyHistory(repositories.rollups, merchantId, now);
    const f = peakForecast(series, start, horizon, capacity);
    return c.json(
      {
        object: 'analytics.forecast' as const,
        horizon,
        generated_at: iso(now),
        method: f.method,
        points: f.points.map((p) => ({ t: iso(p.t), volume: p.volume, lower: p.lower, upper: p.upper })),
        peak: { t: iso(f.peak.t), volume: f.peak.volume, payments_per_second: f.peak.paymentsPerSecond },
        capacity: { per_instance_payments_per_second: f.capacity.perInstance, instances_needed: f.capacity.instancesNeeded, source: f.capacity.source },
        accuracy: f.accuracy ? { mape: f.accuracy.mape, held_out: `${iso(f.accuracy.heldOut.from)}/${iso(f.accuracy.heldOut.to)}` } : null,
      },
      200,
    );
  });
}
