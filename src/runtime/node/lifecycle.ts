import { ConfigError } from './config.js';
import { DatabaseRefusal } from './database.js';

/** A refusal the operator can act on prints its message alone and exits 1; anything else is a bug and keeps its stack. */
export function exitOnRefusal(error: unknown): never {
  if (error instanceof ConfigError || error instanceof DatabaseRefusal) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

/** SIGINT and SIGTERM close the server once, then exit (0 when it closed cleanly). */
export function closeOnSignals(close: () => Promise<void>): void {
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

/**
 * Called once the server is up: stack traces without source maps from then on. tsx turns them on,
 * and then every `.stack` read maps each frame; the stripe SDK reads one per gateway call. Log
 * lines carry no stacks, so serving loses nothing; a crash's stack still names its functions, at
 * positions in tsx's output rather than in the source. Startup failures keep mapped stacks.
 */
export function unmappedStacks(): void {
  process.setSourceMapsEnabled(false);
}
