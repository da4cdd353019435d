import { parseFeeSchedules } from '../../routing/fees/parse.js';
import type { FeeSchedule } from '../../routing/fees/schedule.js';
import { formatError } from '../../routing/rules/source.js';
// Bundled as text at build time (wrangler.toml [[rules]], vitest.config.ts): a Worker has no files to read.
import text from '../../../routing-rules/fees.yaml';

let schedules: ReadonlyMap<string, FeeSchedule> | undefined;

/** routing-rules/fees.yaml as it was when the Worker was built, parsed on first use and kept for the isolate's life. */
export function bundledFees(): ReadonlyMap<string, FeeSchedule> {
  if (schedules) return schedules;
  const parsed = parseFeeSchedules(text, 'routing-rules/fees.yaml');
  if ('errors' in parsed) throw new Error(`invalid fee schedules (npm run rules:check):\n${parsed.errors.map(formatError).join('\n')}`);
  return (schedules = parsed.schedules);
}
