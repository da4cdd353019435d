/**
 * Card number (PAN) helpers: Luhn, brand detection, expiry, fingerprinting and
 * redaction. Pure and Workers-safe: HMAC through ./digest.ts (Web Crypto on the Worker), btoa.
 */
import { hmacSha256 } from './digest.js';

export type CardBrand =
  | 'visa'
  | 'mastercard'
  | 'amex'
  | 'discover'
  | 'diners'
  | 'jcb'
  | 'unionpay'
  | 'maestro'
  | 'unknown';

/** How a card is funded, as networks and gateways classify it. */
export const CARD_FUNDINGS = ['credit', 'debit', 'prepaid'] as const;
export type CardFunding = (typeof CARD_FUNDINGS)[number];

const DIGITS = /^\d+$/;

/** Luhn (mod 10) check. Anything but a non-empty string of ASCII digits is invalid. */
export function luhnValid(number: string): boolean {
  if (!DIGITS.test(number)) return false;
  let sum = 0;
  let double = false;
  for (let i = number.length - 1; i >= 0; i--) {
    let digit = number.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

function prefixBetween(number: string, length: number, low: number, high: number): boolean {
  if (number.length < length) return false;
  const prefix = Number(number.slice(0, length));
  return prefix >= low && prefix <= high;
}

/**
 * Brand from IIN ranges. The whole 62 range, including the 622126-622925 block that
 * Discover also accepts, is reported as 'unionpay': those cards are issued on the
 * UnionPay network, and Discover only acquires them through a reciprocal agreement.
 */
export function cardBrand(number: string): CardBrand {
  if (!DIGITS.test(number)) return 'unknown';
  const p = (length: number, low: number, high = low) => prefixBetween(number, length, low, high);

  if (p(1, 4)) return 'visa';
  if (p(2, 51, 55) || p(4, 2221, 2720)) return 'mastercard';
  if (p(2, 34) || p(2, 37)) return 'amex';
  if (p(4, 6011) || p(3, 644, 649) || p(2, 65)) return 'discover';
  if (p(3, 300, 305) || p(2, 36) || p(2, 38) || p(2, 39)) return 'diners';
  if (p(4, 3528, 3589)) return 'jcb';
  if (p(2, 62)) return 'unionpay';
  if (p(2, 50) || p(2, 56, 58) || p(4, 6304) || p(4, 6759) || p(6, 676770) || p(6, 676774)) {
    return 'maestro';
  }
  return 'unknown';
}

const LENGTHS: Readonly<Record<CardBrand, readonly number[]>> = {
  visa: [13, 16, 19],
  mastercard: [16],
  amex: [15],
  discover: [16, 17, 18, 19],
  diners: [14, 15, 16, 17, 18, 19],
  jcb: [16, 17, 18, 19],
  unionpay: [16, 17, 18, 19],
  maestro: [12, 13, 14, 15, 16, 17, 18, 19],
  unknown: [12, 13, 14, 15, 16, 17, 18, 19],
};

export function validCardLength(number: string, brand: CardBrand): boolean {
  return DIGITS.test(number) && LENGTHS[brand].includes(number.length);
}

/**
 * A card is usable through the last day of its expiry month (UTC), so it expires at
 * 00:00 UTC on the first day of the following month. expYear must be four digits;
 * malformed month or year values count as expired, so bad input fails closed.
 */
export function isExpired(expMonth: number, expYear: number, now: Date): boolean {
  const validMonth = Number.isInteger(expMonth) && expMonth >= 1 && expMonth <= 12;
  const validYear = Number.isInteger(expYear) && expYear >= 1000 && expYear <= 9999;
  if (!validMonth || !validYear) return true;
  // Date.UTC months are 0-based, so expMonth is already "next month"; 12 rolls into January.
  const firstInstantAfterExpiry = Date.UTC(expYear, expMonth, 1);
  return now.getTime() >= firstInstantAfterExpiry;
}

export interface CardFacts {
  brand: CardBrand;
  bin: string;
  last4: string;
}

/** At least this many digits of a PAN are never shown, stored or logged. */
export const MIN_HIDDEN_DIGITS = 6;

/**
 * How many leading digits of a PAN of `length` digits may be shown beside its last four:
 * six (PCI DSS's most) when that still hides at least six, fewer for shorter numbers, so
 * guessing the rest always means at least 10^6 / 10 (Luhn) candidates. 16-19 digits: 6;
 * 15 (Amex): 5; 14: 4; 13: 3; 12: 2.
 */
export function shownBinDigits(length: number): number {
  return Math.min(6, Math.max(0, length - 4 - MIN_HIDDEN_DIGITS));
}

/** Non-sensitive facts about a PAN: brand, its first digits (six, fewer for short numbers: shownBinDigits) and last four. */
export function cardFacts(number: string): CardFacts {
  const digits = panDigits(number);
  return { brand: cardBrand(digits), bin: digits.slice(0, shownBinDigits(digits.length)), last4: digits.slice(-4) };
}

/** Whose identifier a card fingerprint is: one merchant's (its customers cannot be linked across merchants), or the card networks' (the retry guard). */
export type FingerprintScope = `merchant:${string}` | 'network';

/**
 * Keyed, stable identifier for a PAN within a scope: HMAC-SHA256(secret, scope NUL digits),
 * base64url, first 22 characters (132 bits). Spaces and dashes in the number are ignored.
 */
export async function cardFingerprint(number: string, secret: string, scope: FingerprintScope): Promise<string> {
  return (await keyedDigest(secret, `${scope}\u0000${panDigits(number)}`)).slice(0, 22);
}

/** HMAC-SHA256(secret, text), base64url: a value nobody without the secret can recompute from the text. */
export async function keyedDigest(secret: string, text: string): Promise<string> {
  if (secret.length === 0) throw new RangeError('secret must not be empty');
  return base64url(await hmacSha256(secret, text));
}

/** "4242 4242-4242424242" -> "4242424242424242"; throws unless 12-19 digits remain. */
function panDigits(number: string): string {
  const digits = number.replace(/[ -]/g, '');
  if (!/^\d{12,19}$/.test(digits)) throw new RangeError('card number must be 12-19 digits');
  return digits;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The first digits shownBinDigits allows and the last four kept, the rest replaced by '*':
 * "4242424242424242" -> "424242******4242", "4222222222222" -> "422******2222".
 * Spaces and dashes are dropped first. Inputs shorter than any PAN (12 digits) are masked entirely.
 */
export function maskPan(number: string): string {
  const digits = number.replace(/[ -]/g, '');
  if (digits.length < 12) return '*'.repeat(digits.length);
  const shown = shownBinDigits(digits.length);
  return digits.slice(0, shown) + '*'.repeat(digits.length - shown - 4) + digits.slice(-4);
}

// A maximal run of digit groups joined by single spaces or dashes.
const DIGIT_RUN = /\d+(?:[ -]\d+)*/g;

/**
 * Scrubs card numbers out of free text before it is logged. Any 12-19 digit sequence,
 * optionally grouped with single spaces or dashes, that passes Luhn keeps its first six
 * and last four digits and has the rest replaced by '*'; separators are preserved.
 *
 * A run is split into its groups and windows of consecutive groups are tried, longest
 * first, so a PAN followed by other numbers ("4242424242424242 123") is still caught;
 * such a partial window must also have a known brand and a valid length for it.
 * A single unbroken group longer than 19 digits is never a PAN and is left alone.
 */
export function redactPan(text: string): string {
  return text.replace(DIGIT_RUN, (run) => redactRun(run));
}

function redactRun(run: string): string {
  const parts = run.split(/([ -])/); // groups at even indexes, separators at odd ones
  const groups = parts.filter((_, i) => i % 2 === 0);
  const redactions: Array<[number, number]> = [];

  let start = 0;
  while (start < groups.length) {
    const end = longestPanWindow(groups, start);
    if (end === undefined) {
      start++;
      continue;
    }
    redactions.push([start, end]);
    start = end + 1;
  }
  if (redactions.length === 0) return run;

  const maskedGroups = [...groups];
  for (const [from, to] of redactions) {
    const maskedDigits = maskPan(groups.slice(from, to + 1).join(''));
    let offset = 0;
    for (let g = from; g <= to; g++) {
      const length = groups[g]?.length ?? 0;
      maskedGroups[g] = maskedDigits.slice(offset, offset + length);
      offset += length;
    }
  }
  return parts.map((part, i) => (i % 2 === 0 ? (maskedGroups[i / 2] ?? part) : part)).join('');
}

/**
 * Index of the last group of the longest PAN-like window starting at `start`: 12-19
 * digits passing Luhn. A window that is only part of the run must also carry a known
 * brand with a valid length for it, since a Luhn match on a slice of a longer number is
 * weaker evidence and would otherwise hit one grouped reference number in ten.
 */
function longestPanWindow(groups: readonly string[], start: number): number | undefined {
  let found: number | undefined;
  let digits = '';
  for (let end = start; end < groups.length; end++) {
    digits += groups[end] ?? '';
    if (digits.length > 19) break;
    if (digits.length < 12 || !luhnValid(digits)) continue;
    const wholeRun = start === 0 && end === groups.length - 1;
    const brand = cardBrand(digits);
    if (wholeRun || (brand !== 'unknown' && validCardLength(digits, brand))) found = end;
  }
  return found;
}
