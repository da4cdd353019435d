import { isMap, isScalar, type YAMLMap } from 'yaml';
import { isCurrency } from '../../domain/currency.js';
import { PAYMENT_METHOD_TYPES } from '../../domain/payment-method.js';
import { binInterval, binRange, parseBin, parseBinPrefix } from './bins.js';
import type { BinInterval, Condition, SetField } from './ruleset.js';
import { joinPath, suggestion, type Located, type MapEntry, type SourceRef, type YamlSource } from './source.js';

export const CARD_NETWORKS = ['visa', 'mastercard', 'amex', 'discover', 'diners', 'jcb', 'unionpay', 'maestro', 'unknown'] as const;

/** Closed value domains; `not_in` over them is stored as `in` over the complement, which makes shadowing checks plain set inclusion. */
const DOMAINS: Partial<Record<SetField, readonly (string | null)[]>> = {
  payment_method: PAYMENT_METHOD_TYPES,
  'card.network': CARD_NETWORKS,
  'card.type': ['credit', 'debit', 'prepaid', null],
  capture_method: ['automatic', 'manual'],
  initiator: ['customer', 'merchant'],
};

const SET_FIELDS: readonly SetField[] = [
  'currency',
  'country.billing',
  'country.issuer',
  'payment_method',
  'card.network',
  'card.type',
  'capture_method',
  'initiator',
];

const CONDITION_FIELDS: readonly string[] = ['amount', ...SET_FIELDS, 'card.bin', 'metadata.<key>'];

const SET_OPERATORS = ['in', 'not_in'];
const AMOUNT_KEYS = ['currency', 'gt', 'gte', 'lt', 'lte'];
const BIN_OPERATORS = ['in', 'not_in', 'prefix', 'range'];
const BIN_BOUNDS = ['gt', 'gte', 'lt', 'lte'];
const METADATA_OPERATORS = ['in', 'not_in', 'prefix'];
const COUNTRY = /^[A-Z]{2}$/;
const METADATA_KEY = /^[A-Za-z0-9_.-]+$/;

/** Conditions of a rule's `when`; reports every bad field or value into `src`. */
export function readConditions(src: YamlSource, when: Located): Condition[] | undefined {
  if (src.isNull(when)) return [];
  const entries = src.map(when, '`when`');
  if (entries === undefined) return undefined;
  const conditions: Condition[] = [];
  let ok = true;
  for (const { key, keyRef, value } of entries) {
    const condition = readCondition(src, key, keyRef, value);
    if (condition === undefined) ok = false;
    else conditions.push(condition);
  }
  return ok ? conditions : undefined;
}

function readCondition(src: YamlSource, key: string, keyRef: SourceRef, value: Located): Condition | undefined {
  if (key === 'amount') return readAmount(src, value);
  if (key === 'card.bin') return readBin(src, value);
  if (key.startsWith('metadata.')) {
    const metaKey = key.slice('metadata.'.length);
    if (!METADATA_KEY.test(metaKey)) {
      return src.report(keyRef, `metadata key '${metaKey}' must be letters, digits, '_', '-' or '.'`);
    }
    return readMetadata(src, metaKey, value);
  }
  const field = SET_FIELDS.find((f) => f === key);
  if (field === undefined) return src.report(keyRef, `unknown field '${key}' in \`when\`${suggestion(key, CONDITION_FIELDS)}`);
  return readSet(src, field, value);
}

/** `value`, `{ in: [...] }` or `{ not_in: [...] }`: the listed items and whether they are excluded. */
function readOperands(src: YamlSource, value: Located, field: string, operators: readonly string[]) {
  if (!isMap(value.node)) return { negated: false, items: [value], operator: 'equals' };
  const entries = src.map(value, `the \`${field}\` condition`, operators);
  if (entries === undefined) return undefined;
  const [first, ...rest] = entries;
  if (first === undefined) return src.report(value.ref, `the \`${field}\` condition needs one of: ${operators.join(', ')}`);
  if (rest.length > 0) return src.report(rest[0]!.keyRef, `the \`${field}\` condition takes one operator, got ${entries.map((e) => e.key).join(' and ')}`);
  const items = src.list(first.value, `\`${first.key}\``);
  if (items === undefined) return undefined;
  if (items.length === 0) return src.report(first.value.ref, `\`${first.key}\` must list at least one value`);
  return { negated: first.key === 'not_in', items, operator: first.key };
}

function readSet(src: YamlSource, field: SetField, value: Located): Condition | undefined {
  const operands = readOperands(src, value, field, SET_OPERATORS);
  if (operands === undefined) return undefined;
  const values = new Set<string | null>();
  let ok = true;
  for (const item of operands.items) {
    const text = src.text(item, `a \`${field}\` value`);
    const checked = text === undefined ? undefined : checkSetValue(src, field, text, item.ref);
    if (checked === undefined) ok = false;
    else values.add(checked);
  }
  if (!ok) return undefined;
  const domain = DOMAINS[field];
  if (operands.negated && domain !== undefined) {
    return { kind: 'set', field, values: new Set(domain.filter((v) => !values.has(v))), negated: false };
  }
  return { kind: 'set', field, values, negated: operands.negated };
}

function checkSetValue(src: YamlSource, field: SetField, text: string, at: SourceRef): string | undefined {
  if (field === 'currency') {
    if (isCurrency(text)) return text;
    const hint = isCurrency(text.toUpperCase()) ? ` (did you mean '${text.toUpperCase()}'?)` : '';
    return src.report(at, `unknown currency '${text}': expected an ISO 4217 code${hint}`);
  }
  if (field === 'country.billing' || field === 'country.issuer') {
    if (COUNTRY.test(text)) return text;
    return src.report(at, `bad country '${text}': expected an ISO 3166 alpha-2 code in upper case, like US`);
  }
  const domain = (DOMAINS[field] ?? []).filter((v): v is string => v !== null);
  if (domain.includes(text)) return text;
  return src.report(at, `unknown ${field} '${text}': expected one of ${domain.join(', ')}${suggestion(text, domain)}`);
}

function readAmount(src: YamlSource, value: Located): Condition | undefined {
  if (!isMap(value.node)) {
    return src.report(value.ref, 'an `amount` condition names its currency and bounds in minor units, like { gte: 50000, currency: EUR }');
  }
  const entries = src.map(value, 'the `amount` condition', AMOUNT_KEYS);
  if (entries === undefined) return undefined;
  let currency: string | undefined;
  let min = 0;
  let max = Number.MAX_SAFE_INTEGER;
  let ok = true;
  for (const { key, value: operand } of entries) {
    if (key === 'currency') {
      const text = src.string(operand, 'the amount currency');
      currency = text === undefined ? undefined : checkSetValue(src, 'currency', text, operand.ref);
      if (currency === undefined) ok = false;
      continue;
    }
    const bound = src.integer(operand, `amount \`${key}\` (minor units)`, 0);
    if (bound === undefined) ok = false;
    else if (key === 'gt') min = Math.max(min, bound + 1);
    else if (key === 'gte') min = Math.max(min, bound);
    else if (key === 'lt') max = Math.min(max, bound - 1);
    else max = Math.min(max, bound);
  }
  if (!ok) return undefined;
  if (!entries.some((e) => e.key === 'currency')) {
    return src.report(value.ref, 'an `amount` condition must name its `currency` (amounts are in minor units of that currency)');
  }
  if (entries.length === 1) return src.report(value.ref, 'an `amount` condition needs a bound: gt, gte, lt or lte');
  if (min > max) return src.report(value.ref, 'the `amount` bounds leave no amount that could match');
  return { kind: 'amount', currency: currency!, min, max };
}

function readBin(src: YamlSource, value: Located): Condition | undefined {
  if (isMap(value.node) && mapKeys(value.node).some((key) => typeof key === 'string' && BIN_BOUNDS.includes(key))) {
    const entries = src.map(value, 'the `card.bin` condition', BIN_BOUNDS);
    return entries === undefined ? undefined : readBinBounds(src, value, entries);
  }
  const operands = readOperands(src, value, 'card.bin', BIN_OPERATORS);
  if (operands === undefined) return undefined;
  if (operands.operator === 'range') return readRange(src, operands.items, value.ref);
  const prefix = operands.operator === 'prefix';
  const intervals: BinInterval[] = [];
  let ok = true;
  for (const item of operands.items) {
    const text = src.text(item, 'a BIN');
    const interval = text === undefined ? undefined : prefix ? parseBinPrefix(text) : parseBin(text);
    if (text !== undefined && interval === undefined) {
      src.report(item.ref, `bad BIN '${text}': expected ${prefix ? 'a BIN prefix of 1–8 digits' : 'a BIN of 6–8 digits'}`);
    }
    if (interval === undefined) ok = false;
    else intervals.push(interval);
  }
  return ok ? { kind: 'bin', intervals, negated: operands.negated } : undefined;
}

function mapKeys(node: YAMLMap): unknown[] {
  return node.items.map((pair) => (isScalar(pair.key) ? pair.key.value : pair.key));
}

function readRange(src: YamlSource, items: Located[], at: SourceRef): Condition | undefined {
  if (items.length !== 2) return src.report(at, '`range` takes two BINs: [from, to]');
  const [from, to] = items.map((item) => src.text(item, 'a BIN'));
  if (from === undefined || to === undefined) return undefined;
  const interval = binRange(from, to);
  if (typeof interval === 'string') return src.report(items[0]!.ref, `bad BIN range [${from}, ${to}]: ${interval}`);
  return { kind: 'bin', intervals: [interval], negated: false };
}

function readBinBounds(src: YamlSource, value: Located, entries: MapEntry[]): Condition | undefined {
  const bounds: Partial<Record<string, string>> = {};
  let ok = true;
  for (const entry of entries) {
    const text = src.text(entry.value, 'a BIN');
    if (text !== undefined && parseBin(text) === undefined) src.report(entry.value.ref, `bad BIN '${text}': expected a BIN of 6–8 digits`);
    if (text === undefined || parseBin(text) === undefined) ok = false;
    else bounds[entry.key] = text;
  }
  if (!ok) return undefined;
  const interval = binInterval(bounds);
  if (typeof interval === 'string') return src.report(value.ref, `bad BIN bounds: ${interval}`);
  return { kind: 'bin', intervals: [interval], negated: false };
}

function readMetadata(src: YamlSource, key: string, value: Located): Condition | undefined {
  const field = joinPath('metadata', key);
  const operands = readOperands(src, value, field, METADATA_OPERATORS);
  if (operands === undefined) return undefined;
  const texts = operands.items.map((item) => src.text(item, `a \`${field}\` value`));
  if (texts.some((t) => t === undefined)) return undefined;
  const strings = texts as string[];
  if (operands.operator === 'prefix') return { kind: 'metadata', key, values: new Set(), prefixes: strings, negated: false };
  return { kind: 'metadata', key, values: new Set(strings), prefixes: [], negated: operands.negated };
}
