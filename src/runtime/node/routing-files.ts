import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFeeSchedules } from '../../routing/fees/parse.js';
import type { FeeSchedule } from '../../routing/fees/schedule.js';
import { formatError } from '../../routing/rules/source.js';

/** The ops-owned files: fee schedules (used as they are) and the ruleset that seeds a new merchant's first version. */
export async function loadRoutingFiles(dir: string): Promise<{ fees: ReadonlyMap<string, FeeSchedule>; rules: { file: string; source: string } }> {
  const feesFile = join(dir, 'fees.yaml');
  const parsed = parseFeeSchedules(await readFile(feesFile, 'utf8'), feesFile);
  if ('errors' in parsed) throw new Error(`invalid fee schedules (npm run rules:check):\n${parsed.errors.map(formatError).join('\n')}`);
  const rulesFile = join(dir, 'rules.yaml');
  return { fees: parsed.schedules, rules: { file: rulesFile, source: await readFile(rulesFile, 'utf8') } };
}
