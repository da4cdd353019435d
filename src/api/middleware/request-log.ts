import { createMiddleware } from 'hono/factory';
import type { Logger } from '../../domain/logger.js';
import type { AppEnv } from '../env.js';

/** One line per request: method, route path (no query, no body), status, duration. */
export function requestLog(logger: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    logger.info('http.request', {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });
}
