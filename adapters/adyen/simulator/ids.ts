import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Adyen's pspReference: 16 upper-case letters and digits. */
export function newPspReference(): string {
  let out = '';
  for (const byte of randomBytes(16)) out += ALPHABET.charAt(byte % ALPHABET.length);
  return out;
}
