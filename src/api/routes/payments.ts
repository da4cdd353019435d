import { createRoute, OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Clock } from '../../domain/clock.js';
import { Problem, problems } from '../../domain/problem.js';
import { parseIban } from '../../domain/bank-account.js';
import type { CreatedPayment, NewPaymentInput, paymentService } from '../../orchestrator/payments.js';
import type { refundService } from '../../orchestrator/refunds.js';
import type { AppEnv } from '../env.js';
import { idempotencyHeader, json, problem, security } from '../openapi.js';
import {
  CancelBody,
  CaptureBody,
  ConfirmBody,
  CreatePaymentBody,
  CreateRefundBody,
  ListPaymentsQuery,
  listOf,
  PaymentIdParam,
  PaymentView,
  RefundView,
  refuseExpiredCard,
  TimelineEventView,
} from '../schemas.js';
import { paymentView, refundView, timelineEventView } from '../views.js';

const errors = {
  400: problem('Invalid request; `param` names the field.'),
  401: problem('Missing or invalid API key.'),
  404: problem('No such payment for this merchant.'),
  409: problem('The payment is not in a state that allows this, or a request with the same Idempotency-Key is in progress.'),
  422: problem('The Idempotency-Key was used with a different request.'),
};

const routes = {
  create: createRoute({
    method: 'post',
    path: '/v1/payments',
    operationId: 'createPayment',
    summary: 'Create and authorize a payment',
    security,
    parameters: [idempotencyHeader],
    request: { body: { required: true, content: { 'application/json': { schema: CreatePaymentBody } } } },
    responses: { 201: json(PaymentView, 'The payment, in its resulting status (declines included).'), ...errors },
  }),
  list: createRoute({
    method: 'get',
    path: '/v1/payments',
    operationId: 'listPayments',
    summary: 'List payments, newest first',
    security,
    request: { query: ListPaymentsQuery },
    responses: { 200: json(listOf(PaymentView, 'PaymentList'), 'A page of payments.'), 400: errors[400], 401: errors[401] },
  }),
  get: createRoute({
    method: 'get',
    path: '/v1/payments/{id}',
    operationId: 'getPayment',
    summary: 'Retrieve a payment',
    security,
    request: { params: PaymentIdParam },
    responses: { 200: json(PaymentView, 'The payment.'), 401: errors[401], 404: errors[404] },
  }),
  capture: createRoute({
    method: 'post',
    path: '/v1/payments/{id}/capture',
    operationId: 'capturePayment',
    summary: 'Capture an authorized payment, in full or in part',
    security,
    parameters: [idempotencyHeader],
    request: { params: PaymentIdParam, body: { required: false, content: { 'application/json': { schema: CaptureBody } } } },
    responses: { 200: json(PaymentView, 'The captured payment.'), ...errors, 502: problem('The gateway did not capture.') },
  }),
  cancel: createRoute({
    method: 'post',
    path: '/v1/payments/{id}/cancel',
    operationId: 'cancelPayment',
    summary: 'Void an uncaptured authorization',
    security,
    parameters: [idempotencyHeader],
    request: { params: PaymentIdParam, body: { required: false, content: { 'application/json': { schema: CancelBody } } } },
    responses: { 200: json(PaymentView, 'The canceled payment.'), ...errors, 502: problem('The gateway did not cancel.') },
  }),
  confirm: createRoute({
    method: 'post',
    path: '/v1/payments/{id}/confirm',
    operationId: 'confirmPayment',
    summary: 'Settle a payment after the shopper came back from a redirect (3-D Secure)',
    description:
      'Asks the gateway how the challenge ended, with the parameters the shopper came back to return_url with, and answers the payment as it now stands. A payment no longer in requires_action is answered as it stands.',
    security,
    parameters: [idempotencyHeader],
    request: { params: PaymentIdParam, body: { required: false, content: { 'application/json': { schema: ConfirmBody } } } },
    responses: { 200: json(PaymentView, 'The payment, settled when the gateway had the answer.'), ...errors, 502: problem('The gateway account of this payment is no longer configured.') },
  }),
  timeline: createRoute({
    method: 'get',
    path: '/v1/payments/{id}/events',
    operationId: 'listPaymentEvents',
    summary: "A payment's timeline: every state change and every look of the reconciler, oldest first",
    security,
    request: { params: PaymentIdParam },
    responses: { 200: json(listOf(TimelineEventView, 'Timeline'), 'The timeline.'), 401: errors[401], 404: errors[404] },
  }),
  createRefund: createRoute({
    method: 'post',
    path: '/v1/payments/{id}/refunds',
    operationId: 'createRefund',
    summary: 'Refund a captured payment, in full or in part',
    security,
    parameters: [idempotencyHeader],
    request: { params: PaymentIdParam, body: { required: false, content: { 'application/json': { schema: CreateRefundBody } } } },
    responses: { 201: json(RefundView, 'The refund, in its resulting status.'), ...errors },
  }),
  listRefunds: createRoute({
    method: 'get',
    path: '/v1/payments/{id}/refunds',
    operationId: 'listRefunds',
    summary: "List a payment's refunds, newest first",
    security,
    request: { params: PaymentIdParam },
    responses: { 200: json(listOf(RefundView, 'RefundList'), "The payment's refunds."), 401: errors[401], 404: errors[404] },
  }),
};

/** A validated create-payment body in the orchestrator's terms; a card expired by `now` is refused. */
export function paymentInput(body: z.infer<typeof CreatePaymentBody>, now: Date): NewPaymentInput {
  const method = body.payment_method;
  const card = typeof method === 'object' && method.type === 'card' ? method.card : null;
  if (card) refuseExpiredCard(card, now, 'payment_method.card.exp_year');
  const customer = body.customer;
  return {
    amount: body.amount,
    currency: body.currency,
    captureMethod: body.capture_method,
    card: card ? { number: card.number, expMonth: card.exp_month, expYear: card.exp_year, cvc: card.cvc, holderName: card.holder_name ?? null } : null,
    method: typeof method === 'object' ? methodInput(method) : null,
    paymentMethodId: typeof method === 'string' ? method : null,
    customerId: typeof customer === 'string' ? customer : null,
    customer: typeof customer === 'object' ? { id: customer.id ?? null, email: customer.email ?? null, country: customer.country ?? null } : null,
    description: body.description ?? null,
    metadata: body.metadata ?? {},
    initiator: body.initiator,
    gateways: body.routing?.gateways ?? null,
    returnUrl: body.return_url ?? null,
    threeDSecure: body.three_d_secure,
  };
}

/** A wallet or a bank debit in the request, in the canonical model's terms; null for a card. */
function methodInput(method: Exclude<z.infer<typeof CreatePaymentBody>['payment_method'], string | undefined>): NewPaymentInput['method'] {
  switch (method.type) {
    case 'card':
      return null;
    case 'apple_pay': {
      // The schema admits a token alone, or a nonce with its gateway and network.
      const { token, gateway, nonce, card_network: cardNetwork, card_details: last4 } = method.apple_pay;
      if (token !== undefined) return { type: 'apple_pay', applePay: token };
      return { type: 'apple_pay', walletNonce: { gateway: gateway!, nonce: nonce!, cardNetwork: cardNetwork!, last4: last4 ?? null } };
    }
    case 'google_pay': {
      const { gateway, token, nonce, card_network: cardNetwork, card_details: cardDetails } = method.google_pay;
      if (gateway === 'braintree') return { type: 'google_pay', walletNonce: { gateway, nonce: nonce!, cardNetwork, last4: cardDetails } };
      return { type: 'google_pay', googlePay: { gateway, token: token!, cardNetwork, cardDetails } };
    }
    case 'paypal': {
      const paypal = method.paypal;
      return {
        type: 'paypal',
        paypal: { emailHint: paypal?.email_hint ?? null, brandName: paypal?.brand_name ?? null, locale: paypal?.locale ?? null, shippingPreference: paypal?.shipping_preference ?? 'no_shipping' },
      };
    }
    case 'crypto':
      return { type: 'crypto', crypto: { currency: method.crypto?.currency ?? null } };
    case 'sepa_debit': {
      const { iban, account_holder_name: accountHolderName, mandate, mandate_acceptance: acceptance } = method.sepa_debit;
      const parsed = parseIban(iban);
      if (!parsed.ok) throw problems.invalidRequest('The IBAN is not valid.', 'payment_method.sepa_debit.iban', parsed.problem);
      return {
        type: 'sepa_debit',
        sepaDebit: {
          iban: parsed.iban,
          accountHolderName,
          mandate: acceptance ? { kind: 'acceptance', acceptedAt: new Date(acceptance.accepted_at), ip: acceptance.ip, userAgent: acceptance.user_agent } : { kind: 'existing', reference: mandate! },
        },
      };
    }
    case 'ach_debit': {
      const a = method.ach_debit;
      return {
        type: 'ach_debit',
        achDebit: {
          routingNumber: a.routing_number,
          accountNumber: a.account_number,
          accountType: a.account_type,
          accountHolderName: a.account_holder_name,
          accountHolderType: a.account_holder_type,
          acceptance: { kind: 'acceptance', acceptedAt: new Date(a.mandate_acceptance.accepted_at), ip: a.mandate_acceptance.ip, userAgent: a.mandate_acceptance.user_agent },
        },
      };
    }
  }
}

export function paymentRoutes(
  app: OpenAPIHono<AppEnv>,
  payments: ReturnType<typeof paymentService>,
  refunds: ReturnType<typeof refundService>,
  clock: Clock,
): void {
  const context = (c: { get(key: 'idempotencyKey'): string | undefined }) => ({ idempotencyKey: c.get('idempotencyKey') });

  app.openapi(routes.create, async (c) => {
    let stored: { payment: CreatedPayment; body: string } | undefined;
    const created = await payments.create(c.get('merchantId'), paymentInput(c.req.valid('json'), clock.now()), {
      ...context(c),
      idempotency: c.get('idempotency'),
      // The same rendering as the answer below: what is stored is byte for byte what is answered.
      answer: (record) => {
        stored = { payment: record, body: JSON.stringify(paymentView(record, record.settlement)) };
        return stored.body;
      },
    });
    if (!created) {
      // Another request holds or held the key: the idempotency middleware answers with what it knows.
      throw new Problem({ status: 409, code: 'idempotency_key_in_use', title: 'Request in progress', detail: 'A request with this Idempotency-Key is being processed.' });
    }
    // Answered as it was stored, rendered once; a payment read back after a failover is rendered here.
    if (stored?.payment === created) return c.body(stored.body, 201, { 'Content-Type': 'application/json' }) as never;
    return c.json(paymentView(created, created.settlement), 201);
  });

  app.openapi(routes.list, async (c) => {
    const query = c.req.valid('query');
    const createdGte = query['created[gte]'];
    const createdLte = query['created[lte]'];
    const rows = await payments.list(c.get('merchantId'), {
      limit: query.limit,
      startingAfter: query.starting_after,
      status: query.status,
      createdGte: createdGte ? new Date(createdGte) : undefined,
      createdLte: createdLte ? new Date(createdLte) : undefined,
      review: query.review === 'true' ? true : undefined,
    });
    const page = rows.slice(0, query.limit);
    const jobs = await payments.settlements(page.map((r) => r.payment.id));
    return c.json({ object: 'list' as const, data: page.map((r) => paymentView(r, jobs.get(r.payment.id) ?? null)), has_more: rows.length > query.limit }, 200);
  });

  app.openapi(routes.get, async (c) => {
    const record = await payments.get(c.get('merchantId'), c.req.valid('param').id);
    if (!record) throw problems.notFound('payment');
    return c.json(paymentView(record, await payments.settlement(record.payment.id)), 200);
  });

  app.openapi(routes.capture, async (c) => {
    const record = await payments.capture(c.get('merchantId'), c.req.valid('param').id, c.req.valid('json').amount, context(c));
    return c.json(paymentView(record, await payments.settlement(record.payment.id)), 200);
  });

  app.openapi(routes.cancel, async (c) => {
    const record = await payments.cancel(c.get('merchantId'), c.req.valid('param').id, context(c));
    return c.json(paymentView(record, await payments.settlement(record.payment.id)), 200);
  });

  app.openapi(routes.confirm, async (c) => {
    const record = await payments.confirm(c.get('merchantId'), c.req.valid('param').id, c.req.valid('json').return_params ?? {});
    return c.json(paymentView(record, await payments.settlement(record.payment.id)), 200);
  });

  app.openapi(routes.timeline, async (c) => {
    const events = await payments.timeline(c.get('merchantId'), c.req.valid('param').id);
    return c.json({ object: 'list' as const, data: events.map(timelineEventView), has_more: false }, 200);
  });

  app.openapi(routes.createRefund, async (c) => {
    const body = c.req.valid('json');
    const refund = await refunds.create(c.get('merchantId'), c.req.valid('param').id, {
      amount: body.amount,
      reason: body.reason ?? null,
      metadata: body.metadata ?? {},
    }, context(c));
    return c.json(refundView(refund), 201);
  });

  app.openapi(routes.listRefunds, async (c) => {
    const rows = await refunds.list(c.get('merchantId'), c.req.valid('param').id);
    return c.json({ object: 'list' as const, data: rows.map(refundView), has_more: false }, 200);
  });
}
