/** `--name value` from a child process's argv; the bench's own processes take only these. */
export function option(name: string, fallback?: string): string {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? process.argv[at + 1] : undefined;
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`missing --${name}`);
}

/** Prints the one JSON line the parent waits for: the process is ready and here is where. */
export function announce(ready: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ready: true, ...ready })}\n`);
}

/** Closes with `close` on SIGTERM or SIGINT, then exits (so `--cpu-prof` gets written). */
export function exitOnSignal(close: () => Promise<void> = async () => {}): void {
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      const timer = setTimeout(() => process.exit(1), 5000);
      timer.unref();
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}
