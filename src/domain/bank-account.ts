/**
 * Bank accounts that a debit is drawn on: SEPA (an IBAN) and ACH (an ABA routing number and an
 * account number). The full account number exists only in memory between the API edge and the
 * adapter call; a payment keeps the bank's country and code, the last four digits and a keyed
 * fingerprint, never anything the number could be recomputed from.
 */
import { electronicFormatIBAN, extractIBAN, isSEPACountry } from 'ibantools';
import { keyedDigest } from './card.js';
import type { BankDebitMethod } from './payment-method.js';

/** Why an IBAN is refused: it fails its checksum or its country's format, or the country is outside the SEPA scheme. */
export type IbanProblem = 'invalid_iban' | 'iban_country_not_sepa';

/** The IBAN in electronic format (no spaces, upper case) with its country and bank code, or why it is refused. */
export function parseIban(input: string): { ok: true; iban: string; country: string; bankCode: string | null } | { ok: false; problem: IbanProblem } {
  const iban = electronicFormatIBAN(input.toUpperCase());
  if (!iban) return { ok: false, problem: 'invalid_iban' };
  const parts = extractIBAN(iban);
  if (!parts.valid || !parts.countryCode) return { ok: false, problem: 'invalid_iban' };
  if (!isSEPACountry(parts.countryCode)) return { ok: false, problem: 'iban_country_not_sepa' };
  return { ok: true, iban, country: parts.countryCode, bankCode: parts.bankIdentifier ?? null };
}

/**
 * The ABA routing number checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10), on
 * nine digits whose first two name a Federal Reserve district (00–12, 21–32, 61–72, 80 for
 * travellers' cheques, which cannot be debited and are refused).
 */
export function validRoutingNumber(routing: string): boolean {
  if (!/^\d{9}$/.test(routing)) return false;
  const prefix = Number(routing.slice(0, 2));
  if (!((prefix <= 12) || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72))) return false;
  const d = [...routing].map(Number);
  const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!);
  return sum % 10 === 0;
}

/** US bank account numbers are 4 to 17 digits. */
export function validUsAccountNumber(account: string): boolean {
  return /^\d{4,17}$/.test(account);
}

/** What a payment keeps of the account it debits. */
export interface BankAccountDetails {
  /** ISO 3166-1 alpha-2: the IBAN's country, or US for ACH. */
  country: string;
  /** The bank's code as the IBAN carries it (a German BLZ, a Dutch BIC prefix), or the ABA routing number; null when the IBAN format has none. */
  bank_code: string | null;
  last4: string;
  /** Keyed hash of the account, per merchant: the same account paying twice shows the same value. */
  fingerprint: string;
  holder_name: string;
  /** ACH only. */
  account_type?: 'checking' | 'savings';
  account_holder_type?: 'individual' | 'company';
}

/** The account's fingerprint for one merchant: HMAC with the router's fingerprint secret, never the number itself. */
export async function bankAccountFingerprint(accountKey: string, secret: string, merchantId: string): Promise<string> {
  return (await keyedDigest(secret, `bank:merchant:${merchantId}\u0000${accountKey}`)).slice(0, 22);
}

/**
 * What is wrong with a debit's account details, or null when they can be sent. The API edge
 * refuses them already; adapters ask again so a direct caller's bad account never reaches a gateway.
 */
export function bankAccountProblem(method: BankDebitMethod): 'invalid_iban' | 'iban_country_not_sepa' | 'invalid_routing_number' | 'invalid_account_number' | null {
  if (method.type === 'sepa_debit') {
    const parsed = parseIban(method.sepaDebit.iban);
    return parsed.ok ? null : parsed.problem;
  }
  if (!validRoutingNumber(method.achDebit.routingNumber)) return 'invalid_routing_number';
  return validUsAccountNumber(method.achDebit.accountNumber) ? null : 'invalid_account_number';
}
