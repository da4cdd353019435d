import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateFile } from './state-file.js';

describe('simulator state files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-state-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes soon after a change, in one go, and reads it back', async () => {
    const path = join(dir, 'nested', 'sim.json');
    let value = { n: 1 };
    const file = new StateFile(path, () => value, { debounceMs: 20 });
    expect(await StateFile.read(path)).toBeNull();
    file.changed();
    value = { n: 2 };
    file.changed();
    for (let i = 0; i < 200 && (await StateFile.read(path)) === null; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await StateFile.read(path)).toEqual({ n: 2 });
    value = { n: 3 };
    await file.close();
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ n: 3 });
    // No temporary file is left behind.
    expect(await readdir(join(dir, 'nested'))).toEqual(['sim.json']);
    // After close, changes are not written.
    value = { n: 4 };
    file.changed();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await StateFile.read(path)).toEqual({ n: 3 });
  });

  it('does nothing without a path', async () => {
    const file = new StateFile<object>(null, () => ({}));
    file.changed();
    await file.flush();
    await file.close();
    expect(await StateFile.read(null)).toBeNull();
  });

  it('refuses a file that is not JSON rather than starting empty over it', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{"half": ');
    await expect(StateFile.read(path)).rejects.toThrow(/not valid JSON/);
  });
});
