import { binCovered } from './bins.js';
import type { Condition, Rule } from './ruleset.js';

/**
 * The earlier rule that makes `rule` unreachable, if any: one whose every condition is
 * implied by some condition of `rule`, so it matches every transaction `rule` matches.
 * Sound but not complete: it never flags a reachable rule, and misses shadowing that only
 * a combination of conditions or of several earlier rules produces.
 */
export function shadowingRule(rule: Rule, earlier: readonly Rule[]): Rule | undefined {
  return earlier.find((candidate) => candidate.conditions.every((wide) => rule.conditions.some((narrow) => implies(narrow, wide))));
}

/** Whether every transaction satisfying `narrow` satisfies `wide`. */
function implies(narrow: Condition, wide: Condition): boolean {
  switch (wide.kind) {
    case 'set':
      if (narrow.kind === 'amount' && wide.field === 'currency') return wide.values.has(narrow.currency) !== wide.negated;
      return narrow.kind === 'set' && narrow.field === wide.field && setImplies(narrow, wide);
    case 'amount':
      return narrow.kind === 'amount' && narrow.currency === wide.currency && narrow.min >= wide.min && narrow.max <= wide.max;
    case 'bin':
      if (narrow.kind !== 'bin') return false;
      if (!narrow.negated && !wide.negated) return narrow.intervals.every((i) => binCovered(i, wide.intervals));
      return narrow.negated && wide.negated && sameIntervals(narrow, wide);
    case 'metadata':
      return narrow.kind === 'metadata' && narrow.key === wide.key && metadataImplies(narrow, wide);
  }
}

type Negatable = { values: ReadonlySet<string | null>; negated: boolean };

function setImplies(narrow: Negatable, wide: Negatable): boolean {
  if (!narrow.negated && !wide.negated) return subset(narrow.values, wide.values);
  if (narrow.negated && wide.negated) return subset(wide.values, narrow.values);
  if (!narrow.negated && wide.negated) return [...narrow.values].every((v) => !wide.values.has(v));
  return false;
}

function metadataImplies(narrow: Condition & { kind: 'metadata' }, wide: Condition & { kind: 'metadata' }): boolean {
  if (narrow.negated || wide.negated) return setImplies(narrow, wide) && narrow.prefixes.length === 0 && wide.prefixes.length === 0;
  const inWide = (value: string) => wide.values.has(value) || wide.prefixes.some((p) => value.startsWith(p));
  return [...narrow.values].every(inWide) && narrow.prefixes.every((p) => wide.prefixes.some((w) => p.startsWith(w)));
}

function subset<T>(small: ReadonlySet<T>, large: ReadonlySet<T>): boolean {
  for (const value of small) if (!large.has(value)) return false;
  return true;
}

function sameIntervals(a: Condition & { kind: 'bin' }, b: Condition & { kind: 'bin' }): boolean {
  const key = (c: Condition & { kind: 'bin' }) => JSON.stringify([...c.intervals].sort((x, y) => x.lo - y.lo || x.digits - y.digits));
  return key(a) === key(b);
}
