import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS } from '../support/databases.js';
import { CARDS, paymentBody, startHarness, type Harness } from '../support/harness.js';

/** A statement that fails logs what failed and where, never the values it carried. */
describe.each(DRIVERS)('a failing database statement (%s)', (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(driver);
    // The payment's insert fails in the database itself: its parameters hold the card holder, email and metadata.
    await h.database.db.execute(sql.raw(`ALTER TABLE payments ADD CONSTRAINT test_refuse_description CHECK (description IS DISTINCT FROM 'refuse me')`));
  });
  afterAll(() => h.close());

  const SHOPPER = { holder: 'Hermione Unlogged', email: 'hermione.unlogged@example.com', customer: 'cus_unlogged_4412', meta: 'meta-value-unlogged-7731', key: 'unlogged_key_9' };

  it('answers 500 and logs the failure without the statement parameters or the database detail', async () => {
    const res = await h.request('POST', '/v1/payments', {
      body: paymentBody(
        { description: 'refuse me', customer: { id: SHOPPER.customer, email: SHOPPER.email }, metadata: { [SHOPPER.key]: SHOPPER.meta } },
        { holder_name: SHOPPER.holder },
      ),
      headers: { 'Idempotency-Key': 'failing-statement' },
    });
    expect(res.status).toBe(500);
    expect((await res.json()).code).toBe('internal_error');

    const failure = h.logs.map((line) => JSON.parse(line)).find((line) => line.event === 'http.unhandled_error');
    expect(failure).toMatchObject({ level: 'error', request_id: res.headers.get('request-id') });
    // What an engineer needs: a failed statement, and PostgreSQL's SQLSTATE and constraint.
    expect(JSON.stringify(failure.error)).toContain('Failed query');
    expect(JSON.stringify(failure.error)).toContain('"code":"23514"');
    expect(JSON.stringify(failure.error)).toContain('test_refuse_description');

    const everything = h.logs.join('\n');
    for (const value of [...Object.values(SHOPPER), CARDS.visa, 'params', 'Failing row']) expect(everything).not.toContain(value);
  });
});
