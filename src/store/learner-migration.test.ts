import { sql } from 'drizzle-orm';
import { newId } from '../domain/ids.js';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS, POSTGRES_ADMIN_URL } from '../../test/support/databases.js';
import { captureLogger } from '../../test/support/capture-logger.js';
import { SuccessRateLearner } from '../routing/learner/learner.js';
import { parseSnapshot } from '../routing/learner/snapshot.js';
import type { Segment } from '../routing/learner/segment.js';
import { merchantLearners } from '../routing/merchant-learners.js';
import { migrationsFolder } from '../runtime/node/database.js';
import { persistLearner } from '../runtime/node/learner-persistence.js';
import type { Database } from './database.js';
import { createRepositories } from './index.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

const SEGMENT: Segment = { paymentMethod: 'card', network: 'visa', currency: 'USD', issuerCountry: null, amountBand: 'under_100' };
const OTHER: Segment = { ...SEGMENT, network: 'mastercard', currency: 'EUR' };

/** A database migrated up to just before a migration, then the rest; closes itself. */
interface Staged {
  db: Database;
  migrateRest(): Promise<void>;
  close(): Promise<void>;
}

async function migratedBefore(driver: (typeof DRIVERS)[number], tag: string): Promise<Staged> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-migrations-'));
  await cp(migrationsFolder, dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const index = journal.entries.findIndex((entry) => entry.tag.endsWith(tag));
  journal.entries = journal.entries.slice(0, index);
  await writeFile(journalFile, JSON.stringify(journal));
  if (driver === 'pglite') {
    const store = openPglite();
    await migratePglite(store.drizzle, { migrationsFolder: dir });
    return {
      db: store.db,
      migrateRest: () => migratePglite(store.drizzle, { migrationsFolder }),
      close: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `switchyard_migration_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const store = openPostgres(url.toString());
  await migratePostgres(store.drizzle, { migrationsFolder: dir });
  return {
    db: store.db,
    migrateRest: () => migratePostgres(store.drizzle, { migrationsFolder }),
    close: async () => {
      await store.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe.each(DRIVERS)('the learner_per_merchant migration, on %s', (driver) => {
  let staged: Staged;
  beforeAll(async () => {
    staged = await migratedBefore(driver, '_learner_per_merchant');
  });
  afterAll(() => staged.close());

  it("splits the one shared row into each merchant's own, keeping what each learned about its own accounts", async () => {
    const repos = createRepositories(staged.db);
    // Rows written as that schema had them: later migrations add columns today's repositories write.
    const merchant = async (name: string) => {
      const id = newId('mer');
      await staged.db.execute(sql`INSERT INTO merchants (id, name) VALUES (${id}, ${name})`);
      return id;
    };
    const a = await merchant('a');
    const b = await merchant('b');
    const account = async (merchantId: string, name: string) => {
      const id = newId('gwa');
      await staged.db.execute(sql`INSERT INTO gateway_accounts (id, merchant_id, provider, name, label, credentials_ref) VALUES (${id}, ${merchantId}, 'stripe', ${name}, ${name}, 'sandbox:stripe')`);
      return id;
    };
    const bStripe = await account(b, 'stripe');
    const aStripe = await account(a, 'stripe');
    const aBackup = await account(a, 'backup');

    // The shared learner as it was: B's account interned first, and a cell keyed by name from before account ids.
    const shared = new SuccessRateLearner();
    for (let i = 0; i < 30; i++) {
      shared.update(bStripe, SEGMENT, 'failure');
      shared.update('stripe', SEGMENT, 'success');
      shared.update(aStripe, SEGMENT, i % 4 === 0 ? 'failure' : 'success');
      shared.update(aBackup, OTHER, i % 2 === 0 ? 'failure' : 'success');
    }
    // Rows of that time named no levels (their second level was the network in a currency): the
    // merchants' learners must read the row as the shared learner would have restored it.
    const { levels: _levels, ...row } = shared.snapshot();
    const sharedAsStored = new SuccessRateLearner();
    sharedAsStored.restore(parseSnapshot(row));
    await staged.db.execute(sql`INSERT INTO learner_state (id, snapshot) VALUES ('router', ${JSON.stringify(row)}::jsonb)`);

    await staged.migrateRest();

    const rows = await repos.learner.loadAll();
    expect(rows.map((row) => row.merchantId).sort()).toEqual([a, b].sort());
    const rowOf = (merchantId: string) => JSON.stringify(rows.find((row) => row.merchantId === merchantId)!.snapshot);
    expect(rowOf(a)).not.toContain(bStripe);
    expect(rowOf(b)).not.toContain(aStripe);
    expect(rowOf(b)).not.toContain(aBackup);
    for (const merchantId of [a, b]) expect(rowOf(merchantId)).not.toContain('"stripe"');

    const { logger, lines } = captureLogger();
    const learners = merchantLearners();
    await persistLearner(repos, learners, 3_600_000, logger);
    expect(lines).toEqual([]);
    for (const [merchantId, accountId, segment] of [
      [a, aStripe, SEGMENT],
      [a, aBackup, OTHER],
      [b, bStripe, SEGMENT],
    ] as const) {
      expect(learners.of(merchantId).estimate(accountId, segment === SEGMENT ? tx('USD', 'visa') : tx('EUR', 'mastercard'))).toEqual(sharedAsStored.estimate(accountId, segment));
      expect(learners.of(merchantId).overall(accountId)).toEqual(sharedAsStored.overall(accountId));
    }
    expect(learners.of(a).overall(bStripe)).toEqual({ p: 0.5, n: 0, level: 'prior' });
    await expect(staged.db.execute(sql`SELECT 1 FROM learner_state`)).rejects.toThrow();
  });
});

function tx(currency: string, network: 'visa' | 'mastercard') {
  return {
    paymentId: 'pay_1',
    amount: 2500,
    currency,
    paymentMethod: 'card' as const,
    card: { network, type: null, bin: '424242', issuerCountry: null },
    billingCountry: null,
    captureMethod: 'automatic' as const,
    initiator: 'customer' as const,
    metadata: {},
  };
}
