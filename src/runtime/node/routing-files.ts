import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN_OVERRIDES_FILE, parseBinOverrides } from '../../routing/bins/overrides.js';
import { BinTable } from '../../routing/bins/table.js';
import { parseFeeSchedules } from '../../routing/fees/parse.js';
import type { FeeSchedule } from '../../routing/fees/schedule.js';
import { formatError } from '../../routing/rules/source.js';

/**
 * The ops-owned files: fee schedules and BIN overrides (used as they are; the overrides file is
 * optional) and the ruleset that seeds a new merchant's first version.
 */
export async function loadRoutingFiles(dir: string): Promise<{ fees: ReadonlyMap<string, FeeSchedule>; binOverrides: BinTable; rules: { file: string; source: string } }> {
  const feesFile = join(dir, 'fees.yaml');
  const parsed = parseFeeSchedules(await readFile(feesFile, 'utf8'), feesFile);
  if ('errors' in parsed) throw new Error(`invalid fee schedules (npm run rules:check):\n${parsed.errors.map(formatError).join('\n')}`);
  const rulesFile = join(dir, 'rules.yaml');
  return { fees: parsed.schedules, binOverrides: await loadBinOverrides(join(dir, BIN_OVERRIDES_FILE)), rules: { file: rulesFile, source: await readFile(rulesFile, 'utf8') } };
}

async function loadBinOverrides(file: string): Promise<BinTable> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return BinTable.EMPTY;
  const parsed = parseBinOverrides(text, file);
  if ('errors' in parsed) throw new Error(`invalid BIN overrides (npm run rules:check):\n${parsed.errors.map(formatError).join('\n')}`);
  return BinTable.build(parsed.ranges);
}
