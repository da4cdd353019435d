import { readFileSync } from 'node:fs';
import type { Clock } from '../../domain/clock.js';

/** How long an offset read from the file is used before the file is read again. */
const REREAD_MS = 50;

/**
 * The sandbox's movable clock (SWITCHYARD_SANDBOX_CLOCK_FILE, never the production server's):
 * real time plus the milliseconds written in `file` (none or unreadable: 0). Writing a larger
 * offset jumps the router ahead, so a month of renewals happens when you ask; the offset lives in
 * the file, so a restarted router keeps the time it had.
 */
export function offsetFileClock(file: string): Clock {
  let offset = 0;
  let readAt = -Infinity;
  return {
    now() {
      const real = Date.now();
      if (real - readAt >= REREAD_MS) {
        readAt = real;
        try {
          const value = Number(readFileSync(file, 'utf8').trim());
          offset = Number.isSafeInteger(value) ? value : 0;
        } catch {
          offset = 0;
        }
      }
      return new Date(real + offset);
    },
  };
}
