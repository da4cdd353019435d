import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { offsetFileClock } from './sandbox-clock.js';

describe('the sandbox clock file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-clock-'));
  afterEach(() => vi.useRealTimers());

  it('is real time plus the offset the file holds, read again after it changes; nothing or garbage is no offset', () => {
    vi.useFakeTimers({ now: new Date('2027-01-01T00:00:00Z') });
    const file = join(dir, 'offset');
    const clock = offsetFileClock(file);
    expect(clock.now().toISOString()).toBe('2027-01-01T00:00:00.000Z');
    writeFileSync(file, String(31 * 86_400_000));
    vi.advanceTimersByTime(100);
    expect(clock.now().toISOString()).toBe('2027-02-01T00:00:00.100Z');
    writeFileSync(file, 'soon');
    vi.advanceTimersByTime(100);
    expect(clock.now().toISOString()).toBe('2027-01-01T00:00:00.200Z');
    rmSync(dir, { recursive: true, force: true });
  });
});
