import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { capabilitiesTable, tableIn } from './capabilities-table.js';

describe('the README table of flows per provider', () => {
  it('matches the capability declarations (npm run docs:capabilities rewrites it)', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    expect(tableIn(readme)).toBe(capabilitiesTable());
  });
});
