import type { Logger } from '../../domain/logger.js';
import type { Database, Subscribe } from '../../store/database.js';
import { EVENTS_CHANNEL, type EventFeed } from '../../store/event-feed.js';
import { instanceChannel } from './instance-channel.js';

/**
 * Tells the live stream of this instance at once, and those of the others every `batchMs` (one
 * NOTIFY per batch, sent outside any payment's transaction), which merchants' events this
 * instance committed. A NOTIFY inside the writing transaction would serialise every commit on
 * PostgreSQL's notification lock (bench/README.md, issue 11).
 */
export async function hintEvents(deps: {
  instanceId: string;
  db: Database;
  subscribe: Subscribe;
  logger: Logger;
  batchMs: number;
  feed: EventFeed;
}): Promise<{ committed(merchantIds: readonly string[]): void; stop(): Promise<void> }> {
  const channel = await instanceChannel<string>({
    channel: EVENTS_CHANNEL,
    instanceId: deps.instanceId,
    db: deps.db,
    subscribe: deps.subscribe,
    logger: deps.logger,
    batchMs: deps.batchMs,
    distinct: true,
    encode: (merchantId) => merchantId,
    receive: (items) => deps.feed.hint(items.filter((item): item is string => typeof item === 'string')),
    relisten: () => deps.feed.catchUp(),
  });
  return {
    committed(merchantIds) {
      deps.feed.hint(merchantIds);
      for (const id of merchantIds) channel.send(id);
    },
    stop: () => channel.stop(),
  };
}
