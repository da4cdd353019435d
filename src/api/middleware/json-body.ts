import { createMiddleware } from 'hono/factory';
import { Problem } from '../../domain/problem.js';
import type { AppEnv } from '../env.js';

/** A request with a body must say it is JSON; hono's validator would otherwise see an empty object. A bodyless POST needs no type. */
export const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH') {
    const type = c.req.header('Content-Type')?.split(';')[0]?.trim().toLowerCase();
    // `curl -X POST` sends neither a length nor a type: a request without a body needs no type.
    if (type !== 'application/json' && (await c.req.text()) !== '') {
      throw unsupportedMediaType();
    }
  }
  await next();
});

export function unsupportedMediaType(): Problem {
  return new Problem({
    status: 415,
    code: 'unsupported_media_type',
    title: 'Unsupported media type',
    detail: 'Send the request body as JSON with Content-Type: application/json.',
    param: 'Content-Type',
  });
}
