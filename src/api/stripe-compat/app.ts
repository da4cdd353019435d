import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { systemClock } from '../../domain/clock.js';
import { Problem } from '../../domain/problem.js';
import { merchantServices } from '../app.js';
import type { AppDeps, AppEnv } from '../env.js';
import { auth } from '../middleware/auth.js';
import { addressRateLimit, DEFAULT_RATE_LIMIT, keyRateLimit, peerAddress, tokenBuckets } from '../middleware/rate-limit.js';
import { requestIds } from '../middleware/request-id.js';
import { requestLog } from '../middleware/request-log.js';
import type { StripeEnv } from './env.js';
import { fromProblem, invalidRequest, resourceMissing, StripeApiError } from './errors.js';
import { stripeIdempotency } from './idempotency.js';
import { intentService, type Caller } from './intents.js';
import { customerService } from '../../vault/customers.js';
import { customerApi } from './customers.js';
import {
  AttachParams,
  CancelIntentParams,
  CaptureIntentParams,
  ConfirmIntentParams,
  CreateIntentParams,
  CreateCustomerParams,
  CreatePaymentMethodParams,
  CreateRefundParams,
  CustomerId,
  DetachParams,
  IntentId,
  ListCustomerPaymentMethodsParams,
  ListCustomersParams,
  ListPaymentMethodsParams,
  ListIntentsParams,
  ListRefundsParams,
  parseParams,
  PaymentMethodId,
  RefundId,
  RetrieveParams,
  UpdateCustomerParams,
  UpdatePaymentMethodParams,
  validate,
} from './params.js';
import { intentView, refundView } from './views.js';

const DAY_SECONDS = 24 * 60 * 60;
const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const STRIPE_VERSION = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;

/**
 * The Stripe-compatible API: Stripe's PaymentIntents, Refunds, Customers and PaymentMethods endpoints, wire format, errors
 * and Idempotency-Key behaviour, served on its own port over the same payment and refund services
 * as the canonical API, so a merchant's stripe SDK gets routing and failover by changing its host.
 */
export function createStripeApp(deps: AppDeps): Hono<StripeEnv> {
  const app = new Hono<StripeEnv>();
  const clock = deps.clock ?? systemClock;
  const buckets = deps.rateLimits ?? tokenBuckets(DEFAULT_RATE_LIMIT, clock);
  const maxBodyBytes = deps.maxBodyBytes ?? 32 * 1024;
  const { payments, refunds, vault } = merchantServices(deps);
  const customers = customerService({ repositories: deps.repositories, vault, clock });
  const service = intentService({ repositories: deps.repositories, payments, refunds, customers, clock });
  const people = customerApi({ repositories: deps.repositories, customers, vault, clock });
  // The canonical middleware, typed for the canonical app's variables (a subset of these).
  const canonical = (middleware: unknown) => middleware as Parameters<typeof app.use>[0];

  app.use(canonical(requestIds()));
  app.use(canonical(requestLog(deps.logger)));
  app.use(async (c, next) => {
    const version = c.req.header('Stripe-Version');
    // Accepted so SDKs pinned to any version work; the answer is this API's shape whatever the version.
    if (version && STRIPE_VERSION.test(version)) c.header('Stripe-Version', version);
    await next();
  });
  app.use(canonical(addressRateLimit(buckets, (deps.clientAddress ?? peerAddress) as (c: Context<AppEnv>) => string)));
  app.use(
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new StripeApiError(413, { type: 'invalid_request_error', code: 'request_too_large', message: `The request body exceeds ${maxBodyBytes} bytes.` });
      },
    }),
  );
  app.use(canonical(auth(deps.repositories, clock)));
  app.use(canonical(keyRateLimit(buckets)));
  app.use(async (c, next) => {
    c.set('livemode', /^Bearer\s+sk_live_/i.test(c.req.header('Authorization') ?? ''));
    const scope = scopeFor(c.req.method, c.req.path);
    if (!c.get('scopes').includes(scope)) {
      throw new StripeApiError(403, { type: 'invalid_request_error', code: 'insufficient_scope', message: `This API key lacks the ${scope} scope this request needs.` });
    }
    await next();
  });
  app.use(async (c, next) => {
    if (c.req.method === 'GET') {
      c.set('params', parseParams(new URL(c.req.url).search));
      return next();
    }
    const body = await c.req.text();
    const type = c.req.header('Content-Type');
    if (body !== '' && !(type && FORM.test(type))) {
      throw invalidRequest('Request bodies are form-encoded (application/x-www-form-urlencoded), as Stripe\'s are.', undefined, 'invalid_content_type');
    }
    c.set('params', parseParams(body));
    await next();
  });
  app.use(
    stripeIdempotency(deps.repositories, {
      ttlSeconds: Math.max(deps.idempotencyTtlSeconds ?? DAY_SECONDS, DAY_SECONDS),
      leaseMs: deps.idempotencyLeaseMs ?? 30_000,
      clock,
      secret: deps.fingerprintSecret,
      async render(c, resource) {
        const merchantId = c.get('merchantId');
        if (resource.type === 'refund') {
          const refund = await deps.repositories.payments.refund(resource.id);
          if (!refund || refund.merchantId !== merchantId) return null;
          const intent = await deps.repositories.stripePaymentIntents.byPayment(merchantId, refund.paymentId);
          return { status: 200, body: refundView(refund, intent?.id ?? null) };
        }
        const intent =
          resource.type === 'stripe.payment_intent'
            ? await deps.repositories.stripePaymentIntents.get(merchantId, resource.id)
            : await deps.repositories.stripePaymentIntents.byPayment(merchantId, resource.id);
        if (!intent) return null;
        const record = intent.paymentId ? await payments.get(merchantId, intent.paymentId) : null;
        return { status: 200, body: intentView(intent, record, c.get('livemode')) };
      },
    }),
  );

  const caller = (c: Context<StripeEnv>): Caller => ({ merchantId: c.get('merchantId'), livemode: c.get('livemode'), idempotencyKey: c.get('idempotencyKey') });
  const params = (c: Context<StripeEnv>) => c.get('params');
  /** A malformed id names no resource: 404, as Stripe answers. */
  const pathId = (c: Context<StripeEnv>, schema: typeof IntentId, what: string) => {
    const id = c.req.param('id') ?? '';
    if (!schema.safeParse(id).success) throw resourceMissing(what);
    return id;
  };
  const intentId = (c: Context<StripeEnv>) => pathId(c, IntentId, 'payment_intent');

  app.post('/v1/payment_intents', async (c) => c.json(await service.create(caller(c), validate(CreateIntentParams, params(c)))));
  app.get('/v1/payment_intents', async (c) => c.json(await service.list(caller(c), validate(ListIntentsParams, params(c)))));
  app.get('/v1/payment_intents/:id', async (c) => {
    validate(RetrieveParams, params(c));
    return c.json(await service.retrieve(caller(c), intentId(c)));
  });
  app.post('/v1/payment_intents/:id/confirm', async (c) => c.json(await service.confirm(caller(c), intentId(c), validate(ConfirmIntentParams, params(c)))));
  app.post('/v1/payment_intents/:id/capture', async (c) =>
    c.json(await service.capture(caller(c), intentId(c), validate(CaptureIntentParams, params(c)).amount_to_capture)),
  );
  app.post('/v1/payment_intents/:id/cancel', async (c) => c.json(await service.cancel(caller(c), intentId(c), validate(CancelIntentParams, params(c)))));
  app.post('/v1/refunds', async (c) => c.json(await service.createRefund(caller(c), validate(CreateRefundParams, params(c)))));
  app.get('/v1/refunds', async (c) => c.json(await service.listRefunds(caller(c), validate(ListRefundsParams, params(c)))));
  app.get('/v1/refunds/:id', async (c) => {
    validate(RetrieveParams, params(c));
    return c.json(await service.retrieveRefund(caller(c), pathId(c, RefundId, 'refund')));
  });

  const customerId = (c: Context<StripeEnv>) => pathId(c, CustomerId, 'customer');
  const paymentMethodId = (c: Context<StripeEnv>) => pathId(c, PaymentMethodId, 'payment_method');
  app.post('/v1/customers', async (c) => c.json(await people.createCustomer(caller(c), validate(CreateCustomerParams, params(c)))));
  app.get('/v1/customers', async (c) => c.json(await people.listCustomers(caller(c), validate(ListCustomersParams, params(c)))));
  app.get('/v1/customers/:id', async (c) => {
    validate(RetrieveParams, params(c));
    return c.json(await people.retrieveCustomer(caller(c), customerId(c)));
  });
  app.post('/v1/customers/:id', async (c) => c.json(await people.updateCustomer(caller(c), customerId(c), validate(UpdateCustomerParams, params(c)))));
  app.delete('/v1/customers/:id', async (c) => c.json(await people.deleteCustomer(caller(c), customerId(c))));
  app.get('/v1/customers/:id/payment_methods', async (c) =>
    c.json(await people.listPaymentMethods(caller(c), validate(ListCustomerPaymentMethodsParams, params(c)), customerId(c))),
  );
  app.post('/v1/payment_methods', async (c) => c.json(await people.createPaymentMethod(caller(c), validate(CreatePaymentMethodParams, params(c)))));
  app.get('/v1/payment_methods', async (c) => c.json(await people.listPaymentMethods(caller(c), validate(ListPaymentMethodsParams, params(c)))));
  app.get('/v1/payment_methods/:id', async (c) => {
    validate(RetrieveParams, params(c));
    return c.json(await people.retrievePaymentMethod(caller(c), paymentMethodId(c)));
  });
  app.post('/v1/payment_methods/:id', async (c) => c.json(await people.updatePaymentMethod(caller(c), paymentMethodId(c), validate(UpdatePaymentMethodParams, params(c)))));
  app.post('/v1/payment_methods/:id/attach', async (c) => c.json(await people.attach(caller(c), paymentMethodId(c), validate(AttachParams, params(c)))));
  app.post('/v1/payment_methods/:id/detach', async (c) => {
    validate(DetachParams, params(c));
    return c.json(await people.detach(caller(c), paymentMethodId(c)));
  });

  app.notFound((c) =>
    errorResponse(
      c,
      new StripeApiError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${c.req.method}). This Switchyard API serves Stripe's PaymentIntents, Refunds, Customers and PaymentMethods.` }),
    ),
  );
  app.onError((error, c) => {
    if (error instanceof StripeApiError) return errorResponse(c, error);
    if (error instanceof Problem) return errorResponse(c, fromProblem(error));
    // The logger keeps of an error only what cannot carry request data (no statement parameters).
    deps.logger.error('http.unhandled_error', { request_id: c.get('requestId'), client_request_id: c.get('clientRequestId'), error: error instanceof Error ? error : new Error(String(error)) });
    return errorResponse(c, new StripeApiError(500, { type: 'api_error', message: 'Something went wrong on our side; it has been logged.' }));
  });
  return app;
}

/** The canonical API's scope for the same resource (src/api/scopes.ts): attaching a card changes a customer. */
function scopeFor(method: string, path: string): string {
  const access = method === 'GET' ? 'read' : 'write';
  if (path.startsWith('/v1/customers')) return `customers:${access}`;
  if (/^\/v1\/payment_methods\/[^/]+\/(attach|detach)$/.test(path)) return 'customers:write';
  if (path.startsWith('/v1/payment_methods')) return `payment_methods:${access}`;
  return `payments:${access}`;
}

function errorResponse(c: Context<StripeEnv>, error: StripeApiError): Response {
  const body = { error: error.body };
  return c.newResponse(JSON.stringify(body), error.status as ContentfulStatusCode, { 'Content-Type': 'application/json', ...error.headers });
}
