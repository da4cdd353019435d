import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** Flags every bench command takes: `--quick` (a reduced run, under a minute) and `--json` (print the JSON). */
export interface BenchFlags {
  quick: boolean;
  json: boolean;
}

export function benchFlags(argv: readonly string[] = process.argv.slice(2)): BenchFlags {
  const unknown = argv.filter((a) => a !== '--quick' && a !== '--json');
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')} (known: --quick, --json)`);
  return { quick: argv.includes('--quick'), json: argv.includes('--json') };
}

/** Where and on what a run happened, so numbers are never read without their context. */
export function environment() {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout: the commit stays unknown.
  }
  return { commit, node: process.version, cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', date: new Date().toISOString() };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A plain text table: one header row, right-aligned numbers. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row, r) => row.map((c, i) => (r > 0 && typeof rows[r - 1]![i] === 'number' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

/**
 * Writes `bench/results/<name>.json` (or `<name>.quick.json` for a quick run) with the
 * environment, prints the readable text, or the JSON with `--json`.
 */
export async function report(name: string, flags: BenchFlags, text: string, results: unknown): Promise<string> {
  const document = { benchmark: name, quick: flags.quick, environment: environment(), results };
  const dir = new URL('../results/', import.meta.url).pathname;
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}${flags.quick ? '.quick' : ''}.json`);
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(flags.json ? `${JSON.stringify(document, null, 2)}\n` : `${text}\n\nwritten to ${file}\n`);
  return file;
}
