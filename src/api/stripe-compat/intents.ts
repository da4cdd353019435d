import type { z } from '@hono/zod-openapi';
import type { CardInput } from '../../../adapters/testkit/contract.js';
import { parseIban, validRoutingNumber, validUsAccountNumber } from '../../domain/bank-account.js';
import { cardBrand, isExpired, luhnValid, validCardLength } from '../../domain/card.js';
import type { Clock } from '../../domain/clock.js';
import { isCurrency, maxAmountMinor, validateAmount } from '../../domain/currency.js';
import { newId } from '../../domain/ids.js';
import { DEBIT_SCHEME_CURRENCY, type BankDebitMethod } from '../../domain/payment-method.js';
import { Problem } from '../../domain/problem.js';
import type { NewPaymentInput, paymentService } from '../../orchestrator/payments.js';
import type { refundService } from '../../orchestrator/refunds.js';
import type { DeferredIdempotency } from '../../store/idempotency.js';
import type { Repositories } from '../../store/index.js';
import type { CustomerService } from '../../vault/customers.js';
import type { PaymentRecord } from '../../store/payments.js';
import type { StripeIntentRow } from '../../store/stripe-payment-intents.js';
import { fromProblem, invalidRequest, resourceMissing, StripeApiError, unexpectedState } from './errors.js';
import type { CancelIntentParams, ConfirmIntentParams, CreateIntentParams, CreateRefundParams, IntentMethodType, ListIntentsParams, ListRefundsParams } from './params.js';
import { canonicalAmount, intentView, paymentError, refundView, type IntentView } from './views.js';

export interface IntentServiceDeps {
  repositories: Repositories;
  payments: ReturnType<typeof paymentService>;
  refunds: ReturnType<typeof refundService>;
  /** Saves the card of a confirmation with setup_future_usage. */
  customers: CustomerService;
  clock: Clock;
}

/** What a confirmation pays with: a card at hand (typed in, or a test PaymentMethod), a card saved in the vault, or a bank account to debit. */
type PaymentSource = { kind: 'card'; card: CardInput } | { kind: 'saved'; paymentMethodId: string } | { kind: 'debit'; method: BankDebitMethod };

/** The Stripe name of what a source pays with. */
const sourceType = (source: PaymentSource): IntentMethodType => (source.kind === 'debit' ? (source.method.type === 'sepa_debit' ? 'sepa_debit' : 'us_bank_account') : 'card');

/** Who asks: the merchant, whether its key is live, and the request's (namespaced) Idempotency-Key. */
export interface Caller {
  merchantId: string;
  livemode: boolean;
  idempotencyKey: string | undefined;
}

/**
 * Stripe's public test PaymentMethods, for test keys only: each names a public test number that
 * every sandbox simulator honours (adapters/testkit/test-cards.ts). Storing the name keeps no card
 * data, which is what lets an intent wait in requires_confirmation.
 */
const TEST_PAYMENT_METHODS: Readonly<Record<string, string>> = {
  pm_card_visa: '4242424242424242',
  pm_card_mastercard: '5555555555554444',
  pm_card_amex: '378282246310005',
  pm_card_chargeDeclined: '4000000000000002',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_authenticationRequired: '4000002760003184',
};

type ConfirmFields = z.infer<typeof ConfirmIntentParams>;

/** The Stripe PaymentIntents and Refunds API over the canonical payment and refund services. */
export function intentService(deps: IntentServiceDeps) {
  const { repositories, payments, refunds, customers, clock } = deps;
  const intents = repositories.stripePaymentIntents;

  const record = (merchantId: string, intent: StripeIntentRow) => (intent.paymentId ? payments.get(merchantId, intent.paymentId) : Promise.resolve(null));

  async function load(merchantId: string, id: string): Promise<{ intent: StripeIntentRow; record: PaymentRecord | null }> {
    const intent = await intents.get(merchantId, id);
    if (!intent) throw resourceMissing('payment_intent');
    return { intent, record: await record(merchantId, intent) };
  }

  /** The intent as answered; a confirmation that failed is Stripe's 402 card error carrying it. */
  function answer(caller: Caller, intent: StripeIntentRow, rec: PaymentRecord | null, confirming: boolean): IntentView {
    const view = intentView(intent, rec, caller.livemode);
    const error = confirming && rec ? paymentError(rec) : null;
    if (error) throw new StripeApiError(402, { ...error, payment_intent: view });
    return view;
  }

  async function create(caller: Caller, params: z.infer<typeof CreateIntentParams>): Promise<IntentView> {
    const currency = params.currency.toUpperCase();
    if (!isCurrency(currency)) throw invalidRequest('Invalid currency: an active ISO 4217 code is expected.', 'currency', 'invalid_currency');
    const amount = canonicalAmount(params.amount, currency);
    const checked = validateAmount(amount, currency);
    if (!checked.ok) {
      const detail = checked.reason === 'too_large' ? `Amount must be at most ${maxAmountMinor(currency)} ${currency} minor units.` : 'Amount must be a positive whole number of the currency\'s smallest unit, as Stripe counts it.';
      throw invalidRequest(detail, 'amount', checked.reason === 'too_large' ? 'amount_too_large' : 'invalid_charge_amount');
    }
    if (params.payment_method_data && !params.confirm) {
      throw invalidRequest('Switchyard keeps no card data between requests: send payment_method_data with confirm=true, or to the confirm call.', 'payment_method_data');
    }
    // Checked before anything is stored: bad card or account data changes nothing.
    const source = sourceFrom(caller, params, clock.now());
    if (params.confirm && !source) throw invalidRequest('You cannot confirm this PaymentIntent because it\'s missing a payment method.', 'payment_method', 'payment_intent_unexpected_state');
    const methodTypes = params.payment_method_types ?? ['card'];
    if (source) assertSourceFits(source, { methodTypes, currency, captureMethod: params.capture_method === 'manual' ? 'manual' : 'automatic', setupFutureUsage: params.setup_future_usage ?? null });
    if (params.customer && !(await repositories.customers.get(caller.merchantId, params.customer))) throw resourceMissing('customer', 'customer');
    await assertSaved(caller, source);
    const now = clock.now();
    const intent = await repositories.transaction(async (repos) => {
      const row = await repos.stripePaymentIntents.insert({
        id: newId('pi'),
        merchantId: caller.merchantId,
        amount: checked.amount,
        currency,
        captureMethod: params.capture_method === 'manual' ? 'manual' : 'automatic',
        description: params.description ?? null,
        metadata: params.metadata ?? {},
        returnUrl: params.return_url ?? null,
        paymentMethod: params.payment_method ?? null,
        paymentMethodTypes: methodTypes,
        customer: params.customer ?? null,
        setupFutureUsage: params.setup_future_usage ?? null,
        createdAt: now,
        updatedAt: now,
      });
      if (caller.idempotencyKey) await repos.idempotency.link(caller.merchantId, caller.idempotencyKey, { type: 'stripe.payment_intent', id: row.id });
      return row;
    });
    if (!params.confirm || !source) return answer(caller, intent, null, false);
    return confirmWith(caller, intent, source, params);
  }

  async function confirm(caller: Caller, id: string, params: ConfirmFields): Promise<IntentView> {
    const { intent, record: rec } = await load(caller.merchantId, id);
    if (rec?.payment.status === 'requires_action' && !intent.canceledAt) {
      // The shopper is back from the challenge: ask the gateway how it ended.
      const settled = await payments.confirm(caller.merchantId, rec.payment.id, {});
      return answer(caller, intent, settled, true);
    }
    assertConfirmable(intent, rec);
    const source = sourceFrom(caller, params, clock.now()) ?? (intent.paymentMethod ? sourceFrom(caller, { payment_method: intent.paymentMethod }, clock.now()) : null);
    if (!source) throw invalidRequest('You cannot confirm this PaymentIntent because it\'s missing a payment method.', 'payment_method', 'payment_intent_unexpected_state');
    assertSourceFits(source, { methodTypes: intent.paymentMethodTypes, currency: intent.currency, captureMethod: intent.captureMethod, setupFutureUsage: params.setup_future_usage ?? intent.setupFutureUsage });
    await assertSaved(caller, source);
    return confirmWith(caller, intent, source, params);
  }

  /** A saved card named must be the merchant's: Stripe refuses an unknown PaymentMethod before storing anything. */
  async function assertSaved(caller: Caller, source: PaymentSource | null): Promise<void> {
    if (source?.kind === 'saved' && !(await repositories.vault.get(caller.merchantId, source.paymentMethodId))) throw resourceMissing('payment_method', 'payment_method');
  }

  /**
   * Creates the canonical payment for this confirmation. The intent is pointed at it in the
   * transaction that writes the payment (compare-and-set on the intent's version, before any
   * gateway call), so two confirmations can never both charge, and an intent never loses a
   * payment made for it.
   */
  async function confirmWith(caller: Caller, intent: StripeIntentRow, source: PaymentSource, params: ConfirmFields): Promise<IntentView> {
    const paymentId = newId('pay');
    const returnUrl = params.return_url ?? intent.returnUrl;
    const setupFutureUsage = params.setup_future_usage ?? intent.setupFutureUsage;
    // With setup_future_usage, the card is saved first (and attached to the intent's customer); this
    // payment is the shopper's consented one, whose network transaction id later off-session ones cite.
    const saved =
      source.kind === 'saved'
        ? source.paymentMethodId
        : setupFutureUsage && source.kind === 'card'
          ? (await customers.saveCard(caller.merchantId, { number: source.card.number, expMonth: source.card.expMonth, expYear: source.card.expYear, holderName: source.card.holderName }, intent.customer ?? undefined).catch(rethrow({ customer: 'customer' }))).row.id
          : null;
    const paymentMethod = saved ?? params.payment_method;
    const deferred: DeferredIdempotency = {
      merchantId: caller.merchantId,
      // The merchant's key, already claimed by the idempotency middleware: the new payment is linked to it.
      key: caller.idempotencyKey ?? '',
      claim: async (repos) => {
        const patch = { paymentId, returnUrl, ...(paymentMethod ? { paymentMethod } : {}), ...(setupFutureUsage ? { setupFutureUsage } : {}) };
        const updated = await repos.stripePaymentIntents.update(intent.id, intent.version, patch, clock.now());
        if (!updated) throw new StripeApiError(409, { type: 'invalid_request_error', code: 'lock_timeout', message: 'Another request changed this PaymentIntent at the same time; retry.' });
        return { state: 'claimed' };
      },
      settled: () => {},
      stored: () => {},
    };
    const input: NewPaymentInput = {
      amount: intent.amount,
      currency: intent.currency,
      captureMethod: intent.captureMethod as 'automatic' | 'manual',
      card: source.kind === 'card' ? source.card : null,
      method: source.kind === 'debit' ? source.method : null,
      paymentMethodId: saved,
      customerId: intent.customer,
      customer: params.receipt_email ? { id: null, email: params.receipt_email, country: null } : null,
      description: intent.description,
      metadata: intent.metadata,
      initiator: params.off_session ? 'merchant' : 'customer',
      gateways: null,
      returnUrl,
      threeDSecure: params.payment_method_options?.card?.request_three_d_secure && params.payment_method_options.card.request_three_d_secure !== 'automatic' ? 'required' : 'automatic',
    };
    const created = await payments.create(caller.merchantId, input, { idempotency: deferred, paymentId }).catch(rethrow({}));
    const current = (await intents.get(caller.merchantId, intent.id))!;
    return answer(caller, current, created, true);
  }

  async function capture(caller: Caller, id: string, amountToCapture: number | undefined): Promise<IntentView> {
    const { intent, record: rec } = await load(caller.merchantId, id);
    if (!rec || intent.canceledAt || rec.payment.status !== 'requires_capture') {
      throw unexpectedState(`This PaymentIntent could not be captured because it has a status of ${intentView(intent, rec, caller.livemode).status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`);
    }
    const amount = amountToCapture === undefined ? undefined : toCanonical(amountToCapture, intent.currency, 'amount_to_capture');
    const captured = await payments.capture(caller.merchantId, rec.payment.id, amount, { idempotencyKey: caller.idempotencyKey }).catch(rethrow({ amount: 'amount_to_capture' }));
    return answer(caller, intent, captured, false);
  }

  async function cancel(caller: Caller, id: string, params: z.infer<typeof CancelIntentParams>): Promise<IntentView> {
    const { intent, record: rec } = await load(caller.merchantId, id);
    const status = intentView(intent, rec, caller.livemode).status;
    if (status === 'requires_capture' || status === 'requires_action') {
      const canceled = await payments.cancel(caller.merchantId, rec!.payment.id, { idempotencyKey: caller.idempotencyKey }).catch(rethrow({}));
      const updated = await intents.update(intent.id, intent.version, { cancellationReason: params.cancellation_reason ?? 'requested_by_customer' }, clock.now());
      return answer(caller, updated ?? intent, canceled, false);
    }
    if (status !== 'requires_payment_method' && status !== 'requires_confirmation') {
      throw unexpectedState(`You cannot cancel this PaymentIntent because it has a status of ${status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action.`);
    }
    // Nothing is authorized: the intent alone is canceled (compare-and-set, so a confirmation racing it loses or wins whole).
    const updated = await intents.update(intent.id, intent.version, { canceledAt: clock.now(), cancellationReason: params.cancellation_reason ?? null }, clock.now());
    if (!updated) throw new StripeApiError(409, { type: 'invalid_request_error', code: 'lock_timeout', message: 'Another request changed this PaymentIntent at the same time; retry.' });
    return answer(caller, updated, rec, false);
  }

  async function retrieve(caller: Caller, id: string): Promise<IntentView> {
    const { intent, record: rec } = await load(caller.merchantId, id);
    return answer(caller, intent, rec, false);
  }

  async function list(caller: Caller, params: z.infer<typeof ListIntentsParams>) {
    const limit = params.limit ?? 10;
    const created = typeof params.created === 'number' ? { gte: params.created, lte: params.created } : (params.created ?? {});
    const date = (s: number | undefined) => (s === undefined ? undefined : new Date(s * 1000));
    const rows = await intents.list(caller.merchantId, {
      limit,
      startingAfter: params.starting_after,
      endingBefore: params.ending_before,
      createdGt: date(created.gt),
      createdGte: date(created.gte),
      createdLt: date(created.lt),
      createdLte: date(created.lte === undefined ? undefined : created.lte + 0.999),
    });
    const page = rows.slice(0, limit);
    const data = await Promise.all(page.map(async (intent) => intentView(intent, await record(caller.merchantId, intent), caller.livemode)));
    return { object: 'list' as const, data, has_more: rows.length > limit, url: '/v1/payment_intents' };
  }

  /** The intent's current payment, by `payment_intent` or by `charge` (a canonical payment id). */
  async function refundTarget(caller: Caller, params: { payment_intent?: string | undefined; charge?: string | undefined }) {
    if (params.payment_intent) {
      const { intent, record: rec } = await load(caller.merchantId, params.payment_intent);
      if (!rec) throw unexpectedState('This PaymentIntent has no successful payment to refund.');
      return { intentId: intent.id, payment: rec.payment };
    }
    if (params.charge) {
      const rec = await payments.get(caller.merchantId, params.charge);
      if (!rec) throw resourceMissing('charge', 'charge');
      const intent = await intents.byPayment(caller.merchantId, rec.payment.id);
      return { intentId: intent?.id ?? null, payment: rec.payment };
    }
    throw invalidRequest('One of payment_intent or charge is required.', 'payment_intent', 'parameter_missing');
  }

  async function createRefund(caller: Caller, params: z.infer<typeof CreateRefundParams>) {
    const { intentId, payment } = await refundTarget(caller, params);
    const amount = params.amount === undefined ? undefined : toCanonical(params.amount, payment.currency, 'amount');
    const refund = await refunds
      .create(caller.merchantId, payment.id, { amount, reason: params.reason ?? null, metadata: params.metadata ?? {} }, { idempotencyKey: caller.idempotencyKey })
      .catch(rethrow({}));
    return refundView(refund, intentId);
  }

  async function retrieveRefund(caller: Caller, id: string) {
    const refund = await repositories.payments.refund(id);
    if (!refund || refund.merchantId !== caller.merchantId) throw resourceMissing('refund');
    const intent = await intents.byPayment(caller.merchantId, refund.paymentId);
    return refundView(refund, intent?.id ?? null);
  }

  async function listRefunds(caller: Caller, params: z.infer<typeof ListRefundsParams>) {
    const { intentId, payment } = await refundTarget(caller, params);
    const limit = params.limit ?? 10;
    // The canonical list is a payment's refunds, newest first; the cursors cut it here.
    let rows = await refunds.list(caller.merchantId, payment.id).catch(rethrow({}));
    if (params.starting_after) rows = rows.filter((r) => r.id < params.starting_after!);
    if (params.ending_before) rows = rows.filter((r) => r.id > params.ending_before!).slice(-limit);
    return { object: 'list' as const, data: rows.slice(0, limit).map((r) => refundView(r, intentId)), has_more: rows.length > limit, url: '/v1/refunds' };
  }

  return { create, confirm, capture, cancel, retrieve, list, createRefund, retrieveRefund, listRefunds };
}

/** Only an intent with no payment, or whose payment failed, takes another confirmation. */
function assertConfirmable(intent: StripeIntentRow, rec: PaymentRecord | null): void {
  const waiting = !intent.canceledAt && (!rec || rec.payment.status === 'failed');
  if (!waiting) {
    throw unexpectedState('This PaymentIntent\'s payment has already been made or is under way; it cannot be confirmed again.');
  }
}

/**
 * Refuses, before anything is stored, a payment method the intent does not take: a type outside
 * its `payment_method_types`, and for a debit a currency its scheme does not collect, a later
 * capture or a future use (the vault keeps cards only). Stripe's messages and codes.
 */
function assertSourceFits(source: PaymentSource, intent: { methodTypes: readonly string[]; currency: string; captureMethod: string; setupFutureUsage: string | null }): void {
  const type = sourceType(source);
  if (!intent.methodTypes.includes(type)) {
    throw invalidRequest(
      `The payment method type provided: ${type} is invalid. This PaymentIntent is configured to accept the following payment method types: ${intent.methodTypes.join(', ')}.`,
      'payment_method_data[type]',
      'payment_intent_invalid_parameter',
    );
  }
  if (source.kind !== 'debit') return;
  const currency = DEBIT_SCHEME_CURRENCY[source.method.type];
  if (intent.currency !== currency) {
    throw invalidRequest(`A ${type} payment must be in ${currency.toLowerCase()}.`, 'currency', 'payment_intent_invalid_parameter');
  }
  if (intent.captureMethod === 'manual') {
    throw invalidRequest(`capture_method=manual is not supported for ${type}: a debit is collected when confirmed.`, 'capture_method', 'payment_intent_invalid_parameter');
  }
  if (intent.setupFutureUsage) {
    throw invalidRequest(`setup_future_usage is not supported for ${type}: only cards are saved.`, 'setup_future_usage', 'payment_intent_invalid_parameter');
  }
}

function toCanonical(value: number, currency: string, param: string): number {
  const amount = canonicalAmount(value, currency);
  if (amount === null || amount <= 0) throw invalidRequest(`Invalid ${param}: a positive whole number of the currency's smallest unit, as Stripe counts it, is expected.`, param, 'invalid_charge_amount');
  return amount;
}

/**
 * A canonical problem in Stripe's envelope, with canonical field names turned into this call's; a
 * customer or saved card that does not exist is Stripe's resource_missing naming the parameter.
 */
function rethrow(params: Record<string, string>) {
  return (error: unknown): never => {
    if (error instanceof Problem && (error.code === 'no_such_customer' || error.code === 'no_such_payment_method')) {
      const param = error.param ?? (error.code === 'no_such_customer' ? 'customer' : 'payment_method');
      throw resourceMissing(error.code === 'no_such_customer' ? 'customer' : 'payment_method', params[param] ?? param);
    }
    throw error instanceof Problem ? fromProblem(error, (p) => params[p] ?? p) : error;
  };
}

/**
 * What a confirmation pays with: raw card data (`payment_method_data[card]`), checked as the
 * canonical API checks it; a test PaymentMethod name on a test key; or a saved card (`pm_…`),
 * which the payment service looks up (and refuses, named, when it is not the merchant's).
 */
function sourceFrom(caller: Caller, params: Pick<ConfirmFields, 'payment_method' | 'payment_method_data' | 'mandate_data'>, now: Date): PaymentSource | null {
  if (params.payment_method && params.payment_method_data) {
    throw invalidRequest('Send either payment_method or payment_method_data, not both.', 'payment_method_data');
  }
  if (params.payment_method) {
    const number = TEST_PAYMENT_METHODS[params.payment_method];
    if (!number) {
      if (!/^pm_[0-9A-Za-z]{1,60}$/.test(params.payment_method)) throw resourceMissing('payment_method', 'payment_method');
      return { kind: 'saved', paymentMethodId: params.payment_method };
    }
    if (caller.livemode) throw resourceMissing('payment_method (the test PaymentMethods work with test keys only)', 'payment_method');
    return { kind: 'card', card: { number, expMonth: 12, expYear: now.getUTCFullYear() + 3, cvc: cardBrand(number) === 'amex' ? '1234' : '123', holderName: null } };
  }
  const data = params.payment_method_data;
  if (!data) return null;
  if (data.type === 'card') return { kind: 'card', card: cardData(data, now) };
  return { kind: 'debit', method: debitData(data, params.mandate_data, now) };
}

type MethodData = NonNullable<ConfirmFields['payment_method_data']>;

/**
 * A bank account from `payment_method_data[sepa_debit]` or `[us_bank_account]`, checked as the
 * canonical API checks it, with the payer's online acceptance (`mandate_data`), which a debit
 * cannot go without. The account number is never echoed in an error.
 */
function debitData(data: Exclude<MethodData, { type: 'card' }>, mandate: ConfirmFields['mandate_data'], now: Date): BankDebitMethod {
  if (!mandate) throw invalidRequest('A debit needs the payer\'s acceptance of the mandate: send mandate_data[customer_acceptance].', 'mandate_data', 'parameter_missing');
  const { accepted_at: acceptedAt, online } = mandate.customer_acceptance;
  const acceptance = { kind: 'acceptance' as const, acceptedAt: acceptedAt === undefined ? now : new Date(acceptedAt * 1000), ip: online.ip_address, userAgent: online.user_agent };
  const holder = data.billing_details.name;
  if (data.type === 'sepa_debit') {
    const parsed = parseIban(data.sepa_debit.iban);
    if (!parsed.ok) {
      const notSepa = parsed.problem === 'iban_country_not_sepa';
      throw invalidRequest(notSepa ? 'The IBAN\'s country is not in the SEPA area.' : 'The IBAN you provided is invalid.', 'payment_method_data[sepa_debit][iban]', notSepa ? 'invalid_iban_country_code' : 'invalid_bank_account_iban');
    }
    return { type: 'sepa_debit', sepaDebit: { iban: parsed.iban, accountHolderName: holder, mandate: acceptance } };
  }
  const account = data.us_bank_account;
  if (!validRoutingNumber(account.routing_number)) throw invalidRequest('The routing number you provided is invalid.', 'payment_method_data[us_bank_account][routing_number]', 'routing_number_invalid');
  if (!validUsAccountNumber(account.account_number)) throw invalidRequest('The account number you provided is invalid.', 'payment_method_data[us_bank_account][account_number]', 'account_number_invalid');
  return {
    type: 'ach_debit',
    achDebit: {
      routingNumber: account.routing_number,
      accountNumber: account.account_number,
      accountType: account.account_type ?? 'checking',
      accountHolderName: holder,
      accountHolderType: account.account_holder_type ?? 'individual',
      acceptance,
    },
  };
}

function cardData(data: Extract<MethodData, { type: 'card' }>, now: Date): CardInput {
  const { number, exp_month: expMonth, exp_year: expYear, cvc } = data.card;
  const param = (field: string) => `payment_method_data[card][${field}]`;
  if (!/^\d{12,19}$/.test(number) || !luhnValid(number) || !validCardLength(number, cardBrand(number))) {
    throw invalidRequest('Your card number is incorrect.', param('number'), 'incorrect_number');
  }
  if (expMonth < 1 || expMonth > 12) throw invalidRequest('Your card\'s expiration month is invalid.', param('exp_month'), 'invalid_expiry_month');
  if (expYear < 2000 || expYear > 2100) throw invalidRequest('Your card\'s expiration year is invalid.', param('exp_year'), 'invalid_expiry_year');
  if (isExpired(expMonth, expYear, now)) throw invalidRequest('Your card has expired.', param('exp_year'), 'expired_card');
  if (!validCvc(number, cvc)) {
    throw invalidRequest('Your card\'s security code is invalid.', param('cvc'), 'invalid_cvc');
  }
  return { number, expMonth, expYear, cvc, holderName: data.billing_details?.name ?? null };
}

/** A CVC of the length the card's brand uses (American Express: 4 digits, others 3). */
export function validCvc(number: string, cvc: string): boolean {
  return /^\d{3,4}$/.test(cvc) && cvc.length === (cardBrand(number) === 'amex' ? 4 : 3);
}
