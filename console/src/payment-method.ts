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
}
export type PaymentMethod =
  | { type: 'card'; card: { brand: string; last4: string; funding?: string | null } }
  | { type: 'apple_pay'; apple_pay: WalletFacts }
  | { type: 'google_pay'; google_pay: WalletFacts }
  | { type: 'paypal'; paypal: Record<string, never> }
  | { type: 'sepa_debit'; sepa_debit: BankAccountFacts }
  | { type: 'ach_debit'; ach_debit: BankAccountFacts };

const WALLETS = { apple_pay: 'Apple Pay', google_pay: 'Google Pay' } as const;
const DEBITS = { sepa_debit: 'SEPA debit', ach_debit: 'ACH debit' } as const;

/**
 * One line for a list or a fact sheet: `visa •4242`, `Apple Pay · visa •4242`, `Google Pay · mastercard`,
 * `PayPal`, `SEPA debit · DE 37040044 •3000`.
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
      return 'PayPal';
    case 'sepa_debit':
    case 'ach_debit': {
      const account = method.type === 'sepa_debit' ? method.sepa_debit : method.ach_debit;
      return `${DEBITS[method.type]} · ${account.country}${account.bank_code ? ` ${account.bank_code}` : ''} •${account.last4}`;
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
