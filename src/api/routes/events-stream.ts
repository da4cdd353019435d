import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { TimerClock } from '../../domain/clock.js';
import { eventEnvelope } from '../../domain/merchant-webhooks.js';
import { problems } from '../../domain/problem.js';
import type { EventFeed } from '../../store/event-feed.js';
import type { EventRow } from '../../store/events.js';
import type { AppEnv } from '../env.js';
import { problem, security } from '../openapi.js';

export interface EventStreamSettings {
  feed: EventFeed;
  /** The merchant's events after an id, oldest first (the replay after Last-Event-ID). */
  after(merchantId: string, id: string, limit: number): Promise<EventRow[]>;
  timers: TimerClock;
  /** Between `: ping` comments (default 15 s). */
  heartbeatMs?: number;
  /** A stream ends after this long (default 1 h); the client reconnects with Last-Event-ID. */
  maxMs?: number;
}

/**
 * Events replayed per connection. A client further behind gets these, then the stream ends and
 * its reconnection (with the last id it got) replays the next ones.
 */
export const MAX_REPLAY = 500;
/** Events waiting for a slow client; beyond them the stream ends, and the reconnection replays. */
const MAX_QUEUED = 1_000;
const EVENT_ID = /^evt_[0-9A-Za-z]{1,60}$/;

const route = createRoute({
  method: 'get',
  path: '/v1/events/stream',
  operationId: 'streamEvents',
  summary: "The merchant's events as they happen (server-sent events)",
  description:
    'Each message is `id: <event id>`, `event: <event type>`, `data: <the Event object, as GET /v1/events/{id} answers it, without its deliveries>`. ' +
    'Events committed by every router instance arrive. A `: ping` comment comes every 15 seconds; the stream ends after at most an hour (5 minutes on the Cloudflare Worker, where each open stream holds a database connection), ' +
    `or after a replay of ${MAX_REPLAY} events when more are waiting: reconnect with the last id as \`Last-Event-ID\`.`,
  security,
  parameters: [
    {
      name: 'Last-Event-ID',
      in: 'header' as const,
      required: false,
      schema: { type: 'string' as const, pattern: EVENT_ID.source },
      description: `Replays the merchant's events after this one first (at most ${MAX_REPLAY}), oldest first.`,
    },
  ],
  responses: {
    200: { description: 'A stream of events.', content: { 'text/event-stream': { schema: z.string() } } },
    400: problem('`Last-Event-ID` is not an event id (`param: Last-Event-ID`).'),
  },
});

export function eventStreamRoutes(app: OpenAPIHono<AppEnv>, settings: EventStreamSettings): void {
  const heartbeatMs = settings.heartbeatMs ?? 15_000;
  const maxMs = settings.maxMs ?? 3_600_000;

  app.openapi(route, async (c) => {
    const merchantId = c.get('merchantId');
    const lastEventId = c.req.header('Last-Event-ID');
    if (lastEventId !== undefined && !EVENT_ID.test(lastEventId)) {
      throw problems.invalidRequest('Last-Event-ID must be an event id (evt_ followed by letters and digits).', 'Last-Event-ID', 'invalid_last_event_id');
    }
    // Listening starts before the replay is read, so nothing committed in between is missed.
    const queue: EventRow[] = [];
    let ended = false;
    let wake: (() => void) | null = null;
    const rouse = () => {
      wake?.();
      wake = null;
    };
    const stop = () => {
      ended = true;
      rouse();
    };
    const unsubscribe = await settings.feed.subscribe(merchantId, {
      event(event) {
        queue.push(event);
        if (queue.length > MAX_QUEUED) stop();
        rouse();
      },
      end: stop,
    });

    return streamSSE(c, async (stream) => {
      stream.onAbort(stop);
      // What the replay sent: the same events may be waiting in the queue too.
      const replayed = new Set<string>();
      const send = (event: EventRow) => stream.writeSSE({ id: event.id, event: event.type, data: JSON.stringify(eventEnvelope(event)) });
      /** Sends what was committed after Last-Event-ID; false when more is waiting than one replay sends. */
      const replay = async (): Promise<boolean> => {
        if (lastEventId === undefined) return true;
        const rows = await settings.after(merchantId, lastEventId, MAX_REPLAY + 1);
        for (const row of rows.slice(0, MAX_REPLAY)) {
          replayed.add(row.id);
          await send(row);
        }
        return rows.length <= MAX_REPLAY;
      };
      let cancelHeartbeat = () => {};
      const beat = () => {
        cancelHeartbeat = settings.timers.after(heartbeatMs, () => {
          void ping(stream).then(beat, stop);
        });
      };
      const cancelEnd = settings.timers.after(maxMs, stop);
      beat();
      try {
        if (!(await replay())) return;
        while (!ended) {
          while (queue.length > 0 && !ended) {
            const event = queue.shift()!;
            if (!replayed.has(event.id)) await send(event);
          }
          if (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        unsubscribe();
        cancelHeartbeat();
        cancelEnd();
      }
    });
  });
}

function ping(stream: SSEStreamingApi): Promise<unknown> {
  return stream.write(': ping\n\n');
}
