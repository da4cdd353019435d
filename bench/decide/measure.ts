/**
 * Timing primitives: process.hrtime.bigint() around batches (throughput, smoothed latency)
 * and around single calls (the tail), the timer's own overhead, and a log of the GC pauses
 * that happened inside a measured window. Nothing is subtracted or filtered out: a GC pause
 * inside a timed call is in that call's time, as it would be in production.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { percentile } from '../lib/report.js';

const now = process.hrtime.bigint;

/** What one back-to-back pair of hrtime.bigint() calls costs, and the smallest step it shows. */
export function timerOverhead(samples = 100_000): { median_ns: number; p99_ns: number; min_ns: number } {
  const deltas = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t0 = now();
    const t1 = now();
    deltas[i] = Number(t1 - t0);
  }
  const values = Array.from(deltas);
  return { median_ns: percentile(values, 50), p99_ns: percentile(values, 99), min_ns: values.reduce((min, v) => Math.min(min, v), Infinity) };
}

/**
 * Runs `op(i)` for i = start… in batches of `batchSize`, timing each batch; returns the
 * nanoseconds per operation of every batch and the total elapsed time of the batches.
 */
export function timeBatches(op: (i: number) => void, batches: number, batchSize: number, start = 0): { perOp: Float64Array; totalNs: number } {
  const perOp = new Float64Array(batches);
  let totalNs = 0;
  let i = start;
  for (let b = 0; b < batches; b++) {
    const t0 = now();
    for (let k = 0; k < batchSize; k++) op(i++);
    const elapsed = Number(now() - t0);
    perOp[b] = elapsed / batchSize;
    totalNs += elapsed;
  }
  return { perOp, totalNs };
}

/**
 * Times every call on its own: nanoseconds per call, the timer overhead included. `starts`
 * are each call's start in ns after `originMs` (a performance.now() reading taken at the same
 * moment), so GC pauses from perf_hooks can be matched to the calls they fell into.
 */
export function timeSingles(op: (i: number) => void, count: number, start = 0): { durations: Float64Array; starts: Float64Array; originMs: number } {
  const durations = new Float64Array(count);
  const starts = new Float64Array(count);
  const originMs = performance.now();
  const origin = now();
  for (let k = 0; k < count; k++) {
    const t0 = now();
    op(start + k);
    const t1 = now();
    durations[k] = Number(t1 - t0);
    starts[k] = Number(t0 - origin);
  }
  return { durations, starts, originMs };
}

/** Runs `op` for about `ms` milliseconds; returns how many calls that was and ns per call. */
export function runFor(op: (i: number) => void, ms: number, start = 0): { calls: number; nsPerCall: number } {
  const t0 = now();
  const deadline = t0 + BigInt(Math.round(ms * 1e6));
  let i = start;
  let t = t0;
  while (t < deadline) {
    for (let k = 0; k < 50; k++) op(i++);
    t = now();
  }
  const calls = i - start;
  return { calls, nsPerCall: Number(t - t0) / calls };
}

export interface GcPause {
  /** performance.now() milliseconds. */
  start: number;
  duration: number;
  kind: string;
}

const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

/** Collects GC pauses (perf_hooks `gc` entries) so each measured window can report the ones inside it. */
export class GcLog {
  private readonly pauses: GcPause[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      this.pauses.push({ start: e.startTime, duration: e.duration, kind: GC_KINDS[kind] ?? String(kind) });
    }
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Entries are delivered asynchronously: call after a window, before reading it. */
  async flush(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
  }

  within(from: number, to: number): { count: number; total_ms: number; max_ms: number; major: number } {
    const inside = this.pauses.filter((p) => p.start >= from && p.start <= to);
    return {
      count: inside.length,
      total_ms: inside.reduce((s, p) => s + p.duration, 0),
      max_ms: inside.reduce((m, p) => Math.max(m, p.duration), 0),
      major: inside.filter((p) => p.kind === 'major').length,
    };
  }

  /** Pauses that started in [from, to] (performance.now() ms). */
  pausesWithin(from: number, to: number): GcPause[] {
    return this.pauses.filter((p) => p.start >= from && p.start <= to);
  }

  stop(): void {
    this.observer.disconnect();
  }
}

export const clock = () => performance.now();

/** Which timed calls overlap a GC pause: 1 when the call's [start, start + duration] meets a pause. */
export function gcHits(singles: { durations: Float64Array; starts: Float64Array; originMs: number }, pauses: readonly GcPause[]): Uint8Array {
  const hit = new Uint8Array(singles.durations.length);
  const windows = pauses.map((p) => [(p.start - singles.originMs) * 1e6, (p.start - singles.originMs + p.duration) * 1e6] as const).sort((a, b) => a[0] - b[0]);
  let w = 0;
  for (let k = 0; k < hit.length; k++) {
    const from = singles.starts[k]!;
    const to = from + singles.durations[k]!;
    while (w < windows.length && windows[w]![1] < from) w++;
    if (w < windows.length && windows[w]![0] <= to) hit[k] = 1;
  }
  return hit;
}

/** CPU time this process got (user + system) over wall time: below 1 means it waited for a core (or slept). */
export function cpuShare(fn: () => void): number {
  const c0 = process.cpuUsage();
  const w0 = now();
  fn();
  const wallUs = Number(now() - w0) / 1000;
  const cpu = process.cpuUsage(c0);
  return (cpu.user + cpu.system) / wallUs;
}
