import { relative } from 'node:path';
import { runRuleTest } from '../src/routing/rules/rule-tests.js';
import { formatError } from '../src/routing/rules/source.js';
import { loadRulesFolder } from './rules-files.js';

/** Runs every `*.test.yaml` case against its ruleset; exit 1 on any failure or invalid file. */
async function main(dir: string): Promise<number> {
  const folder = await loadRulesFolder(dir);
  for (const error of folder.errors) console.error(formatError(error));
  if (folder.errors.length > 0) return 1;
  let failed = 0;
  let total = 0;
  for (const suite of folder.suites) {
    for (const testCase of suite.cases) {
      const result = runRuleTest(suite.compiled, testCase);
      total++;
      const where = `${relative(process.cwd(), suite.testFile)}:${testCase.at.line}`;
      console.log(`${result.passed ? 'PASS' : 'FAIL'}  ${where}  ${result.name}  (rule: ${result.rule})`);
      for (const failure of result.failures) console.log(`      ${failure}`);
      if (!result.passed) failed++;
    }
  }
  console.log(`${total - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main(process.argv[2] ?? 'routing-rules/').then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
