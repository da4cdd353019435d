import { createMiddleware } from 'hono/factory';
import type { Logger } from '../../domain/logger.js';
import type { AppEnv } from '../env.js';

/** One line per request: our id and a well-formed client id, method, path (no query, no body), status, duration. */
export function requestLog(logger: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    logger.info('http.request', {
      request_id: c.get('requestId'),
      client_request_id: c.get('clientRequestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });
}
