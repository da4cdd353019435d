import { sql } from 'drizzle-orm';
import type { CardFunding } from '../domain/card.js';
import type { ObservedBin } from '../routing/bins/observed.js';
import type { Database } from './database.js';
import { observedBins } from './schema.js';

/** Gateway-reported card facts per merchant and BIN: loaded whole at start, upserted when they change. */
export function observedBinRepository(db: Database) {
  return {
    async loadAll(): Promise<ObservedBin[]> {
      const rows = await db
        .select({ merchantId: observedBins.merchantId, bin: observedBins.bin, type: observedBins.cardType, issuerCountry: observedBins.issuerCountry })
        .from(observedBins);
      return rows.map((row) => ({ ...row, type: row.type as CardFunding | null }));
    },

    /** One statement for all the rows given. */
    async save(rows: readonly ObservedBin[], now: Date): Promise<void> {
      if (rows.length === 0) return;
      await db
        .insert(observedBins)
        .values(rows.map((r) => ({ merchantId: r.merchantId, bin: r.bin, cardType: r.type, issuerCountry: r.issuerCountry, updatedAt: now })))
        .onConflictDoUpdate({
          target: [observedBins.merchantId, observedBins.bin],
          set: { cardType: sql`excluded.card_type`, issuerCountry: sql`excluded.issuer_country`, updatedAt: sql`excluded.updated_at` },
        });
    },
  };
}
