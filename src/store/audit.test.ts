import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { DRIVERS, testDatabase, type TestDatabase } from '../../test/support/databases.js';
import type { Actor } from '../domain/audit.js';
import { createRepositories, type Repositories } from './index.js';

const ana: Actor = { type: 'operator', id: 'op_1', name: 'Ana Admin' };

describe.each(DRIVERS)('audit log on %s', (driver) => {
  let database: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    database = await testDatabase(driver);
    repos = createRepositories(database.db);
  });
  afterAll(() => database.close());
  beforeEach(() => database.truncate());

  it('keeps who, what, before and after with secrets masked', async () => {
    const row = await repos.audit.append(ana, {
      action: 'gateway_account.update',
      merchantId: 'mer_1',
      target: { type: 'gateway_account', id: 'gwa_1' },
      before: { credentials_ref: 'env:STRIPE_OLD', webhook_secret: 'whsec_old' },
      after: { credentials_ref: 'env:STRIPE_NEW', webhook_secret: 'whsec_new' },
    });
    const [stored] = await repos.audit.list({ merchantId: 'mer_1', limit: 10 });
    expect(stored).toMatchObject({ id: row.id, actorType: 'operator', actorName: 'Ana Admin', action: 'gateway_account.update' });
    expect(stored!.before).toEqual({ credentials_ref: 'env:STRIPE_OLD', webhook_secret: '[masked]' });
    expect(await database.dump()).not.toMatch(/whsec_old|whsec_new/);
  });

  it('refuses to change or delete a record', async () => {
    const row = await repos.audit.append(ana, { action: 'merchant.create', merchantId: 'mer_1', target: { type: 'merchant', id: 'mer_1' } });
    await expect(database.db.execute(sql`UPDATE audit_log SET actor_name = 'someone else' WHERE id = ${row.id}`)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/append-only/) } });
    await expect(database.db.execute(sql`DELETE FROM audit_log WHERE id = ${row.id}`)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/append-only/) } });
    expect((await repos.audit.list({ limit: 10 }))[0]).toMatchObject({ id: row.id, actorName: 'Ana Admin' });
  });

  it('lists newest first, by merchant, by action or action prefix, page by page', async () => {
    const write = (action: string, merchantId: string) => repos.audit.append(ana, { action, merchantId, target: { type: 't', id: action } });
    await write('routing.ruleset.create', 'mer_1');
    await write('routing.ruleset.activate', 'mer_1');
    await write('api_key.create', 'mer_1');
    await write('routing.ruleset.create', 'mer_2');
    const actions = async (q: Parameters<Repositories['audit']['list']>[0]) => (await repos.audit.list(q)).map((r) => `${r.merchantId} ${r.action}`);
    expect(await actions({ merchantId: 'mer_1', action: 'routing.', limit: 10 })).toEqual(['mer_1 routing.ruleset.activate', 'mer_1 routing.ruleset.create']);
    expect(await actions({ action: 'routing.ruleset.create', limit: 10 })).toEqual(['mer_2 routing.ruleset.create', 'mer_1 routing.ruleset.create']);
    // A prefix is literal text: `_` and `%` match only themselves.
    expect(await actions({ action: 'api_%.', limit: 10 })).toEqual([]);
    const [newest] = await repos.audit.list({ limit: 1 });
    expect(await actions({ before: newest!.id, limit: 2 })).toEqual(['mer_1 api_key.create', 'mer_1 routing.ruleset.activate']);
  });
});
