import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface Child<Ready> {
  name: string;
  pid: number;
  ready: Ready;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
// Whatever happens to the bench, no child outlives it.
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const READY = /^\{"ready":true.*\}$/m;

/**
 * Runs a bench TypeScript file in its own Node process (`node --import tsx`, so the pid is the
 * process that serves, not a tsx wrapper) and waits for its `{"ready":true,...}` line on stdout.
 * stdout and stderr go straight to `logFile`: the router writes a log line per request, and a
 * pipe into this (busy) process would make its synchronous writes wait for us.
 */
export async function startChild<Ready>(options: {
  name: string;
  file: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  nodeOptions?: string[];
  /** A command that runs Node (`valgrind ...`): it must exec it in the same process, so `pid` stays the server's. */
  wrapper?: string[];
  logFile: string;
  timeoutMs?: number;
}): Promise<Child<Ready>> {
  const script = new URL(options.file, import.meta.url).pathname;
  const log = openSync(options.logFile, 'w');
  const [command, ...wrapperArgs] = [...(options.wrapper ?? []), process.execPath];
  const child = spawn(command!, [...wrapperArgs, ...(options.nodeOptions ?? []), '--import', 'tsx', script, ...(options.args ?? [])], {
    env: options.env ?? process.env,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));

  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let ready: Ready | undefined;
  while (ready === undefined) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}) before it was ready: see ${options.logFile}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} not ready after ${timeoutMs} ms: see ${options.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = READY.exec(readFileSync(options.logFile, 'utf8'))?.[0];
    if (line) ready = JSON.parse(line) as Ready;
  }

  return {
    name: options.name,
    pid: child.pid!,
    ready,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Stops every child still running (each by its own pid). */
export async function stopAll(list: readonly (Child<unknown> | undefined)[]): Promise<void> {
  await Promise.all(list.map((child) => child?.stop().catch(() => {})));
}
