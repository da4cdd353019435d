import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { DRIVERS, testDatabase, type TestDatabase } from '../../test/support/databases.js';
import { manualClock, type ManualClock } from '../../test/support/clock.js';
import { newId } from '../domain/ids.js';
import { parseFeeSchedules } from '../routing/fees/parse.js';
import type { FeeSchedule } from '../routing/fees/schedule.js';
import { foldRollups, DEFAULT_ROLLUP_SETTINGS } from '../jobs/rollups.js';
import { histogramQuantile } from '../analytics/latency.js';
import { createRepositories, type Repositories } from './index.js';
import type { NewAttempt, NewPayment } from './payments.js';

const FEES = `
gateways:
  stripe:
    country: US
    settlement_currencies: [USD]
    prices:
      USD: { percent_bps: 290, fixed: 30 }
`;

function fees(): ReadonlyMap<string, FeeSchedule> {
  const parsed = parseFeeSchedules(FEES, 'fees.yaml');
  if ('errors' in parsed) throw new Error('bad fixture');
  return parsed.schedules;
}

const T0 = new Date('2026-06-01T12:00:00.000Z');
const at = (minutes: number, seconds = 0) => new Date(T0.getTime() + minutes * 60_000 + seconds * 1000);

describe.each(DRIVERS)('analytics rollups on %s', (driver) => {
  let database: TestDatabase;
  let repos: Repositories;
  let clock: ManualClock;
  let merchantId: string;
  let otherMerchantId: string;
  let stripe: string;
  let adyen: string;
  let otherStripe: string;

  beforeAll(async () => {
    database = await testDatabase(driver);
    repos = createRepositories(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.truncate();
    clock = manualClock(T0);
    merchantId = await repos.merchants.create('m1');
    otherMerchantId = await repos.merchants.create('m2');
    stripe = (await repos.merchants.addGatewayAccount({ merchantId, provider: 'stripe', name: 'stripe', label: 's', credentialsRef: 'sandbox:stripe' })).id;
    adyen = (await repos.merchants.addGatewayAccount({ merchantId, provider: 'adyen', name: 'adyen', label: 'a', credentialsRef: 'sandbox:adyen' })).id;
    otherStripe = (await repos.merchants.addGatewayAccount({ merchantId: otherMerchantId, provider: 'stripe', name: 'stripe', label: 's', credentialsRef: 'sandbox:stripe' })).id;
  });

  type Outcome = 'approved' | 'declined' | 'not_processed' | 'unknown';
  interface Tried {
    account: string;
    outcome: Outcome;
    reason?: string;
    latency?: number;
  }

  /** A payment made at `when`, with its attempts finished one second apart. */
  async function pay(when: Date, tried: Tried[], overrides: Partial<NewPayment> = {}): Promise<string> {
    const id = newId('pay');
    const last = tried[tried.length - 1];
    const status = !last ? 'failed' : last.outcome === 'approved' ? 'succeeded' : last.outcome === 'unknown' ? 'processing' : 'failed';
    const payment: NewPayment = {
      id,
      merchantId,
      status,
      amount: 10_000,
      currency: 'USD',
      captureMethod: 'automatic',
      amountCaptured: status === 'succeeded' ? 10_000 : 0,
      card: { brand: 'visa', bin: '424242', last4: '4242', exp_month: 12, exp_year: 2030, fingerprint: 'fp', holder_name: null, funding: 'credit', issuer_country: 'US' },
      cardFingerprint: 'fp',
      createdAt: when,
      updatedAt: new Date(when.getTime() + tried.length * 1000),
      ...overrides,
    };
    await repos.payments.create(payment);
    let n = 0;
    for (const t of tried) {
      n++;
      const attempt: NewAttempt = {
        id: newId('att'),
        paymentId: id,
        number: n,
        gatewayAccountId: t.account,
        provider: t.account === adyen ? 'adyen' : 'stripe',
        idempotencyKey: `${id}:${n}`,
        status: t.outcome === 'approved' ? 'succeeded' : t.outcome === 'unknown' ? 'unknown' : 'failed',
        outcome: t.outcome,
        declineReason: t.reason ?? null,
        latencyMs: t.latency ?? 40,
        createdAt: when,
        completedAt: new Date(when.getTime() + n * 1000),
      };
      await repos.payments.addAttempt(attempt);
    }
    return id;
  }

  async function table(name: string, where = ''): Promise<Record<string, unknown>[]> {
    const result = await database.db.execute(sql.raw(`select * from ${name} ${where}`));
    const rows = ((result as { rows?: unknown[] }).rows ?? result) as Record<string, unknown>[];
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' || (typeof v === 'string' && /^\d+$/.test(v)) ? Number(v) : v])));
  }

  const fold = () => foldRollups(repos, clock, fees());
  const window = (granularity: 'minute' | 'hour') => ({ merchantId, granularity, from: at(-120), to: at(120) }) as const;

  async function knownSet() {
    await pay(at(0, 5), [{ account: stripe, outcome: 'approved', latency: 30 }]);
    await pay(at(0, 20), [{ account: stripe, outcome: 'declined', reason: 'insufficient_funds', latency: 120 }]);
    // A cascade: declined at Stripe, approved at Adyen.
    await pay(at(1, 10), [
      { account: stripe, outcome: 'declined', reason: 'generic_decline' },
      { account: adyen, outcome: 'approved', latency: 60 },
    ]);
    // A failover: Stripe refused the connection, Adyen approved.
    await pay(at(1, 30), [
      { account: stripe, outcome: 'not_processed' },
      { account: adyen, outcome: 'approved' },
    ]);
    // Ambiguous: not counted as an attempt until it is settled.
    await pay(at(2, 0), [{ account: stripe, outcome: 'unknown' }]);
    // Another merchant's payment stays out of this merchant's numbers.
    await pay(at(0, 30), [{ account: otherStripe, outcome: 'approved' }], { merchantId: otherMerchantId });
  }

  it('counts a known set of payments per minute and hour, gateway account and segment', async () => {
    await knownSet();
    clock.set(at(10));
    expect(await fold()).toBe(6);

    const byAccount = await repos.rollups.approvals(window('hour'));
    expect(byAccount.sort((a, b) => a.provider.localeCompare(b.provider))).toMatchObject([
      { gatewayAccountId: adyen, provider: 'adyen', bucket: new Date('2026-06-01T12:00:00Z'), attempts: 2, approved: 2, declined: 0, technicalFailures: 0 },
      { gatewayAccountId: stripe, provider: 'stripe', bucket: new Date('2026-06-01T12:00:00Z'), attempts: 4, approved: 1, declined: 2, technicalFailures: 1 },
    ]);
    const minutes = await repos.rollups.approvals(window('minute'), stripe);
    expect(minutes.map((m) => [m.bucket.toISOString(), m.attempts, m.approved])).toEqual([
      ['2026-06-01T12:00:00.000Z', 2, 1],
      ['2026-06-01T12:01:00.000Z', 2, 0],
    ]);
    expect(await repos.rollups.funnel(window('hour'))).toEqual({ created: 5, attempted: 5, authorized: 3, captured: 3, recoveredAfterDecline: 1, recoveredAfterFailure: 1 });
    expect(await repos.rollups.declines(window('hour'), 10)).toEqual({
      total: 2,
      top: [
        { reason: 'generic_decline', count: 1 },
        { reason: 'insufficient_funds', count: 1 },
      ],
    });
    // Stripe's schedule: 2.9 % + 30 of 10 000 = 320; Adyen has no schedule here, so its approvals are unpriced.
    expect((await repos.rollups.costs(window('hour'))).sort((a, b) => a.provider.localeCompare(b.provider))).toEqual([
      { gatewayAccountId: adyen, provider: 'adyen', currency: 'USD', attempts: 2, approved: 2, approvedAmount: 20_000, fees: 0, unpriced: 2 },
      { gatewayAccountId: stripe, provider: 'stripe', currency: 'USD', attempts: 4, approved: 1, approvedAmount: 10_000, fees: 320, unpriced: 0 },
    ]);
    expect(byAccount).toHaveLength(2);
    // Stripe's latencies, 30, 120, 40 and 40 ms: the histogram's median lies between 30 and 50.
    const stripeHour = byAccount.find((r) => r.provider === 'stripe')!;
    expect(stripeHour.latencyBuckets.reduce((a, b) => a + b, 0)).toBe(4);
    const median = histogramQuantile(stripeHour.latencyBuckets, 0.5)!;
    expect(median).toBeGreaterThanOrEqual(30);
    expect(median).toBeLessThanOrEqual(50);
    const [hour] = await table('rollup_attempts', `where gateway_account_id = '${stripe}' and granularity = 'hour'`);
    expect(hour).toMatchObject({ network: 'visa', currency: 'USD', latency_count: 4, latency_sum_ms: 30 + 120 + 40 + 40 });
  });

  it('never counts twice: a replayed fold, a rewound watermark and two folds at once add nothing', async () => {
    await knownSet();
    clock.set(at(10));
    await fold();
    const snapshot = async () => ({
      attempts: await table('rollup_attempts', 'order by merchant_id, granularity, bucket, gateway_account_id'),
      declines: await table('rollup_declines', 'order by granularity, bucket, reason'),
      payments: await table('rollup_payments', 'order by merchant_id, granularity, bucket'),
    });
    const once = await snapshot();
    expect(await fold()).toBe(0);
    // A crash after the increments but a replay of the window (the watermark rewound): the fold records stop it.
    await database.db.execute(sql`update rollup_watermarks set folded_to = '1970-01-01T00:00:00Z'`);
    expect(await fold()).toBe(6);
    await database.db.execute(sql`update rollup_watermarks set folded_to = '1970-01-01T00:00:00Z'`);
    await Promise.all([fold(), fold(), fold()]);
    expect(await snapshot()).toEqual(once);
  });

  it('adds what changed later: a settled ambiguous attempt, a capture, a payment made after the last fold', async () => {
    const pending = await pay(at(0), [{ account: stripe, outcome: 'unknown' }]);
    const manual = await pay(at(0, 30), [{ account: adyen, outcome: 'approved' }], { status: 'requires_capture', captureMethod: 'manual', amountCaptured: 0 });
    clock.set(at(5));
    await fold();
    expect(await repos.rollups.funnel(window('hour'))).toMatchObject({ created: 2, attempted: 2, authorized: 1, captured: 0 });
    expect((await repos.rollups.approvals(window('hour'))).reduce((a, r) => a + r.attempts, 0)).toBe(1);

    // The reconciler settles the ambiguous attempt as approved at 12:06; the merchant captures at 12:07.
    await database.db.execute(sql`update attempts set status = 'succeeded', outcome = 'approved', completed_at = ${at(6).toISOString()} where payment_id = ${pending}`);
    await database.db.execute(sql`update payments set status = 'succeeded', updated_at = ${at(6).toISOString()} where id = ${pending}`);
    await database.db.execute(sql`update payments set status = 'succeeded', amount_captured = 10000, updated_at = ${at(7).toISOString()} where id = ${manual}`);
    await pay(at(8), [{ account: stripe, outcome: 'declined', reason: 'expired_card' }]);
    // Within the lag (15 s) of the clock: not folded yet.
    clock.set(at(8, 10));
    await fold();
    expect((await repos.rollups.funnel(window('hour'))).created).toBe(2);
    clock.set(at(9));
    await fold();
    expect(await repos.rollups.funnel(window('hour'))).toEqual({ created: 3, attempted: 3, authorized: 2, captured: 2, recoveredAfterDecline: 0, recoveredAfterFailure: 0 });
    const minute6 = await repos.rollups.approvals({ merchantId, granularity: 'minute', from: at(6), to: at(7) });
    expect(minute6).toMatchObject([{ gatewayAccountId: stripe, attempts: 1, approved: 1 }]);
  });

  it('purges minute rows after their retention and keeps the hours', async () => {
    await knownSet();
    clock.set(at(10));
    await fold();
    const later = new Date(at(10).getTime() + DEFAULT_ROLLUP_SETTINGS.minuteRetentionMs + 60_000);
    const purged = await repos.rollups.purge(new Date(later.getTime() - DEFAULT_ROLLUP_SETTINGS.minuteRetentionMs), new Date(0));
    expect(purged).toBeGreaterThan(0);
    expect(await table('rollup_attempts', `where granularity = 'minute'`)).toEqual([]);
    expect((await repos.rollups.funnel(window('hour'))).created).toBe(5);
  });
});
