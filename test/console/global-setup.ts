import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const CONSOLE = fileURLToPath(new URL('../../console', import.meta.url));
// The rule language the console bundles comes from src/routing/rules.
const SOURCES = [join(CONSOLE, 'src'), join(CONSOLE, 'index.html'), join(CONSOLE, 'vite.config.ts'), fileURLToPath(new URL('../../src/routing/rules', import.meta.url))];

async function newest(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  return Math.max(info.mtimeMs, ...(await Promise.all(entries.map((entry) => newest(join(path, entry))))));
}

/** Builds console/dist before any test runs when it is missing or older than its sources (a clean clone, an edit). */
export default async function setup(): Promise<void> {
  const built = await stat(join(CONSOLE, 'dist', 'index.html')).then(
    (info) => info.mtimeMs,
    () => 0,
  );
  const sources = Math.max(...(await Promise.all(SOURCES.map(newest))));
  if (built >= sources) return;
  await build({ root: CONSOLE, configFile: join(CONSOLE, 'vite.config.ts'), logLevel: 'warn' });
}
