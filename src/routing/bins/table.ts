import type { CardBrand, CardFunding } from '../../domain/card.js';

/** What a BIN says about a card. Null: this source does not know. */
export interface BinFacts {
  readonly network: CardBrand | null;
  readonly type: CardFunding | null;
  /** ISO 3166-1 alpha-2, upper case. */
  readonly issuerCountry: string | null;
}

/** BINs are compared as 8-digit keys: BIN "424242" is every key from 42424200 to 42424299. */
export const KEY_DIGITS = 8;

/** An inclusive range of 8-digit keys and its facts. */
export interface BinRange {
  from: number;
  to: number;
  facts: BinFacts;
}

/** The keys of a BIN range written with 1–8 digits: "424242" → 42424200…42424299. */
export function keyRange(start: string, end: string = start): { from: number; to: number } {
  return { from: Number(start.padEnd(KEY_DIGITS, '0')), to: Number(end.padEnd(KEY_DIGITS, '9')) };
}

/**
 * The first 8 digits of a card number as a key, skipping spaces and dashes; -1 when it has fewer.
 * Reads characters instead of slicing, so the hot path allocates nothing.
 */
export function panKey(number: string): number {
  let key = 0;
  let digits = 0;
  for (let i = 0; i < number.length && digits < KEY_DIGITS; i++) {
    const d = number.charCodeAt(i) - 48;
    if (d >= 0 && d <= 9) {
      key = key * 10 + d;
      digits++;
    }
  }
  return digits === KEY_DIGITS ? key : -1;
}

/**
 * Disjoint, sorted BIN ranges searched by bisection: O(log n) and no allocation per lookup.
 * Built once (at start, or once per Worker isolate) from ranges that may overlap: where they
 * do, the narrower range wins, so an 8-digit entry refines the 6-digit block around it.
 */
export class BinTable {
  private constructor(
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly factIds: Uint16Array,
    private readonly facts: readonly BinFacts[],
  ) {}

  static readonly EMPTY = new BinTable(new Uint32Array(0), new Uint32Array(0), new Uint16Array(0), []);

  static build(ranges: readonly BinRange[]): BinTable {
    const interned = internFacts(ranges);
    // A sweep over the range boundaries: between two of them the narrowest open range decides.
    const events: { at: number; index: number; open: boolean }[] = [];
    ranges.forEach((r, index) => {
      if (!(r.from <= r.to)) throw new RangeError(`BIN range ${r.from}-${r.to} is empty`);
      events.push({ at: r.from, index, open: true }, { at: r.to + 1, index, open: false });
    });
    events.sort((a, b) => a.at - b.at);
    const open: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const ids: number[] = [];
    for (let e = 0; e < events.length; ) {
      const at = events[e]!.at;
      for (; e < events.length && events[e]!.at === at; e++) {
        const { index, open: opens } = events[e]!;
        if (opens) open.push(index);
        else open.splice(open.indexOf(index), 1);
      }
      if (open.length === 0 || e === events.length) continue;
      const next = events[e]!.at;
      const id = interned.ids[narrowest(ranges, open)]!;
      const last = starts.length - 1;
      if (last >= 0 && ids[last] === id && ends[last] === at - 1) ends[last] = next - 1;
      else starts.push(at), ends.push(next - 1), ids.push(id);
    }
    return new BinTable(Uint32Array.from(starts), Uint32Array.from(ends), Uint16Array.from(ids), interned.facts);
  }

  /** Disjoint ranges after overlaps were resolved and equal neighbours merged. */
  get size(): number {
    return this.starts.length;
  }

  /** The facts of the range holding this 8-digit key. */
  lookup(key: number): BinFacts | undefined {
    const i = this.indexOf(key);
    return i >= 0 && key <= this.ends[i]! ? this.facts[this.factIds[i]!] : undefined;
  }

  /**
   * The facts of every key from `from` to `to`, when one range holds them all: a 6-digit BIN
   * (all a stored payment keeps) is known only if no 8-digit range inside it says otherwise.
   */
  lookupSpan(from: number, to: number): BinFacts | undefined {
    const i = this.indexOf(from);
    return i >= 0 && to <= this.ends[i]! ? this.facts[this.factIds[i]!] : undefined;
  }

  /** Every distinct value of one fact the table can supply. */
  values<K extends keyof BinFacts>(fact: K): Set<NonNullable<BinFacts[K]>> {
    const seen = new Set<NonNullable<BinFacts[K]>>();
    for (const id of new Set(this.factIds)) {
      const value = this.facts[id]![fact];
      if (value !== null) seen.add(value as NonNullable<BinFacts[K]>);
    }
    return seen;
  }

  /** Index of the last range starting at or before `key`, or -1. */
  private indexOf(key: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= key) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}

/** The narrowest of the open ranges; among equals, the one listed last (a later correction). */
function narrowest(ranges: readonly BinRange[], open: readonly number[]): number {
  let best = open[0]!;
  for (const index of open) {
    const width = ranges[index]!.to - ranges[index]!.from;
    const bestWidth = ranges[best]!.to - ranges[best]!.from;
    if (width < bestWidth || (width === bestWidth && index > best)) best = index;
  }
  return best;
}

/** One shared object per distinct combination of facts, so equal neighbours merge and lookups return shared objects. */
function internFacts(ranges: readonly BinRange[]): { facts: BinFacts[]; ids: number[] } {
  const byKey = new Map<string, number>();
  const facts: BinFacts[] = [];
  const ids = ranges.map(({ facts: f }) => {
    const key = `${f.network}|${f.type}|${f.issuerCountry}`;
    let id = byKey.get(key);
    if (id === undefined) {
      id = facts.length;
      if (id > 0xffff) throw new RangeError('more than 65536 distinct BIN facts');
      facts.push(Object.freeze({ network: f.network, type: f.type, issuerCountry: f.issuerCountry }));
      byKey.set(key, id);
    }
    return id;
  });
  return { facts, ids };
}
