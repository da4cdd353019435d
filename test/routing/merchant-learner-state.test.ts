import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decline } from '../../src/domain/decline.js';
import type { AuthorizationOutcome } from '../../src/domain/outcome.js';
import { merchantLearners, type MerchantLearners } from '../../src/routing/merchant-learners.js';
import { persistLearner } from '../../src/runtime/node/learner-persistence.js';
import { createRepositories, type Repositories } from '../../src/store/index.js';
import { captureLogger } from '../support/capture-logger.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../support/databases.js';
import { tx } from '../../src/routing/rules/test-helpers.js';

const TX = tx();
const APPROVED: AuthorizationOutcome = { kind: 'approved', reference: 'r', captured: false };
const DECLINED: AuthorizationOutcome = { kind: 'declined', reference: 'r', decline: decline('generic_decline', 'x') };
const PRIOR = { p: 0.5, n: 0, level: 'prior' };

/** Saving and restoring the learner state of two merchants that each have an account named `stripe`. */
describe.each(DRIVERS)('learner state per merchant, on %s', (driver) => {
  let database: TestDatabase;
  let repos: Repositories;
  let a: string;
  let b: string;
  let aStripe: string;
  let aBackup: string;
  let bStripe: string;

  beforeAll(async () => {
    database = await testDatabase(driver);
    repos = createRepositories(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.truncate();
    a = await repos.merchants.create('a');
    b = await repos.merchants.create('b');
    const account = async (merchantId: string, name: string) =>
      (await repos.merchants.addGatewayAccount({ merchantId, provider: 'stripe', name, label: name, credentialsRef: 'sandbox:stripe' })).id;
    aStripe = await account(a, 'stripe');
    aBackup = await account(a, 'backup');
    bStripe = await account(b, 'stripe');
  });

  /** A process's learners, restored from the database and saved back on `stop` (the timer never fires here). */
  async function start() {
    const { logger, lines } = captureLogger();
    const learners = merchantLearners();
    const persisted = await persistLearner(repos, learners, 3_600_000, logger);
    return { learners, stop: () => persisted.stop(), lines };
  }

  function teach(learners: MerchantLearners) {
    for (let i = 0; i < 25; i++) {
      learners.of(a).record(aStripe, TX, APPROVED);
      learners.of(a).record(aBackup, TX, i % 3 === 0 ? APPROVED : DECLINED);
    }
    for (let i = 0; i < 40; i++) learners.of(b).record(bStripe, TX, DECLINED);
  }

  const rowOf = async (merchantId: string) => JSON.stringify((await repos.learner.loadAll()).find((row) => row.merchantId === merchantId)?.snapshot);

  it("gives each merchant back only its own cells after a restart, from a row that holds only its own accounts", async () => {
    const first = await start();
    teach(first.learners);
    await first.stop();

    expect((await repos.learner.loadAll()).map((row) => row.merchantId).sort()).toEqual([a, b].sort());
    const rowOfA = await rowOf(a);
    expect(rowOfA).toContain(aStripe);
    expect(rowOfA).toContain(aBackup);
    expect(rowOfA).not.toContain(bStripe);
    const rowOfB = await rowOf(b);
    expect(rowOfB).toContain(bStripe);
    expect(rowOfB).not.toContain(aStripe);
    expect(rowOfB).not.toContain(aBackup);

    const second = await start();
    for (const [merchantId, accountId] of [
      [a, aStripe],
      [a, aBackup],
      [b, bStripe],
    ] as const) {
      expect(second.learners.of(merchantId).estimate(accountId, TX)).toEqual(first.learners.of(merchantId).estimate(accountId, TX));
      expect(second.learners.of(merchantId).overall(accountId)).toEqual(first.learners.of(merchantId).overall(accountId));
    }
    expect(second.learners.of(b).estimate(bStripe, TX).n).toBeGreaterThan(20);
    expect(second.learners.of(a).overall(bStripe)).toEqual(PRIOR);
    expect(second.learners.of(b).overall(aStripe)).toEqual(PRIOR);
    expect(second.lines).toEqual([]);
  });

  it('gives each merchant back the rescue rate it measured (κ) after a restart', async () => {
    const first = await start();
    teach(first.learners);
    // Merchant a's soft declines at stripe are approved by its backup: failover rescues them.
    const soft: AuthorizationOutcome = { kind: 'declined', reference: 'r', decline: decline('do_not_honor', '05') };
    for (let k = 0; k < 200; k++) {
      const payment = tx({ paymentId: `pay_${k}` });
      first.learners.of(a).record(aStripe, payment, soft);
      first.learners.of(a).record(aBackup, payment, APPROVED);
    }
    const kappa = first.learners.of(a).rescue();
    expect(kappa).toBeGreaterThan(0.5);
    await first.stop();

    const second = await start();
    expect(second.learners.of(a).rescue()).toBe(kappa);
    expect(second.learners.of(b).rescue()).toBe(first.learners.of(b).rescue());
    expect(second.lines).toEqual([]);
  });

  it("keeps another merchant's account out of a row even when an outcome was recorded under the wrong merchant", async () => {
    const first = await start();
    teach(first.learners);
    first.learners.of(a).record(bStripe, TX, APPROVED);
    await first.stop();
    expect(await rowOf(a)).not.toContain(bStripe);
    const second = await start();
    expect(second.learners.of(a).overall(bStripe)).toEqual(PRIOR);
    expect(second.learners.of(a).estimate(aStripe, TX)).toEqual(first.learners.of(a).estimate(aStripe, TX));
  });

  it.each([
    ['not an object', 'garbage'],
    ['an unknown version', { version: 99, values: {}, cells: [], peers: [] }],
    ['cells that are not numbers', { version: 1, values: { gateway: [], method: [], network: [], currency: [], country: [] }, cells: ['4242424242424242', 1, 1, 1], peers: [] }],
    ['a cell naming no gateway', { version: 1, values: { gateway: [], method: [], network: [], currency: [], country: [] }, cells: [7, 1, 1, 1], peers: [] }],
  ])('restores the other merchants when one row is %s, and warns without the row', async (_case, bad) => {
    const first = await start();
    teach(first.learners);
    await first.stop();
    await repos.learner.save(b, bad, 0, new Date('2026-06-01T00:00:00Z'));

    const second = await start();
    expect(second.learners.of(a).estimate(aStripe, TX)).toEqual(first.learners.of(a).estimate(aStripe, TX));
    expect(second.learners.of(b).overall(bStripe)).toEqual(PRIOR);
    expect(second.lines).toHaveLength(1);
    expect(JSON.parse(second.lines[0]!)).toMatchObject({ level: 'warn', event: 'learner.restore_failed', merchant_id: b });
    expect(second.lines[0]).not.toContain('4242424242424242');
    expect(second.lines[0]).not.toContain('garbage');
    // Once the merchant learns again, the next save replaces the bad row.
    second.learners.of(b).record(bStripe, TX, DECLINED);
    await second.stop();
    expect(await rowOf(b)).not.toContain('garbage');
    expect((await start()).learners.of(b).overall(bStripe).n).toBe(1);
  });

  it('drops the cells of a deleted account and keeps those of a disabled one', async () => {
    const first = await start();
    teach(first.learners);
    await first.stop();
    await database.db.execute(sql`UPDATE gateway_accounts SET disabled_at = now() WHERE id = ${aStripe}`);
    await database.db.execute(sql`DELETE FROM gateway_accounts WHERE id = ${aBackup}`);

    const second = await start();
    expect(second.lines).toEqual([]);
    expect(second.learners.of(a).estimate(aStripe, TX)).toEqual(first.learners.of(a).estimate(aStripe, TX));
    expect(second.learners.of(a).overall(aBackup)).toEqual(PRIOR);
    await second.stop();
    expect(await rowOf(a)).not.toContain(aBackup);
  });
});
