import { Param, Placeholder, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database } from './database.js';
import { rowsOf } from './rows.js';

/**
 * Statements drizzle builds once per shape instead of once per call. Building a statement
 * (query builders, then turning the SQL object into text) took about a fifth of the router's CPU
 * per payment, far more than sending it; a statement of the payment hot path has one of a few
 * shapes (which columns it sets, how many events it writes), so each shape is built once, with
 * placeholders where the values go, and each call only fills in the values.
 *
 * The shape key must name everything the built text depends on: two calls with one key get one text.
 */
export interface ShapedStatement {
  text: string;
  params: ((values: Values) => unknown)[];
}

/** A call's values: placeholder `group.key` reads `values[group][key]`. */
export type Values = Readonly<Record<string, object>>;

const dialect = new PgDialect();
const MAX_SHAPES = 1000;

export function statementCache() {
  const shapes = new Map<string, ShapedStatement>();
  return {
    /** The statement of `shape`, built with `build` the first time. */
    get(shape: string, build: () => SQL): ShapedStatement {
      let statement = shapes.get(shape);
      if (!statement) {
        statement = compile(build());
        // A bound on a key that a caller built wrongly (from values, not shape): dropped, never wrong.
        if (shapes.size >= MAX_SHAPES) shapes.clear();
        shapes.set(shape, statement);
      }
      return statement;
    },
  };
}

/** Runs a shaped statement with `values` and answers its rows (raw: column names as the text says them). */
export async function runShaped(db: Database, statement: ShapedStatement, values: Values): Promise<Record<string, unknown>[]> {
  const params = statement.params.map((param) => param(values));
  return rowsOf(await db._.session.prepareQuery({ sql: statement.text, params }, undefined, undefined, false).execute());
}

/**
 * `{ key: placeholder('prefix.key') }` for each key of `row` that has a value (drizzle leaves
 * undefined columns out). Typed as the row so that drizzle's builders take it: their `set` and
 * `values` bind each placeholder to its column, which encodes the value when the call fills it in.
 */
export function placeholdersOf<T extends object>(group: string, row: T): T {
  const out: Record<string, Placeholder<string>> = {};
  for (const [key, value] of Object.entries(row)) if (value !== undefined) out[key] = sql.placeholder(`${group}.${key}`);
  return out as T;
}

/** The defined keys of a row, for a shape key. */
export function keysOf(row: object): string {
  return Object.keys(row)
    .filter((key) => (row as Record<string, unknown>)[key] !== undefined)
    .join(',');
}

function compile(statement: SQL): ShapedStatement {
  const query = dialect.sqlToQuery(statement);
  const params = query.params.map((param): ShapedStatement['params'][number] => {
    if (param instanceof Placeholder) {
      const read = reader(param.name);
      // As drizzle binds a Date compared with a column: ISO text.
      return (values) => {
        const value = read(values);
        return value instanceof Date ? value.toISOString() : value;
      };
    }
    if (param instanceof Param && param.value instanceof Placeholder) {
      const read = reader(param.value.name);
      const encoder = param.encoder;
      // As drizzle sends a column's value: null as is, anything else through the column's encoder.
      return (values) => {
        const value = read(values);
        return value === null ? null : encoder.mapToDriverValue(value);
      };
    }
    return () => param;
  });
  return { text: query.sql, params };
}

function reader(name: string): (values: Values) => unknown {
  const dot = name.indexOf('.');
  const group = name.slice(0, dot);
  const key = name.slice(dot + 1);
  return (values) => {
    const value = (values[group] as Record<string, unknown> | undefined)?.[key];
    if (value === undefined) throw new Error(`no value for placeholder ${name}`);
    return value;
  };
}
