import { createMiddleware } from 'hono/factory';
import { newId } from '../../domain/ids.js';
import type { AppEnv } from '../env.js';

/** What a client may send as its own `Request-Id`: short, printable, no spaces or quotes. */
export const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Every request gets our own id (`req_…`), answered in `Request-Id` and in problem bodies. A
 * client's `Request-Id` is kept beside it only when well formed, and echoed in
 * `Client-Request-Id`; anything else is ignored, so it never reaches a log or a header as sent.
 */
export function requestIds() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const id = newId('req');
    const sent = c.req.header('Request-Id');
    const clientId = sent !== undefined && CLIENT_REQUEST_ID.test(sent) ? sent : undefined;
    c.set('requestId', id);
    c.set('clientRequestId', clientId);
    c.header('Request-Id', id);
    if (clientId) c.header('Client-Request-Id', clientId);
    await next();
  });
}
