import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { decline } from '../../src/domain/decline.js';
import type { AuthorizationOutcome } from '../../src/domain/outcome.js';
import { ObservedBins } from '../../src/routing/bins/observed.js';
import { merchantLearners, type MerchantLearners } from '../../src/routing/merchant-learners.js';
import { tx } from '../../src/routing/rules/test-helpers.js';
import { persistLearner } from '../../src/runtime/node/learner-persistence.js';
import { syncLearning } from '../../src/runtime/node/learning-sync.js';
import { persistObservedBins } from '../../src/runtime/node/observed-bins-persistence.js';
import { createRepositories, type Repositories } from '../../src/store/index.js';
import { learnerOutcomes } from '../../src/store/schema.js';
import { manualClock } from '../support/clock.js';
import { captureLogger } from '../support/capture-logger.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../support/databases.js';

const APPROVED: AuthorizationOutcome = { kind: 'approved', reference: 'r', captured: true };
const DECLINED: AuthorizationOutcome = { kind: 'declined', reference: 'r', decline: decline('insufficient_funds', '51') };
const NEVER = 3_600_000;

describe.each(DRIVERS)('a restarted instance catches up on learner outcomes, on %s', (driver) => {
  let database: TestDatabase;
  let repos: Repositories;
  let merchantId: string;
  let stripe: string;
  let adyen: string;

  beforeAll(async () => {
    database = await testDatabase(driver);
    repos = createRepositories(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.truncate();
    merchantId = await repos.merchants.create('shop');
    const account = async (name: string) => (await repos.merchants.addGatewayAccount({ merchantId, provider: 'stripe', name, label: name, credentialsRef: 'sandbox:stripe' })).id;
    stripe = await account('stripe');
    adyen = await account('adyen');
  });

  /** One instance's learning: its learners restored (and caught up) from the database; nothing is sent or saved but on demand. */
  async function instance(id: string) {
    const learners = merchantLearners();
    const { logger, lines } = captureLogger();
    const sync = await syncLearning({ instanceId: id, db: database.db, repositories: repos, subscribe: database.subscribe, learners, logger, batchMs: NEVER });
    const persisted = await persistLearner(repos, learners, NEVER, logger, sync);
    return { learners, sync, persisted, lines, stop: () => sync.stop() };
  }

  function teach(learners: MerchantLearners, rounds: number, outcome: (i: number) => AuthorizationOutcome) {
    for (let i = 0; i < rounds; i++) {
      learners.of(merchantId).record(stripe, tx({ amount: 1000 + i }), outcome(i));
      learners.of(merchantId).record(adyen, tx({ card: { network: 'mastercard', type: 'debit', issuerCountry: 'DE' } }), outcome(i + 1));
    }
  }

  it('replays the outcomes recorded after the state it restores, so it learns what the lost instance had learned', async () => {
    const first = await instance('first');
    teach(first.learners, 20, () => APPROVED);
    await first.persisted.save();
    // After the save: written to the log, then the instance dies before its next save.
    teach(first.learners, 15, (i) => (i % 2 ? APPROVED : DECLINED));
    await first.sync.flush();
    await first.stop();

    const second = await instance('second');
    expect(second.learners.snapshots()).toEqual(first.learners.snapshots());
    expect(second.lines.filter((line) => line.includes('"event":"learner.caught_up"'))).toEqual([expect.stringContaining('"outcomes":30')]);
    await second.stop();

    // Without the log, the saved state alone is behind.
    const stale = merchantLearners();
    await persistLearner(repos, stale, NEVER, captureLogger().logger);
    expect(stale.snapshots()).not.toEqual(first.learners.snapshots());
  });

  it('purges the outcomes every saved state holds and keeps those after it', async () => {
    const first = await instance('first');
    teach(first.learners, 10, () => APPROVED);
    await first.sync.flush();
    expect(await database.db.$count(learnerOutcomes)).toBe(20);
    await first.persisted.save();
    expect(await database.db.$count(learnerOutcomes)).toBe(0);
    teach(first.learners, 3, () => DECLINED);
    await first.sync.flush();
    const [saved] = await repos.learner.loadAll();
    const kept = await repos.learner.since(0, 100);
    expect(kept).toHaveLength(6);
    expect(kept.every((row) => row.seq > saved!.outcomeSeq)).toBe(true);
    await first.stop();
  });

  it('skips what it cannot read in the log and restores the rest', async () => {
    const first = await instance('first');
    teach(first.learners, 5, () => APPROVED);
    await first.sync.flush();
    await first.stop();
    await repos.learner.append([
      { merchantId, outcome: { m: merchantId, a: stripe, t: { amount: -1 }, o: { kind: 'approved' } } },
      { merchantId, outcome: 'not an outcome' },
    ]);
    const second = await instance('second');
    expect(second.learners.snapshots()).toEqual(first.learners.snapshots());
    expect(second.lines.filter((line) => line.includes('"event":"learning.outcomes_malformed"'))).toEqual([expect.stringContaining('"count":2')]);
    await second.stop();
  });

  it('applies an outcome it both replayed and heard once', async () => {
    const first = await instance('first');
    const learners = merchantLearners();
    const { logger } = captureLogger();
    // Listening already while the first instance writes: the same outcomes come by notification and in the replay.
    const sync = await syncLearning({ instanceId: 'second', db: database.db, repositories: repos, subscribe: database.subscribe, learners, logger, batchMs: NEVER });
    teach(first.learners, 10, () => DECLINED);
    await first.sync.flush();
    await persistLearner(repos, learners, NEVER, logger, sync);
    // One more outcome after the catch-up: notifications arrive in order, so once it is in, so are the earlier ones.
    teach(first.learners, 1, () => APPROVED);
    await first.sync.flush();
    await vi.waitFor(() => expect(learners.snapshots()).toEqual(first.learners.snapshots()), { timeout: 10_000, interval: 20 });
    await sync.stop();
    await first.stop();
  });

  it('sends the card facts one instance saves to the others, which take them without saving them again', async () => {
    const clock = manualClock();
    const start = (instanceId: string, observed: ObservedBins) =>
      persistObservedBins(repos, observed, { intervalMs: NEVER, clock, logger: captureLogger().logger, share: { instanceId, subscribe: database.subscribe } });
    const here = new ObservedBins();
    const there = new ObservedBins();
    const a = await start('a', here);
    const b = await start('b', there);
    here.observe(merchantId, '555555', { type: 'debit', issuerCountry: 'DE' });
    await a.save();
    await vi.waitFor(() => expect(there.get(merchantId, '555555')).toEqual({ type: 'debit', issuerCountry: 'DE' }), { timeout: 10_000, interval: 20 });
    expect(there.takeChanged()).toEqual([]);
    expect(await repos.observedBins.loadAll()).toEqual([{ merchantId, bin: '555555', type: 'debit', issuerCountry: 'DE' }]);
    await a.stop();
    await b.stop();
  });
});
