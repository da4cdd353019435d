import { describe, expect, it } from 'vitest';
import { cardFingerprint, keyedDigest } from '../domain/card.js';
import { canonicalJson, idempotencyHash } from './hash.js';

const SECRET = 'test-fingerprint-secret';
const MERCHANT = 'mer_hash_test';

/** The hash as rows written before the body was parsed once remember it: card replaced, re-serialised, then canonicalised. */
async function hashAsStored(body: string): Promise<string> {
  let replaced = body;
  try {
    const parsed = JSON.parse(body) as { payment_method?: { card?: Record<string, unknown> } };
    const card = parsed?.payment_method?.card;
    if (typeof card === 'object' && card !== null && typeof card.number === 'string') {
      const { number, cvc: _cvc, ...rest } = card;
      parsed.payment_method!.card = { ...rest, fingerprint: await cardFingerprint(number, SECRET, `merchant:${MERCHANT}`) };
      replaced = JSON.stringify(parsed);
    }
  } catch {
    // not JSON: hashed as sent
  }
  return keyedDigest(SECRET, `idempotency\u0000POST /v1/payments\n${canonicalJson(replaced)}`);
}

describe('idempotencyHash', () => {
  const bodies = {
    'a card, keys out of order, nested metadata': `{"payment_method":{"type":"card","card":{"exp_year":2030,"cvc":"123","number":"4242 4242 4242 4242","exp_month":12}},"currency":"usd","amount":1999,"metadata":{"z":"1","a":[{"y":2,"b":1}]}}`,
    'no card': `{"amount":500,"currency":"eur","payment_method":{"type":"wallet"}}`,
    'a card number that is not a string': `{"amount":1,"payment_method":{"card":{"number":4242424242424242}}}`,
    'not JSON': `amount=1999&currency=usd`,
    'only whitespace': '  \n',
    'empty': '',
  };

  it.each(Object.entries(bodies))('is the hash rows already stored remember, for %s', async (_name, body) => {
    expect(await idempotencyHash(SECRET, MERCHANT, 'POST', '/v1/payments', body)).toBe(await hashAsStored(body));
  });

  it('leaves the card number and CVC out and compares one card alike whatever its CVC and key order', async () => {
    const a = await idempotencyHash(SECRET, MERCHANT, 'POST', '/v1/payments', `{"amount":1,"payment_method":{"card":{"number":"4242424242424242","cvc":"111"}}}`);
    const b = await idempotencyHash(SECRET, MERCHANT, 'POST', '/v1/payments', `{"payment_method":{"card":{"cvc":"999","number":"4242424242424242"}},"amount":1}`);
    const other = await idempotencyHash(SECRET, MERCHANT, 'POST', '/v1/payments', `{"amount":1,"payment_method":{"card":{"number":"5555555555554444","cvc":"111"}}}`);
    expect(a).toBe(b);
    expect(other).not.toBe(a);
  });
});
