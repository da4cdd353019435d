import type { BinInterval } from './ruleset.js';

// Every BIN condition becomes intervals over 8-digit numbers: prefix "4242" is
// [42420000, 42429999] and needs a card BIN of at least 4 digits. Matching and the
// shadowing check then share one representation.
const WIDTH = 8;
// A card BIN has at least 6 digits, so shorter prefixes need no more than that.
const MIN_CARD_BIN = 6;
const BIN = /^\d{6,8}$/;
const PREFIX = /^\d{1,8}$/;

function prefixInterval(prefix: string): BinInterval {
  return { lo: Number(prefix.padEnd(WIDTH, '0')), hi: Number(prefix.padEnd(WIDTH, '9')), digits: Math.max(MIN_CARD_BIN, prefix.length) };
}

/** A full BIN (6–8 digits), matching cards whose BIN starts with it. */
export function parseBin(text: string): BinInterval | undefined {
  return BIN.test(text) ? prefixInterval(text) : undefined;
}

export function parseBinPrefix(text: string): BinInterval | undefined {
  return PREFIX.test(text) ? prefixInterval(text) : undefined;
}

/** `range: [from, to]`, inclusive, both BINs of the same length; an error message otherwise. */
export function binRange(from: string, to: string): BinInterval | string {
  if (!BIN.test(from) || !BIN.test(to)) return 'both ends must be BINs of 6–8 digits';
  if (from.length !== to.length) return 'both ends must have the same number of digits';
  if (from > to) return `${from} is after ${to}`;
  return { lo: prefixInterval(from).lo, hi: prefixInterval(to).hi, digits: from.length };
}

/** gt/gte/lt/lte bounds, each a valid BIN; an error message if they exclude every BIN. */
export function binInterval(bounds: Partial<Record<string, string>>): BinInterval | string {
  const { gt, gte, lt, lte } = bounds;
  if (gt !== undefined && gte !== undefined) return 'use either gt or gte, not both';
  if (lt !== undefined && lte !== undefined) return 'use either lt or lte, not both';
  let lo = 0;
  let hi = 10 ** WIDTH - 1;
  let digits = MIN_CARD_BIN;
  if (gte !== undefined || gt !== undefined) {
    const bound = (gte ?? gt)!;
    const start = gte !== undefined ? Number(gte) : Number(gt) + 1;
    if (start >= 10 ** bound.length) return `no BIN is above ${bound}`;
    lo = start * 10 ** (WIDTH - bound.length);
    digits = bound.length;
  }
  if (lte !== undefined || lt !== undefined) {
    const bound = (lte ?? lt)!;
    const end = lte !== undefined ? Number(lte) : Number(lt) - 1;
    if (end < 0) return `no BIN is below ${bound}`;
    hi = (end + 1) * 10 ** (WIDTH - bound.length) - 1;
    digits = Math.max(digits, bound.length);
  }
  if (lo > hi) return 'the bounds leave no BIN that could match';
  return { lo, hi, digits };
}

/** The card BIN as an 8-digit number, for comparison with intervals. */
function binValue(bin: string): number {
  return Number(bin.padEnd(WIDTH, '0'));
}

export function binMatches(intervals: readonly BinInterval[], bin: string): boolean {
  const value = binValue(bin);
  for (const interval of intervals) {
    if (bin.length >= interval.digits && value >= interval.lo && value <= interval.hi) return true;
  }
  return false;
}

/**
 * True when every card matching `target` matches one of `intervals`: the union of the
 * intervals that need no more digits than `target` covers it without a gap.
 */
export function binCovered(target: BinInterval, intervals: readonly BinInterval[]): boolean {
  const usable = intervals.filter((i) => i.digits <= target.digits).sort((a, b) => a.lo - b.lo);
  let next = target.lo;
  for (const interval of usable) {
    if (interval.lo > next) break;
    if (interval.hi >= next) next = interval.hi + 1;
    if (next > target.hi) return true;
  }
  return false;
}
