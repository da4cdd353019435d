/**
 * SEPA Direct Debit on PaymentIntents (`sepa_debit`, an IBAN). Confirming one needs `mandate_data`
 * (the payer's acceptance); the PaymentIntent goes to `processing` at once and the simulator's bank
 * settles it later on its own calendar (`payment_intent.succeeded`, or `payment_intent.payment_failed`
 * with the charge's failure code). A collected debit the payer's bank takes back is a dispute
 * created already lost (`charge.dispute.created`): SEPA returns cannot be contested.
 *
 * Outcomes follow the test IBANs of Stripe's SEPA testing table; any other valid IBAN is collected.
 * ACH (`us_bank_account`) is not modelled: Stripe verifies account numbers typed in (microdeposits or
 * Financial Connections) before it debits them, a step the router's one-call debit has no place for.
 */
import { electronicFormatIBAN, extractIBAN, isSEPACountry } from 'ibantools';
import type { HandlerContext } from './context.js';
import { ok, paramErrors, type ApiResponse } from './errors.js';
import { newId, unixSeconds } from './ids.js';
import { optionalEnum, optionalObject, optionalString, rejectUnknown, requiredString, type Params } from './params.js';
import { renderPaymentIntent, renderPaymentMethod } from './resources.js';
import type { BankDebitDetails, BillingDetails, ChargeRecord, DebitFate, PaymentIntentRecord, PaymentMethodRecord } from './state.js';

const DAY = 86_400_000;

/**
 * How long after confirmation the simulator's bank settles a debit (Stripe quotes about 5 business
 * days for SEPA); moved on with `advanceBank`.
 */
export const DEBIT_SETTLEMENT_MS = 4 * DAY;

export type BankDebitType = BankDebitDetails['type'];
export const BANK_DEBIT_TYPES: readonly BankDebitType[] = ['sepa_debit'];
/** The one currency each scheme collects in. */
const SCHEME_CURRENCY: Readonly<Record<BankDebitType, string>> = { sepa_debit: 'eur' };

const collect: DebitFate = { kind: 'collect' };
const sepaFailure: DebitFate = { kind: 'fail', code: 'insufficient_funds', message: 'The customer\'s bank account has insufficient funds.' };
const sepaDispute: DebitFate = { kind: 'dispute', reason: 'debit_not_authorized' };

/** Stripe's SEPA test IBANs: succeeds, fails (processing → requires_payment_method), or succeeds and is disputed. */
const SEPA_TEST_IBANS: Readonly<Record<string, DebitFate>> = {
  DE89370400440532013000: collect,
  DE62370400440532013001: sepaFailure,
  AT611904300234573201: collect,
  AT861904300235473202: sepaFailure,
  AT591904300235473203: sepaDispute,
  NL39RABO0300065264: collect,
  NL91ABNA0417164300: sepaFailure,
  NL82RABO0300065266: sepaDispute,
};


const SEPA_PARAMS = ['iban'] as const;
const MANDATE_PARAMS = ['customer_acceptance'] as const;
const ACCEPTANCE_PARAMS = ['type', 'accepted_at', 'online', 'offline'] as const;

/**
 * A `sepa_debit` PaymentMethod from `payment_method_data`: the IBAN is checked as Stripe checks it,
 * its outcome read from the test IBANs, and the number forgotten.
 */
export function bankDebitPaymentMethod(ctx: HandlerContext, type: BankDebitType, data: Params, billing: BillingDetails): PaymentMethodRecord {
  if (!billing.name) throw paramErrors.missing('payment_method_data[billing_details][name]');
  const prefix = `payment_method_data[${type}]`;
  const details = optionalObject(data, type, prefix);
  if (!details) throw paramErrors.missing(prefix);
  const bankDebit = sepaAccount(ctx, details, prefix);
  const pm: PaymentMethodRecord = { id: newId('pm'), created: unixSeconds(ctx.now()), billing, bankDebit };
  ctx.state.paymentMethods.set(pm.id, pm);
  return pm;
}

function sepaAccount(ctx: HandlerContext, details: Params, prefix: string): BankDebitDetails {
  rejectUnknown(details, SEPA_PARAMS, prefix);
  const raw = requiredString(details, 'iban', `${prefix}[iban]`);
  const iban = electronicFormatIBAN(raw.toUpperCase()) ?? '';
  const parts = extractIBAN(iban);
  if (!parts.valid || !parts.countryCode || !isSEPACountry(parts.countryCode)) {
    throw paramErrors.invalid(`${prefix}[iban]`, 'The IBAN you provided is invalid.', 'invalid_bank_account_iban');
  }
  return {
    type: 'sepa_debit',
    country: parts.countryCode,
    bankCode: parts.bankIdentifier ?? null,
    last4: iban.slice(-4),
    fingerprint: ctx.fingerprint(`iban:${iban}`),
    fate: SEPA_TEST_IBANS[iban] ?? collect,
  };
}


/**
 * What confirming a bank debit needs beyond a card's: its type among the PaymentIntent's types, the
 * scheme's currency, automatic capture, and the payer's acceptance in `mandate_data`.
 */
export function checkDebitConfirmation(params: Params, pi: Pick<PaymentIntentRecord, 'paymentMethodTypes' | 'currency' | 'captureMethod'>, bank: BankDebitDetails): void {
  if (!pi.paymentMethodTypes.includes(bank.type)) {
    throw paramErrors.invalid('payment_method_data[type]', `The PaymentMethod provided (${bank.type}) is not allowed for this PaymentIntent. Allowed types: ${pi.paymentMethodTypes.join(', ')}.`, 'payment_intent_incompatible_payment_method');
  }
  if (pi.currency !== SCHEME_CURRENCY[bank.type]) {
    throw paramErrors.invalid('currency', `${bank.type} only supports ${SCHEME_CURRENCY[bank.type]}.`, 'payment_intent_invalid_currency');
  }
  if (pi.captureMethod === 'manual') {
    throw paramErrors.invalid('capture_method', `The payment method type ${bank.type} does not support manual capture.`);
  }
  mandateAcceptance(params);
}

function mandateAcceptance(params: Params): void {
  const mandate = optionalObject(params, 'mandate_data');
  if (!mandate) throw paramErrors.missing('mandate_data');
  rejectUnknown(mandate, MANDATE_PARAMS, 'mandate_data');
  const acceptance = optionalObject(mandate, 'customer_acceptance', 'mandate_data[customer_acceptance]');
  if (!acceptance) throw paramErrors.missing('mandate_data[customer_acceptance]');
  rejectUnknown(acceptance, ACCEPTANCE_PARAMS, 'mandate_data[customer_acceptance]');
  const type = optionalEnum(acceptance, 'type', ['online', 'offline'] as const, 'mandate_data[customer_acceptance][type]');
  if (!type) throw paramErrors.missing('mandate_data[customer_acceptance][type]');
  if (type === 'online') {
    const online = optionalObject(acceptance, 'online', 'mandate_data[customer_acceptance][online]');
    if (!online) throw paramErrors.missing('mandate_data[customer_acceptance][online]');
    rejectUnknown(online, ['ip_address', 'user_agent'], 'mandate_data[customer_acceptance][online]');
    requiredString(online, 'ip_address', 'mandate_data[customer_acceptance][online][ip_address]');
    requiredString(online, 'user_agent', 'mandate_data[customer_acceptance][online][user_agent]');
  }
  optionalString(acceptance, 'accepted_at', 'mandate_data[customer_acceptance][accepted_at]');
}

/** Confirms a bank debit: a pending charge under a new mandate, the PaymentIntent `processing` until the bank settles it. */
export function startDebit(ctx: HandlerContext, pi: PaymentIntentRecord, pm: PaymentMethodRecord, expand: readonly string[]): ApiResponse {
  const charge: ChargeRecord = {
    id: newId('py'),
    created: unixSeconds(ctx.now()),
    paymentIntentId: pi.id,
    paymentMethodId: pm.id,
    amount: pi.amount,
    currency: pi.currency,
    status: 'pending',
    captured: false,
    amountCaptured: 0,
    amountRefunded: 0,
    failureCode: null,
    failureMessage: null,
    declineCode: null,
    mandate: newId('mandate'),
    dispute: null,
  };
  ctx.state.charges.set(charge.id, charge);
  pi.paymentMethodId = pm.id;
  pi.latestChargeId = charge.id;
  pi.lastPaymentError = null;
  pi.nextAction = null;
  pi.status = 'processing';
  pi.debitSettlesAt = ctx.bank.now() + ctx.bank.settlementMs;
  ctx.emit('payment_intent.processing', renderPaymentIntent(ctx.state, pi));
  return ok(renderPaymentIntent(ctx.state, pi, expand));
}

/**
 * Settles every debit whose day has come on the bank's calendar. Approval-rate steering applies:
 * a debit the rates turn down fails for want of funds.
 */
export function settleDueDebits(ctx: HandlerContext): void {
  const today = ctx.bank.now();
  for (const pi of ctx.state.paymentIntents.values()) {
    if (pi.status !== 'processing' || pi.debitSettlesAt === undefined || pi.debitSettlesAt === null || pi.debitSettlesAt > today) continue;
    const charge = pi.latestChargeId ? ctx.state.charges.get(pi.latestChargeId) : undefined;
    const pm = pi.paymentMethodId ? ctx.state.paymentMethods.get(pi.paymentMethodId) : undefined;
    if (!charge || !pm?.bankDebit) continue;
    pi.debitSettlesAt = null;
    const steered = ctx.issuerApproves({ network: 'bank_debit', currency: pi.currency, country: pm.bankDebit.country });
    const fate: DebitFate = pm.bankDebit.fate.kind === 'fail' || steered ? pm.bankDebit.fate : { ...sepaFailure };
    if (fate.kind === 'fail') fail(ctx, pi, pm, charge, fate);
    else {
      collectDebit(ctx, pi, charge);
      if (fate.kind === 'dispute') disputeDebit(ctx, pi.id, fate.reason);
    }
  }
}

function fail(ctx: HandlerContext, pi: PaymentIntentRecord, pm: PaymentMethodRecord, charge: ChargeRecord, fate: Extract<DebitFate, { kind: 'fail' }>): void {
  charge.status = 'failed';
  charge.failureCode = fate.code;
  charge.failureMessage = fate.message;
  pi.status = 'requires_payment_method';
  pi.paymentMethodId = null;
  pi.lastPaymentError = { type: 'invalid_request_error', code: fate.code, message: fate.message, charge: charge.id, payment_method: renderPaymentMethod(pm) };
  pi.declines += 1;
  ctx.state.record('declined', pi, pi.amount, ctx.now());
  ctx.emit('payment_intent.payment_failed', renderPaymentIntent(ctx.state, pi));
}

function collectDebit(ctx: HandlerContext, pi: PaymentIntentRecord, charge: ChargeRecord): void {
  const now = ctx.now();
  charge.status = 'succeeded';
  charge.captured = true;
  charge.amountCaptured = pi.amount;
  pi.status = 'succeeded';
  pi.amountReceived = pi.amount;
  pi.authorized = pi.amount;
  pi.captured = pi.amount;
  ctx.state.record('authorized', pi, pi.amount, now);
  ctx.state.record('captured', pi, pi.amount, now);
  ctx.emit('payment_intent.succeeded', renderPaymentIntent(ctx.state, pi));
}

/**
 * The payer's bank takes a collected debit back: Stripe records a dispute that is lost from the
 * start (`charge.dispute.created`, status `lost`), with its own reason. Answers that reason.
 */
export function disputeDebit(ctx: HandlerContext, paymentIntentId: string, reason: string): string {
  const pi = ctx.state.paymentIntents.get(paymentIntentId);
  const charge = pi?.latestChargeId ? ctx.state.charges.get(pi.latestChargeId) : undefined;
  const pm = charge ? ctx.state.paymentMethods.get(charge.paymentMethodId) : undefined;
  if (!pi || !charge || !pm?.bankDebit) throw new RangeError(`${paymentIntentId} is no bank debit`);
  if (pi.status !== 'succeeded' || charge.dispute) throw new RangeError(`${paymentIntentId} is ${pi.status}${charge.dispute ? ', disputed' : ''}: only a collected debit can be returned`);
  charge.dispute = { id: newId('du'), created: unixSeconds(ctx.now()), reason };
  ctx.emit('charge.dispute.created', {
    id: charge.dispute.id,
    object: 'dispute',
    amount: charge.amount,
    balance_transactions: [],
    charge: charge.id,
    created: charge.dispute.created,
    currency: charge.currency,
    evidence_details: { due_by: null, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: pi.id,
    payment_method_details: { type: pm.bankDebit.type },
    reason,
    status: 'lost',
  });
  return reason;
}

/** Stripe's dispute reason for a SEPA return code: unauthorized and refund claims, funds, else general. */
export function disputeReason(schemeCode: string): string {
  if (/^(MD01|MD06|MS02)$/.test(schemeCode)) return 'debit_not_authorized';
  if (schemeCode === 'AM04') return 'insufficient_funds';
  return 'general';
}
