import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { MAX_RETRIES, MAX_RETRY_DAY } from '../../billing/dunning.js';
import { INTERVAL_UNITS, type IntervalUnit } from '../../billing/periods.js';
import { isCurrency, maxAmountMinor, validateAmount } from '../../domain/currency.js';
import { problems } from '../../domain/problem.js';
import type { BillingService } from '../../orchestrator/subscriptions.js';
import type { PlanRow } from '../../store/billing.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { listPage } from '../list-page.js';
import { idempotencyHeader, json, problem, security } from '../openapi.js';
import { Currency, issueCode, listOf, Metadata, PlanId, text } from '../schemas.js';

export const PlanView = z
  .object({
    id: z.string(),
    object: z.literal('plan'),
    name: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    interval: z.enum(INTERVAL_UNITS as [IntervalUnit, ...IntervalUnit[]]),
    interval_count: z.number().int(),
    trial_days: z.number().int(),
    retry_days: z.array(z.number().int()).openapi({ description: 'Days after an invoice\'s first attempt on which a soft-declined renewal is retried.' }),
    on_uncollectible: z.enum(['unpaid', 'canceled']).openapi({ description: 'What a subscription becomes when an invoice cannot be collected.' }),
    archived: z.boolean(),
    metadata: z.record(z.string(), z.string()),
    created_at: z.string(),
  })
  .openapi('Plan');

export function planView(row: PlanRow, defaultRetryDays: readonly number[]): z.infer<typeof PlanView> {
  return {
    id: row.id,
    object: 'plan',
    name: row.name,
    amount: row.amount,
    currency: row.currency,
    interval: row.interval as IntervalUnit,
    interval_count: row.intervalCount,
    trial_days: row.trialDays,
    retry_days: [...(row.retryDays ?? defaultRetryDays)],
    on_uncollectible: row.onUncollectible as 'unpaid' | 'canceled',
    archived: row.archivedAt !== null,
    metadata: row.metadata,
    created_at: row.createdAt.toISOString(),
  };
}

/** At most this many intervals in one period (five years of months, say). */
const MAX_INTERVAL_COUNT = { day: 365, week: 260, month: 60, year: 5 } as const;
const MAX_TRIAL_DAYS = 730;

const CreatePlan = z
  .strictObject({
    name: text().min(1).max(200),
    amount: z.number().openapi({ example: 990, description: "Positive integer in the currency's minor unit, charged each period." }),
    currency: Currency,
    interval: z.enum(INTERVAL_UNITS as [IntervalUnit, ...IntervalUnit[]]),
    interval_count: z.number().int().min(1).default(1),
    trial_days: z.number().int().min(0).max(MAX_TRIAL_DAYS).default(0),
    retry_days: z
      .array(z.number().int().min(0).max(MAX_RETRY_DAY))
      .max(MAX_RETRIES)
      .refine((days) => days.every((d, i) => i === 0 || d > days[i - 1]!), { message: 'retry_days must increase.', params: issueCode('invalid_retry_days') })
      .optional()
      .openapi({ description: `Days after an invoice's first attempt to retry it (default 1, 3, 5, 7); at most ${MAX_RETRIES}, increasing, each at most ${MAX_RETRY_DAY}.` }),
    on_uncollectible: z.enum(['unpaid', 'canceled']).default('unpaid'),
    metadata: Metadata.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.interval_count > MAX_INTERVAL_COUNT[body.interval]) {
      ctx.addIssue({ code: 'custom', path: ['interval_count'], message: `interval_count must be at most ${MAX_INTERVAL_COUNT[body.interval]} for ${body.interval}.`, params: issueCode('invalid_interval_count') });
    }
    if (!isCurrency(body.currency)) return;
    const check = validateAmount(body.amount, body.currency);
    if (!check.ok) {
      const message = check.reason === 'too_large' ? `amount must be at most ${maxAmountMinor(body.currency)} for ${body.currency}.` : 'amount must be a positive integer number of minor units.';
      ctx.addIssue({ code: 'custom', path: ['amount'], message, params: issueCode(check.reason === 'too_large' ? 'amount_too_large' : 'invalid_amount') });
    }
  })
  .openapi('CreatePlan');

const IdParam = z.object({ id: PlanId.openapi({ param: { name: 'id', in: 'path' } }) });
const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: PlanId.optional(),
  archived: z.enum(['true', 'false']).default('false').openapi({ description: '`true`: archived plans are listed too.' }),
});
const errors = {
  400: problem('Invalid request; `param` names the field.'),
  401: problem('Missing or invalid API key.'),
  404: problem('No such plan for this merchant.'),
};

const routes = {
  create: createRoute({
    method: 'post',
    path: '/v1/plans',
    operationId: 'createPlan',
    summary: 'Create a plan: an amount billed every interval_count × interval',
    security,
    parameters: [idempotencyHeader],
    request: { body: { required: true, content: { 'application/json': { schema: CreatePlan } } } },
    responses: { 201: json(PlanView, 'The plan.'), 400: errors[400], 401: errors[401] },
  }),
  list: createRoute({
    method: 'get',
    path: '/v1/plans',
    operationId: 'listPlans',
    summary: 'List plans, newest first',
    security,
    request: { query: ListQuery },
    responses: { 200: json(listOf(PlanView, 'PlanList'), 'A page of plans.'), 400: errors[400], 401: errors[401] },
  }),
  get: createRoute({
    method: 'get',
    path: '/v1/plans/{id}',
    operationId: 'getPlan',
    summary: 'Retrieve a plan',
    security,
    request: { params: IdParam },
    responses: { 200: json(PlanView, 'The plan.'), ...errors },
  }),
  archive: createRoute({
    method: 'post',
    path: '/v1/plans/{id}/archive',
    operationId: 'archivePlan',
    summary: 'Archive a plan: it takes no new subscriptions; the ones it has go on',
    security,
    parameters: [idempotencyHeader],
    request: { params: IdParam },
    responses: { 200: json(PlanView, 'The archived plan.'), ...errors },
  }),
};

export function planRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories, billing: BillingService, defaultRetryDays: readonly number[]): void {
  const view = (row: PlanRow) => planView(row, defaultRetryDays);

  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    const plan = await billing.createPlan(c.get('merchantId'), {
      name: body.name,
      amount: body.amount,
      currency: body.currency,
      interval: body.interval,
      intervalCount: body.interval_count,
      trialDays: body.trial_days,
      retryDays: body.retry_days ?? null,
      onUncollectible: body.on_uncollectible,
      metadata: body.metadata ?? {},
    });
    return c.json(view(plan), 201);
  });

  app.openapi(routes.list, async (c) => {
    const query = c.req.valid('query');
    const rows = await repositories.billing.plans(c.get('merchantId'), { limit: query.limit, startingAfter: query.starting_after, archived: query.archived === 'true' });
    return c.json(listPage(rows, query.limit, view), 200);
  });

  app.openapi(routes.get, async (c) => {
    const row = await billing.plan(c.get('merchantId'), c.req.valid('param').id);
    if (!row) throw problems.notFound('plan');
    return c.json(view(row), 200);
  });

  app.openapi(routes.archive, async (c) => {
    const row = await billing.archivePlan(c.get('merchantId'), c.req.valid('param').id);
    if (!row) throw problems.notFound('plan');
    return c.json(view(row), 200);
  });
}
