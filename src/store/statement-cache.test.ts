import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { DRIVERS, testDatabase, type TestDatabase } from '../../test/support/databases.js';
import { placeholdersOf, runShaped, statementCache } from './statement-cache.js';
import { createRepositories } from './index.js';
import { idempotencyKeys } from './schema.js';

describe.each(DRIVERS)('statements built once per shape, on %s', (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await testDatabase(driver);
  });
  afterAll(() => database.close());
  let merchantId: string;
  beforeEach(async () => {
    await database.truncate();
    merchantId = await createRepositories(database.db).merchants.create('statement cache');
  });

  const insertKey = (cache: ReturnType<typeof statementCache>, row: { key: string; lockedUntil: Date | null; responseStatus?: number }) =>
    runShaped(
      database.db,
      cache.get(`insert|${row.responseStatus === undefined ? '' : 'status'}`, () =>
        database.db
          .insert(idempotencyKeys)
          .values({ merchantId: sql.placeholder('m.id') as unknown as string, requestHash: 'h', state: 'in_progress', createdAt: new Date(0), expiresAt: new Date(86_400_000), ...placeholdersOf('k', row) })
          .returning({ key: idempotencyKeys.key, lockedUntil: idempotencyKeys.lockedUntil })
          .getSQL(),
      ),
      { k: row, m: { id: merchantId } },
    );

  it('writes each call its own values, through the columns\' encoders, null included', async () => {
    const cache = statementCache();
    await insertKey(cache, { key: 'a', lockedUntil: new Date('2026-01-02T03:04:05.000Z') });
    await insertKey(cache, { key: 'b', lockedUntil: null });
    await insertKey(cache, { key: 'c', lockedUntil: new Date('2026-05-06T07:08:09.000Z'), responseStatus: 201 });
    const rows = await database.db.select().from(idempotencyKeys).orderBy(idempotencyKeys.key);
    expect(rows.map((r) => [r.key, r.lockedUntil?.toISOString() ?? null, r.responseStatus])).toEqual([
      ['a', '2026-01-02T03:04:05.000Z', null],
      ['b', null, null],
      ['c', '2026-05-06T07:08:09.000Z', 201],
    ]);
  });

  it('compares a Date given to a placeholder outside a column binding as the same instant', async () => {
    const cache = statementCache();
    await insertKey(cache, { key: 'a', lockedUntil: new Date('2026-01-02T03:04:05.000Z') });
    const count = (at: Date) =>
      runShaped(database.db, cache.get('locked-after', () => sql`select count(*)::int as n from idempotency_keys where locked_until > ${sql.placeholder('q.at')}`), { q: { at } });
    expect((await count(new Date('2026-01-02T03:04:04.999Z')))[0]!.n).toBe(1);
    expect((await count(new Date('2026-01-02T03:04:05.000Z')))[0]!.n).toBe(0);
  });

  it('refuses a call that leaves a placeholder without a value, and writes nothing', async () => {
    const cache = statementCache();
    await insertKey(cache, { key: 'a', lockedUntil: null });
    const statement = cache.get('insert|', () => sql`unused: the shape is built already`);
    await expect(runShaped(database.db, statement, { k: { key: 'b' }, m: { id: merchantId } })).rejects.toThrow('no value for placeholder k.lockedUntil');
    expect(await database.db.select().from(idempotencyKeys)).toHaveLength(1);
  });
});
