import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The repository root: the router and simulators run from it (routing-rules/, node_modules/). */
export const ROOT = new URL('../../', import.meta.url).pathname;

const live = new Set<ChildProcess>();
// Whatever happens to the bench, no child outlives it (each killed by its own pid).
process.on('exit', () => {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function spawnTs(file: string, env: Record<string, string>, logFile: string): ChildProcess {
  const log = openSync(logFile, 'w');
  // `node --import tsx` so the pid is the process that serves (SIGKILL hits the router, not a wrapper).
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, file)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  closeSync(log);
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/** A port free right now on 127.0.0.1 (the router keeps it across restarts, so webhook URLs stay valid). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `npm run simulators` on free ports, in its own process. */
export interface SimulatorsProcess {
  controlUrl: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startSimulators(options: { webhookRetryScale: number; logFile: string }): Promise<SimulatorsProcess> {
  const child = spawnTs(
    'src/runtime/node/simulators-main.ts',
    {
      SIMULATOR_CONTROL_PORT: '0',
      SIMULATOR_STRIPE_PORT: '0',
      SIMULATOR_ADYEN_PORT: '0',
      SIMULATOR_BRAINTREE_PORT: '0',
      SIMULATOR_CHECKOUT_PORT: '0',
      SIMULATOR_PAYPAL_PORT: '0',
      SIMULATOR_GOCARDLESS_PORT: '0',
      SIMULATOR_BITPAY_PORT: '0',
      SIMULATOR_WEBHOOK_RETRY_SCALE: String(options.webhookRetryScale),
    },
    options.logFile,
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = /control listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(readFileSync(options.logFile, 'utf8'));
    if (match) return { controlUrl: match[1]!, pid: child.pid!, stop: () => stopChild(child) };
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the simulators exited before they were ready: see ${options.logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the simulators were not ready after 60 s: see ${options.logFile}`);
    }
    await sleep(100);
  }
}

/**
 * The router (`src/runtime/node/main.ts`, the sandbox with `env:` gateways) in its own process,
 * started again after each SIGKILL on the same port, with the same key, database and data dir.
 * Each incarnation logs to its own file.
 */
export class RouterProcess {
  private child: ChildProcess | null = null;
  private incarnation = 0;
  private readyAt: Promise<number> | null = null;
  /** Exits we did not cause (neither SIGKILL nor stop): each one is a finding. */
  readonly unexpectedExits: { incarnation: number; code: number | null; signal: string | null; log: string }[] = [];
  private expectingExit = false;
  /** Called when an incarnation exits by itself (a crash): the run restarts it and reports it. */
  onCrash: (() => void) | null = null;

  constructor(
    readonly url: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  logFile(incarnation = this.incarnation): string {
    return join(this.logDir, `router-${incarnation}.log`);
  }

  /** Starts an incarnation; resolves with how long it took until /healthz answered. */
  start(): Promise<number> {
    this.incarnation += 1;
    const incarnation = this.incarnation;
    const log = this.logFile(incarnation);
    const started = Date.now();
    const child = spawnTs('src/runtime/node/main.ts', this.env, log);
    this.child = child;
    this.expectingExit = false;
    child.once('exit', (code, signal) => {
      if (this.child === child && !this.expectingExit) {
        this.unexpectedExits.push({ incarnation, code, signal, log });
        this.onCrash?.();
      }
    });
    this.readyAt = (async () => {
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`router incarnation ${incarnation} exited before it was ready: see ${log}`);
        if (Date.now() - started > 120_000) throw new Error(`router incarnation ${incarnation} not ready after 120 s: see ${log}`);
        try {
          const response = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) });
          if (response.ok) return Date.now() - started;
        } catch {
          // Not listening yet.
        }
        await sleep(100);
      }
    })();
    return this.readyAt;
  }

  /** Resolves once the current incarnation answers /healthz. */
  async ready(): Promise<void> {
    await this.readyAt;
  }

  /** SIGKILL, at once: no shutdown hook runs, requests in flight are cut off. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    child.kill('SIGKILL');
    await exited(child);
  }

  /** SIGTERM and wait (the database is closed cleanly, so PGlite's directory can be opened after). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    await stopChild(child);
  }

  get incarnations(): number {
    return this.incarnation;
  }
}
