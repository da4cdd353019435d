import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { problems } from '../../domain/problem.js';
import type { CustomerRow } from '../../store/customers.js';
import type { Repositories } from '../../store/index.js';
import type { CustomerService } from '../../vault/customers.js';
import type { AppEnv } from '../env.js';
import { idempotencyHeader, json, problem, security } from '../openapi.js';
import { CustomerId, listOf, Metadata, PaymentMethodId, text } from '../schemas.js';
import { paymentMethodView, PaymentMethodView } from './payment-methods.js';

export const CustomerView = z
  .object({
    id: z.string(),
    object: z.literal('customer'),
    email: z.string().nullable(),
    name: z.string().nullable(),
    description: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    default_payment_method: z.string().nullable().openapi({ description: 'The saved card a payment with only `customer` pays with.' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Customer');

function customerView(row: CustomerRow): z.infer<typeof CustomerView> {
  return {
    id: row.id,
    object: 'customer',
    email: row.email,
    name: row.name,
    description: row.description,
    metadata: row.metadata,
    default_payment_method: row.defaultPaymentMethodId,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const Fields = {
  email: z.email().max(254).nullable().optional(),
  name: text().min(1).max(200).nullable().optional(),
  description: text().max(1000).nullable().optional(),
  metadata: Metadata.optional(),
};
const CreateCustomer = z
  .strictObject({ ...Fields, payment_method: PaymentMethodId.optional().openapi({ description: 'A saved card to attach and make the default.' }) })
  .openapi('CreateCustomer');
const UpdateCustomer = z
  .strictObject({ ...Fields, default_payment_method: PaymentMethodId.nullable().optional().openapi({ description: 'One of the customer\'s cards; null: none.' }) })
  .openapi('UpdateCustomer');
const Attach = z.strictObject({ payment_method: PaymentMethodId, default: z.boolean().optional().openapi({ description: 'Make it the default card too.' }) }).openapi('AttachPaymentMethod');
const IdParam = z.object({ id: CustomerId.openapi({ param: { name: 'id', in: 'path' } }) });
const CardParams = z.object({ id: CustomerId.openapi({ param: { name: 'id', in: 'path' } }), payment_method: PaymentMethodId.openapi({ param: { name: 'payment_method', in: 'path' } }) });
const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: CustomerId.optional(),
  email: z.email().max(254).optional(),
});
const Deleted = z.object({ id: z.string(), object: z.literal('customer'), deleted: z.literal(true) }).openapi('DeletedCustomer');

const errors = {
  400: problem('Invalid request; `param` names the field.'),
  401: problem('Missing or invalid API key.'),
  404: problem('No such customer (or payment method) for this merchant.'),
};
const routes = {
  create: createRoute({
    method: 'post',
    path: '/v1/customers',
    operationId: 'createCustomer',
    summary: 'Create a customer, optionally with a saved card as its default',
    security,
    parameters: [idempotencyHeader],
    request: { body: { required: true, content: { 'application/json': { schema: CreateCustomer } } } },
    responses: { 201: json(CustomerView, 'The customer.'), ...errors },
  }),
  update: createRoute({
    method: 'post',
    path: '/v1/customers/{id}',
    operationId: 'updateCustomer',
    summary: 'Update a customer; `default_payment_method` picks one of its cards',
    security,
    parameters: [idempotencyHeader],
    request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: UpdateCustomer } } } },
    responses: { 200: json(CustomerView, 'The customer.'), ...errors },
  }),
  attach: createRoute({
    method: 'post',
    path: '/v1/customers/{id}/payment_methods',
    operationId: 'attachPaymentMethod',
    summary: 'Attach a saved card to the customer',
    security,
    parameters: [idempotencyHeader],
    request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: Attach } } } },
    responses: { 200: json(PaymentMethodView, 'The attached payment method.'), ...errors },
  }),
  get: createRoute({
    method: 'get',
    path: '/v1/customers/{id}',
    operationId: 'getCustomer',
    summary: 'Retrieve a customer',
    security,
    request: { params: IdParam },
    responses: { 200: json(CustomerView, 'The customer.'), 400: errors[400], 401: errors[401], 404: errors[404] },
  }),
  list: createRoute({
    method: 'get',
    path: '/v1/customers',
    operationId: 'listCustomers',
    summary: 'List customers, newest first',
    security,
    request: { query: ListQuery },
    responses: { 200: json(listOf(CustomerView, 'CustomerList'), 'A page of customers.'), 400: errors[400], 401: errors[401] },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/v1/customers/{id}',
    operationId: 'deleteCustomer',
    summary: 'Delete a customer: its cards are detached (and stay in the vault)',
    security,
    request: { params: IdParam },
    responses: { 200: json(Deleted, 'The customer is gone.'), 400: errors[400], 401: errors[401], 404: errors[404] },
  }),
  cards: createRoute({
    method: 'get',
    path: '/v1/customers/{id}/payment_methods',
    operationId: 'listCustomerPaymentMethods',
    summary: "A customer's saved cards, newest first",
    security,
    request: { params: IdParam },
    responses: { 200: json(listOf(PaymentMethodView, 'CustomerPaymentMethodList'), "The customer's cards."), 400: errors[400], 401: errors[401], 404: errors[404] },
  }),
  detach: createRoute({
    method: 'delete',
    path: '/v1/customers/{id}/payment_methods/{payment_method}',
    operationId: 'detachPaymentMethod',
    summary: 'Detach a card from the customer (no longer its default either)',
    security,
    request: { params: CardParams },
    responses: { 200: json(PaymentMethodView, 'The detached payment method.'), 400: errors[400], 401: errors[401], 404: errors[404] },
  }),
};

const MAX_CARDS_LISTED = 100;

export function customerRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories, customers: CustomerService): void {
  const fields = (body: z.infer<typeof CreateCustomer> | z.infer<typeof UpdateCustomer>) => ({
    ...(body.email !== undefined ? { email: body.email } : {}),
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
  });

  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    return c.json(customerView(await customers.create(c.get('merchantId'), fields(body), body.payment_method)), 201);
  });

  app.openapi(routes.get, async (c) => {
    const row = await repositories.customers.get(c.get('merchantId'), c.req.valid('param').id);
    if (!row) throw problems.notFound('customer');
    return c.json(customerView(row), 200);
  });

  app.openapi(routes.update, async (c) => {
    const body = c.req.valid('json');
    return c.json(customerView(await customers.update(c.get('merchantId'), c.req.valid('param').id, fields(body), body.default_payment_method)), 200);
  });

  app.openapi(routes.list, async (c) => {
    const query = c.req.valid('query');
    const rows = await repositories.customers.list(c.get('merchantId'), { limit: query.limit, startingAfter: query.starting_after, email: query.email });
    return c.json({ object: 'list' as const, data: rows.slice(0, query.limit).map(customerView), has_more: rows.length > query.limit }, 200);
  });

  app.openapi(routes.delete, async (c) => {
    const { id } = c.req.valid('param');
    await customers.remove(c.get('merchantId'), id);
    return c.json({ id, object: 'customer' as const, deleted: true as const }, 200);
  });

  app.openapi(routes.attach, async (c) => {
    const body = c.req.valid('json');
    return c.json(paymentMethodView(await customers.attach(c.get('merchantId'), c.req.valid('param').id, body.payment_method, body.default)), 200);
  });

  app.openapi(routes.cards, async (c) => {
    const merchantId = c.get('merchantId');
    const { id } = c.req.valid('param');
    if (!(await repositories.customers.get(merchantId, id))) throw problems.notFound('customer');
    const rows = await repositories.vault.list(merchantId, { customerId: id, limit: MAX_CARDS_LISTED });
    return c.json({ object: 'list' as const, data: rows.slice(0, MAX_CARDS_LISTED).map(paymentMethodView), has_more: rows.length > MAX_CARDS_LISTED }, 200);
  });

  app.openapi(routes.detach, async (c) => {
    const { id, payment_method: cardId } = c.req.valid('param');
    return c.json(paymentMethodView(await customers.detach(c.get('merchantId'), id, cardId)), 200);
  });
}
