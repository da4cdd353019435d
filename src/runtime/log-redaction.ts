import { redactPan } from '../domain/card.js';

/** What a redacted value is replaced by. */
export const CENSOR = '[redacted]';

/**
 * Keys whose values never reach a log, wherever they sit (up to four levels deep): card data,
 * credentials, and what identifies a shopper (holder name, email, metadata, a statement's
 * parameters, a database's "Failing row contains (…)" detail).
 */
const SECRET_KEYS = [
  'number', 'pan', 'card_number', 'cvc', 'cvv',
  'authorization', 'cookie', 'api_key', 'apiKey', 'secret', 'secret_key', 'secretKey', 'webhook_secret', 'signing_secret', 'password', 'token',
  'holder_name', 'holderName', 'email', 'metadata', 'params', 'parameters', 'detail',
];

export const REDACT_PATHS: string[] = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);

const MAX_DEPTH = 6;

/**
 * Makes log fields safe to serialize before path redaction: card numbers in any text are
 * masked, a failed statement's parameters are cut off, and errors become plain objects that
 * keep only what cannot carry request data (see errorFields).
 */
export function scrubFields(fields: Record<string, unknown>): Record<string, unknown> {
  return scrubValue(fields, 0) as Record<string, unknown>;
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value instanceof Error) return errorFields(value, depth);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrubValue(item, depth + 1);
  return out;
}

/** drizzle's failed-query message ends with "\nparams: <every bound value>". */
const PARAMS_TAIL = /\n\s*params:[\s\S]*$/;

/** Free text as it may be logged: no parameter list, no card number. */
export function scrubText(text: string): string {
  return redactPan(text.replace(PARAMS_TAIL, ''));
}

interface QueryError extends Error {
  query: unknown;
  params: unknown;
}
interface DatabaseError extends Error {
  code: string;
  severity?: unknown;
  constraint?: unknown;
  constraint_name?: unknown;
  table?: unknown;
  table_name?: unknown;
}

/** drizzle's DrizzleQueryError (PGlite's own errors carry `query` and `params` too): the statement, its bound values, and the driver's error as cause. */
const isQueryError = (error: Error): error is QueryError => 'query' in error && 'params' in error;

/** A PostgreSQL server error, from postgres.js or PGlite: a five-character SQLSTATE and a severity. */
function isDatabaseError(error: Error): error is DatabaseError {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && 'severity' in error;
}

/**
 * An error as a log may hold it, tested in this order. A database error keeps its SQLSTATE,
 * constraint and table only, because PostgreSQL messages and details quote the offending
 * values (PGlite's also carry the statement's parameters). A failed statement keeps its SQL text (placeholders, never
 * values) and its cause. Any other error keeps its scrubbed message. No stack, no other properties.
 */
export function errorFields(error: Error, depth = 0): Record<string, unknown> {
  const cause = depth < 3 && error.cause instanceof Error ? { cause: errorFields(error.cause, depth + 1) } : {};
  if (isDatabaseError(error)) {
    return {
      type: error.name,
      code: error.code,
      constraint: stringOrUndefined(error.constraint_name ?? error.constraint),
      table: stringOrUndefined(error.table_name ?? error.table),
      ...cause,
    };
  }
  if (isQueryError(error)) {
    return { type: 'DrizzleQueryError', message: 'Failed query', query: typeof error.query === 'string' ? scrubText(error.query) : undefined, ...cause };
  }
  return { type: error.name, message: scrubText(error.message), ...cause };
}

const stringOrUndefined = (value: unknown) => (typeof value === 'string' ? value : undefined);
