/**
 * Where a process's CPU time went, from a V8 `.cpuprofile` (node --cpu-prof):
 *
 *   BENCH_LOAD_CPU_PROF=/tmp/prof tsx bench/load/main.ts --quick    # profiles both router processes
 *   tsx bench/load/profile-summary.ts /tmp/prof/CPU.*.cpuprofile
 *
 * prints self time by package (node_modules/<pkg>, the project's folders, node internals, GC)
 * and the top functions by self time.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(src\/[^/]+|adapters\/[^/]+|bench\/[^/]+)\//.exec(url);
  return own ? own[1]! : url;
}

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    const where = area(frame.url, frame.functionName);
    areas.set(where, (areas.get(where) ?? 0) + us);
    const fn = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|adapters|bench)\//, '$1/')}:${frame.lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`)
      .join('\n');
  process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\nby area (self time):\n${top(areas, 15)}\ntop functions (self time):\n${top(functions, 25)}\n\n`);
}
