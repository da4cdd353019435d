import { randomInt } from 'node:crypto';
import { isCheckoutCurrency } from '../amounts.js';
import type { ApprovalRates } from '../../testkit/steering.js';
import { newId } from './ids.js';
import type { CardBrand } from '../../../src/domain/card.js';
import { PAYMENT_TYPES, type ActionRecord, type ActionType, type CardRecord, type PaymentRecord, type PaymentType, type SimulatorState } from './state.js';
import { spendToken } from './tokens.js';
import { AUTHENTICATION_REQUIRED, cardFacts, DO_NOT_HONOUR, EXPIRED, type CardAnswer } from './test-cards.js';

export interface ApiResponse {
  status: number;
  /** Undefined: no body (Checkout.com answers 401, 403 and 404 without one). */
  body?: unknown;
}

/** What the endpoints need besides the state: where the simulator is, the steering, the clock, and the webhook outbox. */
export interface ApiContext {
  state: SimulatorState;
  approval: ApprovalRates;
  readonly baseUrl: string;
  now(): Date;
  /** Queues a webhook event about a payment (`action` when it is about one of its actions). */
  emit(type: string, payment: PaymentRecord, action: ActionRecord | null): void;
}

export class ApiError extends Error {
  constructor(readonly response: ApiResponse) {
    super(`HTTP ${response.status}`);
  }
}

/** 422 with Checkout.com's error body: the request id, `request_invalid` and the failing fields' codes. */
export function invalid(...codes: string[]): ApiError {
  return new ApiError({ status: 422, body: { request_id: newId('req'), error_type: 'request_invalid', error_codes: codes } });
}

export const notFound = (): ApiError => new ApiError({ status: 404 });
export const notAllowed = (): ApiError => new ApiError({ status: 403 });

/** A payment's source: a card's number and expiry, or a card token made of a wallet token (POST /tokens). */
type SourceInput = { kind: 'card'; number: string; expiryMonth: number; expiryYear: number } | { kind: 'token'; token: unknown };

function paymentSource(source: Record<string, unknown> | null): SourceInput {
  if (source?.['type'] === 'token') return { kind: 'token', token: source['token'] };
  if (source === null || source['type'] !== 'card') throw invalid('source_type_invalid');
  const number = source['number'];
  if (typeof number !== 'string' || !/^\d{12,19}$/.test(number)) throw invalid('card_number_invalid');
  const expiryMonth = source['expiry_month'];
  const expiryYear = source['expiry_year'];
  if (!Number.isInteger(expiryMonth) || (expiryMonth as number) < 1 || (expiryMonth as number) > 12) throw invalid('card_expiry_month_invalid');
  if (!Number.isInteger(expiryYear) || (expiryYear as number) < 2000 || (expiryYear as number) > 2099) throw invalid('card_expiry_year_invalid');
  const cvv = source['cvv'];
  if (cvv !== undefined && (typeof cvv !== 'string' || !/^\d{3,4}$/.test(cvv))) throw invalid('cvv_invalid');
  return { kind: 'card', number, expiryMonth: expiryMonth as number, expiryYear: expiryYear as number };
}

/** The card record and issuer answer for a source; a token is spent (only once the rest of the request is valid). */
function sourceCard(ctx: ApiContext, input: SourceInput): { card: CardRecord; answer: CardAnswer; network: CardBrand } {
  if (input.kind === 'token') return spendToken(ctx, input.token);
  const facts = cardFacts(input.number);
  return {
    card: { bin: input.number.slice(0, 6), last4: input.number.slice(-4), scheme: facts.scheme, expiryMonth: input.expiryMonth, expiryYear: input.expiryYear, cardType: facts.cardType, issuerCountry: facts.issuerCountry },
    answer: facts.answer,
    network: facts.network,
  };
}

/** POST /payments with a card source, or a token source made of a wallet token. */
export function createPayment(ctx: ApiContext, body: Record<string, unknown>): ApiResponse {
  const source = record(body['source']);
  const input = paymentSource(source);
  const currency = body['currency'];
  if (typeof currency !== 'string' || !isCheckoutCurrency(currency)) throw invalid('currency_invalid');
  const amount = checkedAmount(body['amount'], currency);
  const reference = optionalText(body['reference'], 80, 'reference_invalid');
  const threeDs = record(body['3ds'])?.['enabled'] === true;
  const credential = storedCredential(body, source ?? {});
  const metadata = record(body['metadata']) ?? {};
  const successUrl = optionalText(body['success_url'], 1024, 'success_url_invalid');
  const failureUrl = optionalText(body['failure_url'], 1024, 'failure_url_invalid');
  const description = optionalText(body['description'], 100, 'description_invalid');
  const email = optionalText(record(body['customer'])?.['email'], 255, 'customer_email_invalid');

  const { card, answer: issuerAnswer, network } = sourceCard(ctx, input);
  const now = ctx.now();
  const payment: PaymentRecord = {
    id: newId('pay'),
    sessionId: null,
    reference,
    amount,
    currency,
    capture: body['capture'] !== false,
    ...credential,
    schemeId: null,
    status: 'Pending',
    responseCode: '',
    responseSummary: '',
    card,
    threeDs,
    successUrl,
    failureUrl,
    description,
    email,
    metadata: Object.fromEntries(Object.entries(metadata).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
    requestedOn: now.toISOString(),
    authorized: 0,
    captured: 0,
    refunded: 0,
    released: 0,
    actions: [],
  };
  ctx.state.add(payment);

  const expired = new Date(Date.UTC(payment.card.expiryYear, payment.card.expiryMonth)) <= now;
  let answer: CardAnswer = expired ? EXPIRED : issuerAnswer;
  if (answer.kind === 'three_d_secure') {
    // No shopper is there to authenticate a merchant-initiated payment: it is out of scope for SCA, and the issuer decides without a challenge.
    // A wallet's token carries the device's cryptogram: the shopper authenticated on the device already.
    if (payment.merchantInitiated || input.kind === 'token') answer = { kind: 'approve' };
    else if (!threeDs) answer = AUTHENTICATION_REQUIRED;
    else {
      payment.sessionId = newId('sid');
      ctx.state.add(payment);
      return { status: 202, body: pendingView(ctx, payment) };
    }
  }
  if (answer.kind === 'approve' && !ctx.approval.approves({ network, currency, country: card.issuerCountry ?? 'US' })) answer = DO_NOT_HONOUR;
  authorize(ctx, payment, answer);
  return { status: 201, body: paymentAnswer(ctx, payment) };
}

/** Decides the authorization (and the capture asked for with it), and queues its webhooks. */
export function authorize(ctx: ApiContext, payment: PaymentRecord, answer: CardAnswer): void {
  const approved = answer.kind === 'approve';
  payment.responseCode = approved ? '10000' : answer.kind === 'decline' ? answer.code : '20154';
  payment.responseSummary = approved ? 'Approved' : answer.kind === 'decline' ? answer.summary : '3DS authentication required';
  const auth = addAction(ctx, payment, 'Authorization', payment.amount, approved, payment.reference);
  if (!approved) {
    payment.status = 'Declined';
    ctx.emit(payment.responseCode === '20151' ? 'payment_authentication_failed' : 'payment_declined', payment, auth);
    return;
  }
  payment.status = 'Authorized';
  payment.authorized = payment.amount;
  payment.schemeId = schemeTransactionId();
  ctx.emit('payment_approved', payment, auth);
  if (payment.capture) {
    payment.captured = payment.amount;
    payment.status = 'Captured';
    ctx.emit('payment_captured', payment, addAction(ctx, payment, 'Capture', payment.amount, true, payment.reference));
  }
}

/** POST /payments/{id}/captures: 202 with the action id; the capture is final (the rest is released). */
export function capturePayment(ctx: ApiContext, id: string, body: Record<string, unknown>): ApiResponse {
  const payment = ctx.state.payments.get(id);
  if (!payment) throw notFound();
  const amount = body['amount'] === undefined ? payment.authorized : checkedAmount(body['amount'], payment.currency);
  if (payment.status !== 'Authorized' || payment.captured > 0 || payment.released > 0) throw notAllowed();
  if (amount > payment.authorized) throw invalid('amount_exceeds_balance');
  payment.captured = amount;
  payment.released = payment.authorized - amount;
  payment.status = 'Captured';
  const action = addAction(ctx, payment, 'Capture', amount, true, optionalText(body['reference'], 80, 'reference_invalid'));
  ctx.emit('payment_captured', payment, action);
  return accepted(ctx, payment, action);
}

/** POST /payments/{id}/voids: only an authorization nothing was captured of. */
export function voidPayment(ctx: ApiContext, id: string, body: Record<string, unknown>): ApiResponse {
  const payment = ctx.state.payments.get(id);
  if (!payment) throw notFound();
  if (payment.status !== 'Authorized' || payment.captured > 0) throw notAllowed();
  payment.released = payment.authorized;
  payment.status = 'Voided';
  const action = addAction(ctx, payment, 'Void', payment.authorized, true, optionalText(body['reference'], 80, 'reference_invalid'));
  ctx.emit('payment_voided', payment, action);
  return accepted(ctx, payment, action);
}

/** POST /payments/{id}/refunds: in full (no amount) or in part, up to what was captured and not refunded. */
export function refundPayment(ctx: ApiContext, id: string, body: Record<string, unknown>): ApiResponse {
  const payment = ctx.state.payments.get(id);
  if (!payment) throw notFound();
  if (payment.captured === 0) throw notAllowed();
  const left = payment.captured - payment.refunded;
  const amount = body['amount'] === undefined ? left : checkedAmount(body['amount'], payment.currency);
  if (amount > left) throw invalid('refund_amount_exceeds_balance');
  payment.refunded += amount;
  payment.status = payment.refunded === payment.captured ? 'Refunded' : 'Partially Refunded';
  const action = addAction(ctx, payment, 'Refund', amount, true, optionalText(body['reference'], 80, 'reference_invalid'));
  ctx.emit('payment_refunded', payment, action);
  return accepted(ctx, payment, action);
}

/** GET /payments/{id}, by payment id or 3-D Secure session id. */
export function getPayment(ctx: ApiContext, id: string): ApiResponse {
  const payment = ctx.state.find(id);
  if (!payment) throw notFound();
  return { status: 200, body: details(ctx, payment) };
}

/** GET /payments?reference=&limit=&skip=: newest first. */
export function listPayments(ctx: ApiContext, query: URLSearchParams): ApiResponse {
  const reference = query.get('reference');
  const limit = Number(query.get('limit') ?? 10);
  const skip = Number(query.get('skip') ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid('paging_limit_invalid');
  if (!Number.isInteger(skip) || skip < 0) throw invalid('paging_skip_invalid');
  const matching = [...ctx.state.payments.values()].filter((p) => reference === null || p.reference === reference).reverse();
  return { status: 200, body: { limit, skip, total_count: matching.length, data: matching.slice(skip, skip + limit).map((p) => details(ctx, p)) } };
}

/** GET /payments/{id}/actions: newest first. */
export function listActions(ctx: ApiContext, id: string): ApiResponse {
  const payment = ctx.state.payments.get(id);
  if (!payment) throw notFound();
  return { status: 200, body: [...payment.actions].reverse().map(actionView) };
}

function addAction(ctx: ApiContext, payment: PaymentRecord, type: ActionType, amount: number, approved: boolean, reference: string | null): ActionRecord {
  const action: ActionRecord = {
    id: newId('act'),
    type,
    amount,
    approved,
    responseCode: type === 'Authorization' ? payment.responseCode : '10000',
    responseSummary: type === 'Authorization' ? payment.responseSummary : 'Approved',
    reference,
    processedOn: ctx.now().toISOString(),
  };
  payment.actions.push(action);
  return action;
}

function accepted(ctx: ApiContext, payment: PaymentRecord, action: ActionRecord): ApiResponse {
  return { status: 202, body: { action_id: action.id, reference: action.reference ?? undefined, _links: { payment: { href: `${ctx.baseUrl}/payments/${payment.id}` } } } };
}

function links(ctx: ApiContext, payment: PaymentRecord): Record<string, { href: string }> {
  const self = `${ctx.baseUrl}/payments/${payment.id}`;
  return {
    self: { href: self },
    actions: { href: `${self}/actions` },
    ...(payment.status === 'Authorized' && payment.captured === 0 ? { capture: { href: `${self}/captures` }, void: { href: `${self}/voids` } } : {}),
    ...(payment.captured > payment.refunded ? { refund: { href: `${self}/refunds` } } : {}),
    ...(payment.status === 'Pending' && payment.sessionId ? { redirect: { href: `${ctx.baseUrl}/_sim/3ds/${payment.sessionId}` } } : {}),
  };
}

function sourceView(payment: PaymentRecord): Record<string, unknown> {
  return { type: 'card', id: `src_${payment.id.slice(4)}`, ...cardView(payment.card) };
}

/** A card as Checkout.com describes it in a payment's source and in a token: never its number. */
export function cardView(card: CardRecord): Record<string, unknown> {
  return {
    expiry_month: card.expiryMonth,
    expiry_year: card.expiryYear,
    scheme: card.scheme,
    last4: card.last4,
    bin: card.bin,
    ...(card.cardType ? { card_type: card.cardType, card_category: 'Consumer' } : {}),
    ...(card.issuerCountry ? { issuer_country: card.issuerCountry } : {}),
  };
}

function pendingView(ctx: ApiContext, payment: PaymentRecord): Record<string, unknown> {
  return {
    id: payment.id,
    status: 'Pending',
    reference: payment.reference ?? undefined,
    '3ds': { downgraded: false, enrolled: 'Y' },
    _links: links(ctx, payment),
  };
}

/** The answer to POST /payments. With `capture`, the capture is done at once, yet the answer still says Authorized. */
function paymentAnswer(ctx: ApiContext, payment: PaymentRecord): Record<string, unknown> {
  const approved = payment.status !== 'Declined';
  const auth = payment.actions.find((a) => a.type === 'Authorization');
  return {
    id: payment.id,
    action_id: auth?.id,
    amount: payment.amount,
    currency: payment.currency,
    approved,
    status: approved ? 'Authorized' : 'Declined',
    ...(approved ? { auth_code: payment.id.slice(-6).toUpperCase() } : {}),
    ...(payment.schemeId === null ? {} : { scheme_id: payment.schemeId }),
    response_code: payment.responseCode,
    response_summary: payment.responseSummary,
    ...(payment.threeDs ? { '3ds': { downgraded: false, enrolled: 'N' } } : {}),
    risk: { flagged: payment.responseCode.startsWith('4') },
    source: sourceView(payment),
    ...(payment.email ? { customer: { id: `cus_${payment.id.slice(4)}`, email: payment.email } } : {}),
    processed_on: auth?.processedOn,
    reference: payment.reference ?? undefined,
    _links: links(ctx, payment),
  };
}

/** GET /payments/{id}: the payment now, with a summary of its actions. */
function details(ctx: ApiContext, payment: PaymentRecord): Record<string, unknown> {
  const capturable = payment.status === 'Authorized' ? payment.authorized - payment.captured - payment.released : 0;
  return {
    id: payment.id,
    requested_on: payment.requestedOn,
    source: sourceView(payment),
    amount: payment.amount,
    currency: payment.currency,
    payment_type: payment.paymentType,
    ...(payment.merchantInitiated ? { merchant_initiated: true, previous_payment_id: payment.previousPaymentId } : {}),
    ...(payment.schemeId === null ? {} : { scheme_id: payment.schemeId }),
    reference: payment.reference ?? undefined,
    description: payment.description ?? undefined,
    approved: payment.status !== 'Declined' && payment.status !== 'Pending',
    status: payment.status,
    balances: {
      total_authorized: payment.authorized,
      total_voided: payment.status === 'Voided' ? payment.released : 0,
      available_to_void: capturable,
      total_captured: payment.captured,
      available_to_capture: capturable,
      total_refunded: payment.refunded,
      available_to_refund: payment.captured - payment.refunded,
    },
    ...(payment.threeDs ? { '3ds': { downgraded: false, enrolled: payment.sessionId ? 'Y' : 'N' } } : {}),
    risk: { flagged: payment.responseCode.startsWith('4') },
    ...(payment.email ? { customer: { id: `cus_${payment.id.slice(4)}`, email: payment.email } } : {}),
    metadata: payment.metadata,
    actions: [...payment.actions].reverse().map((a) => ({ id: a.id, type: a.type, response_code: a.responseCode, response_summary: a.responseSummary })),
    _links: links(ctx, payment),
  };
}

function actionView(action: ActionRecord): Record<string, unknown> {
  return {
    id: action.id,
    type: action.type,
    processed_on: action.processedOn,
    amount: action.amount,
    approved: action.approved,
    response_code: action.responseCode,
    response_summary: action.responseSummary,
    reference: action.reference ?? undefined,
  };
}

/**
 * `payment_type`, `merchant_initiated`, `previous_payment_id` and `source.stored`. A
 * merchant-initiated payment must cite the payment (or another acquirer's scheme transaction id)
 * the cardholder consented in: without one it is refused. The error code is modelled (Checkout.com
 * documents the field as required for MITs, not the code it answers).
 */
function storedCredential(body: Record<string, unknown>, source: Record<string, unknown>): Pick<PaymentRecord, 'paymentType' | 'merchantInitiated' | 'previousPaymentId' | 'storedCard'> {
  const paymentType = body['payment_type'] ?? 'Regular';
  if (!(PAYMENT_TYPES as readonly unknown[]).includes(paymentType)) throw invalid('payment_type_invalid');
  const merchantInitiated = body['merchant_initiated'] ?? false;
  if (typeof merchantInitiated !== 'boolean') throw invalid('merchant_initiated_invalid');
  for (const flag of ['stored', 'store_for_future_use']) {
    if (source[flag] !== undefined && typeof source[flag] !== 'boolean') throw invalid(`source_${flag}_invalid`);
  }
  const previousPaymentId = optionalText(body['previous_payment_id'], 100, 'previous_payment_id_invalid');
  if (merchantInitiated && (previousPaymentId === null || previousPaymentId.length === 0)) throw invalid('previous_payment_id_required');
  return { paymentType: paymentType as PaymentType, merchantInitiated, previousPaymentId, storedCard: source['stored'] === true };
}

/** A scheme transaction id as the card networks issue them (Visa: 15 digits). */
function schemeTransactionId(): string {
  return String(randomInt(1, 10)) + String(randomInt(0, 1e7)).padStart(7, '0') + String(randomInt(0, 1e7)).padStart(7, '0');
}

/** An amount in Checkout.com's units: a positive integer of at most nine digits, a multiple of 10 in three-decimal currencies. */
function checkedAmount(value: unknown, currency: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 999_999_999) throw invalid('amount_invalid');
  if (THOUSANDTHS.has(currency) && value % 10 !== 0) throw invalid('amount_invalid');
  return value;
}

/** "The last digit must always be a 0" in these currencies (see ../amounts.ts). */
const THOUSANDTHS: ReadonlySet<string> = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

function optionalText(value: unknown, max: number, code: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max) throw invalid(code);
  return value;
}

export function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
