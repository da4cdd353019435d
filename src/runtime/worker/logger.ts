import redaction from '@pinojs/redact';
import type { Logger } from '../../domain/logger.js';
import { CENSOR, REDACT_PATHS, scrubFields } from '../log-redaction.js';

/**
 * The Worker's logger: the same JSON lines, scrubbing and redaction paths as the server's
 * pino logger (pino's redaction library, without pino's Node streams), written with console.log.
 */
export function workerLogger(sink: (line: string) => void = (line) => console.log(line)): Logger {
  const redact = redaction({ paths: REDACT_PATHS, censor: CENSOR, serialize: JSON.stringify });
  const write = (level: string, event: string, fields: Record<string, unknown> = {}) =>
    sink(redact({ level, time: new Date().toISOString(), ...scrubFields(fields), event }) as string);
  return {
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
  };
}
