import type { HandlerContext, RequestMeta } from './context.js';
import { ok, resourceMissing, unrecognizedUrl, type ApiResponse } from './errors.js';
import { expandList, rejectUnknown, type Params } from './params.js';
import {
  cancelPaymentIntent,
  capturePaymentIntent,
  confirmPaymentIntent,
  createPaymentIntent,
  retrievePaymentIntent,
} from './payment-intents.js';
import { createToken } from './payment-methods.js';
import { createRefund, listRefunds, retrieveRefund } from './refunds.js';
import { renderCharge, renderPaymentMethod } from './resources.js';
import { searchPaymentIntents } from './search.js';

type Handler = (ctx: HandlerContext, params: Params, id: string, meta: RequestMeta) => ApiResponse;

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: Handler;
}

const ID = '([A-Za-z0-9_]+)';

function retrieveCharge(ctx: HandlerContext, params: Params, id: string): ApiResponse {
  rejectUnknown(params, ['expand']);
  const charge = ctx.state.charges.get(id);
  if (!charge) throw resourceMissing('charge', id);
  return ok(renderCharge(ctx.state, charge, expandList(params)));
}

function retrievePaymentMethod(ctx: HandlerContext, params: Params, id: string): ApiResponse {
  rejectUnknown(params, ['expand']);
  const pm = ctx.state.paymentMethods.get(id);
  if (!pm) throw resourceMissing('PaymentMethod', id);
  return ok(renderPaymentMethod(pm));
}

const ROUTES: readonly Route[] = [
  // Before `/v1/payment_intents/:id`, which would take `search` for an id.
  { method: 'GET', pattern: /^\/v1\/payment_intents\/search$/, handler: (ctx, params) => searchPaymentIntents(ctx, params) },
  { method: 'POST', pattern: /^\/v1\/payment_intents$/, handler: (ctx, params, _id, meta) => createPaymentIntent(ctx, params, meta) },
  { method: 'GET', pattern: new RegExp(`^/v1/payment_intents/${ID}$`), handler: (ctx, params, id) => retrievePaymentIntent(ctx, id, params) },
  { method: 'POST', pattern: new RegExp(`^/v1/payment_intents/${ID}/confirm$`), handler: (ctx, params, id) => confirmPaymentIntent(ctx, id, params) },
  { method: 'POST', pattern: new RegExp(`^/v1/payment_intents/${ID}/capture$`), handler: (ctx, params, id) => capturePaymentIntent(ctx, id, params) },
  { method: 'POST', pattern: new RegExp(`^/v1/payment_intents/${ID}/cancel$`), handler: (ctx, params, id) => cancelPaymentIntent(ctx, id, params) },
  { method: 'POST', pattern: /^\/v1\/refunds$/, handler: (ctx, params) => createRefund(ctx, params) },
  { method: 'GET', pattern: /^\/v1\/refunds$/, handler: (ctx, params) => listRefunds(ctx, params) },
  { method: 'GET', pattern: new RegExp(`^/v1/refunds/${ID}$`), handler: (ctx, params, id) => retrieveRefund(ctx, id, params) },
  { method: 'GET', pattern: new RegExp(`^/v1/charges/${ID}$`), handler: retrieveCharge },
  { method: 'GET', pattern: new RegExp(`^/v1/payment_methods/${ID}$`), handler: retrievePaymentMethod },
  { method: 'POST', pattern: /^\/v1\/tokens$/, handler: (ctx, params) => createToken(ctx, params) },
];

/** Runs the API operation for `method path`; throws ApiError for Stripe error answers. */
export function dispatch(ctx: HandlerContext, method: string, path: string, params: Params, meta: RequestMeta): ApiResponse {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return route.handler(ctx, params, match[1] ?? '', meta);
  }
  throw unrecognizedUrl(method, path);
}
