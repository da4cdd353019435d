import qs from 'qs';
import { paramErrors } from './errors.js';

/** Parsed form or query parameters (qs bracket notation: `a[b][c]=1`, `expand[0]=x`). */
export type Params = { [key: string]: unknown };

export function parseParams(encoded: string): Params {
  return qs.parse(encoded, {
    depth: 10,
    arrayLimit: 100,
    parameterLimit: 2000,
    allowPrototypes: false,
    plainObjects: true,
  }) as Params;
}

function isObject(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rejects parameters Stripe would not know, as Stripe does (`parameter_unknown`). */
export function rejectUnknown(params: Params, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) throw paramErrors.unknown(prefix ? `${prefix}[${key}]` : key);
  }
}

/** A nested hash such as `payment_method_data[card]`; empty string means "not given". */
export function optionalObject(params: Params, name: string, path = name): Params | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (!isObject(value)) throw paramErrors.invalidObject(path);
  return value;
}

export function optionalString(params: Params, name: string, path = name): string | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw paramErrors.invalidString(path);
  return value;
}

export function requiredString(params: Params, name: string, path = name): string {
  const value = optionalString(params, name, path);
  if (value === undefined) throw paramErrors.missing(path);
  return value;
}

export function optionalInteger(params: Params, name: string, path = name): number | undefined {
  const raw = optionalString(params, name, path);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw paramErrors.invalidInteger(path, raw);
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw paramErrors.invalidInteger(path, raw);
  return value;
}

export function requiredInteger(params: Params, name: string, path = name): number {
  const value = optionalInteger(params, name, path);
  if (value === undefined) throw paramErrors.missing(path);
  return value;
}

export function optionalBoolean(params: Params, name: string, path = name): boolean | undefined {
  const raw = optionalString(params, name, path);
  if (raw === undefined) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw paramErrors.invalidBoolean(path, raw);
}

export function optionalEnum<T extends string>(params: Params, name: string, allowed: readonly T[], path = name): T | undefined {
  const raw = optionalString(params, name, path);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) throw paramErrors.invalidEnum(path, allowed);
  return raw as T;
}

/**
 * `metadata[key]=value` pairs. Stripe semantics: `metadata=` clears all, `metadata[key]=` removes
 * one key; returns the merged result against `current`.
 */
export function mergeMetadata(params: Params, current: Record<string, string>): Record<string, string> {
  const value = params.metadata;
  if (value === undefined) return current;
  if (value === '') return {};
  if (!isObject(value)) throw paramErrors.invalidObject('metadata');
  const merged = { ...current };
  for (const [key, raw] of Object.entries(value)) {
    if (typeof raw !== 'string') throw paramErrors.invalidString(`metadata[${key}]`);
    if (key.length > 40) throw paramErrors.invalid(`metadata[${key}]`, 'Metadata keys can be at most 40 characters long.');
    if (raw.length > 500) throw paramErrors.invalid(`metadata[${key}]`, 'Metadata values can be at most 500 characters long.');
    if (raw === '') delete merged[key];
    else merged[key] = raw;
  }
  if (Object.keys(merged).length > 50) throw paramErrors.invalid('metadata', 'You can have at most 50 metadata keys.');
  return merged;
}

/** `expand[0]=latest_charge` (qs gives an array) or `expand[]=...`. */
export function expandList(params: Params): string[] {
  const value = params.expand;
  if (value === undefined || value === '') return [];
  const list = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [value];
  return list.filter((entry): entry is string => typeof entry === 'string');
}
