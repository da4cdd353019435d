import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { TimerClock } from '../../domain/clock.js';
import { eventEnvelope } from '../../domain/merchant-webhooks.js';
import { problems } from '../../domain/problem.js';
import type { EventFeed } from '../../store/event-feed.js';
import type { CommitSnapshot, EventRow, eventRepository } from '../../store/events.js';
import { formatCursor, LAST_EVENT_ID_PATTERN, MAX_LAST_EVENT_ID, parseLastEventId } from '../stream-cursor.js';
import type { AppEnv } from '../env.js';
import { problem, security } from '../openapi.js';

export interface EventStreamSettings {
  feed: EventFeed;
  /** The replays after Last-Event-ID: by cursor (exact), or after a plain event id. */
  events: Pick<ReturnType<typeof eventRepository>, 'replay' | 'after'>;
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

type Read = { from: CommitSnapshot; to: CommitSnapshot };

const route = createRoute({
  method: 'get',
  path: '/v1/events/stream',
  operationId: 'streamEvents',
  summary: "The merchant's events as they happen (server-sent events)",
  description:
    'Each message is `id: <cursor>`, `event: <event type>`, `data: <the Event object, as GET /v1/events/{id} answers it, without its deliveries>`. ' +
    'The cursor is the event id, then `/` and where the stream was in the database\'s commit history: send the last one back as `Last-Event-ID` to resume exactly where it was. ' +
    'Events committed by every router instance arrive. A `: ping` comment comes every 15 seconds; the stream ends after at most an hour (5 minutes on the Cloudflare Worker, where each open stream holds a database connection), ' +
    `or after a replay of ${MAX_REPLAY} events when more are waiting: reconnect with the last id as \`Last-Event-ID\`.`,
  security,
  parameters: [
    {
      name: 'Last-Event-ID',
      in: 'header' as const,
      required: false,
      schema: { type: 'string' as const, pattern: LAST_EVENT_ID_PATTERN, maxLength: MAX_LAST_EVENT_ID },
      description:
        `Replays first, oldest first (at most ${MAX_REPLAY}), the merchant's events the stream had not sent when it sent this cursor, ` +
        'events that were still being committed then included; a plain event id replays the events after it by id.',
    },
  ],
  responses: {
    200: { description: 'A stream of events.', content: { 'text/event-stream': { schema: z.string() } } },
    400: problem('`Last-Event-ID` is neither a cursor this stream sent nor an event id (`param: Last-Event-ID`).'),
  },
});

export function eventStreamRoutes(app: OpenAPIHono<AppEnv>, settings: EventStreamSettings): void {
  const heartbeatMs = settings.heartbeatMs ?? 15_000;
  const maxMs = settings.maxMs ?? 3_600_000;

  app.openapi(route, async (c) => {
    const merchantId = c.get('merchantId');
    const header = c.req.header('Last-Event-ID');
    const last = header === undefined ? undefined : parseLastEventId(header);
    if (last === null) {
      throw problems.invalidRequest('Last-Event-ID must be a cursor this stream sent, or an event id (evt_ followed by letters and digits).', 'Last-Event-ID', 'invalid_last_event_id');
    }
    // Listening starts before the replay is read, so nothing committed in between is missed.
    const queue: { event: EventRow; read: Read }[] = [];
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
      event(event, read) {
        queue.push({ event, read });
        if (queue.length > MAX_QUEUED) stop();
        rouse();
      },
      end: stop,
    });

    return streamSSE(c, async (stream) => {
      stream.onAbort(stop);
      // What the replay sent: the same events may be waiting in the queue too.
      const replayed = new Set<string>();
      /** The snapshot an exact replay read at: the client then has everything it saw committed. */
      let replayedTo: CommitSnapshot | null = null;
      const send = (event: EventRow, read: Read | null) =>
        stream.writeSSE({ id: read ? formatCursor(event.id, read) : event.id, event: event.type, data: JSON.stringify(eventEnvelope(event)) });
      /** Sends what the client had not got; false when more is waiting than one replay sends. */
      const replay = async (): Promise<boolean> => {
        if (last === undefined) return true;
        if (last.from === undefined) {
          const rows = await settings.events.after(merchantId, last.id, MAX_REPLAY + 1);
          for (const row of rows.slice(0, MAX_REPLAY)) {
            replayed.add(row.id);
            await send(row, null);
          }
          return rows.length <= MAX_REPLAY;
        }
        const found = await settings.events.replay(merchantId, last, MAX_REPLAY + 1);
        replayedTo = found.snapshot;
        // The rest of the client's read keeps its cursor; what that read had not seen was read at found.snapshot.
        const after = { from: last.to, to: found.snapshot };
        for (const { event, inTo } of found.events.slice(0, MAX_REPLAY)) {
          replayed.add(event.id);
          await send(event, inTo ? last : after);
        }
        return found.events.length <= MAX_REPLAY;
      };
      /**
       * The feed's read that overlaps the replay began before the replay's snapshot: the client has
       * everything that snapshot saw, so that read's events say so (the replay's events in it are not
       * sent again, and a later cursor must not ask for them).
       */
      let overlapping: Read | null = null;
      const cursorOf = (read: Read): Read => {
        if (replayedTo === null) return read;
        overlapping ??= read;
        return read === overlapping ? { from: replayedTo, to: read.to } : read;
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
            const { event, read } = queue.shift()!;
            if (!replayed.has(event.id)) await send(event, cursorOf(read));
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
