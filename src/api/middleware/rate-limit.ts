import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Clock } from '../../domain/clock.js';
import { Problem } from '../../domain/problem.js';
import type { AppEnv } from '../env.js';

export interface RateLimitSettings {
  /** Tokens added per second: the sustained rate. */
  perSecond: number;
  /** Bucket size: how many requests may come at once after a quiet spell. */
  burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = { perSecond: 100, burst: 200 };

/** Past this many buckets, full ones (the same as no bucket) are dropped. */
const SWEEP_ABOVE = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets by name, in this instance's memory: with several instances each allows the
 * full rate (a shared store is another piece of work).
 */
export function tokenBuckets(settings: RateLimitSettings, clock: Clock) {
  const buckets = new Map<string, Bucket>();
  const level = (bucket: Bucket | undefined, now: number) =>
    bucket ? Math.min(settings.burst, bucket.tokens + ((now - bucket.at) / 1000) * settings.perSecond) : settings.burst;
  const sweep = (now: number) => {
    for (const [name, bucket] of buckets) if (level(bucket, now) >= settings.burst) buckets.delete(name);
  };
  /** Whole seconds until `tokens` are back (at least 1). */
  const secondsUntil = (tokens: number, available: number) => Math.max(1, Math.ceil((tokens - available) / settings.perSecond));
  return {
    /** Takes one token if there is one; answers what a client may be told either way. */
    take(name: string) {
      const now = clock.now().getTime();
      const available = level(buckets.get(name), now);
      const allowed = available >= 1;
      const tokens = allowed ? available - 1 : available;
      if (buckets.size > SWEEP_ABOVE) sweep(now);
      buckets.set(name, { tokens, at: now });
      return {
        allowed,
        limit: settings.burst,
        remaining: Math.floor(tokens),
        retryAfterSeconds: secondsUntil(1, tokens),
        resetSeconds: secondsUntil(settings.burst, tokens),
      };
    },
    /** True while the bucket has a token left, without taking it. */
    has(name: string) {
      return level(buckets.get(name), clock.now().getTime()) >= 1;
    },
  };
}

export type TokenBuckets = ReturnType<typeof tokenBuckets>;

function tooManyRequests(detail: string, retryAfterSeconds: number, limit: number, resetSeconds: number) {
  return new Problem({
    status: 429,
    code: 'rate_limited',
    title: 'Too many requests',
    detail: `${detail} Retry after ${retryAfterSeconds} s.`,
    headers: { 'Retry-After': String(retryAfterSeconds), 'RateLimit-Limit': String(limit), 'RateLimit-Remaining': '0', 'RateLimit-Reset': String(resetSeconds) },
  });
}

/**
 * Requests that end up unauthenticated (a missing or wrong key, provider webhooks, health and
 * documents) are counted per client address; once an address has used its bucket, all its
 * requests wait, before any key is looked up.
 */
export function addressRateLimit(buckets: TokenBuckets, clientAddress: (c: Context<AppEnv>) => string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const name = `address:${clientAddress(c)}`;
    if (!buckets.has(name)) {
      const state = buckets.take(name);
      throw tooManyRequests('Too many unauthenticated requests from this address.', state.retryAfterSeconds, state.limit, state.resetSeconds);
    }
    await next();
    if (c.get('apiKeyId') === undefined) buckets.take(name);
  });
}

/** Authenticated requests are counted per API key, before anything is read or stored. */
export function keyRateLimit(buckets: TokenBuckets) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const state = buckets.take(`key:${c.get('apiKeyId')}`);
    if (!state.allowed) throw tooManyRequests('Too many requests for this API key.', state.retryAfterSeconds, state.limit, state.resetSeconds);
    c.header('RateLimit-Limit', String(state.limit));
    c.header('RateLimit-Remaining', String(state.remaining));
    c.header('RateLimit-Reset', String(state.resetSeconds));
    await next();
  });
}

/**
 * The peer's address without trusting anything a client can set: Node's socket (the
 * @hono/node-server binding), then Cloudflare's CF-Connecting-IP on Workers.
 */
export function peerAddress(c: Context<AppEnv>): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? c.req.header('CF-Connecting-IP') ?? 'unknown';
}
