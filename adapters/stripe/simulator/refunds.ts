import type { HandlerContext } from './context.js';
import { checkAmountUnits } from './amount-units.js';
import { docUrl, invalidRequest, ok, paramErrors, resourceMissing, type ApiResponse } from './errors.js';
import { newId, unixSeconds } from './ids.js';
import { expandList, mergeMetadata, optionalEnum, optionalInteger, optionalString, rejectUnknown, type Params } from './params.js';
import { renderCharge, renderRefund } from './resources.js';
import type { ChargeRecord, PaymentIntentRecord, RefundRecord } from './state.js';

const CREATE_PARAMS = ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand', 'instructions_email', 'refund_application_fee', 'reverse_transfer'] as const;
const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency}`;
}

function target(ctx: HandlerContext, params: Params): { pi: PaymentIntentRecord; charge: ChargeRecord | undefined } {
  const piId = optionalString(params, 'payment_intent');
  const chargeId = optionalString(params, 'charge');
  if (piId === undefined && chargeId === undefined) {
    throw paramErrors.invalid('payment_intent', 'One of the following params should be provided for this request: payment_intent or charge.');
  }
  if (piId !== undefined && chargeId !== undefined) {
    throw paramErrors.invalid('charge', 'You can only specify one of these parameters: payment_intent, charge.');
  }
  if (chargeId !== undefined) {
    const charge = ctx.state.charges.get(chargeId);
    if (!charge) throw resourceMissing('charge', chargeId, 'charge');
    const pi = ctx.state.paymentIntents.get(charge.paymentIntentId);
    if (!pi) throw resourceMissing('charge', chargeId, 'charge');
    return { pi, charge };
  }
  const pi = ctx.state.paymentIntents.get(piId as string);
  if (!pi) throw resourceMissing('payment_intent', piId as string, 'payment_intent');
  return { pi, charge: pi.latestChargeId ? ctx.state.charges.get(pi.latestChargeId) : undefined };
}

export function createRefund(ctx: HandlerContext, params: Params): ApiResponse {
  rejectUnknown(params, CREATE_PARAMS);
  const requested = optionalInteger(params, 'amount');
  const reason = optionalEnum(params, 'reason', REASONS) ?? null;
  const metadata = mergeMetadata(params, {});
  const expand = expandList(params);
  if (requested !== undefined && requested < 1) {
    throw paramErrors.invalid('amount', 'This value must be greater than or equal to 1.', 'parameter_invalid_integer');
  }
  const { pi, charge } = target(ctx, params);

  if (pi.status !== 'succeeded' || !charge || charge.status !== 'succeeded' || !charge.captured) {
    const hint = pi.status === 'requires_capture' ? ' Cancel the PaymentIntent to release an uncaptured authorization.' : '';
    throw invalidRequest(400, `This PaymentIntent (${pi.id}) does not have a successful charge to refund.${hint}`, {
      code: 'charge_not_refundable',
      param: 'payment_intent',
      doc_url: docUrl('charge_not_refundable'),
    });
  }
  const remaining = pi.amountReceived - pi.refunded;
  if (remaining <= 0) {
    throw invalidRequest(400, `Charge ${charge.id} has already been refunded.`, {
      code: 'charge_already_refunded',
      charge: charge.id,
      doc_url: docUrl('charge_already_refunded'),
    });
  }
  const amount = requested ?? remaining;
  checkAmountUnits(amount, pi.currency, 'amount');
  if (amount > remaining) {
    throw invalidRequest(
      400,
      `Refund amount (${money(amount, pi.currency)}) is greater than unrefunded amount on charge (${money(remaining, pi.currency)})`,
      { code: 'amount_too_large', param: 'amount', doc_url: docUrl('amount_too_large') },
    );
  }

  const now = ctx.now();
  const refund: RefundRecord = {
    id: newId('re'),
    created: unixSeconds(now),
    amount,
    currency: pi.currency,
    paymentIntentId: pi.id,
    chargeId: charge.id,
    reason,
    metadata,
    status: 'succeeded',
  };
  ctx.state.refunds.set(refund.id, refund);
  charge.amountRefunded += amount;
  pi.refunded += amount;
  ctx.state.record('refunded', pi, amount, now);
  // As Stripe does since API 2024-10-28: charge.refunded (the charge, no refund list) and refund.created.
  ctx.emit('charge.refunded', renderCharge(ctx.state, charge));
  ctx.emit('refund.created', renderRefund(ctx.state, refund));
  return ok(renderRefund(ctx.state, refund, expand));
}

export function retrieveRefund(ctx: HandlerContext, id: string, params: Params): ApiResponse {
  rejectUnknown(params, ['expand']);
  const refund = ctx.state.refunds.get(id);
  if (!refund) throw resourceMissing('refund', id);
  return ok(renderRefund(ctx.state, refund, expandList(params)));
}

/**
 * `GET /v1/refunds`: newest first, optionally of one `payment_intent` or `charge`, paged with
 * `limit` (1–100, default 10), `starting_after` or `ending_before` (a refund id of the list).
 */
export function listRefunds(ctx: HandlerContext, params: Params): ApiResponse {
  rejectUnknown(params, ['payment_intent', 'charge', 'limit', 'starting_after', 'ending_before', 'expand', 'created']);
  const piId = optionalString(params, 'payment_intent');
  const chargeId = optionalString(params, 'charge');
  const limit = optionalInteger(params, 'limit') ?? 10;
  if (limit < 1 || limit > 100) throw paramErrors.invalid('limit', 'This value must be between 1 and 100.', 'parameter_invalid_integer');
  const startingAfter = optionalString(params, 'starting_after');
  const endingBefore = optionalString(params, 'ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw paramErrors.invalid('ending_before', 'You may only specify one of these parameters: starting_after, ending_before.');
  }
  if (piId !== undefined && !ctx.state.paymentIntents.has(piId)) throw resourceMissing('payment_intent', piId, 'payment_intent');
  if (chargeId !== undefined && !ctx.state.charges.has(chargeId)) throw resourceMissing('charge', chargeId, 'charge');
  const itemExpand = expandList(params)
    .filter((path) => path.startsWith('data.'))
    .map((path) => path.slice('data.'.length));

  // Newest first: insertion order reversed (`created` has only second resolution).
  const all = [...ctx.state.refunds.values()]
    .reverse()
    .filter((refund) => (piId === undefined || refund.paymentIntentId === piId) && (chargeId === undefined || refund.chargeId === chargeId));
  let page: RefundRecord[];
  let hasMore: boolean;
  if (endingBefore !== undefined) {
    const index = cursorIndex(all, endingBefore, 'ending_before');
    const from = Math.max(0, index - limit);
    page = all.slice(from, index);
    hasMore = from > 0;
  } else {
    const from = startingAfter === undefined ? 0 : cursorIndex(all, startingAfter, 'starting_after') + 1;
    page = all.slice(from, from + limit);
    hasMore = from + limit < all.length;
  }
  return ok({ object: 'list', url: '/v1/refunds', has_more: hasMore, data: page.map((refund) => renderRefund(ctx.state, refund, itemExpand)) });
}

function cursorIndex(list: readonly RefundRecord[], id: string, param: string): number {
  const index = list.findIndex((refund) => refund.id === id);
  if (index < 0) throw resourceMissing('refund', id, param);
  return index;
}
