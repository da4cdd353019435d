import { CARD_FUNDINGS } from '../../domain/card.js';
import { CARD_NETWORKS } from '../rules/conditions.js';
import data from '../bin-data/binlist-ranges.json' with { type: 'json' };
import { BinTable, keyRange, type BinFacts, type BinRange } from './table.js';

/** Rows of `iin_start,iin_end,scheme,type,country` (src/routing/bin-data/README.md) as ranges. */
export function publicRanges(rows: readonly string[]): BinRange[] {
  return rows.map((row) => {
    const [start = '', end = '', scheme = '', type = '', country = ''] = row.split(',');
    const facts: BinFacts = {
      network: (CARD_NETWORKS as readonly string[]).includes(scheme) ? (scheme as BinFacts['network']) : null,
      type: (CARD_FUNDINGS as readonly string[]).includes(type) ? (type as BinFacts['type']) : null,
      issuerCountry: /^[A-Z]{2}$/.test(country) ? country : null,
    };
    return { ...keyRange(start, end || start), facts };
  });
}

let table: BinTable | undefined;

/** The bundled binlist/data table, built on first use and kept for the life of the process (or Worker isolate). */
export function publicBinTable(): BinTable {
  return (table ??= BinTable.build(publicRanges(data.rows)));
}
