import { describe, expect, it } from 'vitest';
import { duration, durationList } from './settings.js';

describe('durations from the environment', () => {
  it('reads whole milliseconds, and falls back when unset or empty', () => {
    expect(duration({ X: '1500' }, 'X', 7)).toBe(1500);
    expect(duration({}, 'X', 7)).toBe(7);
    expect(duration({ X: '' }, 'X', 7)).toBe(7);
    expect(durationList({ X: '1000,2000, 4000' }, 'X', [1])).toEqual([1000, 2000, 4000]);
    expect(durationList({}, 'X', [1, 2])).toEqual([1, 2]);
  });

  it.each(['10s', '-5', '1.5', '1e3', '0x10', ' ', '99999999999'])('refuses %j, naming the variable', (text) => {
    expect(() => duration({ SWITCHYARD_X: text }, 'SWITCHYARD_X', 1)).toThrow(/SWITCHYARD_X/);
  });

  it('refuses a list with a bad member or too many', () => {
    expect(() => durationList({ X: '1000,,2000' }, 'X', [1])).toThrow(/X must be a whole number/);
    expect(() => durationList({ X: Array(21).fill('1').join(',') }, 'X', [1])).toThrow(/1 to 20/);
  });
});
