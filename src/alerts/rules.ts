import { z } from 'zod';

/** What an alert rule watches. */
export const ALERT_KINDS = ['approval_drop', 'breaker_open', 'reconciler_backlog', 'review_queue', 'forecast_above_capacity'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Minute rollups are kept three days; a window and its baseline stay well inside them. */
export const MAX_LOOKBACK_MINUTES = 48 * 60;
export const MAX_RULES_PER_MERCHANT = 50;

const GatewayAccount = z
  .string()
  .regex(/^gwa_[0-9A-Za-z]{1,60}$/, 'gateway_account_id must be a gateway account id (gwa_…).')
  .nullable()
  .default(null);
/** Evaluations in a row that must find the condition cleared before a firing alert resolves: a flapping signal stays one alert. */
const ResolveAfter = z.number().int().min(1).max(20).default(2);

const approvalDropFields = {
  window_minutes: z.number().int().min(1).max(720).default(15),
  /** `preceding`: the `baseline_hours` before the window (minute rollups); `last_week`: the same window a week earlier (hourly rollups). */
  baseline: z.enum(['preceding', 'last_week']).default('preceding'),
  baseline_hours: z.number().int().min(1).max(47).default(24),
  drop_pp: z.number().min(1).max(100).default(10),
  min_attempts: z.number().int().min(1).max(1_000_000).default(20),
  resolve_after: ResolveAfter,
};
const withinLookback: [(p: { baseline: string; window_minutes: number; baseline_hours: number }) => boolean, { message: string; path: string[] }] = [
  (p) => p.baseline === 'last_week' || p.window_minutes + p.baseline_hours * 60 <= MAX_LOOKBACK_MINUTES,
  { message: `window_minutes plus baseline_hours reach back at most ${MAX_LOOKBACK_MINUTES / 60} hours.`, path: ['baseline_hours'] },
];

export const ApprovalDropParams = z.strictObject({ gateway_account_id: GatewayAccount, ...approvalDropFields }).refine(...withinLookback);
/** Operator-wide: a provider's approval rate across every merchant's accounts of it (`provider`: one, or null for each). */
export const OperatorApprovalDropParams = z
  .strictObject({ provider: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'provider must be a provider name (stripe, adyen…).').nullable().default(null), ...approvalDropFields })
  .refine(...withinLookback);
export const BreakerOpenParams = z.strictObject({ gateway_account_id: GatewayAccount, resolve_after: ResolveAfter });
export const ReconcilerBacklogParams = z
  .strictObject({
    max_count: z.number().int().min(0).max(1_000_000_000).nullable().default(null),
    max_age_minutes: z.number().int().min(1).max(43_200).nullable().default(null),
    resolve_after: ResolveAfter,
  })
  .refine((p) => p.max_count !== null || p.max_age_minutes !== null, { message: 'Give max_count, max_age_minutes or both.', path: ['max_count'] });
export const ReviewQueueParams = z.strictObject({ max_count: z.number().int().min(0).max(1_000_000_000).default(0), resolve_after: ResolveAfter });
export const ForecastParams = z.strictObject({
  horizon: z.enum(['24h', '7d']).default('24h'),
  instances: z.number().int().min(1).max(10_000).default(1),
  resolve_after: ResolveAfter,
});

export const PARAMS = {
  approval_drop: ApprovalDropParams,
  breaker_open: BreakerOpenParams,
  reconciler_backlog: ReconcilerBacklogParams,
  review_queue: ReviewQueueParams,
  forecast_above_capacity: ForecastParams,
} as const;

/**
 * What an operator-wide rule (watching every merchant) may watch: a provider's approval rate, a
 * breaker open anywhere, the reconciler backlog and the review queue across merchants. A forecast
 * is per merchant.
 */
export const OPERATOR_KINDS = ['approval_drop', 'breaker_open', 'reconciler_backlog', 'review_queue'] as const;
export type OperatorAlertKind = (typeof OPERATOR_KINDS)[number];
export const OPERATOR_PARAMS = {
  approval_drop: OperatorApprovalDropParams,
  breaker_open: BreakerOpenParams,
  reconciler_backlog: ReconcilerBacklogParams,
  review_queue: ReviewQueueParams,
} as const;
export const MAX_OPERATOR_RULES = 50;

export type ApprovalDrop = z.output<typeof ApprovalDropParams>;
export type OperatorApprovalDrop = z.output<typeof OperatorApprovalDropParams>;
export type BreakerOpen = z.output<typeof BreakerOpenParams>;
export type ReconcilerBacklog = z.output<typeof ReconcilerBacklogParams>;
export type ReviewQueue = z.output<typeof ReviewQueueParams>;
export type ForecastAboveCapacity = z.output<typeof ForecastParams>;

export type AlertRule =
  | { id: string; merchantId: string; name: string; enabled: boolean; kind: 'approval_drop'; params: ApprovalDrop }
  | { id: string; merchantId: string; name: string; enabled: boolean; kind: 'breaker_open'; params: BreakerOpen }
  | { id: string; merchantId: string; name: string; enabled: boolean; kind: 'reconciler_backlog'; params: ReconcilerBacklog }
  | { id: string; merchantId: string; name: string; enabled: boolean; kind: 'review_queue'; params: ReviewQueue }
  | { id: string; merchantId: string; name: string; enabled: boolean; kind: 'forecast_above_capacity'; params: ForecastAboveCapacity };

export function isAlertKind(value: string): value is AlertKind {
  return (ALERT_KINDS as readonly string[]).includes(value);
}
