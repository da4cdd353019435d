import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  // What wrangler.toml's [[rules]] do for the Worker: a .yaml import is the file's text.
  plugins: [{ name: 'yaml-as-text', transform: (code, id) => (id.endsWith('.yaml') ? `export default ${JSON.stringify(code)};` : undefined) }],
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'adapters/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    // scripts/new-adapter.test.ts scaffolds adapters/probe<pid> for a moment and runs its suite itself;
    // a concurrent run of the whole suite must not pick that folder up.
    exclude: [...configDefaults.exclude, ...(process.env.SWITCHYARD_SCAFFOLD_PROBE ? [] : ['adapters/probe*/**'])],
    // Builds console/dist when it is missing or stale: the browser tests load the real build.
    globalSetup: ['./test/console/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // PGlite instances are heavy: a few files at a time keeps a 2-core machine responsive.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
