import { createMiddleware } from 'hono/factory';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Problem } from '../../domain/problem.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { canonicalJson, sha256Hex } from '../hash.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * A 2xx is the result. A 500 is an unexpected failure that may have come after a gateway
 * charged, so it is kept too: a retry must not run the payment again. Every other answer
 * (invalid input, a state conflict, a gateway that did not act) changed nothing, so the key
 * is released and a retry runs afresh.
 */
function keepsResult(status: number): boolean {
  return (status >= 200 && status < 300) || status === 500;
}

/** Idempotency-Key on POST, scoped per merchant. */
export function idempotency(repositories: Repositories, ttlSeconds: number) {
  const store = repositories.idempotency;
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header('Idempotency-Key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!KEY_PATTERN.test(key)) {
      throw new Problem({
        status: 400,
        code: 'invalid_idempotency_key',
        title: 'Invalid request',
        detail: 'Idempotency-Key must be 1 to 255 printable ASCII characters.',
        param: 'Idempotency-Key',
      });
    }
    const merchantId = c.get('merchantId');
    const hash = await sha256Hex(`${c.req.method} ${c.req.path}\n${canonicalJson(await c.req.text())}`);
    const claim = await store.claim(merchantId, key, hash, ttlSeconds);

    if (claim.state !== 'claimed' && !claim.sameRequest) {
      throw new Problem({
        status: 422,
        code: 'idempotency_key_reused',
        title: 'Idempotency key reused',
        detail: 'This Idempotency-Key was used with a different request; use a new key for a new request.',
        param: 'Idempotency-Key',
      });
    }
    if (claim.state === 'in_progress') {
      throw new Problem({
        status: 409,
        code: 'idempotency_key_in_use',
        title: 'Request in progress',
        detail: 'A request with this Idempotency-Key is still being processed; retry shortly to get its result.',
        headers: { 'Retry-After': '1' },
      });
    }
    if (claim.state === 'completed') {
      return c.newResponse(claim.body, claim.status as ContentfulStatusCode, {
        'Content-Type': 'application/json',
        'Idempotent-Replayed': 'true',
      });
    }

    await next();
    if (keepsResult(c.res.status)) {
      await store.complete(merchantId, key, c.res.status, await c.res.clone().text());
    } else {
      await store.release(merchantId, key);
    }
  });
}
