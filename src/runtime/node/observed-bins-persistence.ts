import { z } from 'zod';
import { CARD_FUNDINGS } from '../../domain/card.js';
import type { Clock } from '../../domain/clock.js';
import type { Logger } from '../../domain/logger.js';
import type { ObservedBin, ObservedBins } from '../../routing/bins/observed.js';
import type { Subscribe } from '../../store/database.js';
import type { Repositories } from '../../store/index.js';
import { OBSERVED_BINS_PER_SAVE } from '../../store/observed-bins.js';

export const OBSERVED_BINS_CHANNEL = 'switchyard_bins';

const country = z.string().regex(/^[A-Z]{2}$/).nullable();
const WireBin = z.object({
  m: z.string().min(1).max(64),
  b: z.string().regex(/^\d{1,8}$/),
  t: z.enum(CARD_FUNDINGS).nullable(),
  c: country,
});

/**
 * Restores what gateways reported about cards (per merchant and BIN), then saves, in the
 * background, only the BINs whose facts a report added or changed since the last save: nothing
 * is written on the payment path, and a BIN whose facts stay the same is never written again.
 * `stop` saves once more. A failed save keeps its rows for the next one.
 *
 * With `share` (several instances on one PostgreSQL), each save also NOTIFYs the rows it saved,
 * in the same statement, and every other instance takes them as its own facts for those BINs
 * (without saving them again): a card fact one instance learned reaches the others within a
 * save interval. A notification an instance missed (it was restarting) is in the table it loads.
 */
export async function persistObservedBins(
  repositories: Repositories,
  observed: ObservedBins,
  options: { intervalMs: number; clock: Clock; logger: Logger; share?: { instanceId: string; subscribe: Subscribe } },
) {
  const share = options.share;
  const subscription = share
    ? await share.subscribe(OBSERVED_BINS_CHANNEL, {
        onNotify: (payload) => receive(payload, share.instanceId, observed, options.logger),
        onListen() {},
      })
    : undefined;
  observed.restore(await repositories.observedBins.loadAll());
  const notify = share ? { channel: OBSERVED_BINS_CHANNEL, from: share.instanceId } : undefined;
  const save = async () => {
    const rows = observed.takeChanged();
    for (let start = 0; start < rows.length; start += OBSERVED_BINS_PER_SAVE) {
      const batch = rows.slice(start, start + OBSERVED_BINS_PER_SAVE);
      try {
        await repositories.observedBins.save(batch, options.clock.now(), notify);
      } catch (error) {
        observed.unsaved(batch);
        options.logger.warn('observed_bins.save_failed', { rows: batch.length, error: error instanceof Error ? error.message : 'unknown' });
      }
    }
  };
  const timer = setInterval(() => void save(), options.intervalMs);
  timer.unref();
  return {
    /** Saves what changed now (tests; `stop`). */
    save,
    async stop(): Promise<void> {
      clearInterval(timer);
      await save();
      await subscription?.unsubscribe();
    },
  };
}

function receive(payload: string, instanceId: string, observed: ObservedBins, logger: Logger): void {
  let message: { from?: unknown; items?: unknown };
  try {
    message = JSON.parse(payload) as typeof message;
  } catch {
    logger.warn('observed_bins.notification_malformed', {});
    return;
  }
  if (message.from === instanceId) return;
  const items = Array.isArray(message.items) ? message.items : [];
  const rows: ObservedBin[] = [];
  for (const item of items) {
    const parsed = WireBin.safeParse(item);
    if (parsed.success) rows.push({ merchantId: parsed.data.m, bin: parsed.data.b, type: parsed.data.t, issuerCountry: parsed.data.c });
  }
  if (rows.length < items.length || !Array.isArray(message.items)) logger.warn('observed_bins.notification_malformed', { rows: items.length - rows.length });
  observed.restore(rows);
}
