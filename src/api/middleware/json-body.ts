import { createMiddleware } from 'hono/factory';
import { Problem } from '../../domain/problem.js';
import type { AppEnv } from '../env.js';

/** A request with a body must say it is JSON; hono's validator would otherwise see an empty object. */
export const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH') {
    const length = c.req.header('Content-Length');
    const hasBody = length !== undefined ? length !== '0' : c.req.raw.body !== null;
    const type = c.req.header('Content-Type')?.split(';')[0]?.trim().toLowerCase();
    if (hasBody && type !== 'application/json') {
      throw new Problem({
        status: 415,
        code: 'unsupported_media_type',
        title: 'Unsupported media type',
        detail: 'Send the request body as JSON with Content-Type: application/json.',
        param: 'Content-Type',
      });
    }
  }
  await next();
});
