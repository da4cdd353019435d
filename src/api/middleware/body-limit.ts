import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * hono's bodyLimit, answering from Content-Length (as it does) before it looks at the body: asking
 * the node adapter for the body stream makes it build a full web Request (stream, AbortSignal) per
 * request, which reading the JSON later does not need. A body without Content-Length, or with
 * Transfer-Encoding, is counted as it streams, by hono's.
 */
export function limitBody(maxSize: number, onError: (c: Context) => never): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize, onError });
  return (c, next) => {
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamed(c, next);
    return parseInt(length, 10) > maxSize ? onError(c) : next();
  };
}
