import type { Monitoring } from '../../api/monitoring.js';
import type { Clock, TimerClock } from '../../domain/clock.js';
import { systemClock } from '../../domain/clock.js';
import type { Logger } from '../../domain/logger.js';
import type { Router } from '../../orchestrator/router.js';
import type { Subscribe } from '../../store/database.js';
import { eventFeed } from '../../store/event-feed.js';
import type { Repositories } from '../../store/index.js';
import { createMetrics, type Metrics } from './metrics.js';
import { tracingMiddleware, type Tracing } from './telemetry.js';

export interface StreamTiming {
  timers?: TimerClock;
  heartbeatMs?: number;
  maxMs?: number;
}

/** What the API gets to watch itself: metrics, the trace of each request, and the live event stream. */
export async function startMonitoring(deps: {
  metrics: Metrics;
  router: Router;
  tracing: Tracing | null;
  subscribe: Subscribe;
  repositories: Repositories;
  logger: Logger;
  clock: Clock;
  stream?: StreamTiming;
}): Promise<{ monitoring: Monitoring; stop(): Promise<void> }> {
  const unfollow = deps.metrics.follow(deps.router);
  const feed = await eventFeed({
    subscribe: deps.subscribe,
    events: deps.repositories.events,
    onError: (error) => deps.logger.warn('events.stream_read_failed', { error: error instanceof Error ? error.message : String(error) }),
  });
  const monitoring: Monitoring = {
    middleware: [...(deps.tracing ? [tracingMiddleware(deps.tracing.tracer)] : []), ...deps.metrics.middleware],
    metrics: deps.metrics,
    eventStream: {
      feed,
      after: (merchantId, id, limit) => deps.repositories.events.after(merchantId, id, limit),
      timers: deps.stream?.timers ?? systemClock,
      heartbeatMs: deps.stream?.heartbeatMs,
      maxMs: deps.stream?.maxMs,
    },
    paymentCreated: (created) => deps.metrics.paymentCreated(created),
  };
  return {
    monitoring,
    async stop() {
      unfollow();
      await feed.stop();
    },
  };
}

/** Monitoring without traces, its metrics counted here: for an app built outside startServer (the test harness, the OpenAPI script). */
export function untracedMonitoring(deps: { router: Router; subscribe: Subscribe; repositories: Repositories; logger: Logger; clock: Clock }) {
  const metrics = createMetrics({ jobStats: () => deps.repositories.jobs.stats(), clock: deps.clock });
  return startMonitoring({ ...deps, metrics, tracing: null });
}
