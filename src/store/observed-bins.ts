import { sql } from 'drizzle-orm';
import type { CardFunding } from '../domain/card.js';
import type { ObservedBin } from '../routing/bins/observed.js';
import type { Database } from './database.js';
import { observedBins } from './schema.js';

/** Rows per statement when saving: as a notification, 50 rows stay well under PostgreSQL's 8,000 bytes. */
export const OBSERVED_BINS_PER_SAVE = 50;

/** Gateway-reported card facts per merchant and BIN: loaded whole at start, upserted when they change. */
export function observedBinRepository(db: Database) {
  return {
    async loadAll(): Promise<ObservedBin[]> {
      const rows = await db
        .select({ merchantId: observedBins.merchantId, bin: observedBins.bin, type: observedBins.cardType, issuerCountry: observedBins.issuerCountry })
        .from(observedBins);
      return rows.map((row) => ({ ...row, type: row.type as CardFunding | null }));
    },

    /**
     * One statement for all the rows given (at most OBSERVED_BINS_PER_SAVE). With `notify`, the
     * same statement sends the rows as saved to the other instances, delivered when it commits:
     * `{"from": <instance>, "items": [{"m", "b", "t", "c"}, …]}`.
     */
    async save(rows: readonly ObservedBin[], now: Date, notify?: { channel: string; from: string }): Promise<void> {
      if (rows.length === 0) return;
      if (rows.length > OBSERVED_BINS_PER_SAVE) throw new RangeError(`at most ${OBSERVED_BINS_PER_SAVE} observed BINs per save`);
      const upsert = db
        .insert(observedBins)
        .values(rows.map((r) => ({ merchantId: r.merchantId, bin: r.bin, cardType: r.type, issuerCountry: r.issuerCountry, updatedAt: now })))
        .onConflictDoUpdate({
          target: [observedBins.merchantId, observedBins.bin],
          set: { cardType: sql`excluded.card_type`, issuerCountry: sql`excluded.issuer_country`, updatedAt: sql`excluded.updated_at` },
        });
      if (!notify) {
        await upsert;
        return;
      }
      await db.execute(sql`with saved as (${upsert.returning().getSQL()})
        select pg_notify(${notify.channel}, json_build_object('from', ${notify.from}::text, 'items',
          json_agg(json_build_object('m', merchant_id, 'b', bin, 't', card_type, 'c', issuer_country)))::text) from saved`);
    },
  };
}
