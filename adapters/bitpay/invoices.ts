/**
 * A BitPay invoice as the router sees the attempt. Statuses (developer.bitpay.com, "Invoice
 * States"): `new` (awaiting payment; a partial payment keeps it `new` with exceptionStatus
 * `paidPartial`), `paid` (the full amount seen, not yet confirmed), `confirmed` and `complete` (the
 * merchant may ship), `expired` (not paid in full in time), `invalid` (paid but not confirmed: a
 * double spend or a fee too low). A crypto payment has no authorization to capture later: a
 * confirmed invoice is an approved, captured payment.
 */
import type { AuthorizationOutcome, CryptoQuote } from '../../src/domain/outcome.js';
import { coinAmount, isCryptoCurrency } from './amounts.js';
import { bitpayDecline } from './declines.js';

/** The fields of an invoice the adapter reads (the SDK's InvoiceInterface, loosely typed as answered). */
export interface InvoiceAnswer {
  id?: unknown;
  url?: unknown;
  status?: unknown;
  exceptionStatus?: unknown;
  orderId?: unknown;
  guid?: unknown;
  price?: unknown;
  currency?: unknown;
  transactionCurrency?: unknown;
  amountPaid?: unknown;
  paymentTotals?: unknown;
  exchangeRates?: unknown;
}

export function malformed(detail: string): { kind: 'unknown'; reason: 'malformed_response'; detail: string } {
  return { kind: 'unknown', reason: 'malformed_response', detail };
}

/**
 * The coin the payer paid in and how much: `paymentTotals[coin]` is due (fees included), `amountPaid`
 * came. Null before the payer picked a coin.
 */
export function invoiceQuote(invoice: InvoiceAnswer): CryptoQuote | null {
  const coin = invoice.transactionCurrency;
  if (!isCryptoCurrency(coin)) return null;
  const due = coinAmount((invoice.paymentTotals as Record<string, unknown> | undefined)?.[coin]);
  const paid = coinAmount(invoice.amountPaid) ?? 0;
  if (due === null) return null;
  const rates = (invoice.exchangeRates as Record<string, Record<string, unknown>> | undefined)?.[coin];
  const rate = typeof invoice.currency === 'string' ? rates?.[invoice.currency] : undefined;
  return { currency: coin, amountDue: due, amountPaid: paid, overpaid: Math.max(0, paid - due), rate: typeof rate === 'number' && Number.isFinite(rate) ? rate : null };
}

export function invoiceOutcome(invoice: InvoiceAnswer): AuthorizationOutcome {
  const id = invoice.id;
  if (typeof id !== 'string' || id === '') return malformed('BitPay answered an invoice without an id.');
  const quote = invoiceQuote(invoice);
  const withQuote = quote === null ? {} : { crypto: quote };
  switch (invoice.status) {
    case 'new': {
      const url = typeof invoice.url === 'string' ? invoice.url : null;
      return { kind: 'requires_action', reference: id, nextAction: url === null ? null : { type: 'redirect', url } };
    }
    case 'paid':
      // Seen on the chain, not yet confirmed at the invoice's transaction speed: the payer's part is
      // done and BitPay holds the money until the confirmations come (or the payment proves invalid).
      return { kind: 'pending', reference: id };
    case 'confirmed':
    case 'complete':
      return { kind: 'approved', reference: id, captured: true, ...withQuote };
    case 'expired':
      return { kind: 'declined', reference: id, decline: bitpayDecline(invoice.exceptionStatus === 'paidPartial' ? 'expired_paidPartial' : 'expired'), ...withQuote };
    case 'invalid':
      return { kind: 'declined', reference: id, decline: bitpayDecline('invalid'), ...withQuote };
    default:
      return malformed(`BitPay answered invoice ${id} with status ${String(invoice.status)}.`);
  }
}
