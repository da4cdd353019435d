import type { Logger } from '../../domain/logger.js';
import { scrubFields } from '../log-redaction.js';

/**
 * The Worker's logger: the same JSON lines, scrubbed and redacted as the server's pino logger
 * (log-redaction.ts), written with console.log.
 */
export function workerLogger(sink: (line: string) => void = (line) => console.log(line)): Logger {
  const write = (level: string, event: string, fields: Record<string, unknown> = {}) =>
    sink(JSON.stringify({ level, time: new Date().toISOString(), ...scrubFields(fields), event }));
  return {
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
  };
}
