import type { HandlerContext } from './context.js';
import { ok, paramErrors, type ApiResponse } from './errors.js';
import { expandList, optionalInteger, optionalString, rejectUnknown, requiredString, type Params } from './params.js';
import { renderPaymentIntent } from './resources.js';
import type { PaymentIntentRecord } from './state.js';

/**
 * `GET /v1/payment_intents/search` with Stripe's search query language, for the fields Stripe
 * documents for PaymentIntents: `amount`, `created`, `currency`, `customer`, `metadata['key']`
 * and `status`.
 *
 *   status:'succeeded' AND metadata['order']:'6735'
 *   -currency:'usd' OR amount>=1000
 *
 * A clause is `field:value` (exact), `field~'value'` (substring of at least 3 characters),
 * `field>n`, `field<n`, `field>=n`, `field<=n` on numbers, or `field:null` (no value); a leading
 * `-` negates it. Clauses join with `AND` or `OR` (upper case), never both in one query, at most
 * ten. Strings are quoted ('…' or "…", `\` escapes). Results are newest first, `limit` 1–100
 * (default 10), paged by the opaque `next_page` cursor. Stripe's index lags behind writes (under
 * a minute normally); the simulator's does not.
 */

type Operator = ':' | '~' | '>' | '<' | '>=' | '<=';
type Value = string | number | null;

interface Clause {
  negated: boolean;
  field: string;
  /** Set for `metadata['key']`. */
  metadataKey: string | null;
  operator: Operator;
  value: Value;
}

const FIELDS = ['amount', 'created', 'currency', 'customer', 'metadata', 'status'] as const;
const NUMERIC = new Set(['amount', 'created']);
const MAX_CLAUSES = 10;

class QueryError extends Error {}

export function searchPaymentIntents(ctx: HandlerContext, params: Params): ApiResponse {
  rejectUnknown(params, ['query', 'limit', 'page', 'expand']);
  const query = requiredString(params, 'query');
  const limit = optionalInteger(params, 'limit') ?? 10;
  if (limit < 1 || limit > 100) throw paramErrors.invalid('limit', 'This value must be between 1 and 100.', 'parameter_invalid_integer');
  const page = optionalString(params, 'page');
  const expand = expandList(params);

  let matches: (pi: PaymentIntentRecord) => boolean;
  try {
    matches = compile(query);
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    throw paramErrors.invalid('query', `Invalid search query: ${error.message}`);
  }

  // Newest first: insertion order reversed (`created` has only second resolution).
  const found = [...ctx.state.paymentIntents.values()].reverse().filter(matches);
  let start = 0;
  if (page !== undefined) {
    const after = decodePage(page);
    const index = after === null ? -1 : found.findIndex((pi) => pi.id === after);
    if (index < 0) throw paramErrors.invalid('page', 'The page cursor is not valid for this search.');
    start = index + 1;
  }
  const slice = found.slice(start, start + limit);
  const hasMore = start + limit < found.length;
  const itemExpand = expand.filter((path) => path.startsWith('data.')).map((path) => path.slice('data.'.length));
  return ok({
    object: 'search_result',
    url: '/v1/payment_intents/search',
    has_more: hasMore,
    data: slice.map((pi) => renderPaymentIntent(ctx.state, pi, itemExpand)),
    next_page: hasMore ? encodePage(slice[slice.length - 1]!.id) : null,
    ...(expand.includes('total_count') ? { total_count: found.length } : {}),
  });
}

function encodePage(afterId: string): string {
  return Buffer.from(JSON.stringify({ after: afterId })).toString('base64url');
}

function decodePage(page: string): string | null {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(page, 'base64url').toString('utf8'));
    const after = typeof decoded === 'object' && decoded !== null ? (decoded as { after?: unknown }).after : undefined;
    return typeof after === 'string' ? after : null;
  } catch {
    return null;
  }
}

// ---- the query language ----

export function compile(query: string): (pi: PaymentIntentRecord) => boolean {
  const { clauses, joiner } = parse(query);
  const tests = clauses.map((clause) => (pi: PaymentIntentRecord) => clause.negated !== holds(clause, pi));
  return joiner === 'OR' ? (pi) => tests.some((test) => test(pi)) : (pi) => tests.every((test) => test(pi));
}

function parse(query: string): { clauses: Clause[]; joiner: 'AND' | 'OR' } {
  const reader = new Reader(query);
  const clauses: Clause[] = [];
  let joiner: 'AND' | 'OR' | null = null;
  reader.skipSpace();
  if (reader.done()) throw new QueryError('the query is empty.');
  for (;;) {
    clauses.push(clause(reader));
    if (clauses.length > MAX_CLAUSES) throw new QueryError(`at most ${MAX_CLAUSES} clauses are allowed.`);
    if (!reader.skipSpace() || reader.done()) break;
    const word = reader.word();
    if (word !== 'AND' && word !== 'OR') throw new QueryError(`expected AND or OR at position ${reader.position}.`);
    if (joiner !== null && joiner !== word) throw new QueryError('AND and OR cannot be combined in one query.');
    joiner = word;
    if (!reader.skipSpace()) throw new QueryError(`expected a space after ${word}.`);
  }
  if (!reader.done()) throw new QueryError(`unexpected text at position ${reader.position}.`);
  return { clauses, joiner: joiner ?? 'AND' };
}

function clause(reader: Reader): Clause {
  const negated = reader.take('-');
  const field = reader.word();
  if (!(FIELDS as readonly string[]).includes(field)) {
    throw new QueryError(field ? `'${field}' is not a supported search field for payment_intents.` : `expected a field at position ${reader.position}.`);
  }
  let metadataKey: string | null = null;
  if (field === 'metadata') {
    if (!reader.take('[')) throw new QueryError("metadata must name a key: metadata['key'].");
    metadataKey = reader.quoted();
    if (!reader.take(']')) throw new QueryError("expected ']' after the metadata key.");
  }
  const operator = reader.operator();
  const value = reader.value();
  if (operator === '~' && (typeof value !== 'string' || value.length < 3)) {
    throw new QueryError('a substring match (~) needs a quoted value of at least 3 characters.');
  }
  if (NUMERIC.has(field)) {
    if (value !== null && typeof value !== 'number') throw new QueryError(`${field} takes a number.`);
    if (operator === '~') throw new QueryError(`${field} takes no substring match.`);
  } else {
    if (typeof value === 'number') throw new QueryError(`${field} takes a quoted string.`);
    if (operator !== ':' && operator !== '~') throw new QueryError(`${field} takes only ':' and '~'.`);
  }
  return { negated, field, metadataKey, operator, value };
}

function holds(clause: Clause, pi: PaymentIntentRecord): boolean {
  const actual = fieldValue(clause, pi);
  const { operator, value } = clause;
  if (value === null) return operator === ':' && (actual === null || actual === '');
  if (actual === null) return false;
  if (typeof value === 'number') {
    const n = actual as number;
    switch (operator) {
      case ':':
        return n === value;
      case '>':
        return n > value;
      case '<':
        return n < value;
      case '>=':
        return n >= value;
      case '<=':
        return n <= value;
      default:
        return false;
    }
  }
  const text = String(actual);
  // Exact matches on metadata are case-sensitive; Stripe's enum-like fields compare case-insensitively.
  if (operator === '~') return text.toLowerCase().includes(value.toLowerCase());
  return clause.metadataKey !== null ? text === value : text.toLowerCase() === value.toLowerCase();
}

function fieldValue(clause: Clause, pi: PaymentIntentRecord): string | number | null {
  switch (clause.field) {
    case 'amount':
      return pi.amount;
    case 'created':
      return pi.created;
    case 'currency':
      return pi.currency;
    case 'status':
      return pi.status;
    case 'customer':
      return null;
    default:
      return pi.metadata[clause.metadataKey!] ?? null;
  }
}

class Reader {
  position = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.position >= this.text.length;
  }

  /** Skips spaces; true when there were any. */
  skipSpace(): boolean {
    const start = this.position;
    while (!this.done() && /\s/.test(this.text[this.position]!)) this.position += 1;
    return this.position > start;
  }

  take(char: string): boolean {
    if (this.text.startsWith(char, this.position)) {
      this.position += char.length;
      return true;
    }
    return false;
  }

  word(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.text.slice(this.position));
    this.position += match?.[0].length ?? 0;
    return match?.[0] ?? '';
  }

  operator(): Operator {
    for (const op of ['>=', '<=', ':', '~', '>', '<'] as const) if (this.take(op)) return op;
    throw new QueryError(`expected an operator (:, ~, >, <, >=, <=) at position ${this.position}.`);
  }

  value(): Value {
    const next = this.text[this.position];
    if (next === "'" || next === '"') return this.quoted();
    const match = /^-?\d+(?:\.\d+)?/.exec(this.text.slice(this.position));
    if (match) {
      this.position += match[0].length;
      return Number(match[0]);
    }
    if (this.text.startsWith('null', this.position)) {
      this.position += 4;
      return null;
    }
    throw new QueryError(`expected a quoted string, a number or null at position ${this.position}.`);
  }

  quoted(): string {
    const quote = this.text[this.position];
    if (quote !== "'" && quote !== '"') throw new QueryError(`expected a quoted string at position ${this.position}.`);
    this.position += 1;
    let out = '';
    while (!this.done()) {
      const char = this.text[this.position]!;
      this.position += 1;
      if (char === '\\' && !this.done()) {
        out += this.text[this.position];
        this.position += 1;
      } else if (char === quote) {
        return out;
      } else {
        out += char;
      }
    }
    throw new QueryError('a quoted string is not closed.');
  }
}
