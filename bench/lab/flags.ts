import { parseArgs } from 'node:util';
import type { BenchFlags } from '../lib/report.js';

export interface LabFlags extends BenchFlags {
  /** Only these scenarios (null: all of them). */
  scenarios: string[] | null;
  /** Seeds 1..N (null: the run's default). */
  seeds: number | null;
}

/** The bench flags plus `--scenario a,b` and `--seeds N`, refusing names and counts the lab cannot run. */
export function labFlags(known: readonly string[], args: string[] = process.argv.slice(2)): LabFlags {
  const { values } = parseArgs({
    args,
    options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, scenario: { type: 'string' }, seeds: { type: 'string' } },
    strict: true,
  });
  let scenarios: string[] | null = null;
  if (values.scenario !== undefined) {
    scenarios = values.scenario.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = scenarios.filter((s) => !known.includes(s));
    if (scenarios.length === 0 || unknown.length > 0) throw new Error(`--scenario: unknown ${unknown.join(', ') || '(empty)'}; known: ${known.join(', ')}`);
  }
  let seeds: number | null = null;
  if (values.seeds !== undefined) {
    seeds = Number(values.seeds);
    if (!Number.isInteger(seeds) || seeds < 1 || seeds > 50) throw new Error(`--seeds: expected a whole number from 1 to 50, got ${values.seeds}`);
  }
  return { quick: values.quick ?? false, json: values.json ?? false, scenarios, seeds };
}
