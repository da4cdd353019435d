/** What paid, as the payment view shows it: a card's facts, a wallet's display facts, a debited account's. */
interface WalletFacts {
  network: string;
  last4: string | null;
  funding: string | null;
}
interface BankAccountFacts {
  country: string;
  bank_code: string | null;
  last4: string;
  /** Absent from payments made before mandates were kept. */
  mandate?: { id: string; reference: string | null } | null;
}
export type PaymentMethod =
  | { type: 'card'; card: { brand: string; last4: string; funding?: string | null } }
  | { type: 'apple_pay'; apple_pay: WalletFacts }
  | { type: 'google_pay'; google_pay: WalletFacts }
  | { type: 'paypal'; paypal: { payer_id?: string | null; email?: string | null } }
  | { type: 'crypto'; crypto: { currency?: string | null } }
  | { type: 'sepa_debit'; sepa_debit: BankAccountFacts }
  | { type: 'ach_debit'; ach_debit: BankAccountFacts };

const WALLETS = { apple_pay: 'Apple Pay', google_pay: 'Google Pay' } as const;
const DEBITS = { sepa_debit: 'SEPA debit', ach_debit: 'ACH debit' } as const;

/**
 * One line for a list or a fact sheet: `visa •4242`, `Apple Pay · visa •4242`, `Google Pay · mastercard`,
 * `PayPal · buyer@example.com`, `Crypto · BTC`, `SEPA debit · DE 37040044 •3000 · mandate SIM-0A1B2C`.
 */
export function methodLabel(method: PaymentMethod): string {
  switch (method.type) {
    case 'card':
      return `${method.card.brand} •${method.card.last4}`;
    case 'apple_pay':
    case 'google_pay': {
      const facts = method.type === 'apple_pay' ? method.apple_pay : method.google_pay;
      return `${WALLETS[method.type]} · ${facts.network}${facts.last4 ? ` •${facts.last4}` : ''}`;
    }
    case 'paypal':
      return method.paypal.email ? `PayPal · ${method.paypal.email}` : method.paypal.payer_id ? `PayPal · ${method.paypal.payer_id}` : 'PayPal';
    case 'crypto':
      return method.crypto.currency ? `Crypto · ${method.crypto.currency}` : 'Crypto';
    case 'sepa_debit':
    case 'ach_debit': {
      const account = method.type === 'sepa_debit' ? method.sepa_debit : method.ach_debit;
      const mandate = account.mandate ? ` · mandate ${account.mandate.reference ?? account.mandate.id}` : '';
      return `${DEBITS[method.type]} · ${account.country}${account.bank_code ? ` ${account.bank_code}` : ''} •${account.last4}${mandate}`;
    }
    default:
      // A method type newer than this console: its name, at least.
      return String((method as { type: unknown }).type);
  }
}

/** The funding (credit, debit, prepaid) when the card or wallet told it. */
export function methodFunding(method: PaymentMethod): string | null {
  if (method.type === 'card') return method.card.funding ?? null;
  if (method.type === 'apple_pay') return method.apple_pay.funding;
  if (method.type === 'google_pay') return method.google_pay.funding;
  return null;
}
