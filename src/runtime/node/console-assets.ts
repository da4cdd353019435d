import { serveStatic } from '@hono/node-server/serve-static';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsoleAssets } from '../../api/routes/console.js';

/** Where `npm run build:console` writes the console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist', import.meta.url));

/**
 * The built console from disk, read on each request: a build made while the server runs is served
 * at once, and a server without one answers console_not_built. serveStatic refuses `..` and
 * encoded separators before the path is joined to `dir`.
 */
export function consoleAssets(dir = CONSOLE_DIST): ConsoleAssets {
  return {
    file: serveStatic({ rewriteRequestPath: (path) => join(dir, path.replace(/^\/console/, '')) }),
    index: serveStatic({ path: join(dir, 'index.html') }),
  };
}
