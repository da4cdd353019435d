import { createMiddleware } from 'hono/factory';
import type { Clock } from '../../domain/clock.js';
import { Problem } from '../../domain/problem.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';

const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Request-Id';
const originRefused = () =>
  new Problem({ status: 403, code: 'origin_not_allowed', title: 'Origin not allowed', detail: "This origin is not among the publishable key's allowed origins." });

/**
 * CORS for the tokenization endpoint, the one route a shopper's browser calls. A preflight carries
 * no key, so it is answered for an origin some working publishable key lists; the request itself
 * is then served only when its own key lists the origin. A request with another Origin (a secret
 * key used from a web page, a page of someone else's) is refused: CORS restrains browsers only,
 * so a script outside a browser can still send any key it holds, which is why publishable keys
 * can do nothing but tokenize.
 */
export function tokenizationCors(repositories: Repositories, clock: Clock) {
  const preflight = createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method !== 'OPTIONS') return next();
    const origin = c.req.header('Origin');
    const method = c.req.header('Access-Control-Request-Method');
    if (!origin || method !== 'POST' || !(await repositories.merchants.originAllowed(origin, clock.now()))) throw originRefused();
    return c.body(null, 204, {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': 'POST',
      'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    });
  });

  /** After auth: the key's own origins decide. Its answers, errors included, are readable by that origin. */
  const request = createMiddleware<AppEnv>(async (c, next) => {
    const origin = c.req.header('Origin');
    if (origin === undefined) return next();
    if (!c.get('allowedOrigins').includes(origin)) throw originRefused();
    await next();
    c.res.headers.set('Access-Control-Allow-Origin', origin);
    c.res.headers.append('Vary', 'Origin');
  });

  return { preflight, request };
}
