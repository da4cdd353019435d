import { cardFingerprint, keyedDigest } from '../domain/card.js';

/** JSON with sorted keys, so that two encodings of one request body hash alike. */
export function canonicalJson(text: string): string {
  if (text.trim() === '') return '';
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return text;
  }
}

/**
 * What an Idempotency-Key remembers of its request: a keyed HMAC (the secret is not in the
 * database) over the method, path and canonical body, in which a card's number is replaced by the
 * merchant's fingerprint of it and its security code is left out. Two requests for the same card
 * compare alike; nobody holding the row can recompute it from a guessed card number.
 */
export async function idempotencyHash(secret: string, merchantId: string, method: string, path: string, body: string): Promise<string> {
  return keyedDigest(secret, `idempotency\u0000${method} ${path}\n${await canonicalWithoutCardData(body, secret, merchantId)}`);
}

/** canonicalJson of the body with its card's number replaced by its fingerprint and its CVC left out, parsing the body once. */
async function canonicalWithoutCardData(body: string, secret: string, merchantId: string): Promise<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return canonicalJson(body);
  }
  const card = (parsed as { payment_method?: { card?: Record<string, unknown> } } | null)?.payment_method?.card;
  if (typeof card === 'object' && card !== null && typeof card.number === 'string') {
    const { number, cvc: _cvc, ...rest } = card;
    const scoped = `merchant:${merchantId}` as const;
    const fingerprint = await cardFingerprint(number, secret, scoped).catch(() => keyedDigest(secret, `${scoped}\u0000${number}`));
    (parsed as { payment_method: { card: unknown } }).payment_method.card = { ...rest, fingerprint };
  }
  return JSON.stringify(sortKeys(parsed));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
