import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { cardFingerprint, keyedDigest } from '../../domain/card.js';
import { after, type Clock } from '../../domain/clock.js';
import type { Claim, IdempotentResource } from '../../store/idempotency.js';
import type { Repositories } from '../../store/index.js';
import { canonicalJson } from '../hash.js';
import { invalidRequest, StripeApiError } from './errors.js';
import type { Params } from './params.js';
import type { StripeEnv } from './env.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Stripe keeps the result of every request that started executing: successes, card errors (a
 * payment was made and declined) and unexpected failures (which may have followed a charge).
 * Anything else changed nothing (invalid parameters, a state conflict, a gateway that did not
 * act), so the key is freed and a retry runs afresh.
 */
const keeps = (status: number) => (status >= 200 && status < 300) || status === 402 || status === 500;

export interface StripeIdempotencyOptions {
  ttlSeconds: number;
  leaseMs: number;
  clock: Clock;
  secret: string;
  /** What a request that died after creating something answers now: the resource as it stands. */
  render(c: Context<StripeEnv>, resource: IdempotentResource): Promise<{ status: ContentfulStatusCode; body: unknown } | null>;
}

/**
 * `Idempotency-Key` as Stripe's: the same key with the same parameters answers the first
 * result again with `Idempotent-Replayed: true`; with other parameters, 400 idempotency_error.
 * Keys are scoped per API key and kept in the canonical store under `stripe:<api key id>:`; what
 * is remembered of the request is a keyed HMAC of its parameters in which a card number is its
 * merchant fingerprint and the CVC is left out.
 */
export function stripeIdempotency(repositories: Repositories, options: StripeIdempotencyOptions): MiddlewareHandler<StripeEnv> {
  const store = repositories.idempotency;
  const { clock, leaseMs } = options;
  return async (c, next) => {
    const sent = c.req.header('Idempotency-Key');
    if (c.req.method !== 'POST' || sent === undefined) return next();
    if (!KEY_PATTERN.test(sent)) throw invalidRequest('Idempotency-Key must be 1 to 255 printable ASCII characters.', 'Idempotency-Key');
    const merchantId = c.get('merchantId');
    const key = `stripe:${c.get('apiKeyId')}:${sent}`;
    const hash = await requestHash(options.secret, merchantId, c.req.path, c.get('params'));
    const now = clock.now();
    const claim = await store.claim(merchantId, key, hash, { now, leaseUntil: after(now, leaseMs), expiresAt: after(now, options.ttlSeconds * 1000) });
    if (claim.state !== 'claimed') {
      c.res = await replay(c, claim);
      return;
    }
    c.set('idempotencyKey', key);
    const renewal = setInterval(() => void store.renew(merchantId, key, after(clock.now(), leaseMs)).catch(() => {}), Math.max(leaseMs / 3, 10));
    try {
      await next();
    } finally {
      clearInterval(renewal);
    }
    if (keeps(c.res.status)) await store.complete(merchantId, key, c.res.status, await c.res.clone().text());
    else await store.release(merchantId, key);
  };

  async function replay(c: Context<StripeEnv>, claim: Exclude<Claim, { state: 'claimed' }>): Promise<Response> {
    if (!claim.sameRequest) {
      throw new StripeApiError(400, {
        type: 'idempotency_error',
        message: 'Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than this one if you meant to execute a different request.',
      });
    }
    if (claim.state === 'in_progress') {
      throw new StripeApiError(
        409,
        { type: 'invalid_request_error', code: 'idempotency_key_in_use', message: 'There is currently another in-progress request using this Idempotent Key; retry later.' },
        { 'Retry-After': String(Math.max(1, Math.ceil(claim.retryAfterMs / 1000))) },
      );
    }
    const replayed = { 'Content-Type': 'application/json', 'Idempotent-Replayed': 'true' };
    if (claim.state === 'completed') return c.newResponse(claim.body, claim.status as ContentfulStatusCode, replayed);
    const rendered = await options.render(c, claim.resource);
    // Linked in the transaction that created it, so it exists; a resource gone since is a fault of ours.
    if (!rendered) throw new Error(`idempotency key links a missing ${claim.resource.type}`);
    const body = JSON.stringify(rendered.body);
    await store.complete(c.get('merchantId'), `stripe:${c.get('apiKeyId')}:${c.req.header('Idempotency-Key')}`, rendered.status, body);
    return c.newResponse(body, rendered.status, replayed);
  }
}

async function requestHash(secret: string, merchantId: string, path: string, params: Params): Promise<string> {
  return keyedDigest(secret, `stripe-idempotency\u0000POST ${path}\n${canonicalJson(JSON.stringify(await withoutCardData(params, secret, merchantId)))}`);
}

/** The parameters with any card (`payment_method_data[card]`, or a PaymentMethod's `card`) as its fingerprint and without its CVC. */
async function withoutCardData(params: Params, secret: string, merchantId: string): Promise<Params> {
  const data = params.payment_method_data as { card?: unknown } | undefined;
  if (typeof data === 'object' && data !== null && isCard(data.card)) {
    return { ...params, payment_method_data: { ...data, card: await fingerprinted(data.card, secret, merchantId) } };
  }
  if (isCard(params.card)) return { ...params, card: await fingerprinted(params.card, secret, merchantId) };
  return params;
}

const isCard = (card: unknown): card is Record<string, unknown> & { number: string } =>
  typeof card === 'object' && card !== null && typeof (card as { number?: unknown }).number === 'string';

async function fingerprinted(card: Record<string, unknown> & { number: string }, secret: string, merchantId: string): Promise<Record<string, unknown>> {
  const { number, cvc: _cvc, ...rest } = card;
  const scope = `merchant:${merchantId}` as const;
  const fingerprint = await cardFingerprint(number, secret, scope).catch(() => keyedDigest(secret, `${scope}\u0000${number}`));
  return { ...rest, fingerprint };
}
