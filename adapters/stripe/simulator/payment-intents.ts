import type { HandlerContext, RequestMeta } from './context.js';
import { checkAmountUnits } from './amount-units.js';
import {
  ApiError,
  docUrl,
  invalidRequest,
  ok,
  paramErrors,
  resourceMissing,
  unexpectedState,
  type ApiResponse,
  type StripeErrorObject,
} from './errors.js';
import { newId, randomToken, unixSeconds } from './ids.js';
import {
  expandList,
  mergeMetadata,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  rejectUnknown,
  requiredInteger,
  requiredString,
  type Params,
} from './params.js';
import { BANK_DEBIT_TYPES, checkDebitConfirmation, startDebit } from './bank-debits.js';
import { resolvePaymentMethod } from './payment-methods.js';
import { renderPaymentIntent, renderPaymentMethod } from './resources.js';
import type { CaptureMethod, ChargeRecord, PaymentIntentRecord, PaymentIntentStatus, PaymentMethodRecord } from './state.js';
import { ISSUER_SOFT_DECLINE } from './test-cards.js';

const CAPTURE_METHODS: readonly CaptureMethod[] = ['automatic', 'automatic_async', 'manual'];
const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;

/** Parameters accepted on create. Those not modelled by the simulator are accepted and ignored. */
const CREATE_PARAMS = [
  'amount', 'currency', 'capture_method', 'confirm', 'payment_method', 'payment_method_data',
  'payment_method_types', 'allowed_payment_method_types', 'excluded_payment_method_types', 'automatic_payment_methods',
  'description', 'metadata', 'return_url', 'expand', 'receipt_email', 'statement_descriptor',
  'statement_descriptor_suffix', 'customer', 'off_session', 'setup_future_usage', 'confirmation_method',
  'error_on_requires_action', 'payment_method_options', 'shipping', 'transfer_group', 'use_stripe_sdk', 'mandate_data',
] as const;
const CONFIRM_PARAMS = [
  'payment_method', 'payment_method_data', 'return_url', 'capture_method', 'expand', 'receipt_email', 'off_session',
  'setup_future_usage', 'payment_method_options', 'payment_method_types', 'allowed_payment_method_types',
  'excluded_payment_method_types', 'error_on_requires_action', 'shipping', 'use_stripe_sdk', 'mandate_data',
] as const;
const CAPTURE_PARAMS = ['amount_to_capture', 'expand', 'metadata', 'final_capture', 'statement_descriptor', 'statement_descriptor_suffix'] as const;
const CANCEL_PARAMS = ['cancellation_reason', 'expand'] as const;
const RETRIEVE_PARAMS = ['expand', 'client_secret'] as const;

const CONFIRMABLE: readonly PaymentIntentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE: readonly PaymentIntentStatus[] = [
  'requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing',
];

/** Stripe's minimum charge amounts for common currencies (smallest unit). Others: at least 1. */
const MINIMUM_AMOUNT: Readonly<Record<string, number>> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50, jpy: 50 };
const MAXIMUM_AMOUNT = 99_999_999;

const RETURN_URL_REQUIRED_MESSAGE =
  'A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods ' +
  'enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept ' +
  'redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and ' +
  '`automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.';

function render(ctx: HandlerContext, pi: PaymentIntentRecord, expand: readonly string[] = []): Record<string, unknown> {
  return renderPaymentIntent(ctx.state, pi, expand);
}

function findPaymentIntent(ctx: HandlerContext, id: string): PaymentIntentRecord {
  const pi = ctx.state.paymentIntents.get(id);
  if (!pi) throw resourceMissing('payment_intent', id);
  return pi;
}

function validateAmount(amount: number, currency: string): void {
  if (amount < 1) {
    throw paramErrors.invalid('amount', 'This value must be greater than or equal to 1.', 'parameter_invalid_integer');
  }
  const minimum = MINIMUM_AMOUNT[currency];
  if (minimum !== undefined && amount < minimum) {
    throw paramErrors.invalid('amount', `Amount must be at least ${(minimum / 100).toFixed(2)} ${currency}`, 'amount_too_small');
  }
  if (amount > MAXIMUM_AMOUNT) {
    throw paramErrors.invalid('amount', `Amount must be no more than ${MAXIMUM_AMOUNT} in the smallest currency unit`, 'amount_too_large');
  }
  checkAmountUnits(amount, currency, 'amount');
}

type PaymentMethodSetup = Pick<PaymentIntentRecord, 'automaticPaymentMethods' | 'allowedPaymentMethodTypes' | 'paymentMethodTypes' | 'returnUrlRequired'>;

/** Payment method type lists: `allowed_payment_method_types` (pinned API 2026-10-28) or the older `payment_method_types`. */
function typeList(params: Params): { name: string; types: string[] } | undefined {
  for (const name of ['allowed_payment_method_types', 'payment_method_types']) {
    const value = params[name];
    if (value === undefined || value === '') continue;
    const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : [value];
    for (const type of list) {
      if (type !== 'card' && !(BANK_DEBIT_TYPES as readonly unknown[]).includes(type)) {
        throw paramErrors.invalid(name, `The simulator supports the card and sepa_debit payment method types, not '${String(type)}'.`);
      }
    }
    return { name, types: list as string[] };
  }
  return undefined;
}

function paymentMethodSetup(params: Params): PaymentMethodSetup {
  const types = typeList(params);
  const automatic = optionalObject(params, 'automatic_payment_methods');
  if (types !== undefined && automatic !== undefined) {
    throw paramErrors.invalid(
      'automatic_payment_methods',
      `You may only specify one of these parameters: automatic_payment_methods, ${types.name}.`,
    );
  }
  if (types !== undefined) {
    return {
      automaticPaymentMethods: null,
      allowedPaymentMethodTypes: types.name === 'allowed_payment_method_types' ? types.types : null,
      paymentMethodTypes: types.types,
      returnUrlRequired: false,
    };
  }
  if (automatic !== undefined) {
    rejectUnknown(automatic, ['enabled', 'allow_redirects'], 'automatic_payment_methods');
    const enabled = optionalBoolean(automatic, 'enabled', 'automatic_payment_methods[enabled]') ?? false;
    const allowRedirects =
      optionalEnum(automatic, 'allow_redirects', ['always', 'never'] as const, 'automatic_payment_methods[allow_redirects]') ?? 'always';
    return {
      automaticPaymentMethods: { enabled, allow_redirects: allowRedirects },
      allowedPaymentMethodTypes: null,
      paymentMethodTypes: ['card'],
      returnUrlRequired: enabled && allowRedirects === 'always',
    };
  }
  // Stripe's default on current API versions: the Dashboard's methods. Whether that needs a
  // return_url depends on the account's settings, which the simulator does not model.
  return {
    automaticPaymentMethods: { enabled: true, allow_redirects: 'always' },
    allowedPaymentMethodTypes: null,
    paymentMethodTypes: ['card'],
    returnUrlRequired: false,
  };
}

function optionalReturnUrl(params: Params): string | undefined {
  const value = optionalString(params, 'return_url');
  if (value === undefined) return undefined;
  try {
    new URL(value);
  } catch {
    throw paramErrors.invalid('return_url', 'Not a valid URL', 'url_invalid');
  }
  return value;
}

const THREE_D_SECURE_REQUESTS = ['automatic', 'any', 'challenge'] as const;

/**
 * `payment_method_options[card][request_three_d_secure]`. Kept and shown on the PaymentIntent;
 * it changes no outcome: the simulator's 3-D Secure cards always ask for authentication and its
 * other cards are not enrolled, so Stripe would authorize them without a challenge either way.
 */
function threeDSecureRequest(params: Params): PaymentIntentRecord['requestThreeDSecure'] | undefined {
  const options = optionalObject(params, 'payment_method_options');
  if (options === undefined) return undefined;
  const card = optionalObject(options, 'card', 'payment_method_options[card]');
  if (card === undefined) return undefined;
  return optionalEnum(card, 'request_three_d_secure', THREE_D_SECURE_REQUESTS, 'payment_method_options[card][request_three_d_secure]');
}

const MIT_REFERENCE_PARAM = 'payment_method_options[card][mit_exemption][network_transaction_id]';

/**
 * A merchant-initiated payment on card details the merchant vaulted itself: `off_session: true`
 * with `payment_method_options[card][mit_exemption][network_transaction_id]`, the network's id of
 * the first payment the customer consented to. Without it, card details sent off session would
 * reach the network as an unauthenticated customer payment; the reference alone, on session, is
 * no exemption to claim.
 */
function checkStoredCredential(params: Params): void {
  const offSession = optionalBoolean(params, 'off_session') ?? false;
  const card = optionalObject(optionalObject(params, 'payment_method_options') ?? {}, 'card', 'payment_method_options[card]');
  const exemption = card === undefined ? undefined : optionalObject(card, 'mit_exemption', 'payment_method_options[card][mit_exemption]');
  if (exemption !== undefined) rejectUnknown(exemption, ['network_transaction_id'], 'payment_method_options[card][mit_exemption]');
  const reference = exemption === undefined ? undefined : optionalString(exemption, 'network_transaction_id', MIT_REFERENCE_PARAM);
  if (reference !== undefined && !offSession) throw paramErrors.invalid(MIT_REFERENCE_PARAM, 'An MIT exemption can only be claimed for an off-session payment (off_session: true).');
  if (offSession && params['payment_method_data'] !== undefined && (reference === undefined || !/^[0-9A-Za-z]{9,32}$/.test(reference))) {
    throw paramErrors.invalid(MIT_REFERENCE_PARAM, 'An off-session payment with card details must cite the network transaction id of the customer-initiated payment that stored them.');
  }
}

function missingPaymentMethod(): ApiError {
  return new ApiError(
    400,
    {
      type: 'invalid_request_error',
      code: 'payment_intent_unexpected_state',
      doc_url: docUrl('payment_intent_unexpected_state'),
      message:
        "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent, " +
        'pass a payment_method or payment_method_data.',
    },
    false,
  );
}

type NewPaymentIntent = Pick<PaymentIntentRecord, 'id' | 'created' | 'amount' | 'currency' | 'captureMethod' | 'status'> &
  Partial<PaymentIntentRecord>;

/** A PaymentIntent record with Stripe's defaults for whatever `fields` leaves out. */
export function newPaymentIntent(fields: NewPaymentIntent): PaymentIntentRecord {
  return {
    clientSecret: `${fields.id}_secret_${randomToken(25)}`,
    automaticPaymentMethods: null,
    allowedPaymentMethodTypes: ['card'],
    paymentMethodTypes: ['card'],
    returnUrlRequired: false,
    description: null,
    metadata: {},
    idempotencyKey: null,
    returnUrl: null,
    paymentMethodId: null,
    latestChargeId: null,
    lastPaymentError: null,
    nextAction: null,
    amountCapturable: 0,
    amountReceived: 0,
    canceledAt: null,
    cancellationReason: null,
    authorized: 0,
    captured: 0,
    refunded: 0,
    released: 0,
    declines: 0,
    ...fields,
  };
}

export function createPaymentIntent(ctx: HandlerContext, params: Params, meta: RequestMeta): ApiResponse {
  rejectUnknown(params, CREATE_PARAMS);
  const amount = requiredInteger(params, 'amount');
  const currencyRaw = requiredString(params, 'currency');
  const currency = currencyRaw.toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) {
    throw paramErrors.invalid('currency', `Invalid currency: ${currencyRaw}. Stripe currently supports these currencies: usd, eur, gbp, ...`);
  }
  validateAmount(amount, currency);
  const captureMethod = optionalEnum(params, 'capture_method', CAPTURE_METHODS) ?? 'automatic_async';
  const confirm = optionalBoolean(params, 'confirm') ?? false;
  const returnUrl = optionalReturnUrl(params) ?? null;
  if (returnUrl !== null && !confirm) {
    throw paramErrors.invalid('return_url', 'The parameter `return_url` can only be passed when `confirm` is set to true.');
  }
  const setup = paymentMethodSetup(params);
  const requestThreeDSecure = threeDSecureRequest(params);
  checkStoredCredential(params);
  const description = optionalString(params, 'description') ?? null;
  const metadata = mergeMetadata(params, {});
  const expand = expandList(params);
  if (confirm && setup.returnUrlRequired && returnUrl === null) {
    throw paramErrors.invalid('return_url', RETURN_URL_REQUIRED_MESSAGE);
  }

  // A bad card fails here with a 402, before any PaymentIntent exists (as when Stripe cannot create the PaymentMethod).
  const pm = resolvePaymentMethod(ctx, params);
  if (confirm && !pm) throw missingPaymentMethod();
  if (confirm && pm?.bankDebit) checkDebitConfirmation(params, { paymentMethodTypes: setup.paymentMethodTypes, currency, captureMethod }, pm.bankDebit);

  const pi = newPaymentIntent({
    id: newId('pi'),
    created: unixSeconds(ctx.now()),
    amount,
    currency,
    captureMethod,
    ...setup,
    status: pm ? 'requires_confirmation' : 'requires_payment_method',
    description,
    metadata,
    idempotencyKey: meta.idempotencyKey,
    returnUrl,
    ...(requestThreeDSecure === undefined ? {} : { requestThreeDSecure }),
    paymentMethodId: pm?.id ?? null,
  });
  ctx.state.paymentIntents.set(pi.id, pi);
  if (confirm && pm) return attemptPayment(ctx, pi, pm, false, expand);
  return ok(render(ctx, pi, expand));
}

export function retrievePaymentIntent(ctx: HandlerContext, id: string, params: Params): ApiResponse {
  rejectUnknown(params, RETRIEVE_PARAMS);
  return ok(render(ctx, findPaymentIntent(ctx, id), expandList(params)));
}

export function confirmPaymentIntent(ctx: HandlerContext, id: string, params: Params): ApiResponse {
  rejectUnknown(params, CONFIRM_PARAMS);
  const captureMethod = optionalEnum(params, 'capture_method', CAPTURE_METHODS);
  const returnUrl = optionalReturnUrl(params);
  const requestThreeDSecure = threeDSecureRequest(params);
  const expand = expandList(params);
  const pi = findPaymentIntent(ctx, id);
  if (!CONFIRMABLE.includes(pi.status)) {
    const message =
      pi.status === 'succeeded'
        ? 'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.'
        : `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of ` +
          `the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`;
    throw unexpectedState(message, render(ctx, pi));
  }
  if (pi.returnUrlRequired && returnUrl === undefined && pi.returnUrl === null) {
    throw paramErrors.invalid('return_url', RETURN_URL_REQUIRED_MESSAGE);
  }
  const pm = resolvePaymentMethod(ctx, params) ?? (pi.paymentMethodId ? ctx.state.paymentMethods.get(pi.paymentMethodId) : undefined);
  if (!pm) throw missingPaymentMethod();
  if (pm.bankDebit) checkDebitConfirmation(params, { ...pi, captureMethod: captureMethod ?? pi.captureMethod }, pm.bankDebit);
  if (captureMethod) pi.captureMethod = captureMethod;
  if (returnUrl !== undefined) pi.returnUrl = returnUrl;
  if (requestThreeDSecure !== undefined) pi.requestThreeDSecure = requestThreeDSecure;
  return attemptPayment(ctx, pi, pm, false, expand);
}

/**
 * Authorizes `pm` for `pi` as the card's outcome dictates. A card that needs 3D Secure stops at
 * requires_action unless `authenticated`. A decline answers 402 with the PaymentIntent in the error.
 */
export function attemptPayment(
  ctx: HandlerContext,
  pi: PaymentIntentRecord,
  pm: PaymentMethodRecord,
  authenticated: boolean,
  expand: readonly string[] = [],
): ApiResponse {
  if (pm.bankDebit) return startDebit(ctx, pi, pm, expand);
  const { state } = ctx;
  const now = ctx.now();
  const outcome = pm.outcome;
  if (!outcome) throw new Error(`Payment method ${pm.id} is neither a card nor a bank debit`);
  pi.paymentMethodId = pm.id;
  pi.lastPaymentError = null;
  pi.nextAction = null;

  if (outcome.kind === 'authenticate' && !authenticated) {
    pi.status = 'requires_action';
    pi.nextAction = {
      type: 'redirect_to_url',
      redirect_to_url: { url: `${ctx.baseUrl}/_sim/3ds/${pi.id}`, return_url: pi.returnUrl },
    };
    state.record('requires_action', pi, 0, now);
    return ok(render(ctx, pi, expand));
  }

  const charge: ChargeRecord = {
    id: newId('ch'),
    created: unixSeconds(now),
    paymentIntentId: pi.id,
    paymentMethodId: pm.id,
    amount: pi.amount,
    currency: pi.currency,
    status: 'succeeded',
    captured: false,
    amountCaptured: 0,
    amountRefunded: 0,
    failureCode: null,
    failureMessage: null,
    declineCode: null,
    networkTransactionId: null,
  };
  state.charges.set(charge.id, charge);
  pi.latestChargeId = charge.id;

  const declined =
    outcome.kind === 'decline'
      ? outcome
      : ctx.issuerApproves({ network: pm.card?.brand ?? 'unknown', currency: pi.currency, country: pm.card?.country ?? 'US' })
        ? null
        : ISSUER_SOFT_DECLINE;
  if (declined) {
    charge.status = 'failed';
    charge.failureCode = declined.code;
    charge.failureMessage = declined.message;
    charge.declineCode = declined.declineCode;
    const error: StripeErrorObject = {
      type: 'card_error',
      code: declined.code,
      decline_code: declined.declineCode,
      message: declined.message,
      doc_url: docUrl(declined.code),
      charge: charge.id,
      payment_method: renderPaymentMethod(pm),
    };
    if (declined.param) error.param = declined.param;
    pi.status = 'requires_payment_method';
    pi.paymentMethodId = null;
    pi.lastPaymentError = error;
    pi.declines += 1;
    state.record('declined', pi, pi.amount, now);
    const rendered = render(ctx, pi);
    ctx.emit('payment_intent.payment_failed', rendered);
    throw new ApiError(402, { ...error, payment_intent: rendered });
  }

  pi.authorized = pi.amount;
  charge.networkTransactionId = networkTransactionId();
  state.record('authorized', pi, pi.amount, now);
  if (pi.captureMethod === 'manual') {
    pi.status = 'requires_capture';
    pi.amountCapturable = pi.amount;
  } else {
    charge.captured = true;
    charge.amountCaptured = pi.amount;
    pi.status = 'succeeded';
    pi.amountReceived = pi.amount;
    pi.captured = pi.amount;
    state.record('captured', pi, pi.amount, now);
  }
  ctx.emit(pi.status === 'succeeded' ? 'payment_intent.succeeded' : 'payment_intent.amount_capturable_updated', render(ctx, pi));
  return ok(render(ctx, pi, expand));
}

export function capturePaymentIntent(ctx: HandlerContext, id: string, params: Params): ApiResponse {
  rejectUnknown(params, CAPTURE_PARAMS);
  const requested = optionalInteger(params, 'amount_to_capture');
  const expand = expandList(params);
  const pi = findPaymentIntent(ctx, id);
  if (pi.status !== 'requires_capture') {
    throw unexpectedState(
      `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of ` +
        'the following statuses may be captured: requires_capture.',
      render(ctx, pi),
    );
  }
  const amount = requested ?? pi.amountCapturable;
  if (amount < 1) {
    throw paramErrors.invalid('amount_to_capture', 'This value must be greater than or equal to 1.', 'parameter_invalid_integer');
  }
  checkAmountUnits(amount, pi.currency, 'amount_to_capture');
  if (amount > pi.amountCapturable) {
    throw invalidRequest(400, `The amount to capture (${amount}) cannot be greater than the amount capturable (${pi.amountCapturable}).`, {
      code: 'amount_too_large',
      param: 'amount_to_capture',
      doc_url: docUrl('amount_too_large'),
    });
  }
  pi.metadata = mergeMetadata(params, pi.metadata);

  const now = ctx.now();
  const charge = pi.latestChargeId ? ctx.state.charges.get(pi.latestChargeId) : undefined;
  if (charge) {
    charge.captured = true;
    charge.amountCaptured = amount;
  }
  const released = pi.amountCapturable - amount;
  pi.status = 'succeeded';
  pi.amountReceived = amount;
  pi.amountCapturable = 0;
  pi.captured = amount;
  ctx.state.record('captured', pi, amount, now);
  if (released > 0) {
    // Like Stripe: a partial capture gives the rest of the authorization back.
    pi.released += released;
    ctx.state.record('released', pi, released, now);
  }
  ctx.emit('payment_intent.succeeded', render(ctx, pi));
  return ok(render(ctx, pi, expand));
}

export function cancelPaymentIntent(ctx: HandlerContext, id: string, params: Params): ApiResponse {
  rejectUnknown(params, CANCEL_PARAMS);
  const reason = optionalEnum(params, 'cancellation_reason', CANCELLATION_REASONS);
  const expand = expandList(params);
  const pi = findPaymentIntent(ctx, id);
  if (!CANCELABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the ` +
        `following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      render(ctx, pi),
    );
  }
  const now = ctx.now();
  if (pi.status === 'requires_capture' && pi.amountCapturable > 0) {
    pi.released += pi.amountCapturable;
    ctx.state.record('released', pi, pi.amountCapturable, now);
  }
  pi.status = 'canceled';
  pi.amountCapturable = 0;
  pi.nextAction = null;
  pi.canceledAt = unixSeconds(now);
  pi.cancellationReason = reason ?? null;
  ctx.state.record('canceled', pi, 0, now);
  ctx.emit('payment_intent.canceled', render(ctx, pi));
  return ok(render(ctx, pi, expand));
}

/**
 * The customer finished (or failed) the 3D Secure page. On success the payment is authorized
 * right away, as Stripe does for automatic confirmation.
 */
export function completeAuthentication(ctx: HandlerContext, id: string, succeeded: boolean): PaymentIntentRecord {
  const pi = findPaymentIntent(ctx, id);
  if (pi.status !== 'requires_action') {
    throw unexpectedState(`This PaymentIntent is not awaiting authentication (status ${pi.status}).`);
  }
  const pm = pi.paymentMethodId ? ctx.state.paymentMethods.get(pi.paymentMethodId) : undefined;
  if (!pm) throw unexpectedState('This PaymentIntent has no payment method to authenticate.');
  if (succeeded) {
    try {
      attemptPayment(ctx, pi, pm, true);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    return pi;
  }
  pi.status = 'requires_payment_method';
  pi.paymentMethodId = null;
  pi.nextAction = null;
  pi.declines += 1;
  pi.lastPaymentError = {
    type: 'invalid_request_error',
    code: 'payment_intent_authentication_failure',
    doc_url: docUrl('payment_intent_authentication_failure'),
    message:
      'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod ' +
      'to attempt to fulfill this PaymentIntent again.',
    payment_method: renderPaymentMethod(pm),
  };
  ctx.state.record('declined', pi, pi.amount, ctx.now());
  ctx.emit('payment_intent.payment_failed', render(ctx, pi));
  return pi;
}

/** A network transaction id as the card networks issue them (Visa: 15 digits). */
function networkTransactionId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(15)), (b) => String(b % 10)).join('');
}
