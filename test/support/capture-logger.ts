import { jsonLogger } from '../../src/runtime/logger.js';

/** The production JSON logger, writing into memory so a test can read every line it wrote. */
export function captureLogger() {
  const lines: string[] = [];
  return { logger: jsonLogger((line) => lines.push(line)), lines };
}
