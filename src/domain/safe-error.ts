import { redactPan } from './card.js';

/**
 * Errors as logs and stored records may hold them: database errors quote the values of the
 * statement that failed (a holder name, an email, metadata), and messages may embed a card number.
 */

/** drizzle's failed-query message ends with "\nparams: <every bound value>". */
const PARAMS_TAIL = /\n\s*params:[\s\S]*$/;

/** Free text as it may be logged or stored: no parameter list, no card number. */
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

/** One line for a stored record (a job's last error): the safe fields of `error`, at most 1,000 characters. */
export function safeErrorMessage(error: unknown): string {
  const text = error instanceof Error ? line(errorFields(error)) : scrubText(String(error));
  return text.length > 1000 ? `${text.slice(0, 999)}…` : text;
}

/** `Type CODE: message [query] (constraint) ← cause`, from errorFields' safe fields. */
function line(fields: Record<string, unknown>): string {
  const part = (key: string, format: (text: string) => string) => (typeof fields[key] === 'string' ? format(fields[key] as string) : '');
  const cause = fields.cause && typeof fields.cause === 'object' ? ` ← ${line(fields.cause as Record<string, unknown>)}` : '';
  return `${fields.type}${part('code', (c) => ` ${c}`)}${part('message', (m) => `: ${m}`)}${part('query', (q) => ` [${q}]`)}${part('constraint', (c) => ` (${c})`)}${cause}`;
}
