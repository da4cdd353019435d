import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN_OVERRIDES_FILE, parseBinOverrides } from '../src/routing/bins/overrides.js';
import { publicBinTable } from '../src/routing/bins/public-table.js';
import { BinTable, type BinRange } from '../src/routing/bins/table.js';
import { parseFeeSchedules } from '../src/routing/fees/parse.js';
import { factWarnings } from '../src/routing/rules/fact-sources.js';
import { compile, type CompiledRuleset } from '../src/routing/rules/compile.js';
import { parseRuleset } from '../src/routing/rules/parse.js';
import { parseRuleTests, ruleTestErrors, type RuleTestCase } from '../src/routing/rules/rule-tests.js';
import type { Ruleset } from '../src/routing/rules/ruleset.js';
import type { LocatedError } from '../src/routing/rules/source.js';

export const FEES_FILE = 'fees.yaml';
const TEST_SUFFIX = '.test.yaml';

export interface RuleSuite {
  testFile: string;
  compiled: CompiledRuleset;
  cases: RuleTestCase[];
}

export interface RulesFolder {
  errors: LocatedError[];
  /** Rule conditions no source of live traffic can satisfy (fact-sources.ts): reported, not fatal. */
  warnings: LocatedError[];
  rulesets: number;
  suites: RuleSuite[];
}

/**
 * Reads and checks every file of a rules folder: `fees.yaml` (whose accounts are the
 * known gateways), `bins.overrides.yaml` (if there is one), every other `*.yaml` as a
 * ruleset, and every `X.test.yaml` as the tests of the ruleset `X.yaml` beside it.
 */
export async function loadRulesFolder(dir: string): Promise<RulesFolder> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.yaml')).sort();
  const errors: LocatedError[] = [];
  const read = (name: string) => readFile(join(dir, name), 'utf8');

  let knownGateways: string[] | undefined;
  if (!names.includes(FEES_FILE)) {
    errors.push({ file: join(dir, FEES_FILE), line: 1, column: 1, path: '', message: 'missing: the fee schedules name the known gateways' });
  } else {
    const fees = parseFeeSchedules(await read(FEES_FILE), join(dir, FEES_FILE));
    if ('errors' in fees) errors.push(...fees.errors);
    else knownGateways = [...fees.schedules.keys()];
  }

  let overrides: BinRange[] = [];
  if (names.includes(BIN_OVERRIDES_FILE)) {
    const parsed = parseBinOverrides(await read(BIN_OVERRIDES_FILE), join(dir, BIN_OVERRIDES_FILE));
    if ('errors' in parsed) errors.push(...parsed.errors);
    else overrides = parsed.ranges;
  }

  const rulesets = new Map<string, Ruleset>();
  for (const name of names.filter((n) => n !== FEES_FILE && n !== BIN_OVERRIDES_FILE && !n.endsWith(TEST_SUFFIX))) {
    const parsed = parseRuleset(await read(name), join(dir, name), knownGateways);
    if ('errors' in parsed) errors.push(...parsed.errors);
    else rulesets.set(name, parsed.ruleset);
  }

  const suites: RuleSuite[] = [];
  for (const name of names.filter((n) => n.endsWith(TEST_SUFFIX))) {
    const file = join(dir, name);
    const rulesName = name.slice(0, -TEST_SUFFIX.length) + '.yaml';
    const parsed = parseRuleTests(await read(name), file);
    if ('errors' in parsed) {
      errors.push(...parsed.errors);
      continue;
    }
    if (!names.includes(rulesName)) {
      errors.push({ file, line: 1, column: 1, path: '', message: `no ruleset ${rulesName} beside this test file` });
      continue;
    }
    const ruleset = rulesets.get(rulesName);
    if (ruleset === undefined || knownGateways === undefined) continue; // its errors are already reported
    const caseErrors = ruleTestErrors(file, parsed.cases, ruleset, knownGateways);
    errors.push(...caseErrors);
    if (caseErrors.length === 0) suites.push({ testFile: file, compiled: compile(ruleset, knownGateways), cases: parsed.cases });
  }
  const known = [publicBinTable(), BinTable.build(overrides)];
  const values = { issuerCountries: new Set(known.flatMap((t) => [...t.values('issuerCountry')])), cardTypes: new Set(known.flatMap((t) => [...t.values('type')])) };
  const warnings = [...rulesets.values()].flatMap((ruleset) => factWarnings(ruleset, values));
  return { errors, warnings, rulesets: rulesets.size, suites };
}
