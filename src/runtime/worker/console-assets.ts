import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../api/env.js';
import type { ConsoleAssets } from '../../api/routes/console.js';

/** The Worker's static-assets binding (wrangler.toml `[assets]`, binding ASSETS). */
export interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

/**
 * The built console from the Worker's static assets (console/dist, bundled by wrangler). The
 * Worker runs first for every path (`run_worker_first`), so the console gets the same headers
 * (CSP, caching) as on Node and nothing is served outside /console.
 */
export function workerConsoleAssets(assets: AssetsBinding): ConsoleAssets {
  const serve =
    (pathOf: (path: string) => string): MiddlewareHandler<AppEnv> =>
    async (c, next) => {
      const url = new URL(c.req.url);
      const res = await assets.fetch(new Request(new URL(pathOf(url.pathname), url.origin)));
      if (res.status !== 200) return next();
      // A fresh Response: the binding's headers are immutable, and the console routes add theirs.
      return new Response(res.body, { status: 200, headers: { 'Content-Type': res.headers.get('Content-Type') ?? 'application/octet-stream' } });
    };
  return {
    file: serve((path) => path.replace(/^\/console/, '')),
    index: serve(() => '/index.html'),
  };
}
