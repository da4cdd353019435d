import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** How soon after a change the state is written (changes meanwhile are written together). */
const DEFAULT_DEBOUNCE_MS = 100;
/** A big state takes a while to write: wait at least this many times as long between writes, up to the cap. */
const WRITE_TIME_FACTOR = 4;
const MAX_DEBOUNCE_MS = 2000;

/**
 * A simulator's state on disk: read once at start, written soon after each change (debounced:
 * 100 ms, or four times as long as the last write took, at most 2 s) and at close, atomically (a temporary file renamed over the old one), so a crash loses at most
 * the last moments and never leaves half a file. Without a path it does nothing (in memory).
 */
export class StateFile<T> {
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private closed = false;
  private lastWriteMs = 0;

  constructor(
    readonly path: string | null,
    private readonly serialize: () => T,
    private readonly options: { debounceMs?: number; onError?: (error: unknown) => void } = {},
  ) {}

  /** The saved state, or null when there is no path or no file yet. A file that cannot be parsed throws. */
  static async read<T>(path: string | null): Promise<T | null> {
    if (path === null) return null;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new Error(`simulator state file ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Something changed: write within the debounce time. */
  changed(): void {
    if (this.path === null || this.closed) return;
    this.dirty = true;
    if (this.timer !== null) return;
    const base = this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch((error) => this.options.onError?.(error));
    }, Math.max(base, Math.min(MAX_DEBOUNCE_MS, this.lastWriteMs * WRITE_TIME_FACTOR)));
    this.timer.unref?.();
  }

  /** Writes now (after any write under way). */
  flush(): Promise<void> {
    if (this.path === null) return Promise.resolve();
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.dirty = true;
    const next = this.writing.catch(() => undefined).then(() => (this.dirty ? this.write() : undefined));
    this.writing = next;
    return next;
  }

  /** Writes a last time; later changes are not written. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
  }

  private async write(): Promise<void> {
    const path = this.path!;
    this.dirty = false;
    const started = performance.now();
    const text = JSON.stringify(this.serialize());
    const temporary = `${path}.${process.pid}.tmp`;
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeFile(temporary, text, { mode: 0o600 });
      await rename(temporary, path);
      this.lastWriteMs = performance.now() - started;
    } catch (error) {
      await rm(temporary, { force: true });
      this.dirty = true;
      throw error;
    }
  }
}
