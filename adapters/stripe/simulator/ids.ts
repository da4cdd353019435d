import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Base62 text from bytes (slightly biased, which does not matter here). */
export function base62(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += ALPHABET.charAt(byte % ALPHABET.length);
  return out;
}

/** A random base62 token, like the tail of Stripe object ids. */
export function randomToken(length = 24): string {
  return base62(randomBytes(length));
}

/** `pi_...`, `ch_...`, `pm_...`, `re_...`, `req_...` */
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(24)}`;
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
