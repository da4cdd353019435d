import type { MiddlewareHandler } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Problem } from '../../domain/problem.js';
import type { AppEnv } from '../env.js';
import { problemResponse } from '../problem-response.js';

/** How a runtime hands the built console (console/dist) to the API: each serves a file or calls next(). */
export interface ConsoleAssets {
  /** A file under /console/…, by its path below /console. */
  file: MiddlewareHandler<AppEnv>;
  /** index.html, for every client route (/console/payments/pay_…). */
  index: MiddlewareHandler<AppEnv>;
}

/**
 * Everything the console loads comes from this origin; nothing inline, nothing framed, no other
 * host to talk to. uPlot and Preact style elements through the CSSOM, which style-src does not govern.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const notBuilt = () =>
  new Problem({ status: 404, code: 'console_not_built', title: 'Not found', detail: 'The console is not built on this server: run npm run build:console.' });

/** The ops console at /console/: its hashed assets, and index.html for any other path under it. */
export function consoleRoutes(app: OpenAPIHono<AppEnv>, assets: ConsoleAssets): void {
  app.use('/console/*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CONSOLE_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    // File names under assets/ carry a content hash; index.html must be fetched anew to see a new build.
    c.header('Cache-Control', c.req.path.startsWith('/console/assets/') && c.res.status === 200 ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
  app.get('/console', (c) => c.redirect('/console/', 308));
  app.get('/console/assets/*', assets.file, (c) => problemResponse(c, new Problem({ status: 404, code: 'resource_missing', title: 'Not found', detail: 'No such console asset.' })));
  app.get('/console/*', assets.index, (c) => problemResponse(c, notBuilt()));
}
