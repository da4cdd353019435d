import { formatError } from '../src/routing/rules/source.js';
import { loadRulesFolder } from './rules-files.js';

/** Validates every ruleset, fee file, BIN overrides file and rule test file of a folder; exit 1 on any error (warnings alone pass). */
async function main(dir: string): Promise<number> {
  const folder = await loadRulesFolder(dir);
  for (const warning of folder.warnings) console.error(formatError({ ...warning, message: `warning: ${warning.message}` }));
  for (const error of folder.errors) console.error(formatError(error));
  if (folder.errors.length > 0) {
    console.error(`${folder.errors.length} error${folder.errors.length === 1 ? '' : 's'} in ${dir}`);
    return 1;
  }
  const cases = folder.suites.reduce((n, s) => n + s.cases.length, 0);
  console.log(`${dir}: ${folder.rulesets} ruleset(s), fee schedules, BIN overrides and ${cases} rule test case(s) are valid`);
  return 0;
}

main(process.argv[2] ?? 'routing-rules/').then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
