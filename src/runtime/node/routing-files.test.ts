import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { panKey } from '../../routing/bins/table.js';
import { loadRoutingFiles } from './routing-files.js';

describe('loadRoutingFiles: BIN overrides', () => {
  let dir: string | undefined;
  afterEach(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

  async function folder(overrides: string | null): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'routing-files-'));
    await cp('routing-rules', dir, { recursive: true });
    if (overrides === null) await rm(join(dir, 'bins.overrides.yaml'));
    else await writeFile(join(dir, 'bins.overrides.yaml'), overrides);
    return dir;
  }

  it('builds the overrides table from the file', async () => {
    const { binOverrides } = await loadRoutingFiles(await folder('bins:\n  - bin: 424242\n    type: debit\n    country: FR\n'));
    expect(binOverrides.lookup(panKey('4242424242424242'))).toEqual({ network: null, type: 'debit', issuerCountry: 'FR' });
    expect(binOverrides.lookup(panKey('4000056655665556'))).toBeUndefined();
  });

  it('takes a missing file as no overrides', async () => {
    expect((await loadRoutingFiles(await folder(null))).binOverrides.size).toBe(0);
  });

  it('refuses to start on a bad file, saying where', async () => {
    const at = await folder('bins:\n  - bin: 42424\n    type: debit\n');
    await expect(loadRoutingFiles(at)).rejects.toThrow(`${join(at, 'bins.overrides.yaml')}:2:10: bad BIN '42424': expected a BIN of 6–8 digits`);
  });
});
