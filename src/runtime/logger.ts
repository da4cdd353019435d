import { redactPan } from '../domain/card.js';
import type { Logger } from '../domain/logger.js';

const SECRET_FIELD = /(number|pan|cvc|cvv|secret|password|authorization|api_?key|token)$/i;

/** Redacts on the way out: secret-named fields are dropped, card numbers in any text are masked. */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_FIELD.test(key)) out[key] = '[redacted]';
    else if (typeof value === 'string') out[key] = redactPan(value);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) out[key] = redactFields(value as Record<string, unknown>);
    else out[key] = value;
  }
  return out;
}

/** JSON lines to a sink (stdout by default); works on Node and on Workers. */
export function jsonLogger(sink: (line: string) => void = (line) => console.log(line)): Logger {
  const write = (level: string, event: string, fields: Record<string, unknown> = {}) =>
    sink(JSON.stringify({ time: new Date().toISOString(), level, event, ...redactFields(fields) }));
  return {
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
  };
}
