import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARDS, paymentBody, startHarness, type Harness } from '../../test/support/harness.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** What the scans of `plan` read: `table: index` (or `table: Seq Scan`); a bitmap heap scan reads through its index scans below. */
function scans(plan: PlanNode): string[] {
  const type = plan['Node Type'];
  const own = plan['Relation Name'] && !['ModifyTable', 'Bitmap Heap Scan'].includes(type) ? [`${plan['Relation Name']}: ${plan['Index Name'] ?? type}`] : [];
  return [...own, ...(plan.Plans ?? []).flatMap(scans)];
}

/**
 * A prepared statement may switch to a generic plan after five runs, planned without its
 * parameters' values; a connection keeps it until the table is next analyzed. A fresh deployment
 * plans on empty tables, where every index looks as cheap as every other: a generic plan that
 * picked an index leading with `state` over the unique `key` read every scheduled job per
 * payment as the table grew, until autovacuum's first ANALYZE (bench/load/README.md). Every parameterised statement a payment and its jobs send
 * must, planned generically on an empty database, read the payment path's tables only through
 * the index that names the row.
 */
describe('generic plans of the payment path on an empty database (PostgreSQL)', () => {
  let h: Harness;
  let capturing = false;
  const statements = new Set<string>();

  beforeAll(async () => {
    h = await startHarness('postgres', { onQuery: (_connection, query) => void (capturing && statements.add(query)) });
    capturing = true;
    for (const number of [CARDS.visa, CARDS.genericDecline, CARDS.visa]) {
      const response = await h.request('POST', '/v1/payments', { body: paymentBody({}, { number }) });
      expect(response.status).toBe(201);
    }
    const replayed = await h.request('POST', '/v1/payments', { body: paymentBody(), headers: { 'idempotency-key': 'plans-1' } });
    const again = await h.request('POST', '/v1/payments', { body: paymentBody(), headers: { 'idempotency-key': 'plans-1' } });
    expect([replayed.status, again.status]).toEqual([201, 201]);
    await h.jobs.runDue();
    capturing = false;
  });
  afterAll(() => h?.close());

  it('reads payments, attempts, jobs and idempotency keys by their keys', async () => {
    const admin = postgres(h.database.url!, { max: 1, onnotice: () => {} });
    const read = new Map<string, string[]>();
    try {
      for (const text of statements) {
        const parameters = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
        if (parameters === 0 || !/^\s*(select|insert|update|delete|with)\b/i.test(text)) continue;
        await admin.begin(async (tx) => {
          await tx.unsafe('set local plan_cache_mode = force_generic_plan');
          await tx.unsafe(`prepare generic_plan_check as ${text}`);
          const [row] = await tx.unsafe(`explain (format json) execute generic_plan_check(${Array(parameters).fill('null').join(', ')})`);
          await tx.unsafe('deallocate generic_plan_check');
          const [explained] = (row as unknown as { 'QUERY PLAN': { Plan: PlanNode }[] })['QUERY PLAN'];
          read.set(text.replace(/\s+/g, ' ').slice(0, 120), scans(explained!.Plan));
        });
      }
    } finally {
      await admin.end();
    }
    const KEYS: Record<string, readonly string[]> = {
      payments: ['payments_pkey', 'payments_card_network_key_idx'],
      attempts: ['attempts_pkey', 'attempts_payment_number_idx'],
      jobs: ['jobs_key_idx', 'jobs_pkey', 'jobs_due_idx', 'jobs_lease_idx'],
      idempotency_keys: ['idempotency_keys_merchant_id_key_pk'],
      events: ['events_pkey'],
    };
    const offending = [...read].flatMap(([statement, reads]) =>
      reads.filter((scan) => {
        const [table, index] = scan.split(': ') as [string, string];
        return table in KEYS && !KEYS[table]!.includes(index);
      }).map((scan) => `${scan} in ${statement}`),
    );
    expect(read.size).toBeGreaterThan(5);
    expect(offending).toEqual([]);
  });
});
