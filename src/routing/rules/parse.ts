import { parseDocument } from 'yaml';
import { readAction } from './actions.js';
import { readConditions } from './conditions.js';
import type { ActionSpec, Rule, Ruleset } from './ruleset.js';
import { shadowingErrors } from './validate.js';
import { YamlSource, type Located, type LocatedError } from './source.js';

const RULE_ID = /^[a-z0-9][a-z0-9_-]*$/;

export type Parsed<T> = T | { errors: LocatedError[] };

/**
 * Parses and checks a ruleset file, reporting every error with its line and column.
 * With `knownGateways`, names outside it are errors too (compile checks them anyway).
 */
export function parseRuleset(text: string, fileName: string, knownGateways?: readonly string[]): Parsed<{ ruleset: Ruleset }> {
  const src = new YamlSource(fileName, text);
  if (!src.ok) return { errors: src.errors };
  const ruleset = readRuleset(src, knownGateways);
  if (ruleset === undefined || !src.ok) return { errors: sortErrors(src.errors) };
  return { ruleset };
}

/** For each error path, the id of the rule it points into (`rules[2]…`), `default` for the default action, else null. */
export function ruleIdsAt(text: string): (path: string) => string | null {
  let rules: unknown;
  try {
    rules = (parseDocument(text).toJS() as { rules?: unknown } | null)?.rules;
  } catch {
    rules = undefined;
  }
  return (path) => {
    if (path === 'default' || path.startsWith('default.')) return 'default';
    const index = /^rules\[(\d+)\]/.exec(path)?.[1];
    const rule = index === undefined || !Array.isArray(rules) ? undefined : (rules[Number(index)] as { id?: unknown } | undefined);
    return typeof rule?.id === 'string' ? rule.id : null;
  };
}

export function sortErrors(errors: LocatedError[]): LocatedError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}

function readRuleset(src: YamlSource, knownGateways: readonly string[] | undefined): Ruleset | undefined {
  if (src.isNull(src.root)) return src.report(src.root.ref, 'the ruleset is empty: it needs `rules` and a `default`');
  const entries = src.map(src.root, 'the ruleset', ['rules', 'default']);
  if (entries === undefined) return undefined;
  const rulesEntry = entries.find((e) => e.key === 'rules');
  const defaultEntry = entries.find((e) => e.key === 'default');
  const rules = rulesEntry === undefined ? [] : readRules(src, rulesEntry.value, knownGateways);
  let fallback: ActionSpec | undefined;
  if (defaultEntry === undefined) src.report(src.root.ref, 'the ruleset needs a `default` action, applied when no rule matches');
  else fallback = readAction(src, defaultEntry.value, '`default`', knownGateways);
  if (rules === undefined || fallback === undefined) return undefined;
  return { file: src.file, rules, default: fallback };
}

/** The rules, or undefined if any is bad; shadowing is still checked among the good ones so all errors show at once. */
function readRules(src: YamlSource, at: Located, knownGateways: readonly string[] | undefined): Rule[] | undefined {
  const items = src.list(at, '`rules`');
  if (items === undefined) return undefined;
  const rules: Rule[] = [];
  const firstUse = new Map<string, number>();
  let ok = true;
  for (const item of items) {
    const { id, rule } = readRule(src, item, knownGateways);
    if (id !== undefined) {
      const line = firstUse.get(id);
      if (line !== undefined) src.report(item.ref, `duplicate rule id '${id}' (first used on line ${line})`);
      else firstUse.set(id, item.ref.line);
    }
    if (rule === undefined) ok = false;
    else rules.push(rule);
  }
  src.errors.push(...shadowingErrors(src.file, rules));
  return ok ? rules : undefined;
}

function readRule(src: YamlSource, at: Located, knownGateways: readonly string[] | undefined): { id?: string; rule?: Rule } {
  const entries = src.map(at, 'a rule', ['id', 'when', 'then']);
  if (entries === undefined) return {};
  const field = (key: string) => entries.find((e) => e.key === key);
  const idEntry = field('id');
  const thenEntry = field('then');
  const whenEntry = field('when');
  let id: string | undefined;
  if (idEntry === undefined) src.report(at.ref, 'a rule needs an `id`');
  else {
    id = src.string(idEntry.value, 'a rule `id`');
    if (id !== undefined && (!RULE_ID.test(id) || id === 'default')) {
      id = src.report(idEntry.value.ref, `bad rule id '${id}': use lower case letters, digits, '-' and '_' ('default' is reserved)`);
    }
  }
  const conditions = whenEntry === undefined ? [] : readConditions(src, whenEntry.value);
  if (thenEntry === undefined) src.report(at.ref, 'a rule needs a `then` action');
  const then = thenEntry && readAction(src, thenEntry.value, '`then`', knownGateways);
  if (id === undefined || conditions === undefined || then === undefined) return { id };
  return { id, rule: { id, conditions, then, at: at.ref } };
}
