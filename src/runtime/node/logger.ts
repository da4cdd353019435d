import { pino, type DestinationStream } from 'pino';
import type { Logger } from '../../domain/logger.js';
import { scrubFields } from '../log-redaction.js';

/**
 * The server's logger: pino, one JSON line per event (`time`, `level`, `event`, fields), to
 * stdout unless given a destination. Fields are scrubbed and redacted by key before pino sees
 * them (log-redaction.ts: secret keys, card numbers in text, failed statements' parameters, errors).
 *
 * Stdout is written asynchronously: a request no longer waits for a write(2) of its log line, and
 * lines logged while a write is under way go out together in the next one. pino flushes what is
 * left when the process exits; a SIGKILL loses at most the lines of the write under way.
 */
export function pinoLogger(destination?: DestinationStream): Logger {
  const options = {
    messageKey: 'event',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const log = pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
  return {
    info: (event, fields = {}) => log.info(scrubFields(fields), event),
    warn: (event, fields = {}) => log.warn(scrubFields(fields), event),
    error: (event, fields = {}) => log.error(scrubFields(fields), event),
  };
}
