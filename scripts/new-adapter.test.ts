import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { scaffoldAdapter } from './new-adapter.js';

const adaptersDir = new URL('../adapters', import.meta.url).pathname;
const name = `probe${process.pid}`;

describe('npm run new:adapter', () => {
  afterAll(() => rm(join(adaptersDir, name), { recursive: true, force: true }));

  it('scaffolds a folder that type-checks against the contract and fails the conformance suite', async () => {
    const files = await scaffoldAdapter(name, adaptersDir);
    expect(files.map((f) => f.slice(adaptersDir.length + 1)).sort()).toEqual(
      [`${name}/README.md`, `${name}/adapter.ts`, `${name}/conformance.test.ts`, `${name}/index.ts`, `${name}/simulator/index.ts`, `${name}/target.ts`].sort(),
    );
    const root = new URL('..', import.meta.url).pathname;
    const tsconfig = join(adaptersDir, name, 'tsconfig.json');
    await writeFile(tsconfig, JSON.stringify({ extends: '../../tsconfig.json', include: ['./**/*.ts'] }));
    await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', tsconfig], { cwd: root });
    await rm(tsconfig);

    const run = await promisify(execFile)(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', `adapters/${name}`, '--reporter=json'], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, SWITCHYARD_SCAFFOLD_PROBE: '1' },
      maxBuffer: 32 * 1024 * 1024,
    }).then(
      (ok) => ({ code: 0, stdout: ok.stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(run.code).not.toBe(0);
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{')));
    expect(report.numPassedTests).toBe(0);
    expect(report.numFailedTests + report.numFailedTestSuites).toBeGreaterThan(0);
  }, 60_000);

  it('refuses a bad name and an existing folder', async () => {
    await expect(scaffoldAdapter('Bad-Name', adaptersDir)).rejects.toThrow(/lower-case/);
    await expect(scaffoldAdapter('stripe', adaptersDir)).rejects.toThrow(/exists/);
  });
});
