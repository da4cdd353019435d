import { z } from 'zod';
import type { Logger } from '../../domain/logger.js';
import type { BreakerBoard, BreakerChange } from '../../orchestrator/breakers.js';
import type { Database, Subscribe } from '../../store/database.js';
import { instanceChannel } from './instance-channel.js';

export const BREAKER_CHANNEL = 'switchyard_breakers';

const WireChange = z.discriminatedUnion('state', [
  z.object({ accountId: z.string().min(1).max(64), state: z.literal('open'), forMs: z.number().nonnegative() }),
  z.object({ accountId: z.string().min(1).max(64), state: z.literal('closed') }),
]);

/**
 * A breaker that opens on one instance opens on every other, for the cool-down it has left,
 * and a half-open probe that succeeds closes the others' half-open breakers: the instances
 * stop calling a failing gateway together, and the health view agrees wherever it is read.
 *
 * Through NOTIFY, like the learner's outcomes and for the same reason: a lost verdict only
 * means that instance finds the outage out by its own few calls, as it would alone. The
 * cool-down travels as the time left, not a moment, so the instances' clocks need not agree;
 * the notification's delay (milliseconds) lengthens it by as much.
 */
export async function syncBreakers(deps: {
  instanceId: string;
  db: Database;
  subscribe: Subscribe;
  breakers: BreakerBoard;
  logger: Logger;
}): Promise<{ stop(): Promise<void> }> {
  const channel = await instanceChannel<BreakerChange>({
    channel: BREAKER_CHANNEL,
    instanceId: deps.instanceId,
    db: deps.db,
    subscribe: deps.subscribe,
    logger: deps.logger,
    // Verdicts are rare and urgent: only those of one turn of the event loop share a notification.
    batchMs: 0,
    encode: (change) => change,
    receive(items) {
      for (const item of items) {
        const parsed = WireChange.safeParse(item);
        if (parsed.success) deps.breakers.follow(parsed.data);
        else deps.logger.warn('breakers.change_malformed', {});
      }
    },
  });
  const unwatch = deps.breakers.watch((change) => channel.send(change));
  return {
    async stop() {
      unwatch();
      await channel.stop();
    },
  };
}
