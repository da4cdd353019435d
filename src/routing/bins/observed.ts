import type { CardReport } from '../../domain/outcome.js';

/** One merchant's gateway-reported facts about one BIN, as saved and restored. */
export interface ObservedBin {
  merchantId: string;
  bin: string;
  type: CardReport['type'];
  issuerCountry: string | null;
}

/**
 * What gateways reported about the cards of each merchant's payments, per BIN (6 digits, fewer
 * for short card numbers). Kept per merchant (principle 10: one merchant's traffic never moves
 * another's routing). A report only fills or changes facts: a gateway that says nothing about
 * the country leaves the one another gateway gave. Changes are marked for saving, so only a
 * report that adds or changes something is ever written.
 */
export class ObservedBins {
  private readonly byMerchant = new Map<string, Map<string, CardReport>>();
  private readonly changed = new Map<string, Set<string>>();

  get(merchantId: string, bin: string): CardReport | undefined {
    return this.byMerchant.get(merchantId)?.get(bin);
  }

  /** Remembers a gateway's report; true when it added or changed a fact. */
  observe(merchantId: string, bin: string, report: CardReport): boolean {
    let bins = this.byMerchant.get(merchantId);
    const known = bins?.get(bin);
    const type = report.type ?? known?.type ?? null;
    const issuerCountry = report.issuerCountry ?? known?.issuerCountry ?? null;
    if (known ? known.type === type && known.issuerCountry === issuerCountry : type === null && issuerCountry === null) return false;
    if (!bins) this.byMerchant.set(merchantId, (bins = new Map()));
    bins.set(bin, { type, issuerCountry });
    let marked = this.changed.get(merchantId);
    if (!marked) this.changed.set(merchantId, (marked = new Set()));
    marked.add(bin);
    return true;
  }

  /** Restores saved rows (at start); they are not marked as changed. */
  restore(rows: readonly ObservedBin[]): void {
    for (const row of rows) {
      let bins = this.byMerchant.get(row.merchantId);
      if (!bins) this.byMerchant.set(row.merchantId, (bins = new Map()));
      bins.set(row.bin, { type: row.type, issuerCountry: row.issuerCountry });
    }
  }

  /** The rows changed since the last call, unmarked; give them back with `unsaved` if saving fails. */
  takeChanged(): ObservedBin[] {
    const rows: ObservedBin[] = [];
    for (const [merchantId, bins] of this.changed) {
      for (const bin of bins) {
        const facts = this.get(merchantId, bin);
        if (facts) rows.push({ merchantId, bin, type: facts.type, issuerCountry: facts.issuerCountry });
      }
    }
    this.changed.clear();
    return rows;
  }

  /** Marks rows whose saving failed as changed again, so the next save retries them. */
  unsaved(rows: readonly ObservedBin[]): void {
    for (const { merchantId, bin } of rows) {
      let marked = this.changed.get(merchantId);
      if (!marked) this.changed.set(merchantId, (marked = new Set()));
      marked.add(bin);
    }
  }
}
