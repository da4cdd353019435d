import { describe, expect, it } from 'vitest';
import { labFlags } from './flags.js';

const KNOWN = ['stationary', 'cost', 'sparse'];

describe('lab flags', () => {
  it('runs everything with the default seeds when nothing narrows it', () => {
    expect(labFlags(KNOWN, ['--quick'])).toEqual({ quick: true, json: false, scenarios: null, seeds: null });
  });

  it('narrows to the named scenarios and a seed count', () => {
    expect(labFlags(KNOWN, ['--scenario', 'cost,sparse', '--seeds', '2'])).toMatchObject({ scenarios: ['cost', 'sparse'], seeds: 2 });
  });

  it('refuses an unknown scenario, naming the known ones', () => {
    expect(() => labFlags(KNOWN, ['--scenario', 'costs'])).toThrow(/unknown costs; known: stationary, cost, sparse/);
  });

  it('refuses a seed count that is not a positive whole number', () => {
    for (const bad of ['0', '-1', '2.5', 'x', '1000']) expect(() => labFlags(KNOWN, ['--seeds', bad])).toThrow(/--seeds/);
  });

  it('refuses an unknown flag', () => {
    expect(() => labFlags(KNOWN, ['--fast'])).toThrow();
  });
});
