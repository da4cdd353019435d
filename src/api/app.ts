import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { Problem } from '../domain/problem.js';
import { paymentService } from '../orchestrator/payments.js';
import { refundService } from '../orchestrator/refunds.js';
import type { AppDeps, AppEnv } from './env.js';
import { auth } from './middleware/auth.js';
import { limitBody } from './middleware/body-limit.js';
import { idempotency } from './middleware/idempotency.js';
import { requireJsonBody, unsupportedMediaType } from './middleware/json-body.js';
import { requestLog } from './middleware/request-log.js';
import { openApiDocument } from './openapi.js';
import { requestIds } from './middleware/request-id.js';
import { addressRateLimit, DEFAULT_RATE_LIMIT, keyRateLimit, peerAddress, tokenBuckets } from './middleware/rate-limit.js';
import { requireScope } from './scopes.js';
import { problemResponse, validationProblem } from './problem-response.js';
import { gatewayAccountRoutes } from './routes/gateway-accounts.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { routingRoutes } from './routes/routing.js';
import { paymentRoutes } from './routes/payments.js';
import { webhookRoutes } from './routes/webhooks.js';
import { customerRoutes } from './routes/customers.js';
import { paymentMethodRoutes } from './routes/payment-methods.js';
import { planRoutes } from './routes/plans.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { invoiceRoutes } from './routes/invoices.js';
import { billingService } from '../orchestrator/subscriptions.js';
import { DEFAULT_DUNNING } from '../billing/dunning.js';
import { tokenizationCors } from './middleware/cors.js';
import { localKms } from '../vault/kms.js';
import { customerService } from '../vault/customers.js';
import { cardVault } from '../vault/vault.js';
import { webhookService } from '../orchestrator/webhooks.js';
import type { MiddlewareHandler } from 'hono';
import { systemClock } from '../domain/clock.js';
import { DEFAULT_SETTLEMENT_POLICY } from '../orchestrator/settle.js';
import { paymentView, refundView } from './views.js';
import { createSecretBox } from '../domain/secret-box.js';
import { merchantWebhookService } from '../orchestrator/merchant-webhooks.js';
import { createdEndpointView, merchantWebhookRoutes } from './routes/merchant-webhooks.js';
import { operatorService } from '../admin/operators.js';
import { passwordHasher } from '../admin/passwords.js';
import { sessionSigner } from '../admin/sessions.js';
import { operatorAuth } from './middleware/operator.js';
import { operatorForMerchant } from './middleware/operator-merchant.js';
import { adminAuditRoutes } from './routes/admin-audit.js';
import { adminGatewayAccountRoutes } from './routes/admin-gateway-accounts.js';
import { adminKeyRoutes } from './routes/admin-keys.js';
import { adminMerchantRoutes } from './routes/admin-merchants.js';
import { adminOperatorRoutes } from './routes/admin-operators.js';
import { adminSessionRoutes } from './routes/admin-session.js';
import { analyticsRoutes } from './routes/analytics.js';
import { DEFAULT_INSTANCE_CAPACITY } from '../analytics/capacity.js';
import { isApiKey } from '../domain/api-keys.js';
import { observePayments } from './monitoring.js';
import { eventStreamRoutes } from './routes/events-stream.js';
import { metricsRoutes } from './routes/metrics.js';
import { alertRoutes, ruleView } from './routes/alerts.js';
import { alertService } from '../alerts/service.js';

const DAY_SECONDS = 24 * 60 * 60;

/** What only a signed-in operator may do: the admin API and activating a ruleset. */
const operatorOnly = (path: string) => path.startsWith('/v1/admin/') || /^\/v1\/routing\/rules\/[^/]+\/activate$/.test(path);
const SIGN_IN_PATH = '/v1/admin/session';

/** The payment and refund services as every merchant-facing API uses them (this one and the Stripe-compatible one). */
export function merchantServices(deps: AppDeps) {
  const clock = deps.clock ?? systemClock;
  const policy = deps.settlement ?? DEFAULT_SETTLEMENT_POLICY;
  const vault = cardVault({ repositories: deps.repositories, kms: deps.vaultKms ?? localKms(deps.secretsKey), fingerprintSecret: deps.fingerprintSecret, clock });
  const payments = observePayments(paymentService({
    vault,
    repositories: deps.repositories,
    gateways: deps.gateways,
    fingerprintSecret: deps.fingerprintSecret,
    logger: deps.logger,
    router: deps.router,
    clock,
    policy,
    maxAttempts: deps.maxAttempts ?? 3,
    deadlineMs: deps.deadlineMs ?? 30_000,
    retryGuard: deps.retryGuard ?? { maxDeclines: 15, windowDays: 30 },
  }), deps.monitoring);
  const refunds = refundService({ ...deps, clock, policy });
  const billing = billingService({ repositories: deps.repositories, payments, clock, logger: deps.logger, wake: () => deps.jobs?.wake() });
  return { payments, refunds, vault, billing };
}

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: async (result, c) => {
      if (result.success) return;
      const inBody = result.target === 'json';
      // The body was parsed already (hono caches it); it is read again only to tell a missing field from a wrong one.
      const input = inBody ? await c.req.json().catch(() => undefined) : result.target === 'param' ? c.req.param() : c.req.query();
      return problemResponse(c, validationProblem(result.error, input, inBody ? 'body' : 'query'));
    },
  });
  const maxBodyBytes = deps.maxBodyBytes ?? 32 * 1024;

  const clock = deps.clock ?? systemClock;
  const buckets = deps.rateLimits ?? tokenBuckets(DEFAULT_RATE_LIMIT, clock);

  for (const middleware of deps.monitoring?.middleware ?? []) app.use(middleware);
  app.use(requestIds());
  app.use(requestLog(deps.logger));
  // Provider webhooks come from a few provider addresses (or one load balancer) at the providers' pace:
  // an address limit would turn a peak into redeliveries; their signature check is what guards them.
  const limitAddresses = addressRateLimit(buckets, deps.clientAddress ?? peerAddress);
  app.use((c, next) => (c.req.path.startsWith('/v1/webhooks/') ? next() : limitAddresses(c, next)));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // Built on first request, when every route is registered; the routes never change after.
  let document: ReturnType<typeof openApiDocument> | undefined;
  app.get('/openapi.json', (c) => c.json((document ??= openApiDocument(app))));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', description: "A merchant's secret API key; or an operator's session token (POST /v1/admin/session) with the header `Switchyard-Merchant: mer_…` naming a merchant they may act for: viewers get every `*:read` scope, operators add `routing:write`, `webhooks:manage` and `alerts:write`, admins get every scope." });
  app.openAPIRegistry.registerComponent('securitySchemes', 'operatorSession', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An operator session token from POST /v1/admin/session.' });

  app.use(
    '/v1/*',
    limitBody(maxBodyBytes, () => {
      throw new Problem({
        status: 413,
        code: 'payload_too_large',
        title: 'Payload too large',
        detail: `The request body exceeds ${maxBodyBytes} bytes.`,
      });
    }),
  );
  // The merchant API; provider webhooks authenticate by their signature, operators by their session.
  const isWebhook = (path: string) => path.startsWith('/v1/webhooks/');
  const merchantApi = (middleware: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> => (c, next) =>
    isWebhook(c.req.path) || operatorOnly(c.req.path) ? next() : middleware(c, next);
  const operators = operatorService({ repositories: deps.repositories, secrets: createSecretBox(deps.secretsKey), passwords: deps.passwords ?? passwordHasher(), clock });
  const signer = sessionSigner(deps.secretsKey, clock);
  const signedIn = operatorAuth(operators, signer);
  const cors = tokenizationCors(deps.repositories, clock);
  app.use('/v1/tokens', cors.preflight);
  app.use('/v1/*', merchantApi(auth(deps.repositories, clock, operatorForMerchant(deps.repositories, signedIn))));
  app.use('/v1/tokens', cors.request);
  app.use('/v1/*', merchantApi(keyRateLimit(buckets)));
  app.use('/v1/*', merchantApi(requireScope()));
  app.use('/v1/*', (c, next) => (operatorOnly(c.req.path) && c.req.path !== SIGN_IN_PATH ? signedIn(c, next) : next()));
  app.use('/v1/*', (c, next) => (isWebhook(c.req.path) ? next() : requireJsonBody(c, next)));
  const policy = deps.settlement ?? DEFAULT_SETTLEMENT_POLICY;
  const { payments, refunds, vault, billing } = merchantServices(deps);
  const webhooks = merchantWebhookService({
    repositories: deps.repositories,
    clock,
    secrets: createSecretBox(deps.secretsKey),
    urlPolicy: deps.webhookUrlPolicy ?? 'strict',
    wake: () => deps.jobs?.wake(),
  });
  app.use(
    '/v1/*',
    merchantApi(
      idempotency(deps.repositories, {
        ttlSeconds: Math.max(deps.idempotencyTtlSeconds ?? DAY_SECONDS, DAY_SECONDS),
        leaseMs: deps.idempotencyLeaseMs ?? 30_000,
        clock,
        secret: deps.fingerprintSecret,
        // Payment creation claims its key in the transaction that writes the payment, and stores its answer with the outcome.
        deferClaim: (method, path) => method === 'POST' && path === '/v1/payments',
        render: async (merchantId, resource) => {
          if (resource.type === 'webhook_endpoint') {
            const created = await webhooks.creationAnswer(merchantId, resource.id);
            return created ? { status: 201, body: createdEndpointView(created.endpoint, created.secret) } : null;
          }
          if (resource.type === 'alert_rule') {
            const rule = await deps.repositories.alerts.rule(merchantId, resource.id);
            return rule ? { status: 201, body: ruleView(rule) } : null;
          }
          if (resource.type === 'refund') {
            const refund = await deps.repositories.payments.refund(resource.id);
            return refund && refund.merchantId === merchantId ? { status: 201, body: refundView(refund) } : null;
          }
          const record = await payments.get(merchantId, resource.id);
          return record ? { status: resource.type === 'payment.create' ? 201 : 200, body: paymentView(record, await payments.settlement(resource.id)) } : null;
        },
      }),
    ),
  );

  paymentRoutes(app, payments, refunds, clock);
  gatewayAccountRoutes(app, deps.repositories, deps.gateways);
  routingRoutes(app, deps.repositories, deps.router, payments, clock);
  adminSessionRoutes(app, operators, signer);
  adminOperatorRoutes(app, operators, clock);
  adminAuditRoutes(app, deps.repositories, clock);
  adminMerchantRoutes(app, deps.repositories, clock);
  adminKeyRoutes(app, deps.repositories, clock);
  adminGatewayAccountRoutes(app, deps.repositories, deps.providers, clock);
  healthRoutes(app, deps.router);
  jobRoutes(app, deps.repositories, clock);
  webhookRoutes(app, webhookService({ ...deps, learner: deps.router.learner, clock, policy }));
  // Before the webhook routes: /v1/events/{id} would take `stream` for an id.
  if (deps.eventStream) eventStreamRoutes(app, deps.eventStream);
  merchantWebhookRoutes(app, webhooks);
  analyticsRoutes(app, deps.repositories, clock, deps.capacity ?? DEFAULT_INSTANCE_CAPACITY);
  alertRoutes(app, alertService({ repositories: deps.repositories, clock, wake: () => deps.jobs?.wake() }), clock);
  if (deps.monitoring) {
    const keyAuth = auth(deps.repositories, clock);
    const scoped = requireScope();
    // A key needs metrics:read; any other bearer token is taken for an operator session (any role).
    metricsRoutes(app, deps.monitoring.metrics, (c, next) => {
      const token = /^Bearer\s+(\S{1,200})$/i.exec(c.req.header('Authorization') ?? '')?.[1];
      return token && isApiKey(token) ? keyAuth(c, async () => void (await scoped(c, next))) : signedIn(c, next);
    });
  }
  const customers = customerService({ repositories: deps.repositories, vault, clock });
  paymentMethodRoutes(app, deps.repositories, vault, customers, deps.router, clock);
  customerRoutes(app, deps.repositories, customers);
  planRoutes(app, deps.repositories, billing, DEFAULT_DUNNING.retryDays);
  subscriptionRoutes(app, deps.repositories, billing);
  invoiceRoutes(app, deps.repositories);

  app.notFound((c) =>
    problemResponse(c, new Problem({ status: 404, code: 'route_not_found', title: 'Not found', detail: 'No such endpoint.' })),
  );
  app.onError((error, c) => {
    if (error instanceof Problem) return problemResponse(c, error);
    // The route validator's own media type gate (a form body on a JSON operation): the same answer as requireJsonBody's.
    if (error instanceof HTTPException && error.status === 415) return problemResponse(c, unsupportedMediaType());
    if (error instanceof HTTPException && error.status === 400) {
      return problemResponse(
        c,
        new Problem({ status: 400, code: 'invalid_json', title: 'Invalid request', detail: 'The request body is not valid JSON.' }),
      );
    }
    // The logger keeps of an error only what cannot carry request data (no statement parameters).
    deps.logger.error('http.unhandled_error', {
      request_id: c.get('requestId'),
      client_request_id: c.get('clientRequestId'),
      error: error instanceof Error ? error : new Error(String(error)),
    });
    return problemResponse(
      c,
      new Problem({ status: 500, code: 'internal_error', title: 'Internal error', detail: 'Something went wrong on our side; it has been logged.' }),
    );
  });
  return app;
}
