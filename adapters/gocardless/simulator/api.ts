import { electronicFormatIBAN, extractIBAN, isSEPACountry } from 'ibantools';
import { GOCARDLESS_CURRENCIES } from '../amounts.js';
import { gcId, TIMELINE, type GoCardlessEvent, type MandateRecord, type PaymentFate, type PaymentRecord, type RefundRecord, type SimulatorState } from './state.js';

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface ApiContext {
  state: SimulatorState;
  /** The fate of a new payment: from the steering's approval rates. */
  fate(payment: { currency: string; country: string }): PaymentFate;
  emit(event: Omit<GoCardlessEvent, 'id' | 'created_at'>): void;
}

/** GoCardless' error envelope: `{error: {message, documentation_url, type, request_id, code, errors: [...]}}`. */
export class ApiError extends Error {
  constructor(readonly response: ApiResponse) {
    super('GoCardless API error');
  }
}

function fail(status: number, type: string, message: string, errors: Record<string, unknown>[]): ApiError {
  return new ApiError({
    status,
    body: { error: { message, documentation_url: `https://developer.gocardless.com/api-reference#${type}`, type, request_id: gcId('WB'), code: status, errors } },
  });
}

export const validation = (field: string, message: string) => fail(422, 'validation_failed', 'Validation failed', [{ field, message, request_pointer: `/data/${field}` }]);
export const invalidState = (reason: string, message: string, links?: Record<string, string>) => fail(409, 'invalid_state', message, [{ reason, message, ...(links ? { links } : {}) }]);
export const notFound = () => fail(404, 'invalid_api_usage', 'Resource not found', [{ reason: 'resource_not_found', message: 'Resource not found' }]);
export const malformed = () => fail(400, 'invalid_api_usage', 'Invalid document structure', [{ reason: 'invalid_document_structure', message: 'Invalid document structure' }]);

type Body = Record<string, unknown>;

const str = (body: Body, key: string): string | null => (typeof body[key] === 'string' ? (body[key] as string) : null);
const obj = (value: unknown): Body => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {});
const metadataOf = (body: Body): Record<string, string> => Object.fromEntries(Object.entries(obj(body['metadata'])).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));

export function createCustomer(ctx: ApiContext, body: Body): ApiResponse {
  const given = str(body, 'given_name');
  const family = str(body, 'family_name');
  const company = str(body, 'company_name');
  if (!company && !(given && family)) throw validation('given_name', 'must be present unless company_name is given');
  const customer = { id: gcId('CU'), created_at: ctx.state.iso(), given_name: given, family_name: family, company_name: company, email: str(body, 'email'), metadata: metadataOf(body) };
  ctx.state.customers.set(customer.id, customer);
  return { status: 201, body: { customers: customer } };
}

/** ABA routing checksum, as GoCardless checks `branch_code` for a US account. */
function validAba(routing: string): boolean {
  if (!/^\d{9}$/.test(routing)) return false;
  const d = [...routing].map(Number);
  return (3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!)) % 10 === 0;
}

export function getCustomer(ctx: ApiContext, id: string): ApiResponse {
  const customer = ctx.state.customers.get(id);
  if (!customer) throw notFound();
  return { status: 200, body: { customers: customer } };
}

export function getBankAccount(ctx: ApiContext, id: string): ApiResponse {
  const account = ctx.state.bankAccounts.get(id);
  if (!account) throw notFound();
  const { customer, ...rest } = account;
  return { status: 200, body: { customer_bank_accounts: { ...rest, links: { customer } } } };
}

export function createBankAccount(ctx: ApiContext, body: Body): ApiResponse {
  const customer = str(obj(body['links']), 'customer');
  if (!customer || !ctx.state.customers.has(customer)) throw validation('links.customer', 'must be a valid customer');
  const holder = str(body, 'account_holder_name');
  if (!holder) throw validation('account_holder_name', 'is required');
  const iban = str(body, 'iban');
  let account: { country: string; currency: string; number: string };
  if (iban !== null) {
    const parts = extractIBAN(electronicFormatIBAN(iban) ?? '');
    if (!parts.valid || !parts.countryCode) throw validation('iban', 'is invalid');
    if (!isSEPACountry(parts.countryCode)) throw validation('iban', 'is not in a supported country');
    account = { country: parts.countryCode, currency: 'EUR', number: parts.iban };
  } else {
    const number = str(body, 'account_number');
    const branch = str(body, 'branch_code');
    if (str(body, 'country_code') !== 'US') throw validation('country_code', 'must be US when no IBAN is given');
    if (!branch || !validAba(branch)) throw validation('branch_code', 'is invalid');
    if (!number || !/^\d{4,17}$/.test(number)) throw validation('account_number', 'is invalid');
    if (str(body, 'account_type') !== 'checking' && str(body, 'account_type') !== 'savings') throw validation('account_type', 'must be checking or savings');
    account = { country: 'US', currency: 'USD', number };
  }
  const record = {
    id: gcId('BA'),
    created_at: ctx.state.iso(),
    account_holder_name: holder,
    account_number_ending: account.number.slice(-2),
    country_code: account.country,
    currency: account.currency,
    bank_name: 'SIMULATED BANK',
    // The sandbox's closed account: any account number ending 0000 is disabled at once.
    enabled: !account.number.endsWith('0000'),
    customer,
  };
  ctx.state.bankAccounts.set(record.id, record);
  return { ...getBankAccount(ctx, record.id), status: 201 };
}

export function createMandate(ctx: ApiContext, body: Body): ApiResponse {
  const bankAccountId = str(obj(body['links']), 'customer_bank_account');
  const account = bankAccountId ? ctx.state.bankAccounts.get(bankAccountId) : undefined;
  if (!account) throw validation('links.customer_bank_account', 'must be a valid customer bank account');
  if (!account.enabled) throw validation('links.customer_bank_account', 'has been disabled');
  const scheme = str(body, 'scheme');
  if (scheme !== 'sepa_core' && scheme !== 'ach') throw validation('scheme', 'is not supported');
  if ((scheme === 'ach') !== (account.country_code === 'US')) throw validation('scheme', 'does not match the bank account');
  const ip = str(body, 'payer_ip_address');
  if (scheme === 'ach' && !ip) throw validation('payer_ip_address', 'is required for ACH mandates');
  const mandate: MandateRecord = {
    id: gcId('MD'),
    created_at: ctx.state.iso(),
    reference: str(body, 'reference') ?? `SIM-${gcId('MD').slice(2, 12)}`,
    scheme: scheme === 'ach' ? 'ach' : 'sepa_core',
    status: 'pending_submission',
    payer_ip_address: ip,
    metadata: metadataOf(body),
    customer_bank_account: account.id,
  };
  ctx.state.mandates.set(mandate.id, mandate);
  return { status: 201, body: { mandates: mandateView(mandate) } };
}

function mandateView(m: MandateRecord) {
  const { customer_bank_account, ...rest } = m;
  return { ...rest, links: { customer_bank_account } };
}

export function getMandate(ctx: ApiContext, id: string): ApiResponse {
  const mandate = ctx.state.mandates.get(id);
  if (!mandate) throw notFound();
  return { status: 200, body: { mandates: mandateView(mandate) } };
}

export function createPayment(ctx: ApiContext, body: Body): ApiResponse {
  const amount = body['amount'];
  const currency = str(body, 'currency');
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1) throw validation('amount', 'must be a positive integer');
  if (!currency || !(GOCARDLESS_CURRENCIES as readonly string[]).includes(currency)) throw validation('currency', 'is not supported');
  const mandateId = str(obj(body['links']), 'mandate');
  const mandate = mandateId ? ctx.state.mandates.get(mandateId) : undefined;
  if (!mandate) throw validation('links.mandate', 'must be a valid mandate');
  if (mandate.status === 'failed' || mandate.status === 'cancelled') throw invalidState('mandate_is_inactive', 'The mandate for this payment was cancelled or failed');
  const account = ctx.state.bankAccounts.get(mandate.customer_bank_account)!;
  if (account.currency !== currency) throw validation('currency', 'must match the mandate');
  const now = ctx.state.now();
  const payment: PaymentRecord = {
    id: gcId('PM'),
    created_at: ctx.state.iso(now),
    charge_date: ctx.state.iso(now + TIMELINE.submitAfterMs).slice(0, 10),
    amount,
    currency,
    status: 'pending_submission',
    reference: str(body, 'reference'),
    description: str(body, 'description'),
    metadata: metadataOf(body),
    amount_refunded: 0,
    mandate: mandate.id,
    fate: ctx.fate({ currency, country: account.country_code }),
    submitAt: now + TIMELINE.submitAfterMs,
    settleAt: now + TIMELINE.settleAfterMs,
    payoutAt: now + TIMELINE.payoutAfterMs,
  };
  ctx.state.payments.set(payment.id, payment);
  ctx.emit(paymentEvent(payment, 'created', 'gocardless', 'payment_created', 'Payment created via the API.'));
  return { status: 201, body: { payments: paymentView(payment) } };
}

export function paymentView(p: PaymentRecord) {
  return {
    id: p.id,
    created_at: p.created_at,
    charge_date: p.charge_date,
    amount: p.amount,
    amount_refunded: p.amount_refunded,
    currency: p.currency,
    status: p.status,
    reference: p.reference,
    description: p.description,
    metadata: p.metadata,
    scheme: null,
    links: { mandate: p.mandate, creditor: 'CR0000SIMULATOR' },
  };
}

export function getPayment(ctx: ApiContext, id: string): ApiResponse {
  const payment = ctx.state.payments.get(id);
  if (!payment) throw notFound();
  return { status: 200, body: { payments: paymentView(payment) } };
}

/** `GET /payments` with `created_at[gte]`, `limit` and `after` (cursor: a payment id), newest first as GoCardless lists. */
export function listPayments(ctx: ApiContext, query: URLSearchParams): ApiResponse {
  const limit = Math.min(Number(query.get('limit') ?? 50) || 50, 500);
  const since = query.get('created_at[gte]');
  const after = query.get('after');
  let rows = [...ctx.state.payments.values()].filter((p) => since === null || p.created_at >= since).reverse();
  if (after) rows = rows.slice(rows.findIndex((p) => p.id === after) + 1);
  const page = rows.slice(0, limit);
  return { status: 200, body: { payments: page.map(paymentView), meta: { cursors: { before: null, after: rows.length > limit ? page.at(-1)!.id : null }, limit } } };
}

export function createRefund(ctx: ApiContext, body: Body): ApiResponse {
  const paymentId = str(obj(body['links']), 'payment');
  const payment = paymentId ? ctx.state.payments.get(paymentId) : undefined;
  if (!payment) throw validation('links.payment', 'must be a valid payment');
  const amount = body['amount'];
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1) throw validation('amount', 'must be a positive integer');
  if (payment.status !== 'confirmed' && payment.status !== 'paid_out') throw invalidState('available_refund_amount_insufficient', 'The payment cannot be refunded in its current state');
  if (body['total_amount_confirmation'] !== payment.amount_refunded + amount) throw invalidState('total_amount_confirmation_invalid', 'total_amount_confirmation does not match the refunded total');
  if (payment.amount_refunded + amount > payment.amount) throw invalidState('refund_payment_invalid_state', 'The refunds would exceed the payment amount');
  payment.amount_refunded += amount;
  const refund: RefundRecord = {
    id: gcId('RF'),
    created_at: ctx.state.iso(),
    amount,
    currency: payment.currency,
    status: 'pending_submission',
    reference: str(body, 'reference'),
    metadata: metadataOf(body),
    payment: payment.id,
    paidAt: ctx.state.now() + TIMELINE.refundPaidAfterMs,
  };
  ctx.state.refunds.set(refund.id, refund);
  ctx.emit(refundEvent(refund, 'created', 'refund_created'));
  return { status: 201, body: { refunds: refundView(refund) } };
}

export function refundView(r: RefundRecord) {
  return { id: r.id, created_at: r.created_at, amount: r.amount, currency: r.currency, status: r.status, reference: r.reference, metadata: r.metadata, links: { payment: r.payment } };
}

export function getRefund(ctx: ApiContext, id: string): ApiResponse {
  const refund = ctx.state.refunds.get(id);
  if (!refund) throw notFound();
  return { status: 200, body: { refunds: refundView(refund) } };
}

export function listRefunds(ctx: ApiContext, query: URLSearchParams): ApiResponse {
  const payment = query.get('payment');
  const rows = [...ctx.state.refunds.values()].filter((r) => payment === null || r.payment === payment).reverse();
  return { status: 200, body: { refunds: rows.map(refundView), meta: { cursors: { before: null, after: null }, limit: 50 } } };
}

export function cancelPayment(ctx: ApiContext, id: string): ApiResponse {
  const payment = ctx.state.payments.get(id);
  if (!payment) throw notFound();
  if (payment.status !== 'pending_submission') throw invalidState('cancellation_failed', 'This payment could not be cancelled');
  payment.status = 'cancelled';
  ctx.emit(paymentEvent(payment, 'cancelled', 'api', 'payment_cancelled', 'The payment was cancelled.'));
  return { status: 200, body: { payments: paymentView(payment) } };
}

export function paymentEvent(p: PaymentRecord, action: string, origin: GoCardlessEvent['details']['origin'], cause: string, description: string, reasonCode?: string): Omit<GoCardlessEvent, 'id' | 'created_at'> {
  const mandate = p.mandate;
  return {
    resource_type: 'payments',
    action,
    links: { payment: p.id, mandate },
    details: { origin, cause, description, ...(reasonCode ? { reason_code: reasonCode, scheme: p.currency === 'USD' ? 'ach' : 'sepa_core' } : {}) },
    metadata: {},
  };
}

export function refundEvent(r: RefundRecord, action: string, cause: string): Omit<GoCardlessEvent, 'id' | 'created_at'> {
  return { resource_type: 'refunds', action, links: { refund: r.id, payment: r.payment }, details: { origin: 'gocardless', cause, description: `Refund ${action}.` }, metadata: {} };
}

/**
 * Moves every payment and refund whose next step is due on the simulator's clock, emitting the
 * events GoCardless sends: submitted, then confirmed (or failed with the bank's reason), then paid_out.
 */
export function progress(ctx: ApiContext): void {
  const now = ctx.state.now();
  for (const p of ctx.state.payments.values()) {
    if (p.status === 'pending_submission' && now >= p.submitAt) {
      p.status = 'submitted';
      const mandate = ctx.state.mandates.get(p.mandate)!;
      if (mandate.status === 'pending_submission') mandate.status = 'active';
      ctx.emit(paymentEvent(p, 'submitted', 'gocardless', 'payment_submitted', 'Payment submitted to the banks.'));
    }
    if (p.status === 'submitted' && now >= p.settleAt) {
      if (p.fate.kind === 'fail') {
        p.status = 'failed';
        ctx.emit(paymentEvent(p, 'failed', 'bank', p.fate.cause, 'The payment failed at the payer\'s bank.', p.fate.reasonCode));
      } else {
        p.status = 'confirmed';
        ctx.emit(paymentEvent(p, 'confirmed', 'gocardless', 'payment_confirmed', 'Enough time has passed since the payment was submitted for the banks to return an error, so this payment is now confirmed.'));
      }
    }
    if (p.status === 'confirmed' && now >= p.payoutAt) {
      p.status = 'paid_out';
      ctx.emit(paymentEvent(p, 'paid_out', 'gocardless', 'payment_paid_out', 'The payment has been paid out by GoCardless.'));
    }
  }
  for (const r of ctx.state.refunds.values()) {
    if (r.status === 'pending_submission' && now >= r.paidAt) {
      r.status = 'paid';
      ctx.emit(refundEvent(r, 'paid', 'refund_paid'));
    }
  }
}

/** The payer's bank returns a collected debit: `charged_back` (a dispute, SEPA MD06 / ACH R10) or `late_failure_settled` (a late return such as AC04). */
export function returnPayment(ctx: ApiContext, id: string, kind: 'charged_back' | 'late_failure_settled', reasonCode: string): void {
  const p = ctx.state.payments.get(id);
  if (!p) throw new RangeError(`No payment ${id}`);
  if (p.status !== 'confirmed' && p.status !== 'paid_out') throw new RangeError(`Payment ${id} is ${p.status}: only a collected payment can be returned`);
  // A late failure leaves the payment `failed`, as GoCardless shows it; a chargeback has its own status.
  p.status = kind === 'charged_back' ? 'charged_back' : 'failed';
  ctx.emit(paymentEvent(p, kind, 'bank', kind === 'charged_back' ? 'payment_charged_back' : 'payment_late_failure_settled', "The payer's bank returned the payment.", reasonCode));
}
