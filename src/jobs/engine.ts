import { safeErrorMessage } from '../domain/safe-error.js';
import { after, type Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';
import type { JobRow, JobStats } from '../store/jobs.js';
import type { Repositories } from '../store/index.js';

/** How a run ended. Returning nothing means done; a thrown error retries with exponential back-off. */
export type JobOutcome = { done: true } | { retryAt: Date; note?: string } | { giveUp: string };

export interface JobKind {
  run(job: JobRow): Promise<JobOutcome | void>;
  /** Runs (thrown errors) before the job is marked dead. Default 20. */
  maxAttempts?: number;
}

export interface JobEngineOptions {
  repositories: Repositories;
  clock: Clock;
  logger: Logger;
  kinds: Readonly<Record<string, JobKind>>;
  /** Between looks for due jobs when idle. Default 1 s. */
  pollMs?: number;
  /** How long a claim lasts before another worker may take the job over; renewed while it runs. Default 60 s. */
  leaseMs?: number;
  /** Jobs claimed at once, and run concurrently. Default 16. */
  batch?: number;
  /** Back-off after a thrown error: base × 2^(run − 1), at most max, ±20 % jitter. Default 1 s to 1 h. */
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
}

export interface JobEngine {
  /** Runs due jobs in the background until `stop`. */
  start(): void;
  /** Stops looking for jobs and waits for the runs under way. */
  stop(): Promise<void>;
  /** Runs every job due now (and those that fall due while it runs), then answers how many ran. */
  runDue(): Promise<number>;
  /** Looks for due jobs at once instead of at the next poll (after scheduling one for now). */
  wake(): void;
  stats(merchantId?: string): Promise<JobStats[]>;
}

/**
 * The worker side of the durable queue in `store/jobs.ts`: claims due jobs under a lease, runs
 * each kind's handler, and records how the run ended. Jobs run at least once, so handlers are
 * idempotent: they read the current state and act on that, never on what the job remembers.
 */
export function createJobEngine(options: JobEngineOptions): JobEngine {
  const { repositories, clock, logger, kinds } = options;
  const store = repositories.jobs;
  const pollMs = options.pollMs ?? 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  const batch = options.batch ?? 16;
  const backoff = options.backoff ?? { baseMs: 1000, maxMs: 3_600_000 };
  const random = options.random ?? Math.random;
  const token = `worker_${crypto.randomUUID()}`;
  const kindNames = Object.keys(kinds);

  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pass: Promise<number> | null = null;
  let again = false;

  async function runOne(job: JobRow): Promise<void> {
    const kind = kinds[job.kind];
    if (!kind) return;
    const heartbeat = setInterval(() => void store.extend(job.id, token, after(clock.now(), leaseMs)).catch(() => {}), Math.max(leaseMs / 3, 10));
    let outcome: JobOutcome | void = undefined;
    let failure: unknown = null;
    try {
      outcome = await kind.run(job);
    } catch (error) {
      failure = error;
    } finally {
      clearInterval(heartbeat);
    }
    const now = clock.now();
    if (failure !== null) {
      // A failed statement's message quotes its parameters: only what cannot carry request data is kept.
      const message = safeErrorMessage(failure);
      const maxAttempts = kind.maxAttempts ?? 20;
      if (job.attempts >= maxAttempts) {
        logger.error('job.dead', { job_id: job.id, kind: job.kind, key: job.key, attempts: job.attempts, error: message });
        await store.finish(job.id, token, { state: 'dead', error: message }, now);
        return;
      }
      const delay = Math.min(backoff.baseMs * 2 ** (job.attempts - 1), backoff.maxMs) * (0.8 + 0.4 * random());
      logger.warn('job.failed', { job_id: job.id, kind: job.kind, key: job.key, attempts: job.attempts, error: message, retry_in_ms: Math.round(delay) });
      await store.finish(job.id, token, { state: 'scheduled', runAt: after(now, delay), error: message }, now);
      return;
    }
    if (!outcome || 'done' in outcome) {
      await store.finish(job.id, token, { state: 'done' }, now);
    } else if ('retryAt' in outcome) {
      await store.finish(job.id, token, { state: 'scheduled', runAt: outcome.retryAt, error: outcome.note }, now);
    } else {
      logger.warn('job.given_up', { job_id: job.id, kind: job.kind, key: job.key, reason: outcome.giveUp });
      await store.finish(job.id, token, { state: 'dead', error: outcome.giveUp }, now);
    }
  }

  async function drain(): Promise<number> {
    let ran = 0;
    for (;;) {
      const now = clock.now();
      const claimed = await store.claim(now, after(now, leaseMs), token, batch, kindNames);
      if (claimed.length === 0) return ran;
      await Promise.all(
        claimed.map((job) =>
          runOne(job).catch((error) => logger.error('job.finish_failed', { job_id: job.id, kind: job.kind, error: error instanceof Error ? error.message : String(error) })),
        ),
      );
      ran += claimed.length;
    }
  }

  /** One pass at a time per engine; a wake during a pass makes it look once more. */
  function runDue(): Promise<number> {
    if (pass) {
      again = true;
      return pass;
    }
    pass = (async () => {
      let total = 0;
      do {
        again = false;
        total += await drain();
      } while (again);
      return total;
    })().finally(() => {
      pass = null;
    });
    return pass;
  }

  function loop(): void {
    if (!running) return;
    runDue()
      .catch((error) => logger.error('job.poll_failed', { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        if (running) timer = setTimeout(loop, pollMs);
      });
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await pass?.catch(() => {});
    },
    runDue,
    wake() {
      if (!running) return;
      if (pass) {
        again = true;
        return;
      }
      clearTimeout(timer);
      loop();
    },
    stats: (merchantId) => store.stats(merchantId),
  };
}
