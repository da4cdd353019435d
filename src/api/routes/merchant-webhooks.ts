import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { MERCHANT_EVENT_TYPES } from '../../domain/events.js';
import {
  ENABLED_EVENT_CHOICES,
  eventEnvelope,
  isEnabledEvent,
  MAX_ENDPOINTS_PER_MERCHANT,
  MAX_URL_LENGTH,
  urlIssue,
} from '../../domain/merchant-webhooks.js';
import { problems } from '../../domain/problem.js';
import type { MerchantWebhookService } from '../../orchestrator/merchant-webhooks.js';
import type { EventRow } from '../../store/events.js';
import type { DeliveryWithEndpoint, WebhookEndpointRow } from '../../store/webhook-endpoints.js';
import type { AppEnv } from '../env.js';
import { idempotencyHeader, json, problem, security } from '../openapi.js';
import { issueCode, listOf, text } from '../schemas.js';


const idPattern = (prefix: string) => new RegExp(`^${prefix}_[0-9A-Za-z]{1,60}$`);

// ---- requests

const EndpointUrl = z
  .string()
  .superRefine((value, ctx) => {
    const issue = urlIssue(value);
    if (issue) ctx.addIssue({ code: 'custom', message: issue, params: issueCode('invalid_url') });
  })
  .openapi({
    format: 'uri',
    maxLength: MAX_URL_LENGTH,
    example: 'https://example.com/switchyard/events',
    description: 'Absolute https URL without credentials (http is accepted by the sandbox only), at most 2048 characters.',
  });

const EnabledEvent = z
  .string()
  .superRefine((value, ctx) => {
    if (!isEnabledEvent(value)) {
      ctx.addIssue({ code: 'custom', message: `Not an event type: use "*" or one of ${MERCHANT_EVENT_TYPES.join(', ')}.`, params: issueCode('unknown_event_type') });
    }
  })
  .openapi({ enum: [...ENABLED_EVENT_CHOICES] });

const EnabledEvents = z
  .array(EnabledEvent)
  .min(1)
  .max(32)
  .superRefine((list, ctx) => {
    if (list.includes('*') && list.some((t) => t !== '*')) {
      ctx.addIssue({ code: 'custom', message: 'enabled_events is either ["*"] (every event) or a list of event types, not both.', params: issueCode('invalid_enabled_events') });
    }
  })
  .openapi({ description: '`["*"]` for every event type, or the types to receive.', example: ['payment.succeeded', 'payment.failed', 'refund.succeeded'] });

const CreateEndpointBody = z
  .strictObject({
    url: EndpointUrl,
    enabled_events: EnabledEvents,
    description: text().max(1000).optional(),
  })
  .openapi('CreateWebhookEndpoint');

const EndpointIdParam = z.object({
  id: z
    .string()
    .regex(idPattern('we'), 'Webhook endpoint ids look like we_ followed by letters and digits.')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'we_01JD0000000000000000000000' }),
});

const ListEndpointsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: z.string().regex(idPattern('we'), 'starting_after must be a webhook endpoint id.').optional(),
});

const EventIdParam = z.object({
  id: z
    .string()
    .regex(idPattern('evt'), 'Event ids look like evt_ followed by letters and digits.')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'evt_01JD0000000000000000000000' }),
});

const ListEventsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: z.string().regex(idPattern('evt'), 'starting_after must be an event id.').optional(),
  type: z.enum([...MERCHANT_EVENT_TYPES, 'payment.*', 'refund.*', 'subscription.*', 'invoice.*', 'alert.*']).optional().openapi({ description: 'An event type, or `payment.*` / `refund.*` / `subscription.*` / `invoice.*` / `alert.*` for a family.' }),
  payment_id: z.string().regex(idPattern('pay'), 'payment_id must be a payment id.').optional(),
});

const RedeliverBody = z
  .strictObject({
    endpoint_id: z.string().regex(idPattern('we'), 'endpoint_id must be a webhook endpoint id.').optional().openapi({
      description: 'Deliver to this endpoint only; by default, to every live endpoint the event was delivered to or subscribes to its type.',
    }),
  })
  .openapi('RedeliverEvent');

// ---- responses

const EndpointView = z
  .object({
    id: z.string(),
    object: z.literal('webhook_endpoint'),
    url: z.string(),
    description: z.string().nullable(),
    enabled_events: z.array(z.string()),
    created_at: z.string(),
  })
  .openapi('WebhookEndpoint');

const CreatedEndpointView = EndpointView.extend({
  secret: z.string().openapi({ description: 'The signing secret (`whsec_…`). Shown in this answer only: store it now.', example: 'whsec_…' }),
}).openapi('WebhookEndpointWithSecret');

const DeletedEndpointView = z.object({ id: z.string(), object: z.literal('webhook_endpoint'), deleted: z.literal(true) }).openapi('DeletedWebhookEndpoint');

const EventView = z
  .object({
    id: z.string(),
    object: z.literal('event'),
    type: z.string().openapi({ enum: [...MERCHANT_EVENT_TYPES] }),
    created_at: z.string(),
    data: z.object({ object: z.record(z.string(), z.unknown()).openapi({ description: 'The payment, refund or alert as it was when the event happened.' }) }),
  })
  .openapi('Event');

const DeliveryView = z
  .object({
    object: z.literal('webhook_delivery'),
    event_id: z.string(),
    endpoint_id: z.string(),
    url: z.string(),
    state: z.enum(['pending', 'delivered', 'failed', 'canceled']),
    attempts: z.number().int(),
    last_status: z.number().int().nullable().openapi({ description: "The endpoint's last HTTP status; null when it gave none (refused, timed out)." }),
    last_error: z.string().nullable(),
    next_attempt_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('WebhookDelivery');

const EventWithDeliveries = EventView.extend({ deliveries: z.array(DeliveryView) }).openapi('EventWithDeliveries');

const endpointView = (e: WebhookEndpointRow): z.infer<typeof EndpointView> => ({
  id: e.id,
  object: 'webhook_endpoint',
  url: e.url,
  description: e.description,
  enabled_events: e.enabledEvents,
  created_at: e.createdAt.toISOString(),
});

/** The body of `POST /v1/webhook_endpoints`: the endpoint and its secret. */
export const createdEndpointView = (e: WebhookEndpointRow, secret: string): z.infer<typeof CreatedEndpointView> => ({ ...endpointView(e), secret });

const eventView = (e: EventRow): z.infer<typeof EventView> => eventEnvelope(e);

const deliveryView = (d: DeliveryWithEndpoint): z.infer<typeof DeliveryView> => ({
  object: 'webhook_delivery',
  event_id: d.eventId,
  endpoint_id: d.endpointId,
  url: d.url,
  state: d.state as z.infer<typeof DeliveryView>['state'],
  attempts: d.attempts,
  last_status: d.lastStatus,
  last_error: d.lastError,
  next_attempt_at: d.nextAttemptAt?.toISOString() ?? null,
  delivered_at: d.deliveredAt?.toISOString() ?? null,
  created_at: d.createdAt.toISOString(),
});

const endpointErrors = { 400: problem('Invalid request; `param` names the field.'), 401: problem('Missing or invalid API key.') };

const routes = {
  createEndpoint: createRoute({
    method: 'post',
    path: '/v1/webhook_endpoints',
    operationId: 'createWebhookEndpoint',
    summary: 'Create a webhook endpoint; its signing secret is in this answer only',
    security,
    parameters: [idempotencyHeader],
    request: { body: { required: true, content: { 'application/json': { schema: CreateEndpointBody } } } },
    responses: {
      201: json(CreatedEndpointView, 'The endpoint and its signing secret.'),
      ...endpointErrors,
      409: problem(`The merchant already has ${MAX_ENDPOINTS_PER_MERCHANT} webhook endpoints.`),
    },
  }),
  listEndpoints: createRoute({
    method: 'get',
    path: '/v1/webhook_endpoints',
    operationId: 'listWebhookEndpoints',
    summary: 'List webhook endpoints, newest first',
    security,
    request: { query: ListEndpointsQuery },
    responses: { 200: json(listOf(EndpointView, 'WebhookEndpointList'), 'A page of endpoints.'), ...endpointErrors },
  }),
  getEndpoint: createRoute({
    method: 'get',
    path: '/v1/webhook_endpoints/{id}',
    operationId: 'getWebhookEndpoint',
    summary: 'Retrieve a webhook endpoint (never its secret)',
    security,
    request: { params: EndpointIdParam },
    responses: { 200: json(EndpointView, 'The endpoint.'), ...endpointErrors, 404: problem('No such webhook endpoint for this merchant.') },
  }),
  deleteEndpoint: createRoute({
    method: 'delete',
    path: '/v1/webhook_endpoints/{id}',
    operationId: 'deleteWebhookEndpoint',
    summary: 'Delete a webhook endpoint; its pending deliveries stop',
    security,
    request: { params: EndpointIdParam },
    responses: { 200: json(DeletedEndpointView, 'The endpoint is deleted.'), ...endpointErrors, 404: problem('No such webhook endpoint for this merchant.') },
  }),
  listEvents: createRoute({
    method: 'get',
    path: '/v1/events',
    operationId: 'listEvents',
    summary: "List the merchant's events, newest first",
    security,
    request: { query: ListEventsQuery },
    responses: { 200: json(listOf(EventView, 'EventList'), 'A page of events.'), ...endpointErrors },
  }),
  getEvent: createRoute({
    method: 'get',
    path: '/v1/events/{id}',
    operationId: 'getEvent',
    summary: 'Retrieve an event with its deliveries',
    security,
    request: { params: EventIdParam },
    responses: { 200: json(EventWithDeliveries, 'The event and where it was delivered.'), ...endpointErrors, 404: problem('No such event for this merchant.') },
  }),
  redeliver: createRoute({
    method: 'post',
    path: '/v1/events/{id}/redeliver',
    operationId: 'redeliverEvent',
    summary: 'Deliver an event again, now',
    security,
    parameters: [idempotencyHeader],
    request: { params: EventIdParam, body: { required: false, content: { 'application/json': { schema: RedeliverBody } } } },
    responses: {
      202: json(listOf(DeliveryView, 'WebhookDeliveryList'), 'The deliveries started; each is made by the job engine, with the full retry schedule.'),
      ...endpointErrors,
      404: problem('No such event, or (`param: endpoint_id`) no such webhook endpoint, for this merchant.'),
    },
  }),
};

/** Webhook endpoints, events and redelivery; every query is scoped to the caller's merchant. */
export function merchantWebhookRoutes(app: OpenAPIHono<AppEnv>, service: MerchantWebhookService): void {
  app.openapi(routes.createEndpoint, async (c) => {
    const body = c.req.valid('json');
    const { endpoint, secret } = await service.createEndpoint(
      c.get('merchantId'),
      { url: new URL(body.url).href, enabledEvents: body.enabled_events, description: body.description ?? null },
      { idempotencyKey: c.get('idempotencyKey') },
    );
    // The answer holds the signing secret: under an Idempotency-Key only the link is kept, and a replay renders it again.
    c.set('idempotencyRenderOnReplay', true);
    return c.json(createdEndpointView(endpoint, secret), 201);
  });

  app.openapi(routes.listEndpoints, async (c) => {
    const query = c.req.valid('query');
    const rows = await service.listEndpoints(c.get('merchantId'), { limit: query.limit, startingAfter: query.starting_after });
    return c.json({ object: 'list' as const, data: rows.slice(0, query.limit).map(endpointView), has_more: rows.length > query.limit }, 200);
  });

  app.openapi(routes.getEndpoint, async (c) => {
    const endpoint = await service.getEndpoint(c.get('merchantId'), c.req.valid('param').id);
    if (!endpoint) throw problems.notFound('webhook endpoint');
    return c.json(endpointView(endpoint), 200);
  });

  app.openapi(routes.deleteEndpoint, async (c) => {
    const endpoint = await service.deleteEndpoint(c.get('merchantId'), c.req.valid('param').id);
    return c.json({ id: endpoint.id, object: 'webhook_endpoint' as const, deleted: true as const }, 200);
  });

  app.openapi(routes.listEvents, async (c) => {
    const query = c.req.valid('query');
    const rows = await service.listEvents(c.get('merchantId'), { limit: query.limit, startingAfter: query.starting_after, type: query.type, paymentId: query.payment_id });
    return c.json({ object: 'list' as const, data: rows.slice(0, query.limit).map(eventView), has_more: rows.length > query.limit }, 200);
  });

  app.openapi(routes.getEvent, async (c) => {
    const found = await service.getEvent(c.get('merchantId'), c.req.valid('param').id);
    if (!found) throw problems.notFound('event');
    return c.json({ ...eventView(found.event), deliveries: found.deliveries.map(deliveryView) }, 200);
  });

  app.openapi(routes.redeliver, async (c) => {
    const deliveries = await service.redeliver(c.get('merchantId'), c.req.valid('param').id, c.req.valid('json').endpoint_id);
    return c.json({ object: 'list' as const, data: deliveries.map(deliveryView), has_more: false }, 202);
  });
}
