import type { Subscribe } from '../../store/database.js';
import type { LookupCache } from '../../store/lookup-cache.js';
import { ADMIN_CHANNEL } from '../../store/merchants.js';

/**
 * Keeps this instance's cached API keys and gateway accounts in step with changes made through any
 * instance: each change's NOTIFY drops that merchant, and (re)connecting the listener drops all,
 * since notifications sent while it was disconnected are lost. Should the listener give up, the
 * cache's own entry lifetime still bounds staleness.
 */
export async function syncLookups(deps: { subscribe: Subscribe; cache: LookupCache }): Promise<{ stop(): Promise<void> }> {
  const subscription = await deps.subscribe(ADMIN_CHANNEL, {
    onNotify: (merchantId) => deps.cache.invalidate(merchantId),
    onListen: () => deps.cache.invalidateAll(),
  });
  return { stop: () => subscription.unsubscribe() };
}
