import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { problems } from '../../domain/problem.js';
import { invoiceSnapshot } from '../../orchestrator/subscriptions.js';
import type { InvoiceRow } from '../../store/billing.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { json, problem, security } from '../openapi.js';
import { InvoiceId, listOf, SubscriptionId } from '../schemas.js';

export const InvoiceView = z
  .object({
    id: z.string(),
    object: z.literal('invoice'),
    subscription: z.string(),
    customer: z.string(),
    status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']),
    amount: z.number().int(),
    currency: z.string(),
    period_start: z.string(),
    period_end: z.string(),
    attempt_count: z.number().int(),
    next_payment_attempt: z.string().nullable().openapi({ description: 'When the next retry is due (dunning); null when none is planned.' }),
    payments: z.array(z.string()).openapi({ description: 'The payments tried, oldest first: one per attempt.' }),
    last_failure_code: z.string().nullable(),
    paid_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Invoice');

const view = (row: InvoiceRow) => invoiceSnapshot(row) as z.infer<typeof InvoiceView>;

const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: InvoiceId.optional(),
});
const ListQuery = PageQuery.extend({ subscription: SubscriptionId.optional() });
const IdParam = z.object({ id: InvoiceId.openapi({ param: { name: 'id', in: 'path' } }) });
const errors = {
  400: problem('Invalid request; `param` names the field.'),
  401: problem('Missing or invalid API key.'),
  404: problem('No such invoice (or subscription) for this merchant.'),
};

/** A list of invoices at `path`, whose path parameters are `params`. */
export function invoiceListRoute<P extends z.ZodObject>(path: string, operationId: string, summary: string, params: P) {
  return createRoute({
    method: 'get',
    path,
    operationId,
    summary,
    security,
    request: { params, query: PageQuery },
    responses: { 200: json(listOf(InvoiceView, 'InvoiceList'), 'A page of invoices.'), ...errors },
  });
}

export async function invoicePage(repositories: Repositories, merchantId: string, query: { limit: number; starting_after?: string | undefined }, subscriptionId?: string) {
  const rows = await repositories.billing.invoices(merchantId, { limit: query.limit, startingAfter: query.starting_after, subscriptionId });
  return { object: 'list' as const, data: rows.slice(0, query.limit).map(view), has_more: rows.length > query.limit };
}

const routes = {
  list: createRoute({
    method: 'get',
    path: '/v1/invoices',
    operationId: 'listInvoices',
    summary: 'List invoices, newest first; `subscription` narrows to one subscription',
    security,
    request: { query: ListQuery },
    responses: { 200: json(listOf(InvoiceView, 'InvoiceList'), 'A page of invoices.'), 400: errors[400], 401: errors[401] },
  }),
  get: createRoute({
    method: 'get',
    path: '/v1/invoices/{id}',
    operationId: 'getInvoice',
    summary: 'Retrieve an invoice',
    security,
    request: { params: IdParam },
    responses: { 200: json(InvoiceView, 'The invoice.'), ...errors },
  }),
};

export function invoiceRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories): void {
  app.openapi(routes.list, async (c) => {
    const query = c.req.valid('query');
    return c.json(await invoicePage(repositories, c.get('merchantId'), query, query.subscription), 200);
  });

  app.openapi(routes.get, async (c) => {
    const row = await repositories.billing.invoice(c.get('merchantId'), c.req.valid('param').id);
    if (!row) throw problems.notFound('invoice');
    return c.json(view(row), 200);
  });
}
