import type { EventStreamSettings } from '../../api/routes/events-stream.js';
import type { TimerClock } from '../../domain/clock.js';
import type { Logger } from '../../domain/logger.js';
import { eventFeed, type EventFeed } from '../../store/event-feed.js';
import type { Repositories } from '../../store/index.js';

/**
 * A Worker cannot LISTEN and hears no other request's hint, so its stream reads by snapshot on a
 * timer alone: each open stream is one feed on the request's own connection, read once a second
 * (one indexed query; events arrive within about a second, as a lost hint's do on Node). Each
 * open stream holds that connection for its whole life, so a stream ends after five minutes
 * (Node's: an hour) and the client reconnects with Last-Event-ID, which replays exactly what it
 * missed: a forgotten tab then costs a connection for minutes, not an hour, and a redeploy's
 * evicted isolate is back on the new code soon.
 */
export const WORKER_STREAM_POLL_MS = 1_000;
export const WORKER_STREAM_MAX_MS = 5 * 60_000;

export function isEventStreamRequest(request: Request): boolean {
  return request.method === 'GET' && new URL(request.url).pathname === '/v1/events/stream';
}

/**
 * The stream's settings for one request, and `finished`: resolves once the stream that request
 * opened has ended (client gone, max duration), or at once when it opened none (refused, bad
 * Last-Event-ID), with the feed stopped; then the connection may close. The feed (and its first
 * snapshot read) starts only when the route subscribes, so a refused request reads nothing.
 */
export function workerEventStream(deps: { repositories: Repositories; timers: TimerClock; logger: Logger }): { settings: EventStreamSettings; finished(): Promise<void> } {
  let feed: Promise<EventFeed> | null = null;
  const started = () =>
    (feed ??= eventFeed({
      events: deps.repositories.events,
      timers: deps.timers,
      catchUpMs: WORKER_STREAM_POLL_MS,
      onError: (error) => deps.logger.warn('events.stream_read_failed', { error: error instanceof Error ? error.message : String(error) }),
    }));
  let opened = false;
  let closed = () => {};
  const ended = new Promise<void>((resolve) => (closed = resolve));
  const watched: EventFeed = {
    async subscribe(merchantId, listener) {
      const unsubscribe = await (await started()).subscribe(merchantId, listener);
      opened = true;
      return () => {
        unsubscribe();
        closed();
      };
    },
    hint: (merchantIds) => void feed?.then((f) => f.hint(merchantIds)),
    catchUp: () => void feed?.then((f) => f.catchUp()),
    stop: async () => (await feed)?.stop(),
  };
  return {
    settings: {
      feed: watched,
      events: deps.repositories.events,
      timers: deps.timers,
      maxMs: WORKER_STREAM_MAX_MS,
    },
    async finished() {
      if (opened) await ended;
      await (await feed?.catch(() => null))?.stop();
    },
  };
}
