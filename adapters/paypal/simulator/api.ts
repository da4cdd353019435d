import type { ApprovalRates } from '../../testkit/steering.js';
import { isPayPalCurrency } from '../amounts.js';
import { newId } from './ids.js';
import { DEFAULT_PAYER_EMAIL, payerIssue } from './payers.js';
import type { AuthorizationRecord, CaptureRecord, OrderRecord, RefundRecord, SimulatorState } from './state.js';

export interface ApiResponse {
  status: number;
  body?: unknown;
}

export interface ApiContext {
  state: SimulatorState;
  approval: ApprovalRates;
  readonly baseUrl: string;
  now(): Date;
  /** Queues a webhook event (PayPal event type, resource type, the resource as PayPal shows it). */
  emit(eventType: string, resourceType: string, resource: Record<string, unknown>, orderId: string): void;
}

export class ApiError extends Error {
  constructor(readonly response: ApiResponse) {
    super(`HTTP ${response.status}`);
  }
}

/** PayPal's error body: `name`, `message`, `debug_id`, `details[]` with an `issue` each. */
export function paypalError(status: number, name: string, issue: string | null, description: string): ApiError {
  return new ApiError({
    status,
    body: { name, message: description, debug_id: newId(13).toLowerCase(), ...(issue ? { details: [{ issue, description }] } : {}), links: [] },
  });
}

const invalid = (issue: string, field: string) => paypalError(400, 'INVALID_REQUEST', issue, `Request is not well-formed, syntactically incorrect, or violates schema (${field}).`);
const unprocessable = (issue: string, description: string) => paypalError(422, 'UNPROCESSABLE_ENTITY', issue, description);
export const notFound = () => paypalError(404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID', 'Specified resource ID does not exist.');

const DECIMALS: Record<string, number> = { HUF: 0, JPY: 0, TWD: 0 };

function money(value: unknown, field: string): { currency: string; value: string } {
  const m = record(value);
  const currency = m?.['currency_code'];
  const text = m?.['value'];
  if (typeof currency !== 'string' || !isPayPalCurrency(currency)) throw invalid('CURRENCY_NOT_SUPPORTED', `${field}.currency_code`);
  if (typeof text !== 'string' || text.length > 32 || !/^\d+(\.\d+)?$/.test(text)) throw invalid('INVALID_PARAMETER_SYNTAX', `${field}.value`);
  const decimals = text.includes('.') ? text.split('.')[1]!.length : 0;
  if (decimals > 0 && (DECIMALS[currency] ?? 2) === 0) throw unprocessable('DECIMALS_NOT_SUPPORTED', `Currency code ${currency} does not support decimals.`);
  if (decimals > (DECIMALS[currency] ?? 2)) throw unprocessable('DECIMAL_PRECISION', 'The value of the field should not have more than the currency\'s decimals.');
  if (Number(text) <= 0) throw unprocessable('AMOUNT_MUST_BE_POSITIVE', 'The amount must be greater than zero.');
  return { currency, value: text };
}

/** Hundredths (or units) as an integer, for sums within one currency. */
const units = (value: string) => Math.round(Number(value) * 100);
const format = (hundredths: number, like: string) => (like.includes('.') ? (hundredths / 100).toFixed(2) : String(hundredths / 100));

function link(href: string, rel: string, method = 'GET') {
  return { href, rel, method };
}

export function orderView(ctx: ApiContext, order: OrderRecord): Record<string, unknown> {
  const amount = { currency_code: order.currency, value: order.value };
  const payments =
    order.authorizations.length + order.captures.length + order.refunds.length > 0
      ? {
          ...(order.authorizations.length ? { authorizations: order.authorizations.map((a) => authorizationView(ctx, order, a)) } : {}),
          ...(order.captures.length ? { captures: order.captures.map((c) => captureView(ctx, order, c)) } : {}),
          ...(order.refunds.length ? { refunds: order.refunds.map((r) => refundView(ctx, order, r)) } : {}),
        }
      : undefined;
  const payer = order.payer;
  return {
    id: order.id,
    intent: order.intent,
    status: order.status,
    payment_source: {
      paypal: payer
        ? { email_address: payer.email, account_id: payer.payerId, account_status: 'VERIFIED', name: { given_name: payer.givenName, surname: payer.surname }, address: { country_code: payer.country } }
        : { ...(order.emailHint ? { email_address: order.emailHint } : {}) },
    },
    ...(payer ? { payer: { email_address: payer.email, payer_id: payer.payerId, name: { given_name: payer.givenName, surname: payer.surname }, address: { country_code: payer.country } } } : {}),
    purchase_units: [
      {
        reference_id: 'default',
        amount,
        payee: { email_address: 'merchant@sandbox.paypal.example', merchant_id: 'SWITCHYARDSIM' },
        ...(order.description ? { description: order.description } : {}),
        ...(order.invoiceId ? { invoice_id: order.invoiceId } : {}),
        ...(order.customId ? { custom_id: order.customId } : {}),
        ...(payments ? { payments } : {}),
      },
    ],
    create_time: order.createTime,
    update_time: order.updateTime,
    links: [
      link(`${ctx.baseUrl}/v2/checkout/orders/${order.id}`, 'self'),
      ...(order.status === 'PAYER_ACTION_REQUIRED' ? [link(`${ctx.baseUrl}/checkoutnow?token=${order.id}`, 'payer-action')] : []),
      ...(order.status === 'APPROVED' ? [link(`${ctx.baseUrl}/v2/checkout/orders/${order.id}/${order.intent === 'CAPTURE' ? 'capture' : 'authorize'}`, order.intent === 'CAPTURE' ? 'capture' : 'authorize', 'POST')] : []),
    ],
  };
}

function related(order: OrderRecord, authorizationId: string | null) {
  return { supplementary_data: { related_ids: { order_id: order.id, ...(authorizationId ? { authorization_id: authorizationId } : {}) } } };
}

export function authorizationView(ctx: ApiContext, order: OrderRecord, a: AuthorizationRecord): Record<string, unknown> {
  return {
    id: a.id,
    status: a.status,
    amount: { currency_code: order.currency, value: a.value },
    ...(order.invoiceId ? { invoice_id: order.invoiceId } : {}),
    ...(order.customId ? { custom_id: order.customId } : {}),
    seller_protection: { status: 'ELIGIBLE' },
    expiration_time: new Date(Date.parse(a.createTime) + 29 * 86_400_000).toISOString(),
    create_time: a.createTime,
    update_time: a.updateTime,
    ...related(order, null),
    links: [link(`${ctx.baseUrl}/v2/payments/authorizations/${a.id}`, 'self'), link(`${ctx.baseUrl}/v2/payments/authorizations/${a.id}/capture`, 'capture', 'POST'), link(`${ctx.baseUrl}/v2/payments/authorizations/${a.id}/void`, 'void', 'POST')],
  };
}

export function captureView(ctx: ApiContext, order: OrderRecord, c: CaptureRecord): Record<string, unknown> {
  return {
    id: c.id,
    status: c.status,
    amount: { currency_code: order.currency, value: c.value },
    final_capture: c.finalCapture,
    ...(c.invoiceId ? { invoice_id: c.invoiceId } : {}),
    ...(order.customId ? { custom_id: order.customId } : {}),
    seller_protection: { status: 'ELIGIBLE' },
    create_time: c.createTime,
    update_time: c.updateTime,
    ...related(order, c.authorizationId),
    links: [link(`${ctx.baseUrl}/v2/payments/captures/${c.id}`, 'self'), link(`${ctx.baseUrl}/v2/payments/captures/${c.id}/refund`, 'refund', 'POST')],
  };
}

export function refundView(ctx: ApiContext, order: OrderRecord, r: RefundRecord): Record<string, unknown> {
  return {
    id: r.id,
    status: r.status,
    amount: { currency_code: order.currency, value: r.value },
    ...(r.invoiceId ? { invoice_id: r.invoiceId } : {}),
    ...(r.customId ? { custom_id: r.customId } : {}),
    create_time: r.createTime,
    update_time: r.createTime,
    links: [link(`${ctx.baseUrl}/v2/payments/refunds/${r.id}`, 'self'), link(`${ctx.baseUrl}/v2/payments/captures/${r.captureId}`, 'up')],
  };
}

/** POST /v2/checkout/orders with a PayPal payment source: the payer must approve it. */
export function createOrder(ctx: ApiContext, body: Record<string, unknown>): ApiResponse {
  const intent = body['intent'];
  if (intent !== 'CAPTURE' && intent !== 'AUTHORIZE') throw invalid('INVALID_PARAMETER_VALUE', 'intent');
  const units = body['purchase_units'];
  if (!Array.isArray(units) || units.length !== 1) throw invalid('INVALID_ARRAY_MAX_ITEMS', 'purchase_units');
  const unit = record(units[0]) ?? {};
  const amount = money(unit['amount'], 'purchase_units[0].amount');
  const invoiceId = text(unit['invoice_id'], 127, 'purchase_units[0].invoice_id');
  if (invoiceId && [...ctx.state.orders.values()].some((o) => o.invoiceId === invoiceId)) throw unprocessable('DUPLICATE_INVOICE_ID', 'Duplicate Invoice ID detected.');
  const paypal = record(record(body['payment_source'])?.['paypal']);
  if (paypal === null) throw invalid('MISSING_REQUIRED_PARAMETER', 'payment_source');
  const experience = record(paypal['experience_context']) ?? {};
  const now = ctx.now().toISOString();
  const order: OrderRecord = {
    id: newId(17),
    intent,
    status: 'PAYER_ACTION_REQUIRED',
    currency: amount.currency,
    value: amount.value,
    invoiceId,
    customId: text(unit['custom_id'], 127, 'purchase_units[0].custom_id'),
    description: text(unit['description'], 127, 'purchase_units[0].description'),
    returnUrl: url(experience['return_url'], 'experience_context.return_url'),
    cancelUrl: url(experience['cancel_url'], 'experience_context.cancel_url'),
    emailHint: text(paypal['email_address'], 254, 'payment_source.paypal.email_address'),
    payer: null,
    createTime: now,
    updateTime: now,
    authorizations: [],
    captures: [],
    refunds: [],
  };
  ctx.state.orders.set(order.id, order);
  return { status: 201, body: orderView(ctx, order) };
}

function findOrder(ctx: ApiContext, id: string): OrderRecord {
  const order = ctx.state.orders.get(id);
  if (!order) throw notFound();
  return order;
}

export function getOrder(ctx: ApiContext, id: string): ApiResponse {
  return { status: 200, body: orderView(ctx, findOrder(ctx, id)) };
}

/** The payer approved at the approval page: PayPal logs them in by the email hint (the sandbox payers). */
export function approveOrder(ctx: ApiContext, order: OrderRecord): void {
  const email = order.emailHint ?? DEFAULT_PAYER_EMAIL;
  order.payer = { payerId: newId(13), email, givenName: 'Sandbox', surname: 'Buyer', country: 'US' };
  order.status = 'APPROVED';
  order.updateTime = ctx.now().toISOString();
  ctx.emit('CHECKOUT.ORDER.APPROVED', 'checkout-order', orderView(ctx, order), order.id);
}

/** The issue completing this order answers: the payer's funding, or the steering's soft decline. */
function completionIssue(ctx: ApiContext, order: OrderRecord): string | null {
  const issue = payerIssue(order.payer?.email ?? null);
  if (issue !== null) return issue;
  return ctx.approval.approves({ network: 'paypal', currency: order.currency, country: order.payer?.country ?? 'US' }) ? null : 'INSTRUMENT_DECLINED';
}

/** POST /v2/checkout/orders/{id}/capture and /authorize. */
export function completeOrder(ctx: ApiContext, id: string, action: 'capture' | 'authorize'): ApiResponse {
  const order = findOrder(ctx, id);
  if ((action === 'capture') !== (order.intent === 'CAPTURE')) throw unprocessable(action === 'capture' ? 'ACTION_DOES_NOT_MATCH_INTENT' : 'ACTION_DOES_NOT_MATCH_INTENT', `Order was created with an intent of '${order.intent}'.`);
  if (order.status === 'COMPLETED') throw unprocessable(action === 'capture' ? 'ORDER_ALREADY_CAPTURED' : 'ORDER_ALREADY_AUTHORIZED', 'Order already completed.');
  if (order.status !== 'APPROVED') throw unprocessable('ORDER_NOT_APPROVED', 'Payer has not yet approved the Order for payment.');
  const issue = completionIssue(ctx, order);
  if (issue !== null) throw unprocessable(issue, 'The instrument presented was either declined by the processor or bank, or it can\'t be used for this payment.');
  const now = ctx.now().toISOString();
  order.status = 'COMPLETED';
  order.updateTime = now;
  if (action === 'capture') {
    const capture: CaptureRecord = { id: newId(17), status: 'COMPLETED', value: order.value, invoiceId: order.invoiceId, authorizationId: null, finalCapture: true, createTime: now, updateTime: now };
    order.captures.push(capture);
    ctx.emit('PAYMENT.CAPTURE.COMPLETED', 'capture', captureView(ctx, order, capture), order.id);
  } else {
    const authorization: AuthorizationRecord = { id: newId(17), status: 'CREATED', value: order.value, createTime: now, updateTime: now };
    order.authorizations.push(authorization);
    ctx.emit('PAYMENT.AUTHORIZATION.CREATED', 'authorization', authorizationView(ctx, order, authorization), order.id);
  }
  return { status: 201, body: orderView(ctx, order) };
}

export function getAuthorization(ctx: ApiContext, id: string): ApiResponse {
  const found = ctx.state.authorization(id);
  if (!found) throw notFound();
  return { status: 200, body: authorizationView(ctx, found.order, found.authorization) };
}

/** POST /v2/payments/authorizations/{id}/capture. */
export function captureAuthorization(ctx: ApiContext, id: string, body: Record<string, unknown>): ApiResponse {
  const found = ctx.state.authorization(id);
  if (!found) throw notFound();
  const { order, authorization } = found;
  if (authorization.status === 'VOIDED') throw unprocessable('AUTHORIZATION_VOIDED', 'A voided authorization cannot be captured.');
  if (authorization.status === 'CAPTURED') throw unprocessable('AUTHORIZATION_ALREADY_CAPTURED', 'Authorization has been previously captured and hence cannot be captured again.');
  const amount = body['amount'] === undefined ? { currency: order.currency, value: authorization.value } : money(body['amount'], 'amount');
  if (amount.currency !== order.currency) throw unprocessable('CURRENCY_MISMATCH', 'Currency of capture must be the same as currency of authorization.');
  const already = order.captures.reduce((s, c) => s + units(c.value), 0);
  if (already + units(amount.value) > units(authorization.value)) throw unprocessable('MAX_CAPTURE_AMOUNT_EXCEEDED', 'Capture amount exceeds allowable limit.');
  const now = ctx.now().toISOString();
  const finalCapture = body['final_capture'] === true;
  const capture: CaptureRecord = { id: newId(17), status: 'COMPLETED', value: amount.value, invoiceId: text(body['invoice_id'], 127, 'invoice_id'), authorizationId: id, finalCapture, createTime: now, updateTime: now };
  order.captures.push(capture);
  authorization.status = finalCapture || already + units(amount.value) === units(authorization.value) ? 'CAPTURED' : 'PARTIALLY_CAPTURED';
  authorization.updateTime = now;
  ctx.emit('PAYMENT.CAPTURE.COMPLETED', 'capture', captureView(ctx, order, capture), order.id);
  return { status: 201, body: captureView(ctx, order, capture) };
}

/** POST /v2/payments/authorizations/{id}/void: 204, or 200 with the authorization for `Prefer: return=representation`. */
export function voidAuthorization(ctx: ApiContext, id: string, representation: boolean): ApiResponse {
  const found = ctx.state.authorization(id);
  if (!found) throw notFound();
  const { order, authorization } = found;
  if (authorization.status === 'CAPTURED' || authorization.status === 'PARTIALLY_CAPTURED') throw unprocessable('PREVIOUSLY_CAPTURED', 'Authorization has been previously captured and hence cannot be voided.');
  if (authorization.status === 'VOIDED') throw unprocessable('PREVIOUSLY_VOIDED', 'Authorization has been previously voided and hence cannot be voided again.');
  authorization.status = 'VOIDED';
  authorization.updateTime = ctx.now().toISOString();
  ctx.emit('PAYMENT.AUTHORIZATION.VOIDED', 'authorization', authorizationView(ctx, order, authorization), order.id);
  return representation ? { status: 200, body: authorizationView(ctx, order, authorization) } : { status: 204 };
}

export function getCapture(ctx: ApiContext, id: string): ApiResponse {
  const found = ctx.state.capture(id);
  if (!found) throw notFound();
  return { status: 200, body: captureView(ctx, found.order, found.capture) };
}

/** POST /v2/payments/captures/{id}/refund. */
export function refundCapture(ctx: ApiContext, id: string, body: Record<string, unknown>): ApiResponse {
  const found = ctx.state.capture(id);
  if (!found) throw notFound();
  const { order, capture } = found;
  if (capture.status === 'DECLINED') throw unprocessable('CAPTURE_STATUS_NOT_VALID', 'Refund cannot be issued against a declined capture.');
  const refunded = order.refunds.filter((r) => r.captureId === id).reduce((s, r) => s + units(r.value), 0);
  const amount = body['amount'] === undefined ? { currency: order.currency, value: format(units(capture.value) - refunded, capture.value) } : money(body['amount'], 'amount');
  if (amount.currency !== order.currency) throw unprocessable('REFUND_CURRENCY_MISMATCH', 'Refund must be in the same currency as the capture.');
  if (refunded >= units(capture.value)) throw unprocessable('CAPTURE_FULLY_REFUNDED', 'The capture has already been fully refunded.');
  if (refunded + units(amount.value) > units(capture.value)) throw unprocessable('REFUND_AMOUNT_EXCEEDED', 'The refund amount must be less than or equal to the capture amount that has not yet been refunded.');
  const now = ctx.now().toISOString();
  const refund: RefundRecord = { id: newId(17), status: 'COMPLETED', value: amount.value, captureId: id, invoiceId: text(body['invoice_id'], 127, 'invoice_id'), customId: text(body['custom_id'], 127, 'custom_id'), createTime: now };
  order.refunds.push(refund);
  capture.status = refunded + units(amount.value) === units(capture.value) ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  capture.updateTime = now;
  ctx.emit('PAYMENT.CAPTURE.REFUNDED', 'refund', refundView(ctx, order, refund), order.id);
  return { status: 201, body: refundView(ctx, order, refund) };
}

export function getRefund(ctx: ApiContext, id: string): ApiResponse {
  const found = ctx.state.refund(id);
  if (!found) throw notFound();
  return { status: 200, body: refundView(ctx, found.order, found.refund) };
}

export function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function text(value: unknown, max: number, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw invalid('INVALID_STRING_LENGTH', field);
  return value;
}

function url(value: unknown, field: string): string | null {
  const href = text(value, 4000, field);
  if (href === null) return null;
  try {
    return new URL(href).toString();
  } catch {
    throw invalid('INVALID_PARAMETER_SYNTAX', field);
  }
}
