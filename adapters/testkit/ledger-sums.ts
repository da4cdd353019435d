import type { SimulatorLedger } from './simulator.js';

type Totals = ReturnType<SimulatorLedger['totals']>;

/** `SimulatorLedger.requestCount`: every request logged, or those under a path prefix. */
export function countRequests(requests: readonly { path: string }[], pathPrefix?: string): number {
  return pathPrefix === undefined ? requests.length : requests.filter((r) => r.path.startsWith(pathPrefix)).length;
}

/**
 * `SimulatorLedger.totals`: the sums over every charge, or over those in one currency (given in
 * either case; charges hold it upper case). `sumsOf` answers a charge's sums in canonical minor units.
 */
export function sumTotals<Charge>(charges: Iterable<Charge>, currency: string | undefined, currencyOf: (charge: Charge) => string, sumsOf: (charge: Charge) => Totals): Totals {
  const wanted = currency?.toUpperCase();
  const totals = { authorized: 0, captured: 0, refunded: 0 };
  for (const charge of charges) {
    if (wanted !== undefined && currencyOf(charge) !== wanted) continue;
    const sums = sumsOf(charge);
    totals.authorized += sums.authorized;
    totals.captured += sums.captured;
    totals.refunded += sums.refunded;
  }
  return totals;
}
