import type { TransactionRecord, TransactionStore } from './state.js';

export type SettlementKind = 'transaction_settled' | 'transaction_settlement_declined';

/**
 * Moves submitted transactions (sales and refund credits) to `settled` after a delay, as
 * Braintree's settlement batch does, and reports each change so a notification can go out. A
 * transaction whose time has come settles on the first request that touches the simulator, or
 * on its timer, whichever is first. `delayMs: null` leaves settlement to the sandbox's testing
 * endpoints (`testing.settle`, `testing.settlementDecline`).
 */
export class Settlements {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: TransactionStore,
    private readonly delayMs: number | null,
    private readonly now: () => number,
    private readonly onChange: (record: TransactionRecord, kind: SettlementKind) => void,
  ) {}

  submitted(record: TransactionRecord): void {
    if (this.delayMs === null) return;
    record.settlesAt = this.now() + this.delayMs;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // Not compared with the clock: a timer may fire a millisecond before Date.now() reaches settlesAt.
      if (this.waiting(record)) this.settle(record);
    }, this.delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** After a restart: arms the timers of transactions waiting to settle (those overdue settle at once). */
  resume(): void {
    if (this.delayMs === null) return;
    for (const record of this.store.all()) {
      if (!this.waiting(record)) continue;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.waiting(record)) this.settle(record);
      }, Math.max(0, record.settlesAt! - this.now()));
      timer.unref();
      this.timers.add(timer);
    }
  }

  /** Whether a transaction waits for its settlement timer. */
  get busy(): boolean {
    return this.timers.size > 0;
  }

  /** Settles every transaction whose time has come. */
  catchUp(): void {
    for (const record of this.store.all()) if (this.waiting(record) && record.settlesAt! <= this.now()) this.settle(record);
  }

  settle(record: TransactionRecord): void {
    this.finish(record, 'settled', 'transaction_settled');
  }

  decline(record: TransactionRecord): void {
    this.finish(record, 'settlement_declined', 'transaction_settlement_declined');
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private waiting(record: TransactionRecord): boolean {
    return record.status === 'submitted_for_settlement' && record.settlesAt !== null;
  }

  private finish(record: TransactionRecord, status: 'settled' | 'settlement_declined', kind: SettlementKind): void {
    record.status = status;
    record.settlesAt = null;
    record.updatedAt = new Date(this.now());
    this.onChange(record, kind);
  }
}
