import { toBraintreeAmount } from '../amounts.js';
import { processorResponseText } from '../declines.js';
import type { ValidationError } from './sandbox.js';
import type { TransactionRecord } from './state.js';

/**
 * Braintree's XML, as the SDK reads it (xml2js, then dashes to camelCase): `type="array"` and
 * `type="collection"` make lists, `type="integer"`/`"boolean"` convert, `nil="true"` is null.
 */

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

function escape(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** `<name>text</name>`, or `<name nil="true"/>` for null. */
export function leaf(name: string, value: string | null, type?: string): string {
  if (value === null) return `<${name} nil="true"/>`;
  const attribute = type ? ` type="${type}"` : '';
  return `<${name}${attribute}>${escape(value)}</${name}>`;
}

export function node(name: string, children: readonly string[], type?: string): string {
  const attribute = type ? ` type="${type}"` : '';
  return children.length === 0 ? `<${name}${attribute}/>` : `<${name}${attribute}>${children.join('')}</${name}>`;
}

export function document(root: string): string {
  return DECLARATION + root;
}

export function transactionXml(t: TransactionRecord): string {
  return node('transaction', [
    leaf('id', t.id),
    leaf('type', t.type),
    leaf('status', t.status),
    leaf('amount', toBraintreeAmount(t.amount, t.currency)),
    leaf('currency-iso-code', t.currency),
    leaf('merchant-account-id', t.merchantAccountId),
    leaf('order-id', t.orderId),
    leaf('created-at', t.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'), 'datetime'),
    leaf('updated-at', t.updatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'), 'datetime'),
    leaf('processor-response-code', t.processorResponseCode),
    leaf('processor-response-text', t.processorResponseCode && processorResponseText(t.processorResponseCode)),
    leaf('gateway-rejection-reason', t.gatewayRejectionReason),
    leaf('merchant-advice-code', null),
    leaf('cvv-response-code', t.cvvResponseCode),
    leaf('network-transaction-id', t.networkTransactionId ?? null),
    leaf('avs-postal-code-response-code', t.avsPostalCodeResponseCode),
    leaf('avs-street-address-response-code', t.avsStreetAddressResponseCode),
    leaf('refunded-transaction-id', t.refundedTransactionId),
    node('refund-ids', t.refundIds.map((id) => leaf('item', id)), 'array'),
    leaf('payment-instrument-type', t.instrument ?? 'credit_card'),
    instrumentXml(t),
  ]);
}

/**
 * The card as the sale's instrument shows it: `<credit-card>`, or for a wallet nonce `<apple-pay>`
 * (the SDK's `applePayCard`) or `<android-pay-card>` (`androidPayCard`, the Google Pay card).
 */
function instrumentXml(t: TransactionRecord): string {
  const card = t.card;
  const indicators = [leaf('debit', card.debit ?? 'Unknown'), leaf('prepaid', card.prepaid ?? 'Unknown'), leaf('country-of-issuance', card.countryOfIssuance ?? 'Unknown')];
  const expiry = [leaf('expiration-month', card.expirationMonth), leaf('expiration-year', card.expirationYear)];
  const description = `${card.cardType} ${card.last4}`;
  switch (t.instrument ?? 'credit_card') {
    case 'apple_pay_card':
      return node('apple-pay', [
        leaf('card-type', `Apple Pay - ${card.cardType}`),
        leaf('payment-instrument-name', description),
        leaf('source-description', description),
        leaf('bin', card.bin),
        leaf('last-4', card.last4),
        ...expiry,
        leaf('cardholder-name', card.cardholderName),
        ...indicators,
      ]);
    case 'android_pay_card':
      return node('android-pay-card', [
        leaf('virtual-card-type', card.cardType),
        leaf('virtual-card-last-4', card.last4),
        leaf('source-card-type', card.cardType),
        leaf('source-card-last-4', card.last4),
        leaf('source-description', description),
        leaf('bin', card.bin),
        ...expiry,
        leaf('is-network-tokenized', 'true', 'boolean'),
        ...indicators,
      ]);
    case 'credit_card':
      return node('credit-card', [
        leaf('bin', card.bin),
        leaf('last-4', card.last4),
        leaf('card-type', card.cardType),
        ...expiry,
        leaf('cardholder-name', card.cardholderName),
        leaf('masked-number', `${card.bin}******${card.last4}`),
        ...indicators,
      ]);
  }
}

function errorsXml(errors: readonly ValidationError[], scope: ValidationError['scope']): string {
  const list = errors
    .filter((error) => error.scope === scope)
    .map((error) => node('error', [leaf('code', error.code), leaf('attribute', error.attribute, 'symbol'), leaf('message', error.message)]));
  return node('errors', list, 'array');
}

/** A 422 `<api-error-response>`: validation errors, or a declined transaction with no errors. */
export function errorResponseXml(message: string, errors: readonly ValidationError[], transaction: TransactionRecord | null = null): string {
  return document(
    node('api-error-response', [
      node('errors', [
        node('errors', [], 'array'),
        node('transaction', [errorsXml(errors, 'transaction'), node('credit-card', [errorsXml(errors, 'credit-card')])]),
      ]),
      leaf('message', message),
      ...(transaction ? [transactionXml(transaction)] : []),
    ]),
  );
}

export function searchIdsXml(ids: readonly string[]): string {
  return document(
    node('search-results', [leaf('page-size', '50', 'integer'), node('ids', ids.map((id) => leaf('item', id)), 'array')]),
  );
}

export function searchResultsXml(transactions: readonly TransactionRecord[]): string {
  return document(
    node('credit-card-transactions', [
      leaf('current-page-number', '1', 'integer'),
      leaf('page-size', '50', 'integer'),
      leaf('total-items', String(transactions.length), 'integer'),
      ...transactions.map(transactionXml),
    ], 'collection'),
  );
}
