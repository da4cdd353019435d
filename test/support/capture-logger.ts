import { pinoLogger } from '../../src/runtime/node/logger.js';

/** The production pino logger, writing into memory so a test can read every line it wrote. */
export function captureLogger() {
  const lines: string[] = [];
  return { logger: pinoLogger({ write: (line: string) => void lines.push(line.trimEnd()) }), lines };
}
