import { bankDebitPaymentMethod } from './bank-debits.js';
import type { HandlerContext } from './context.js';
import { openApplePayPaymentData } from '../../testkit/wallet-tokens.js';
import { ApiError, docUrl, ok, paramErrors, resourceMissing, type ApiResponse, type StripeErrorObject } from './errors.js';
import { newId, unixSeconds } from './ids.js';
import { optionalObject, optionalString, rejectUnknown, requiredString, type Params } from './params.js';
import type { BillingDetails, PaymentMethodRecord } from './state.js';
import { evaluateCard, testCardForPaymentMethod, type CardDetails, type CardOutcome, type RawCard } from './test-cards.js';

const PM_DATA_PARAMS = ['type', 'card', 'sepa_debit', 'billing_details', 'metadata', 'allow_redisplay'] as const;
const CARD_PARAMS = ['number', 'exp_month', 'exp_year', 'cvc', 'networks', 'token'] as const;
const PK_TOKEN_PARAMS = ['pk_token', 'pk_token_instrument_name', 'pk_token_payment_network', 'pk_token_transaction_id'] as const;
const BILLING_PARAMS = ['name', 'email', 'phone', 'address'] as const;

/**
 * The PaymentMethod a create/confirm request names: `payment_method` (a `pm_...` made here
 * earlier, or one of Stripe's test ids such as `pm_card_visa`) or `payment_method_data`
 * (raw card, checked like Stripe does and then forgotten). Undefined when neither is given.
 */
export function resolvePaymentMethod(ctx: HandlerContext, params: Params): PaymentMethodRecord | undefined {
  const id = optionalString(params, 'payment_method');
  const data = optionalObject(params, 'payment_method_data');
  if (id !== undefined && data !== undefined) {
    throw paramErrors.invalid('payment_method_data', 'You cannot provide both payment_method and payment_method_data.');
  }
  if (id !== undefined) return existingPaymentMethod(ctx, id);
  if (data !== undefined) return paymentMethodFromData(ctx, data);
  return undefined;
}

function existingPaymentMethod(ctx: HandlerContext, id: string): PaymentMethodRecord {
  const known = ctx.state.paymentMethods.get(id);
  if (known) return known;
  const test = testCardForPaymentMethod(id);
  if (!test) throw resourceMissing('PaymentMethod', id, 'payment_method');
  const now = new Date(ctx.now());
  return createCardPaymentMethod(ctx, { number: test.number, expMonth: '12', expYear: String(now.getUTCFullYear() + 3) }, noBilling());
}

function paymentMethodFromData(ctx: HandlerContext, data: Params): PaymentMethodRecord {
  rejectUnknown(data, PM_DATA_PARAMS, 'payment_method_data');
  const type = requiredString(data, 'type', 'payment_method_data[type]');
  if (type === 'sepa_debit') return bankDebitPaymentMethod(ctx, type, data, billingDetails(data));
  if (type !== 'card') {
    throw paramErrors.invalid('payment_method_data[type]', `The simulator supports card and sepa_debit payment methods, not '${type}'.`);
  }
  const card = optionalObject(data, 'card', 'payment_method_data[card]');
  if (!card) throw paramErrors.missing('payment_method_data[card]');
  rejectUnknown(card, CARD_PARAMS, 'payment_method_data[card]');
  const token = optionalString(card, 'token', 'payment_method_data[card][token]');
  if (token !== undefined) return spendToken(ctx, token);
  const raw: RawCard = {
    number: requiredString(card, 'number', 'payment_method_data[card][number]'),
    expMonth: requiredString(card, 'exp_month', 'payment_method_data[card][exp_month]'),
    expYear: requiredString(card, 'exp_year', 'payment_method_data[card][exp_year]'),
    cvc: optionalString(card, 'cvc', 'payment_method_data[card][cvc]'),
  };
  return createCardPaymentMethod(ctx, raw, billingDetails(data));
}

function billingDetails(data: Params): BillingDetails {
  const billing = optionalObject(data, 'billing_details', 'payment_method_data[billing_details]');
  if (!billing) return noBilling();
  rejectUnknown(billing, BILLING_PARAMS, 'payment_method_data[billing_details]');
  return {
    name: optionalString(billing, 'name', 'payment_method_data[billing_details][name]') ?? null,
    email: optionalString(billing, 'email', 'payment_method_data[billing_details][email]') ?? null,
    phone: optionalString(billing, 'phone', 'payment_method_data[billing_details][phone]') ?? null,
  };
}

function noBilling(): BillingDetails {
  return { name: null, email: null, phone: null };
}

function createCardPaymentMethod(ctx: HandlerContext, raw: RawCard, billing: BillingDetails): PaymentMethodRecord & { card: CardDetails; outcome: CardOutcome } {
  const evaluation = evaluateCard(raw, new Date(ctx.now()), ctx.fingerprint);
  if (!evaluation.ok) {
    const { code, message, field } = evaluation.error;
    const error: StripeErrorObject = { type: 'card_error', code, message, param: field, doc_url: docUrl(code) };
    if (code === 'expired_card') error.decline_code = 'expired_card';
    throw new ApiError(402, error);
  }
  const pm: PaymentMethodRecord & { card: CardDetails; outcome: CardOutcome } = {
    id: newId('pm'),
    created: unixSeconds(ctx.now()),
    card: evaluation.details,
    billing,
    outcome: evaluation.outcome,
  };
  ctx.state.paymentMethods.set(pm.id, pm);
  return pm;
}

/**
 * POST /v1/tokens with an Apple Pay token (`pk_token`: the PKPaymentToken's paymentData JSON), as
 * Stripe's mobile SDKs and servers send it: Stripe decrypts it with the merchant's Apple Pay
 * certificate and answers a card token. The sandbox token's device number steers the outcome
 * (testkit/wallet-tokens.ts); it is evaluated and dropped. A wallet's cryptogram is its
 * authentication, so a card that would ask for 3-D Secure is approved.
 */
export function createToken(ctx: HandlerContext, params: Params): ApiResponse {
  rejectUnknown(params, PK_TOKEN_PARAMS);
  const pkToken = requiredString(params, 'pk_token');
  let paymentData: unknown;
  try {
    paymentData = JSON.parse(pkToken);
  } catch {
    throw paramErrors.invalid('pk_token', 'pk_token must be the Apple Pay paymentData JSON.');
  }
  const opened = openApplePayPaymentData(paymentData);
  if (!opened.ok) throw paramErrors.invalid('pk_token', `Your Apple Pay token could not be used: ${opened.reason}`);
  const { pan, expMonth, expYear } = opened.token;
  const pm = createCardPaymentMethod(ctx, { number: pan, expMonth: String(expMonth), expYear: String(expYear) }, noBilling());
  if (pm.outcome.kind === 'authenticate') pm.outcome = { kind: 'approve' };
  pm.token = { id: newId('tok'), used: false, tokenizationMethod: 'apple_pay' };
  return ok({
    id: pm.token.id,
    object: 'token',
    card: { id: newId('card'), object: 'card', brand: pm.card.brand, last4: pm.card.last4, exp_month: pm.card.expMonth, exp_year: pm.card.expYear, funding: pm.card.funding, country: pm.card.country, tokenization_method: 'apple_pay' },
    client_ip: null,
    created: pm.created,
    livemode: false,
    type: 'card',
    used: false,
  });
}

/** The card a token stands for, once: Stripe refuses a token used before. */
function spendToken(ctx: HandlerContext, id: string): PaymentMethodRecord {
  const pm = [...ctx.state.paymentMethods.values()].find((candidate) => candidate.token?.id === id);
  if (!pm || !pm.token) throw resourceMissing('token', id, 'payment_method_data[card][token]');
  if (pm.token.used) throw paramErrors.invalid('payment_method_data[card][token]', `You cannot use a Stripe token more than once: ${id}.`);
  pm.token.used = true;
  return pm;
}
