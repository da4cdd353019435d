import type { Logger } from '../../domain/logger.js';
import type { Router } from '../../orchestrator/router.js';
import type { Subscribe } from '../../store/database.js';
import { ROUTING_CHANNEL } from '../../store/routing.js';

/**
 * Keeps this instance's compiled rulesets in step with activations made through any instance:
 * each activation's NOTIFY drops that merchant's entry, and (re)connecting the listener drops all,
 * since notifications sent while it was disconnected are lost.
 *
 * The periodic check is kept as well: when the listener's connection drops, postgres.js listens
 * again once and, if that attempt fails (the database is still unreachable), gives up silently, so
 * reconnect-invalidation alone would leave no bound on staleness. The check is one indexed query
 * per interval over the merchants this instance has cached, and bounds staleness at `checkMs`.
 */
export async function syncRulesets(deps: { subscribe: Subscribe; router: Router; logger: Logger; checkMs: number }): Promise<{ stop(): Promise<void> }> {
  const subscription = await deps.subscribe(ROUTING_CHANNEL, {
    onNotify: (merchantId) => deps.router.invalidate(merchantId),
    onListen: () => deps.router.invalidateAll(),
  });
  let checking: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    checking = deps.router.dropStale().then(
      (dropped) => {
        if (dropped > 0) deps.logger.warn('routing.stale_rulesets_dropped', { count: dropped });
      },
      (error: unknown) => deps.logger.error('routing.stale_check_failed', { error: error instanceof Error ? error.message : String(error) }),
    );
  }, deps.checkMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await checking;
      await subscription.unsubscribe();
    },
  };
}
