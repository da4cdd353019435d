/**
 * Measures over a run: how fast traffic moves after a change, and the share series the
 * charts draw.
 *
 * Traffic movement (transactions to move), precisely: let S be the tracked gateway's primary
 * share over the reference stretch (the 10 % of the run before the change, or before
 * `referenceEnd` when given: the recovery is compared with the share before the outage, the
 * drift with the share before the drift began). For k = 1, 2, …, take the trailing window of
 * the last WINDOW = 50 transactions up to and including transaction `at + k − 1` (so the first
 * windows still hold pre-change transactions). The answer is the first k at which the window's
 * share of the tracked gateway is below S / 2 (`down`: traffic moved off) or above S / 2
 * (`up`: traffic moved back), or null if that never happens before the next change or the end.
 * A router that moved every transaction the instant the change happened scores about 25
 * (half the window), so "within 50" means the move completed in about one window.
 */
import type { RoutingTransaction } from '../../src/routing/rules/transaction.js';
import type { Change, Tracking } from './scenarios.js';

export const WINDOW = 50;

export interface Move {
  change: string;
  at: number;
  reference_share: number;
  /** Transactions after the change until the window crossed half the reference share; null: never. */
  transactions: number | null;
}

export function moves(primary: Uint8Array, txs: readonly RoutingTransaction[], track: Tracking, changes: readonly Change[]): Move[] {
  const n = primary.length;
  const inSlice = (j: number) => track.within === null || track.within(txs[j]!);
  return changes.map((change, c) => {
    const refEnd = change.referenceEnd ?? change.at;
    const refStart = Math.max(0, refEnd - Math.floor(n * 0.1));
    let hits = 0;
    let total = 0;
    for (let j = refStart; j < refEnd; j++) {
      if (!inSlice(j)) continue;
      total++;
      if (primary[j] === track.gateway) hits++;
    }
    const reference = total === 0 ? 0 : hits / total;
    const limit = c + 1 < changes.length ? changes[c + 1]!.at : n;
    // Trailing window of in-slice transactions, as a ring of the last WINDOW indices' hits.
    const ring = new Uint8Array(WINDOW);
    let filled = 0;
    let inWindow = 0;
    let head = 0;
    const push = (hit: number) => {
      if (filled === WINDOW) inWindow -= ring[head]!;
      else filled++;
      ring[head] = hit;
      inWindow += hit;
      head = (head + 1) % WINDOW;
    };
    for (let j = Math.max(0, change.at - 4 * WINDOW); j < change.at; j++) if (inSlice(j)) push(primary[j] === track.gateway ? 1 : 0);
    let found: number | null = null;
    for (let j = change.at; j < limit; j++) {
      if (!inSlice(j)) continue;
      push(primary[j] === track.gateway ? 1 : 0);
      const share = inWindow / filled;
      if (change.direction === 'down' ? share < reference / 2 : share > reference / 2) {
        found = j - change.at + 1;
        break;
      }
    }
    return { change: change.name, at: change.at, reference_share: round(reference, 4), transactions: found };
  });
}

/**
 * Share of the tracked gateway's pre-change traffic moved off in the first `count` in-slice
 * transactions after the change: 1 − (its primary share over them) / (its share over the
 * reference stretch). 0.8: four fifths of what it used to take went elsewhere from the start.
 */
export function movedOffWithin(primary: Uint8Array, txs: readonly RoutingTransaction[], track: Tracking, change: Change, count: number): number {
  const inSlice = (j: number) => track.within === null || track.within(txs[j]!);
  const share = (from: number, to: number, limit: number) => {
    let hits = 0;
    let total = 0;
    for (let j = from; j < to && total < limit; j++) {
      if (!inSlice(j)) continue;
      total++;
      if (primary[j] === track.gateway) hits++;
    }
    return total === 0 ? 0 : hits / total;
  };
  const refEnd = change.referenceEnd ?? change.at;
  const reference = share(Math.max(0, refEnd - Math.floor(primary.length * 0.1)), refEnd, Infinity);
  return reference === 0 ? 1 : 1 - share(change.at, primary.length, count) / reference;
}

/** The tracked gateway's primary share in each of `buckets` equal stretches of the run (within the slice). */
export function shareSeries(primary: Uint8Array, txs: readonly RoutingTransaction[], track: Tracking, buckets: number): number[] {
  const n = primary.length;
  const hits = new Float64Array(buckets);
  const totals = new Float64Array(buckets);
  for (let j = 0; j < n; j++) {
    if (track.within !== null && !track.within(txs[j]!)) continue;
    const b = Math.min(buckets - 1, Math.floor((j / n) * buckets));
    totals[b]!++;
    if (primary[j] === track.gateway) hits[b]!++;
  }
  return [...hits].map((h, b) => (totals[b]! === 0 ? 0 : h / totals[b]!));
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export interface Summary {
  /** Mean and sample standard deviation over seeds; null when a seed has no value (never moved). */
  mean: number | null;
  sd: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
  values: (number | null)[];
}

/** Mean ± standard deviation, and median with the spread (min, max), over seeds. */
export function summary(values: readonly (number | null)[]): Summary {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return { mean: null, sd: null, median: null, min: null, max: null, values: [...values] };
  // A seed that never moved counts as larger than any that did.
  const all = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  const mid = Math.floor(all.length / 2);
  const med = all.length % 2 ? all[mid]! : (all[mid - 1]! + all[mid]!) / 2;
  const complete = known.length === values.length;
  const mean = complete ? known.reduce((a, b) => a + b, 0) / known.length : null;
  const sd = mean === null ? null : known.length < 2 ? 0 : Math.sqrt(known.reduce((a, v) => a + (v - mean) ** 2, 0) / (known.length - 1));
  return { mean, sd, median: Number.isFinite(med) ? med : null, min: known[0]!, max: values.includes(null) ? null : known[known.length - 1]!, values: [...values] };
}
