import type { IncomingMessage } from 'node:http';

/** Stripe takes the secret key as `Authorization: Bearer sk_...` or as the Basic auth user name. */
export function apiKeyFrom(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!scheme || !value) return null;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const user = decoded.split(':', 1)[0];
    return user ? user : null;
  }
  return null;
}

/** `sk_test_****************abcd`, as Stripe shows a rejected key. */
export function maskKey(key: string): string {
  if (key.length <= 12) return '*'.repeat(key.length);
  const prefix = /^[a-z]{2}_(test|live)_/.exec(key)?.[0] ?? key.slice(0, 3);
  return `${prefix}${'*'.repeat(key.length - prefix.length - 4)}${key.slice(-4)}`;
}

export const MISSING_KEY_MESSAGE =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth " +
  "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, " +
  'or we can help at https://support.stripe.com/.';

export function keyAccepted(key: string, allowed: readonly string[] | undefined): boolean {
  if (allowed) return allowed.includes(key);
  return key.startsWith('sk_test_') && key.length > 'sk_test_'.length;
}
