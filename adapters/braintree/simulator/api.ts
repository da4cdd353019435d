import { randomBytes } from 'node:crypto';
import { cardBrand } from '../../../src/domain/card.js';
import { currencyExponent } from '../../../src/domain/currency.js';
import { fromBraintreeAmount } from '../amounts.js';
import { processorResponseText } from '../declines.js';
import type { ApprovalRates } from '../../testkit/steering.js';
import {
  cardErrors,
  cardType,
  expiration,
  issuerCountry,
  cardIndicators,
  processorResponse,
  rejectionBeforeProcessor,
  sharedCardResponse,
  verificationRejection,
  verificationResponses,
  type ValidationError,
} from './sandbox.js';
import { searchIds, searchTransactions } from './search.js';
import { walletNonce } from './wallet-nonces.js';
import type { Settlements } from './settlement.js';
import { newTransactionId, type TransactionRecord, type TransactionStore } from './state.js';
import { document, errorResponseXml, transactionXml } from './xml.js';

export interface ApiContext {
  store: TransactionStore;
  settlements: Settlements;
  approval: ApprovalRates;
  /** Merchant account id → its currency; the first one is the default. */
  merchantAccounts: ReadonlyMap<string, string>;
  now(): number;
}

export interface ApiResponse {
  status: number;
  body: string;
}

export type Json = Record<string, unknown>;

export function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

const ok = (t: TransactionRecord, status = 200): ApiResponse => ({ status, body: document(transactionXml(t)) });
const invalid = (errors: ValidationError[]): ApiResponse => ({ status: 422, body: errorResponseXml(errors.map((e) => e.message).join('\n'), errors) });
const transactionError = (code: string, attribute: string, message: string): ValidationError => ({ code, attribute, message, scope: 'transaction' });
const notFound: ApiResponse = { status: 404, body: '' };

/** The transaction API under `/merchants/{id}`, with the SDK's JSON bodies (snake_case keys) and Braintree's XML answers. */
export function handleApi(ctx: ApiContext, method: string, path: string, body: Json): ApiResponse {
  ctx.settlements.catchUp();
  const route = `${method} ${path}`;
  if (route === 'POST /transactions') return sale(ctx, record(body.transaction));
  if (route === 'POST /transactions/advanced_search_ids') return searchIds(ctx.store, record(body.search));
  if (route === 'POST /transactions/advanced_search') return searchTransactions(ctx.store, record(body.search));

  const match = /^\/transactions\/([a-z0-9]+)(?:\/([a-z_]+))?$/.exec(path);
  const found = match && ctx.store.get(match[1]!);
  if (!found) return notFound;
  const params = record(body.transaction);
  switch (`${method} ${match[2] ?? ''}`) {
    case 'GET ':
      return ok(found);
    case 'PUT submit_for_settlement':
      return submitForSettlement(ctx, found, params.amount);
    case 'PUT void':
      return voidTransaction(ctx, found);
    case 'POST refund':
      return refund(ctx, found, params);
    case 'PUT settle':
    case 'PUT settlement_decline':
      if (found.status !== 'submitted_for_settlement') return invalid([transactionError('91575', 'base', 'Cannot simulate transaction settlement.')]);
      if (match[2] === 'settle') ctx.settlements.settle(found);
      else ctx.settlements.decline(found);
      return ok(found);
    default:
      return notFound;
  }
}

/** An amount in minor units, null when none was given, or the validation error Braintree answers. */
function parseAmount(value: unknown, currency: string): number | null | ValidationError {
  if (value === undefined || value === null || value === '') return null;
  const text = typeof value === 'string' ? value : '';
  if (text.startsWith('-')) return transactionError('81501', 'amount', 'Amount cannot be negative.');
  const decimals = /^\d+(?:\.(\d+))?$/.exec(text);
  const amount = decimals && (decimals[1]?.length ?? 0) <= currencyExponent(currency)! ? fromBraintreeAmount(text, currency) : null;
  if (amount === null) return transactionError('81503', 'amount', 'Amount is an invalid format.');
  if (text.length > 10) return transactionError('81528', 'amount', 'Amount is too large.');
  if (amount === 0) return transactionError('81531', 'amount', 'Amount must be greater than zero.');
  return amount;
}

const isError = (value: number | null | ValidationError): value is ValidationError => typeof value === 'object' && value !== null;

function sale(ctx: ApiContext, params: Json): ApiResponse {
  if (params.type !== 'sale') {
    return invalid([params.type === 'credit' ? transactionError('91546', 'base', 'Merchant account does not support refunds.') : transactionError('91523', 'type', 'Transaction type is invalid.')]);
  }
  const merchantAccountId = typeof params.merchant_account_id === 'string' ? params.merchant_account_id : [...ctx.merchantAccounts.keys()][0]!;
  const currency = ctx.merchantAccounts.get(merchantAccountId);
  if (currency === undefined) return invalid([transactionError('91513', 'merchant_account_id', 'Merchant account ID is invalid.')]);

  const card = record(params.credit_card);
  const cardParams = { number: card.number, expirationMonth: card.expiration_month, expirationYear: card.expiration_year, expirationDate: card.expiration_date, cvv: card.cvv };
  // A wallet nonce (Apple Pay, Google Pay) pays instead of card details.
  const wallet = params.payment_method_nonce === undefined ? null : walletNonce(params.payment_method_nonce);
  const amount = parseAmount(params.amount, currency) ?? transactionError('81502', 'amount', 'Amount is required.');
  const orderId = typeof params.order_id === 'string' ? params.order_id : null;
  const errors = [
    ...(isError(amount) ? [amount] : []),
    ...(wallet === null ? cardErrors(cardParams) : 'code' in wallet ? [wallet] : []),
    ...(orderId !== null && orderId.length > 255 ? [transactionError('91501', 'order_id', 'Order ID is too long.')] : []),
    ...storedCredentialErrors(params),
  ];
  if (errors.length > 0 || typeof amount !== 'number' || (wallet !== null && 'code' in wallet)) return invalid(errors);

  const now = new Date(ctx.now());
  const number = wallet === null ? (card.number as string) : wallet.number;
  // A wallet's device card: an expiry three years out, as the sandbox's wallet cards have one in the future.
  const expiry = wallet === null ? expiration(cardParams)! : { month: '12', year: String(now.getUTCFullYear() + 3) };
  const billing = record(params.billing);
  const verification = verificationResponses(card.cvv, billing.postal_code, billing.street_address);
  const transaction: TransactionRecord = {
    id: newTransactionId(),
    type: 'sale',
    status: 'authorized',
    merchantAccountId,
    currency,
    amount,
    authorizedAmount: 0,
    orderId,
    createdAt: now,
    updatedAt: now,
    processorResponseCode: null,
    gatewayRejectionReason: null,
    cvvResponseCode: verification.cvv,
    avsPostalCodeResponseCode: verification.postalCode,
    avsStreetAddressResponseCode: verification.streetAddress,
    instrument: wallet?.instrument ?? 'credit_card',
    card: {
      bin: number.slice(0, 6),
      last4: number.slice(-4),
      cardType: cardType(number),
      expirationMonth: expiry.month.padStart(2, '0'),
      expirationYear: expiry.year,
      cardholderName: wallet === null && typeof card.cardholder_name === 'string' ? card.cardholder_name : null,
      ...cardIndicators(number),
    },
    refundIds: [],
    refundedTransactionId: null,
    settlesAt: null,
    networkTransactionId: null,
  };
  ctx.store.add(transaction);

  const shared = sharedCardResponse(number);
  const rejected = rejectionBeforeProcessor(number, amount, currency) ?? (shared !== null && 'rejection' in shared ? shared.rejection : null);
  if (rejected) return reject(transaction, rejected);
  const byAmount = processorResponse(amount, currency);
  // The amount's own answer first; an amount that approves leaves it to the shared test card.
  const processor = byAmount.status === 'authorized' && shared !== null && 'code' in shared ? shared : byAmount;
  const soft = processor.status === 'authorized' && !ctx.approval.approves({ network: cardBrand(number), currency, country: issuerCountry(number) });
  transaction.processorResponseCode = soft ? '2000' : processor.code;
  if (soft || processor.status !== 'authorized') {
    transaction.status = soft ? 'processor_declined' : processor.status;
    return { status: 422, body: errorResponseXml(processorResponseText(transaction.processorResponseCode), [], transaction) };
  }
  // The processor approved; the gateway's AVS/CVV rules may still refuse (and void) the authorization.
  const refused = verificationRejection(verification);
  if (refused) return reject(transaction, refused);

  transaction.authorizedAmount = amount;
  transaction.networkTransactionId = networkTransactionId();
  if (record(params.options).submit_for_settlement === true) {
    transaction.status = 'submitted_for_settlement';
    ctx.settlements.submitted(transaction);
  }
  return ok(transaction, 201);
}

const TRANSACTION_SOURCES = ['recurring', 'unscheduled', 'recurring_first', 'moto'];
const EXTERNAL_VAULT_STATUSES = ['will_vault', 'vaulted'];

/**
 * Card details the merchant vaults itself (`external_vault`): a merchant-initiated sale
 * (`transaction_source` recurring or unscheduled) on them must say they were vaulted and cite the
 * network transaction id of the first, customer-initiated sale.
 */
function storedCredentialErrors(params: Json): ValidationError[] {
  const source = params.transaction_source;
  if (source !== undefined && (typeof source !== 'string' || !TRANSACTION_SOURCES.includes(source))) {
    return [transactionError('915133', 'transaction_source', 'Transaction source is invalid.')];
  }
  const vault = params.external_vault === undefined ? null : record(params.external_vault);
  if (vault !== null && (typeof vault.status !== 'string' || !EXTERNAL_VAULT_STATUSES.includes(vault.status))) {
    return [transactionError('915175', 'status', 'External vault status is invalid.')];
  }
  const previous = vault?.previous_network_transaction_id;
  if (previous !== undefined && vault?.status !== 'vaulted') {
    return [transactionError('915177', 'previous_network_transaction_id', 'Previous network transaction id requires the external vault status vaulted.')];
  }
  const merchantInitiated = source === 'recurring' || source === 'unscheduled';
  if (merchantInitiated && (vault?.status !== 'vaulted' || typeof previous !== 'string' || !/^[0-9A-Za-z]{9,32}$/.test(previous))) {
    return [transactionError('915176', 'previous_network_transaction_id', 'A recurring or unscheduled sale on externally vaulted card details requires the previous network transaction id.')];
  }
  return [];
}

/** A network transaction id as the card networks issue them (Visa: 15 digits). */
function networkTransactionId(): string {
  return Array.from(randomBytes(15), (b) => String(b % 10)).join('');
}

function reject(transaction: TransactionRecord, reason: string): ApiResponse {
  transaction.status = 'gateway_rejected';
  transaction.gatewayRejectionReason = reason;
  return { status: 422, body: errorResponseXml(`Gateway Rejected: ${reason}`, [], transaction) };
}

function submitForSettlement(ctx: ApiContext, transaction: TransactionRecord, requested: unknown): ApiResponse {
  if (transaction.type !== 'sale' || transaction.status !== 'authorized') {
    return invalid([transactionError('91507', 'base', 'Cannot submit for settlement unless status is authorized.')]);
  }
  const amount = parseAmount(requested, transaction.currency) ?? transaction.amount;
  if (isError(amount)) return invalid([amount]);
  if (amount > transaction.amount) return invalid([transactionError('91522', 'amount', 'Settlement amount is too large.')]);
  transaction.amount = amount;
  transaction.status = 'submitted_for_settlement';
  transaction.updatedAt = new Date(ctx.now());
  ctx.settlements.submitted(transaction);
  return ok(transaction);
}

function voidTransaction(ctx: ApiContext, transaction: TransactionRecord): ApiResponse {
  if (transaction.status !== 'authorized' && transaction.status !== 'submitted_for_settlement') {
    return invalid([transactionError('91504', 'base', 'Transaction can only be voided if status is authorized or submitted_for_settlement.')]);
  }
  transaction.status = 'voided';
  transaction.settlesAt = null;
  transaction.updatedAt = new Date(ctx.now());
  return ok(transaction);
}

/** A refund is a new credit transaction against a settled sale, up to what is left of it. */
function refund(ctx: ApiContext, sale: TransactionRecord, params: Json): ApiResponse {
  if (sale.type === 'credit') return invalid([transactionError('91505', 'base', 'Cannot refund a credit.')]);
  if (sale.status !== 'settled') return invalid([transactionError('91506', 'base', 'Cannot refund a transaction unless it is settled.')]);
  const credits = sale.refundIds.map((id) => ctx.store.get(id)).filter((credit) => credit?.status !== 'settlement_declined');
  const left = sale.amount - credits.reduce((sum, credit) => sum + (credit?.amount ?? 0), 0);
  const amount = parseAmount(params.amount, sale.currency) ?? left;
  if (isError(amount)) return invalid([amount]);
  if (amount > left || amount === 0) return invalid([transactionError('91521', 'amount', 'Refund amount is too large.')]);

  const now = new Date(ctx.now());
  const credit = ctx.store.add({
    ...sale,
    id: newTransactionId(),
    type: 'credit',
    status: 'submitted_for_settlement',
    amount,
    authorizedAmount: 0,
    orderId: typeof params.order_id === 'string' ? params.order_id : null,
    createdAt: now,
    updatedAt: now,
    processorResponseCode: '1002',
    refundIds: [],
    refundedTransactionId: sale.id,
  });
  sale.refundIds.push(credit.id);
  ctx.settlements.submitted(credit);
  return ok(credit, 201);
}
