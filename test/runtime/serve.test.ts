import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { migrationsFolder, openDatabase } from '../../src/runtime/node/database.js';
import { POSTGRES_ADMIN_URL } from '../support/databases.js';

/** A cold tsx process each time (see sandbox.test.ts): the limits only stop a run that hangs. */
const PROCESS_BUDGET_MS = 90_000;
/** The newest migration, as the journal lists it. */
const LAST_MIGRATION: string = JSON.parse(await readFile(join(migrationsFolder, 'meta/_journal.json'), 'utf8')).entries.at(-1).tag;
const SECRETS = { SWITCHYARD_FINGERPRINT_SECRET: 'f'.repeat(40), SWITCHYARD_SECRETS_KEY: Buffer.alloc(32, 9).toString('base64') };

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an entry point to its end with exactly `env` (plus PATH), as an operator's shell would. */
function run(entry: string, args: string[], env: Record<string, string>): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `npm run serve` and waits for its banner. */
function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/runtime/node/serve.ts'], { env: { PATH: process.env.PATH ?? '', PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.resume();
  let stderr = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<number | null>((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

describe('npm run serve and npm run db:migrate', () => {
  const name = `switchyard_serve_${process.pid}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  let url: string;
  let db: postgres.Sql;
  const tables = async () => (await db`select table_name from information_schema.tables where table_schema in ('public', 'drizzle')`).map((r) => r.table_name as string);

  beforeAll(async () => {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const u = new URL(POSTGRES_ADMIN_URL);
    u.pathname = `/${name}`;
    url = u.toString();
    db = postgres(url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await db.end();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it(
    'refuses a bad variable by name, without a stack trace, before touching the database',
    async () => {
      const result = await run('src/runtime/node/serve.ts', [], { DATABASE_URL: url, ...SECRETS, SWITCHYARD_MIGRATE: '1', SWITCHYARD_GATEWAY_TIMEOUT_MS: '10s' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('SWITCHYARD_GATEWAY_TIMEOUT_MS must be a whole number of milliseconds, got "10s"');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(await tables()).toEqual([]);
    },
    PROCESS_BUDGET_MS,
  );

  it(
    'requires DATABASE_URL and both secrets, naming each',
    async () => {
      const result = await run('src/runtime/node/serve.ts', [], {});
      expect(result.code).toBe(1);
      for (const variable of ['DATABASE_URL', 'SWITCHYARD_FINGERPRINT_SECRET', 'SWITCHYARD_SECRETS_KEY']) expect(result.stderr).toContain(`${variable} is required`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
    PROCESS_BUDGET_MS,
  );

  it(
    'refuses a database whose migrations are behind; db:migrate applies them once; then it serves, having seeded nothing',
    async () => {
      const behind = await run('src/runtime/node/serve.ts', [], { DATABASE_URL: url, ...SECRETS });
      expect(behind.code).toBe(1);
      expect(behind.stderr).toMatch(new RegExp(`migration\\(s\\) behind \\(0000_init, .*${LAST_MIGRATION}\\)\\. Run npm run db:migrate`));
      expect((await tables()).filter((t) => t !== '__drizzle_migrations')).toEqual([]);

      const migrated = await run('src/runtime/node/migrate-main.ts', [], { DATABASE_URL: url });
      expect(migrated.code).toBe(0);
      expect(migrated.stdout).toMatch(new RegExp(`PostgreSQL \\(DATABASE_URL\\): applied \\d+ migration\\(s\\):\\n  0000_init\\n[\\s\\S]*  ${LAST_MIGRATION}\\n$`));
      const again = await run('src/runtime/node/migrate-main.ts', [], { DATABASE_URL: url });
      expect(again.stdout).toBe('PostgreSQL (DATABASE_URL): up to date, nothing to apply.\n');

      const server = serve({ DATABASE_URL: url, ...SECRETS });
      const base = await server.url;
      try {
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
        expect((await fetch(`${base}/v1/payments`, { headers: { Authorization: `Bearer ${generateApiKey('test')}` } })).status).toBe(401);
      } finally {
        expect(await server.stop()).toBe(0);
      }
      for (const table of ['merchants', 'api_keys', 'gateway_accounts', 'routing_rulesets']) {
        const [row] = await db.unsafe(`select count(*)::int as n from ${table}`);
        expect(row!.n, table).toBe(0);
      }
    },
    4 * PROCESS_BUDGET_MS,
  );
});

describe('npm run admin on the sandbox’s PGlite', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchyard-admin-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it(
    'refuses clearly while another process holds the database, and works once it is free',
    async () => {
      const held = await openDatabase({ pgliteDir: join(dataDir, 'pglite') });
      let refused: Finished;
      try {
        refused = await run('src/runtime/node/admin-cli.ts', ['merchants', 'list'], { SWITCHYARD_DATA_DIR: dataDir });
      } finally {
        await held.close();
      }
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`is in use by process ${process.pid}`);
      expect(refused.stderr).toContain('PGlite is single-process');

      const created = await run('src/runtime/node/admin-cli.ts', ['merchants', 'create', '--name', 'Process test', '--json'], { SWITCHYARD_DATA_DIR: dataDir, USER: 'tester' });
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ name: 'Process test' });
      const bad = await run('src/runtime/node/admin-cli.ts', ['keys', 'create', '--merchant', 'mer_missing'], { SWITCHYARD_DATA_DIR: dataDir });
      expect(bad).toMatchObject({ code: 2, stdout: '' });
      expect(bad.stderr).toBe('error: --merchant: No such merchant.\n');
    },
    3 * PROCESS_BUDGET_MS,
  );
});
