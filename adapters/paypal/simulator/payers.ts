/**
 * The simulator's sandbox payers. The approval page logs in the payer the order's email hint
 * names (any other address, or none, is the default buyer, whose balance pays); some are set up so
 * that completing their order fails as PayPal answers it, with the 422 issue named here.
 */
export const SANDBOX_PAYER_DOMAIN = 'sandbox.paypal.example';

export const DECLINING_PAYERS: Readonly<Record<string, string>> = {
  [`instrument-declined@${SANDBOX_PAYER_DOMAIN}`]: 'INSTRUMENT_DECLINED',
  [`transaction-refused@${SANDBOX_PAYER_DOMAIN}`]: 'TRANSACTION_REFUSED',
  [`cannot-pay@${SANDBOX_PAYER_DOMAIN}`]: 'PAYER_CANNOT_PAY',
  [`payee-blocked@${SANDBOX_PAYER_DOMAIN}`]: 'PAYEE_BLOCKED_TRANSACTION',
  [`too-many-attempts@${SANDBOX_PAYER_DOMAIN}`]: 'MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED',
};

export const DEFAULT_PAYER_EMAIL = `buyer@${SANDBOX_PAYER_DOMAIN}`;

/** The issue completing this payer's order answers, or null when their funding pays. */
export function payerIssue(email: string | null): string | null {
  return email === null ? null : (DECLINING_PAYERS[email.toLowerCase()] ?? null);
}
