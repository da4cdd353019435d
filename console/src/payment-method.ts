/** What paid, as the payment view shows it: a card's facts, or a wallet's display facts. */
interface WalletFacts {
  network: string;
  last4: string | null;
  funding: string | null;
}
export type PaymentMethod =
  | { type: 'card'; card: { brand: string; last4: string; funding?: string | null } }
  | { type: 'apple_pay'; apple_pay: WalletFacts }
  | { type: 'google_pay'; google_pay: WalletFacts };

const WALLETS = { apple_pay: 'Apple Pay', google_pay: 'Google Pay' } as const;

/** One line for a list or a fact sheet: `visa •4242`, `Apple Pay · visa •4242`, `Google Pay · mastercard`. */
export function methodLabel(method: PaymentMethod): string {
  if (method.type === 'card') return `${method.card.brand} •${method.card.last4}`;
  const facts = walletFacts(method);
  // A method type newer than this console: its name, at least.
  if (!facts) return String(method.type);
  return `${WALLETS[method.type]} · ${facts.network}${facts.last4 ? ` •${facts.last4}` : ''}`;
}

/** The funding (credit, debit, prepaid) when the card or wallet told it. */
export function methodFunding(method: PaymentMethod): string | null {
  if (method.type === 'card') return method.card.funding ?? null;
  return walletFacts(method)?.funding ?? null;
}

function walletFacts(method: Exclude<PaymentMethod, { type: 'card' }>): WalletFacts | undefined {
  return method.type === 'apple_pay' ? method.apple_pay : method.google_pay;
}
