import type { CardInput } from '../../adapters/testkit/contract.js';
import { cardFacts, cardFingerprint } from '../domain/card.js';
import type { Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import type { Repositories } from '../store/index.js';
import type { PaymentMethodRow } from '../store/vault.js';
import { openCard, rewrapKey, sealCard } from './envelope.js';
import type { KeyManagement } from './kms.js';

/** A card as the vault takes it: never a CVC. */
export interface CardToStore {
  number: string;
  expMonth: number;
  expYear: number;
  holderName: string | null;
}

export interface VaultDeps {
  repositories: Repositories;
  kms: KeyManagement;
  /** The merchant-scoped fingerprint (src/domain/card.ts) that deduplicates cards. */
  fingerprintSecret: string;
  clock: Clock;
}

export interface RotationProgress {
  rewrapped: number;
  /** Records left wrapped by another KEK (0 when the rotation is complete). */
  remaining: number;
}

/** Both the sealed card and its wrapped data key are bound to the record they belong to. */
const recordContext = (row: Pick<PaymentMethodRow, 'id' | 'merchantId'>) => `payment_method:${row.merchantId}:${row.id}`;

/**
 * The card vault: cards go in, `pm_…` records come out, and a card number leaves again only as
 * the card of a gateway call (`cardFor`). A card is stored once per merchant (by fingerprint).
 */
export function cardVault(deps: VaultDeps) {
  const { repositories, kms, clock } = deps;

  async function store(merchantId: string, card: CardToStore): Promise<{ row: PaymentMethodRow; created: boolean }> {
    const id = newId('pm');
    const fingerprint = await cardFingerprint(card.number, deps.fingerprintSecret, `merchant:${merchantId}`);
    const envelope = await sealCard(kms, { number: card.number, holderName: card.holderName }, recordContext({ id, merchantId }));
    const facts = cardFacts(card.number);
    const now = clock.now();
    const stored = await repositories.vault.insert({
      id,
      merchantId,
      fingerprint,
      brand: facts.brand,
      last4: facts.last4,
      expMonth: card.expMonth,
      expYear: card.expYear,
      sealedCard: envelope.sealedCard,
      wrappedKey: envelope.key.wrapped,
      kekId: envelope.key.keyId,
      createdAt: now,
      updatedAt: now,
    });
    if (stored.created || (stored.row.expMonth === card.expMonth && stored.row.expYear === card.expYear)) return stored;
    // The same card again with another expiry: the issuer renewed it, so the new date is the one that pays.
    return { row: (await updateExpiry(merchantId, stored.row.id, card.expMonth, card.expYear))!, created: false };
  }

  /** A new expiry; a card flagged only for having expired is usable again. */
  async function updateExpiry(merchantId: string, id: string, expMonth: number, expYear: number): Promise<PaymentMethodRow | null> {
    const row = await repositories.vault.get(merchantId, id);
    if (!row) return null;
    const unflag = row.flaggedReason === 'expired_card' ? { flaggedReason: null, flaggedAt: null } : {};
    return repositories.vault.update(merchantId, id, { expMonth, expYear, ...unflag }, clock.now());
  }

  /** The card for a gateway call, and nothing else: it has no CVC, which is never stored. */
  async function cardFor(row: PaymentMethodRow): Promise<CardInput> {
    const card = await openCard(kms, { sealedCard: row.sealedCard, key: { keyId: row.kekId, wrapped: row.wrappedKey } }, recordContext(row));
    return { number: card.number, expMonth: row.expMonth, expYear: row.expYear, cvc: null, holderName: card.holderName };
  }

  /**
   * Re-wraps every data key not wrapped by the KMS's current KEK, `batchSize` at a time; the sealed
   * cards are untouched. Safe to run while the router serves (each record changes in one
   * compare-and-set, and every instance configured with the old KEK too still reads it), safe to
   * stop and run again (it starts over from what is still wrapped by another KEK), and safe to
   * run twice at once (a record re-wrapped by the other run is skipped).
   */
  async function rotate(options: { batchSize: number; onBatch?: (progress: RotationProgress) => void }): Promise<RotationProgress> {
    const current = await kms.currentKeyId();
    let rewrapped = 0;
    let after: string | null = null;
    for (;;) {
      const batch = await repositories.vault.wrappedElsewhere(current, options.batchSize, after);
      if (batch.length === 0) break;
      for (const row of batch) {
        const key = await rewrapKey(kms, { keyId: row.kekId, wrapped: row.wrappedKey }, recordContext(row));
        if (await repositories.vault.rewrap(row.id, row.wrappedKey, { wrappedKey: key.wrapped, kekId: key.keyId })) rewrapped++;
      }
      after = batch[batch.length - 1]!.id;
      options.onBatch?.({ rewrapped, remaining: await remainingFor(current) });
    }
    return { rewrapped, remaining: await remainingFor(current) };
  }

  async function remainingFor(current: string): Promise<number> {
    let remaining = 0;
    for (const [kekId, count] of await repositories.vault.countByKek()) if (kekId !== current) remaining += count;
    return remaining;
  }

  return { store, updateExpiry, cardFor, rotate };
}

export type CardVault = ReturnType<typeof cardVault>;
