import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { problems } from '../../domain/problem.js';
import { subscriptionSnapshot, type BillingService } from '../../orchestrator/subscriptions.js';
import type { SubscriptionRow } from '../../store/billing.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { listPage } from '../list-page.js';
import { idempotencyHeader, json, problem, security } from '../openapi.js';
import { CustomerId, listOf, Metadata, PaymentMethodId, PlanId, SubscriptionId } from '../schemas.js';
import { invoiceListRoute, invoicePage } from './invoices.js';

const STATUSES = ['trialing', 'active', 'past_due', 'canceled', 'unpaid'] as const;

export const SubscriptionView = z
  .object({
    id: z.string(),
    object: z.literal('subscription'),
    customer: z.string(),
    plan: z.string(),
    payment_method: z.string(),
    status: z.enum(STATUSES),
    billing_anchor: z.string().openapi({ description: 'Every period starts on this day of the month (clamped to a short month\'s last day) and time.' }),
    current_period_start: z.string(),
    current_period_end: z.string(),
    trial_end: z.string().nullable(),
    cancel_at_period_end: z.boolean(),
    canceled_at: z.string().nullable(),
    ended_at: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Subscription');

const view = (row: SubscriptionRow) => subscriptionSnapshot(row) as z.infer<typeof SubscriptionView>;

const CreateSubscription = z
  .strictObject({
    customer: CustomerId,
    plan: PlanId,
    payment_method: PaymentMethodId.optional().openapi({ description: "One of the customer's saved cards; default: the customer's default card." }),
    trial_days: z.number().int().min(0).max(730).optional().openapi({ description: "Overrides the plan's trial." }),
    metadata: Metadata.optional(),
  })
  .openapi('CreateSubscription');
const CancelSubscription = z
  .strictObject({ at_period_end: z.boolean().default(false).openapi({ description: '`true`: it ends when the current period does (no more renewals); `false`: now.' }) })
  .openapi('CancelSubscription');
const IdParam = z.object({ id: SubscriptionId.openapi({ param: { name: 'id', in: 'path' } }) });
const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: SubscriptionId.optional(),
  customer: CustomerId.optional(),
  status: z.enum(STATUSES).optional(),
});
const errors = {
  400: problem('Invalid request; `param` names the field.'),
  401: problem('Missing or invalid API key.'),
  404: problem('No such subscription for this merchant.'),
};

const routes = {
  create: createRoute({
    method: 'post',
    path: '/v1/subscriptions',
    operationId: 'createSubscription',
    summary: 'Subscribe a customer to a plan; without a trial the first invoice is paid at once',
    security,
    parameters: [idempotencyHeader],
    request: { body: { required: true, content: { 'application/json': { schema: CreateSubscription } } } },
    responses: { 201: json(SubscriptionView, 'The subscription.'), 400: errors[400], 401: errors[401] },
  }),
  list: createRoute({
    method: 'get',
    path: '/v1/subscriptions',
    operationId: 'listSubscriptions',
    summary: 'List subscriptions, newest first',
    security,
    request: { query: ListQuery },
    responses: { 200: json(listOf(SubscriptionView, 'SubscriptionList'), 'A page of subscriptions.'), 400: errors[400], 401: errors[401] },
  }),
  get: createRoute({
    method: 'get',
    path: '/v1/subscriptions/{id}',
    operationId: 'getSubscription',
    summary: 'Retrieve a subscription',
    security,
    request: { params: IdParam },
    responses: { 200: json(SubscriptionView, 'The subscription.'), ...errors },
  }),
  cancel: createRoute({
    method: 'post',
    path: '/v1/subscriptions/{id}/cancel',
    operationId: 'cancelSubscription',
    summary: 'Cancel a subscription now, or at the end of its period',
    security,
    parameters: [idempotencyHeader],
    request: { params: IdParam, body: { required: false, content: { 'application/json': { schema: CancelSubscription } } } },
    responses: { 200: json(SubscriptionView, 'The subscription.'), ...errors },
  }),
  invoices: invoiceListRoute('/v1/subscriptions/{id}/invoices', 'listSubscriptionInvoices', "A subscription's invoices, newest first", IdParam),
};

export function subscriptionRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories, billing: BillingService): void {
  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    const row = await billing.createSubscription(c.get('merchantId'), {
      customerId: body.customer,
      planId: body.plan,
      paymentMethodId: body.payment_method ?? null,
      trialDays: body.trial_days ?? null,
      metadata: body.metadata ?? {},
    });
    return c.json(view(row), 201);
  });

  app.openapi(routes.list, async (c) => {
    const query = c.req.valid('query');
    const rows = await repositories.billing.subscriptions(c.get('merchantId'), { limit: query.limit, startingAfter: query.starting_after, customerId: query.customer, status: query.status });
    return c.json(listPage(rows, query.limit, view), 200);
  });

  app.openapi(routes.get, async (c) => {
    const row = await repositories.billing.subscription(c.get('merchantId'), c.req.valid('param').id);
    if (!row) throw problems.notFound('subscription');
    return c.json(view(row), 200);
  });

  app.openapi(routes.cancel, async (c) => {
    const body = (await c.req.text()) === '' ? { at_period_end: false } : c.req.valid('json');
    const row = await billing.cancel(c.get('merchantId'), c.req.valid('param').id, body.at_period_end);
    return c.json(view(row), 200);
  });

  app.openapi(routes.invoices, async (c) => {
    const merchantId = c.get('merchantId');
    const { id } = c.req.valid('param');
    if (!(await repositories.billing.subscription(merchantId, id))) throw problems.notFound('subscription');
    return c.json(await invoicePage(repositories, merchantId, c.req.valid('query'), id), 200);
  });
}
