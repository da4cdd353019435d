import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { createBenchDatabase } from '../lib/postgres-database.js';
import { startChild, stopAll, type Child } from './processes.js';

export type TargetName = 'direct' | 'ceiling' | 'pglite' | 'postgres';

export const TARGET_LABELS: Record<TargetName, string> = {
  direct: '(a) direct: stripe SDK',
  ceiling: '(b) ceiling: bare proxy',
  pglite: '(c) Switchyard PGlite',
  postgres: '(d) Switchyard PostgreSQL',
};

export interface Target {
  name: TargetName;
  url: string;
  pid: number;
  /** The router's statement and commit counts (on PostgreSQL; `{}` on PGlite). */
  counters?: string;
}

export interface Simulator {
  pid: number;
  charges(): Promise<number>;
  reset(): Promise<void>;
  setLatency(ms: number): Promise<void>;
}

export interface Stack {
  simulator: Simulator;
  targets: Target[];
  apiKey: string;
  workDir: string;
  close(): Promise<void>;
}

const GATEWAY_TIMEOUT_MS = '10000';
/** A router starts its database (PGlite: WASM and migrations) before it is ready: slow on a busy machine. */
const ROUTER_START_TIMEOUT_MS = 180_000;

/**
 * Starts every process of the bench: the Stripe simulator, then the four targets pointed at it.
 * `close` stops them all and removes the temp dir and the PostgreSQL database, whatever failed.
 */
export async function startStack(options: { cpuProfileDir?: string; log: (line: string) => void }): Promise<Stack> {
  const workDir = await mkdtemp(join(tmpdir(), 'switchyard-load-'));
  const children: Child<unknown>[] = [];
  let database: Awaited<ReturnType<typeof createBenchDatabase>> | undefined;
  const apiKey = generateApiKey('test');
  const close = async () => {
    await stopAll(children);
    await database?.drop().catch((error: unknown) => options.log(`could not drop the bench database: ${String(error)}`));
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const { DATABASE_URL: _ignored, ...baseEnv } = process.env;
    const env = { ...baseEnv, SWITCHYARD_GATEWAY_TIMEOUT_MS: GATEWAY_TIMEOUT_MS };
    const log = (name: string) => join(workDir, `${name}.log`);

    const sim = await startChild<{ port: number; control: string }>({ name: 'simulator', file: './simulator-process.ts', env, logFile: log('simulator') });
    children.push(sim);
    const simArgs = ['--sim-port', String(sim.ready.port)];
    const routerArgs = [...simArgs, '--key', apiKey];
    const profile = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
    database = await createBenchDatabase('load');

    const started = await Promise.all([
      startChild<{ url: string }>({ name: 'direct', file: './direct-process.ts', args: simArgs, env, logFile: log('direct') }),
      startChild<{ url: string }>({ name: 'ceiling', file: './proxy-process.ts', args: simArgs, env, logFile: log('ceiling') }),
      startChild<{ url: string; counters?: string }>({ name: 'pglite', file: './router-process.ts', args: [...routerArgs, '--data-dir', join(workDir, 'data')], env, nodeOptions: profile, logFile: log('router-pglite'), timeoutMs: ROUTER_START_TIMEOUT_MS }),
      startChild<{ url: string; counters?: string }>({ name: 'postgres', file: './router-process.ts', args: routerArgs, env: { ...env, DATABASE_URL: database.url }, nodeOptions: profile, logFile: log('router-postgres'), timeoutMs: ROUTER_START_TIMEOUT_MS }),
    ]);
    children.push(...started);

    const control = (path: string, method = 'POST') =>
      fetch(`${sim.ready.control}${path}`, { method }).then(async (r) => {
        if (!r.ok) throw new Error(`simulator control ${path}: ${r.status} ${await r.text()}`);
        return (await r.json()) as { charges?: number };
      });
    return {
      apiKey,
      workDir,
      close,
      simulator: {
        pid: sim.pid,
        charges: async () => (await control('/charges', 'GET')).charges ?? NaN,
        reset: async () => void (await control('/reset')),
        setLatency: async (ms) => void (await control(`/latency?ms=${ms}`)),
      },
      targets: started.map((child) => ({
        name: child.name as TargetName,
        url: child.ready.url,
        pid: child.pid,
        ...('counters' in child.ready && child.ready.counters ? { counters: child.ready.counters } : {}),
      })),
    };
  } catch (error) {
    await close();
    throw error;
  }
}
