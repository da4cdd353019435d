import { createMiddleware } from 'hono/factory';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { after, type Clock } from '../../domain/clock.js';
import { Problem } from '../../domain/problem.js';
import type { Claim, ClaimTimes, DeferredIdempotency, IdempotentResource } from '../../store/idempotency.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { idempotencyHash } from '../hash.js';

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

export interface IdempotencyOptions {
  ttlSeconds: number;
  /** How long a running request holds its key without renewing it; a retry after that is not kept waiting. */
  leaseMs: number;
  clock: Clock;
  /** Keys the request hashes (kept outside the database). */
  secret: string;
  /** Answers a resource a crashed request created, as it now stands: status and JSON body. */
  render(merchantId: string, resource: IdempotentResource): Promise<{ status: ContentfulStatusCode; body: unknown } | null>;
  /**
   * Requests whose handler claims the key itself, in the transaction that creates what the key
   * stands for, and may store the answer in the write that settles it (POST /v1/payments).
   */
  deferClaim?: (method: string, path: string) => boolean;
}


/**
 * Idempotency-Key on POST, scoped per merchant. The running request holds the key under a
 * lease it renews; the handler links what it creates to the key in the same transaction, so a
 * retry after a crash answers that resource as it now stands and never runs the request twice.
 */
export function idempotency(repositories: Repositories, options: IdempotencyOptions) {
  const store = repositories.idempotency;
  const { clock, leaseMs } = options;
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
    const hash = await idempotencyHash(options.secret, merchantId, c.req.method, c.req.path, await c.req.text());
    const times = (): ClaimTimes => {
      const now = clock.now();
      return { now, leaseUntil: after(now, leaseMs), expiresAt: after(now, options.ttlSeconds * 1000) };
    };

    /** Keeps a claimed key's lease while the request runs. */
    const renew = () => setInterval(() => void store.renew(merchantId, key, after(clock.now(), leaseMs)).catch(() => {}), Math.max(leaseMs / 3, 10));
    /** What the request's answer does to the key once it is done. */
    const finish = async (storedByHandler: boolean) => {
      if (storedByHandler) return;
      if (keepsResult(c.res.status)) {
        // An answer that holds a secret is not stored: the key keeps only its link, and a replay renders it again.
        const keepBody = !(c.res.ok && c.get('idempotencyRenderOnReplay'));
        await store.complete(merchantId, key, c.res.status, keepBody ? await c.res.clone().text() : null);
      } else {
        await store.release(merchantId, key);
      }
    };

    /** The answer to a request whose key another request holds or held: refused, or that request's answer. */
    const answerClaim = async (claim: Exclude<Claim, { state: 'claimed' }>): Promise<Response> => {
      if (!claim.sameRequest) {
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
          headers: { 'Retry-After': String(Math.max(1, Math.ceil(claim.retryAfterMs / 1000))) },
        });
      }
      if (claim.state === 'completed') {
        return c.newResponse(claim.body, claim.status as ContentfulStatusCode, {
          'Content-Type': 'application/json',
          'Idempotent-Replayed': 'true',
        });
      }
      const rendered = await options.render(merchantId, claim.resource);
      if (!rendered) {
        // Linked in the transaction that created it, so it exists; a resource gone since is a fault of ours.
        throw new Error(`idempotency key links a missing ${claim.resource.type}`);
      }
      const body = JSON.stringify(rendered.body);
      await store.complete(merchantId, key, rendered.status, body);
      return c.newResponse(body, rendered.status, { 'Content-Type': 'application/json', 'Idempotent-Replayed': 'true' });
    };

    if (options.deferClaim?.(c.req.method, c.req.path)) {
      let settled: Claim | null = null;
      let renewal: ReturnType<typeof setInterval> | undefined;
      let stored = false;
      const deferred: DeferredIdempotency = {
        merchantId,
        key,
        claim: (repositories) => repositories.idempotency.claim(merchantId, key, hash, times()),
        settled: (claim) => {
          settled = claim;
          if (claim.state === 'claimed') renewal = renew();
        },
        stored: () => {
          stored = true;
        },
      };
      c.set('idempotencyKey', key);
      c.set('idempotency', deferred);
      try {
        await next();
      } finally {
        clearInterval(renewal);
      }
      const claim = settled as Claim | null;
      // Never claimed (the request failed before its transaction, or with it): nothing to keep or free.
      if (claim === null) return;
      if (claim.state !== 'claimed') {
        c.res = await answerClaim(claim);
        return;
      }
      await finish(stored);
      return;
    }

    const claim = await store.claim(merchantId, key, hash, times());
    if (claim.state !== 'claimed') return answerClaim(claim);

    c.set('idempotencyKey', key);
    const renewal = renew();
    try {
      await next();
    } finally {
      clearInterval(renewal);
    }
    await finish(false);

  });
}
