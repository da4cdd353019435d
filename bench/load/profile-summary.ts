/**
 * Where a process's CPU time went, from a V8 `.cpuprofile` (node --cpu-prof, or profile.ts's):
 *
 *   BENCH_LOAD_CPU_PROF=/tmp/prof tsx bench/load/main.ts --quick    # profiles both router processes
 *   tsx bench/load/profile-summary.ts /tmp/prof/CPU.*.cpuprofile
 *
 * prints self time by package (node_modules/<pkg>, the project's folders, node internals, GC)
 * and the top functions by self time.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  percent: number;
  ms: number;
}

export interface ProfileSummary {
  /** Sampled time, ms (idle included: see `areas`' `(idle)`). */
  sampledMs: number;
  areas: ProfileShare[];
  functions: ProfileShare[];
}

function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(src\/[^/]+|adapters\/[^/]+|bench\/[^/]+)\//.exec(url);
  return own ? own[1]! : url;
}

/** Self time by area and by function, busiest first; percentages are of the non-idle time. */
export function summarizeProfile(profile: CpuProfile, top = { areas: 15, functions: 25 }): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let sampled = 0;
  let busy = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    sampled += us;
    if (frame.functionName === '(idle)') continue;
    busy += us;
    const where = area(frame.url, frame.functionName);
    areas.set(where, (areas.get(where) ?? 0) + us);
    const fn = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|adapters|bench)\//, '$1/')}:${frame.lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const shares = (map: Map<string, number>, n: number): ProfileShare[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, percent: (us / busy) * 100, ms: us / 1000 }));
  return { sampledMs: sampled / 1000, areas: shares(areas, top.areas), functions: shares(functions, top.functions) };
}

export function renderProfile(summary: ProfileSummary): string {
  const lines = (shares: ProfileShare[]) => shares.map((s) => `  ${s.percent.toFixed(1).padStart(5)} %  ${s.ms.toFixed(0).padStart(7)} ms  ${s.name}`).join('\n');
  return `by area (self time, % of busy time):\n${lines(summary.areas)}\ntop functions (self time):\n${lines(summary.functions)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of process.argv.slice(2)) {
    const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    process.stdout.write(`${file}: ${(summary.sampledMs / 1000).toFixed(1)} s sampled\n${renderProfile(summary)}\n`);
  }
}
