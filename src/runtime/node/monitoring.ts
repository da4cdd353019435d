import type { Monitoring } from '../../api/monitoring.js';
import type { EventStreamSettings } from '../../api/routes/events-stream.js';
import type { Clock, TimerClock } from '../../domain/clock.js';
import { systemClock } from '../../domain/clock.js';
import type { Logger } from '../../domain/logger.js';
import type { Router } from '../../orchestrator/router.js';
import type { Database, Subscribe } from '../../store/database.js';
import { eventFeed } from '../../store/event-feed.js';
import type { Repositories } from '../../store/index.js';
import { hintEvents } from './event-hints.js';
import { createMetrics, type Metrics } from './metrics.js';
import { tracingMiddleware, type Tracing } from './telemetry.js';

export interface StreamTiming {
  timers?: TimerClock;
  heartbeatMs?: number;
  maxMs?: number;
  /** Between the live stream's reads of the events table whatever the hints say (default 1 s). */
  catchUpMs?: number;
}

/** Between an instance's hints to the others that it committed merchant events. */
export const EVENT_HINT_BATCH_MS = 5;

/**
 * What the API gets to watch itself: metrics, the trace of each request, and the live event
 * stream. `eventsCommitted` is the store hook (StoreHooks) that tells every instance's stream of
 * the events this one commits.
 */
export async function startMonitoring(deps: {
  metrics: Metrics;
  router: Router;
  tracing: Tracing | null;
  instanceId: string;
  db: Database;
  subscribe: Subscribe;
  repositories: Repositories;
  logger: Logger;
  clock: Clock;
  stream?: StreamTiming;
}): Promise<{ monitoring: Monitoring; eventStream: EventStreamSettings; eventsCommitted(merchantIds: readonly string[]): void; stop(): Promise<void> }> {
  const unfollow = deps.metrics.follow(deps.router);
  const timers = deps.stream?.timers ?? systemClock;
  const feed = await eventFeed({
    events: deps.repositories.events,
    timers,
    catchUpMs: deps.stream?.catchUpMs ?? 1_000,
    onError: (error) => deps.logger.warn('events.stream_read_failed', { error: error instanceof Error ? error.message : String(error) }),
  });
  const hints = await hintEvents({ instanceId: deps.instanceId, db: deps.db, subscribe: deps.subscribe, logger: deps.logger, batchMs: EVENT_HINT_BATCH_MS, feed });
  const monitoring: Monitoring = {
    middleware: [...(deps.tracing ? [tracingMiddleware(deps.tracing.tracer)] : []), ...deps.metrics.middleware],
    metrics: deps.metrics,
    paymentCreated: (created) => deps.metrics.paymentCreated(created),
  };
  const eventStream: EventStreamSettings = {
    feed,
    events: deps.repositories.events,
    timers,
    heartbeatMs: deps.stream?.heartbeatMs,
    maxMs: deps.stream?.maxMs,
  };
  return {
    monitoring,
    eventStream,
    eventsCommitted: (merchantIds) => hints.committed(merchantIds),
    async stop() {
      unfollow();
      await hints.stop();
      await feed.stop();
    },
  };
}

/** Monitoring without traces, its metrics counted here: for an app built outside startServer (the test harness, the OpenAPI script). */
export function untracedMonitoring(deps: { router: Router; db: Database; subscribe: Subscribe; repositories: Repositories; logger: Logger; clock: Clock }) {
  const metrics = createMetrics({ jobStats: () => deps.repositories.jobs.stats(), clock: deps.clock });
  return startMonitoring({ ...deps, metrics, tracing: null, instanceId: crypto.randomUUID() });
}
