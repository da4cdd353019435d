import { describe, expect, it } from 'vitest';
import type { Logger } from '../domain/logger.js';
import { pinoLogger } from './node/logger.js';
import { workerLogger } from './worker/logger.js';

const LOGGERS: Array<[string, (sink: (line: string) => void) => Logger]> = [
  ['the server (pino)', (sink) => pinoLogger({ write: (line: string) => sink(line) })],
  ['the Worker', (sink) => workerLogger(sink)],
];

describe.each(LOGGERS)('%s logger', (_, make) => {
  function logged(fields: Record<string, unknown>) {
    const lines: string[] = [];
    make((line) => lines.push(line)).warn('thing.happened', fields);
    expect(lines).toHaveLength(1);
    return { text: lines[0]!, line: JSON.parse(lines[0]!) as Record<string, unknown> };
  }

  it('writes one JSON line with time, level, event and the fields', () => {
    const { line } = logged({ payment_id: 'pay_1', attempt: 2 });
    expect(line).toMatchObject({ level: 'warn', event: 'thing.happened', payment_id: 'pay_1', attempt: 2 });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it('redacts card data, credentials and shopper data by name, at any depth and inside lists', () => {
    const { text, line } = logged({
      payment_method: { card: { number: '4242424242424242', cvc: '123', holder_name: 'Ada Lovelace' } },
      headers: { authorization: 'Bearer sk_live_abc' },
      customer: { email: 'ada@example.com', country: 'GB' },
      metadata: { order: 'private-order-note' },
      secret: 'whsec_abc',
      a: { b: { c: { api_key: 'sk_deep' } } },
      d: { e: { f: { g: { token: 'tok_deeper' } } } },
      items: [{ cvc: '987' }],
    });
    for (const value of ['4242424242424242', '"123"', 'Ada Lovelace', 'sk_live_abc', 'ada@example.com', 'private-order-note', 'whsec_abc', 'sk_deep', 'tok_deeper', '987']) {
      expect(text).not.toContain(value);
    }
    expect(line).toMatchObject({ customer: { email: '[redacted]', country: 'GB' }, metadata: '[redacted]', headers: { authorization: '[redacted]' }, items: [{ cvc: '[redacted]' }] });
  });

  it('masks card numbers inside free text and error messages', () => {
    const { text } = logged({ note: 'card 4242 4242 4242 4242 declined', error: new Error('gateway said 5555555555554444 is bad') });
    expect(text).toContain('4242 42** **** 4242');
    expect(text).toContain('555555******4444');
    expect(text).not.toContain('5555555555554444');
  });

  it("keeps a failed statement's SQL and SQLSTATE, never its parameters or the database's detail", () => {
    const database = Object.assign(new Error('new row for relation "payments" violates check constraint "c1"'), {
      name: 'PostgresError',
      code: '23514',
      severity: 'ERROR',
      constraint_name: 'c1',
      table_name: 'payments',
      detail: 'Failing row contains (pay_1, Ada Lovelace, ada@example.com)',
    });
    const failed = Object.assign(new Error('Failed query: insert into payments values ($1, $2)\nparams: pay_1,Ada Lovelace'), {
      query: 'insert into payments values ($1, $2)',
      params: ['pay_1', 'Ada Lovelace'],
      cause: database,
    });
    // The job engine and others log an error's message as text: its params tail goes too.
    const { text, line } = logged({ error: failed, message: failed.message });
    expect(text).not.toContain('Ada Lovelace');
    expect(text).not.toContain('Failing row');
    expect(line.error).toEqual({
      type: 'DrizzleQueryError',
      message: 'Failed query',
      query: 'insert into payments values ($1, $2)',
      cause: { type: 'PostgresError', code: '23514', constraint: 'c1', table: 'payments' },
    });
    expect(line.message).toBe('Failed query: insert into payments values ($1, $2)');
  });
});
