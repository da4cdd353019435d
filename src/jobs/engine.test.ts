import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { after } from '../domain/clock.js';
import { createRepositories, type Repositories } from '../store/index.js';
import type { JobRow } from '../store/jobs.js';
import { captureLogger } from '../../test/support/capture-logger.js';
import { manualClock, type ManualClock } from '../../test/support/clock.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../../test/support/databases.js';
import { createJobEngine, type JobKind } from './engine.js';

describe.each(DRIVERS)('the job engine on %s', (driver) => {
  let database: TestDatabase;
  let repositories: Repositories;
  let clock: ManualClock;

  beforeAll(async () => {
    database = await testDatabase(driver);
    repositories = createRepositories(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.truncate();
    clock = manualClock();
  });

  function engine(kinds: Record<string, JobKind>, extra: { leaseMs?: number; random?: () => number } = {}) {
    return createJobEngine({ repositories, clock, logger: captureLogger().logger, kinds, backoff: { baseMs: 1000, maxMs: 60_000 }, random: () => 0.5, ...extra });
  }
  const schedule = (key: string, inMs: number, kind = 'work') =>
    repositories.jobs.schedule({ kind, key, payload: { key }, runAt: after(clock.now(), inMs) }, clock.now());

  it('runs a job only once it is due, then marks it done', async () => {
    const ran: string[] = [];
    const jobs = engine({ work: { run: async (job) => void ran.push(job.key) } });
    await schedule('a', 30_000);
    expect(await jobs.runDue()).toBe(0);
    clock.advance(29_999);
    expect(await jobs.runDue()).toBe(0);
    clock.advance(1);
    expect(await jobs.runDue()).toBe(1);
    expect(ran).toEqual(['a']);
    expect(await repositories.jobs.get('a')).toMatchObject({ state: 'done', attempts: 1, lastError: null });
    expect(await jobs.runDue()).toBe(0);
  });

  it('keeps one row per key, at the earlier of two times', async () => {
    await schedule('a', 60_000);
    await schedule('a', 10_000);
    await schedule('a', 90_000);
    const row = await repositories.jobs.get('a');
    expect(row!.runAt).toEqual(after(clock.now(), 10_000));
    expect((await repositories.jobs.stats()).reduce((n, s) => n + s.count, 0)).toBe(1);
  });

  it('starts a finished job over when its key is scheduled again', async () => {
    const jobs = engine({ work: { run: async () => {} } });
    await schedule('a', 0);
    await jobs.runDue();
    await schedule('a', 5_000);
    expect(await repositories.jobs.get('a')).toMatchObject({ state: 'scheduled', attempts: 0, runAt: after(clock.now(), 5_000) });
  });

  it('retries a thrown error with exponential back-off, then gives up and says why', async () => {
    const jobs = engine({ work: { maxAttempts: 3, run: async () => { throw new Error('database said no'); } } });
    await schedule('a', 0);
    await jobs.runDue();
    let row = await repositories.jobs.get('a');
    expect(row).toMatchObject({ state: 'scheduled', attempts: 1, lastError: 'Error: database said no' });
    expect(row!.runAt.getTime() - clock.now().getTime()).toBe(1000);
    clock.advance(1000);
    await jobs.runDue();
    row = await repositories.jobs.get('a');
    expect(row!.runAt.getTime() - clock.now().getTime()).toBe(2000);
    clock.advance(2000);
    await jobs.runDue();
    expect(await repositories.jobs.get('a')).toMatchObject({ state: 'dead', attempts: 3, lastError: 'Error: database said no' });
  });

  it('keeps a failed statement\'s error without its parameters, in the job row and the log', async () => {
    const { logger, lines } = captureLogger();
    const merchantId = await repositories.merchants.create('Ada Lovelace <ada@example.com>');
    const jobs = createJobEngine({
      repositories,
      clock,
      logger,
      backoff: { baseMs: 1000, maxMs: 60_000 },
      random: () => 0.5,
      kinds: {
        // The same id again: the unique violation's message and detail quote the row's values.
        work: { run: async () => void (await database.db.execute(sql`INSERT INTO merchants (id, name) VALUES (${merchantId}, ${'Ada Lovelace <ada@example.com>'})`)) },
      },
    });
    await schedule('a', 0);
    await jobs.runDue();
    const row = await repositories.jobs.get('a');
    expect(row).toMatchObject({ state: 'scheduled', attempts: 1 });
    expect(row!.lastError).toMatch(/^DrizzleQueryError: Failed query \[INSERT INTO merchants \(id, name\) VALUES \(\$1, \$2\)\] ← .*23505/);
    for (const text of [row!.lastError!, lines.join('\n')]) {
      expect(text).not.toContain('Ada Lovelace');
      expect(text).not.toContain('ada@example.com');
      expect(text).not.toContain(merchantId);
    }
  });

  it('runs again when the handler asks for a later time, and gives up when it says so', async () => {
    const jobs = engine({
      later: { run: async () => ({ retryAt: after(clock.now(), 120_000), note: 'still unknown' }) },
      hopeless: { run: async () => ({ giveUp: 'no gateway answer' }) },
    });
    await schedule('a', 0, 'later');
    await schedule('b', 0, 'hopeless');
    await jobs.runDue();
    expect(await repositories.jobs.get('a')).toMatchObject({ state: 'scheduled', runAt: after(clock.now(), 120_000), lastError: 'still unknown' });
    expect(await repositories.jobs.get('b')).toMatchObject({ state: 'dead', lastError: 'no gateway answer' });
  });

  it('takes over a job whose worker died once its lease has run out', async () => {
    await schedule('a', 0);
    // A worker claims it and dies before finishing.
    const [claimed] = await repositories.jobs.claim(clock.now(), after(clock.now(), 60_000), 'dead-worker', 10, ['work']);
    expect(claimed!.key).toBe('a');
    const ran: string[] = [];
    const jobs = engine({ work: { run: async (job) => void ran.push(`${job.key}#${job.attempts}`) } });
    expect(await jobs.runDue()).toBe(0);
    clock.advance(60_001);
    expect(await jobs.runDue()).toBe(1);
    expect(ran).toEqual(['a#2']);
    // The dead worker's late finish is refused: the claim is no longer its own.
    expect(await repositories.jobs.finish(claimed!.id, 'dead-worker', { state: 'done' }, clock.now())).toBe(false);
  });

  it('runs once more when its key is scheduled again while it runs', async () => {
    let runs = 0;
    const jobs = engine({
      work: {
        run: async () => {
          runs++;
          if (runs === 1) await schedule('a', 0);
        },
      },
    });
    await schedule('a', 0);
    await jobs.runDue();
    expect(runs).toBe(2);
    expect(await repositories.jobs.get('a')).toMatchObject({ state: 'done' });
  });

  it('counts jobs per kind and state, with the oldest due time', async () => {
    await schedule('a', -5_000);
    await schedule('b', 10_000);
    await schedule('c', 0, 'other');
    const stats = await repositories.jobs.stats();
    expect(stats).toEqual([
      { kind: 'other', state: 'scheduled', count: 1, oldestRunAt: clock.now() },
      { kind: 'work', state: 'scheduled', count: 2, oldestRunAt: after(clock.now(), -5_000) },
    ]);
  });

  it('finishes the scheduled run of work someone else finished', async () => {
    await schedule('a', 30_000);
    await repositories.jobs.cancel('a', clock.now());
    clock.advance(30_000);
    expect(await engine({ work: { run: async () => {} } }).runDue()).toBe(0);
  });

  it('runs in the background and wakes at once when asked', async () => {
    const ran: string[] = [];
    const jobs = createJobEngine({ repositories, clock, logger: captureLogger().logger, pollMs: 3_600_000, kinds: { work: { run: async (job) => void ran.push(job.key) } } });
    jobs.start();
    await schedule('a', 0);
    jobs.wake();
    await expect.poll(() => ran, { timeout: 10_000 }).toEqual(['a']);
    await jobs.stop();
  });

  it('never gives one job to two workers at once', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `job-${i}`);
    for (const key of keys) await schedule(key, 0);
    const runs = new Map<string, number>();
    const work: JobKind = {
      run: async (job: JobRow) => {
        runs.set(job.key, (runs.get(job.key) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 2));
      },
    };
    const workers = [engine({ work }), engine({ work }), engine({ work })];
    const ran = await Promise.all(workers.map((w) => w.runDue()));
    expect(ran.reduce((a, b) => a + b, 0)).toBe(keys.length);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(runs.size).toBe(keys.length);
  });
});
