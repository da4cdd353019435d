/** How many attempts' card tokens are kept at most; past it the oldest goes (its resend exchanges again). */
export const CARD_TOKEN_CACHE_LIMIT = 10_000;

/** Checkout.com keeps a card token usable 15 minutes; an answer without `expires_on` is held that long. */
const CARD_TOKEN_LIFETIME_MS = 15 * 60 * 1000;

/**
 * The card token (`tok_…`) a wallet payment's attempt was exchanged for, by the attempt's
 * idempotency key, in memory only. A resend of the attempt pays with the same token, so its
 * `POST /payments` is the same request under the same `Cko-Idempotency-Key`: Checkout.com answers
 * it with the first result when the first was processed, or processes it now if it never was.
 * A new token would make it another request under that key. Never written anywhere: a card token
 * pays once, and a restarted process simply exchanges again (its resend may then be refused, which
 * reads as unknown, and the reconciler finds the payment by reference).
 */
export class CardTokenCache {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(
    private readonly now: () => number,
    private readonly limit = CARD_TOKEN_CACHE_LIMIT,
  ) {}

  /** The attempt's token while Checkout.com still takes it. */
  get(idempotencyKey: string): string | null {
    const held = this.tokens.get(idempotencyKey);
    if (held === undefined) return null;
    if (held.expiresAt > this.now()) return held.token;
    this.tokens.delete(idempotencyKey);
    return null;
  }

  /** `expiresOn`: the exchange's `expires_on`, when it gave a readable one. */
  set(idempotencyKey: string, token: string, expiresOn: unknown): void {
    const given = typeof expiresOn === 'string' ? Date.parse(expiresOn) : Number.NaN;
    const expiresAt = Number.isFinite(given) ? given : this.now() + CARD_TOKEN_LIFETIME_MS;
    this.tokens.delete(idempotencyKey);
    this.tokens.set(idempotencyKey, { token, expiresAt });
    for (const key of this.tokens.keys()) {
      if (this.tokens.size <= this.limit) break;
      this.tokens.delete(key);
    }
  }

  /** The attempt has its answer: a resend now would be answered from Checkout.com's idempotency store or not be made. */
  forget(idempotencyKey: string): void {
    this.tokens.delete(idempotencyKey);
  }
}
