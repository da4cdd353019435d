import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldRollups } from '../../src/jobs/rollups.js';
import { parseFeeSchedules } from '../../src/routing/fees/parse.js';
import { hashApiKey, keyHint } from '../../src/domain/api-keys.js';
import { manualClock } from '../support/clock.js';
import { DRIVERS } from '../support/databases.js';
import { CARDS, paymentBody, startHarness, type Harness } from '../support/harness.js';
import { fixedKey } from '../support/keys.js';

const FEES = parseFeeSchedules(
  `gateways:
  stripe:
    country: US
    settlement_currencies: [USD]
    prices:
      USD: { percent_bps: 290, fixed: 30 }
`,
  'fees.yaml',
);

const T0 = new Date('2026-06-01T12:00:10.000Z');

describe.each(DRIVERS)('the analytics API on %s', (driver) => {
  let h: Harness;
  const clock = manualClock(T0);
  const get = async (path: string, key?: string) => {
    const res = await h.request('GET', path, key === undefined ? {} : { key });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  };

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    if ('errors' in FEES) throw new Error('bad fee fixture');
    for (const card of [CARDS.visa, CARDS.visa, CARDS.mastercard, CARDS.insufficientFunds]) {
      const res = await h.request('POST', '/v1/payments', { body: paymentBody({}, { number: card }) });
      expect(res.status).toBe(201);
    }
    // The other merchant's payment stays out of the first merchant's numbers.
    await h.request('POST', '/v1/payments', { key: h.otherKey, body: paymentBody() });
    clock.set(new Date(T0.getTime() + 2 * 60_000));
    expect(await foldRollups(h.repositories, clock, FEES.schedules)).toBe(5);
  });
  afterAll(() => h.close());

  const window = 'from=2026-06-01T11:59:00Z&to=2026-06-01T12:02:00Z';

  it('answers the approval rate per gateway account and minute', async () => {
    const { status, body } = await get(`/v1/analytics/approval_rates?granularity=minute&${window}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: 'analytics.approval_rates', granularity: 'minute', from: '2026-06-01T11:59:00.000Z', to: '2026-06-01T12:02:00.000Z' });
    expect(body.series).toHaveLength(1);
    expect(body.series[0]).toMatchObject({ provider: 'stripe' });
    expect(body.series[0].gateway_account_id).toMatch(/^gwa_/);
    const none = { attempts: 0, approved: 0, declined: 0, technical_failures: 0, approval_rate: null, latency_p50_ms: null, latency_p95_ms: null };
    expect(body.series[0].points).toEqual([
      { t: '2026-06-01T11:59:00.000Z', ...none },
      { t: '2026-06-01T12:00:00.000Z', attempts: 4, approved: 3, declined: 1, technical_failures: 0, approval_rate: 0.75, latency_p50_ms: expect.any(Number), latency_p95_ms: expect.any(Number) },
      { t: '2026-06-01T12:01:00.000Z', ...none },
    ]);
    const busy = body.series[0].points[1];
    expect(busy.latency_p95_ms).toBeGreaterThanOrEqual(busy.latency_p50_ms);
    const hourly = await get('/v1/analytics/approval_rates');
    expect(hourly.body.granularity).toBe('hour');
    expect(hourly.body.series[0].points.reduce((a: number, p: { attempts: number }) => a + p.attempts, 0)).toBe(4);
    const other = await get(`/v1/analytics/approval_rates?${window}&gateway_account=gwa_00000000000000000000000000`);
    expect(other.body.series).toEqual([]);
  });

  it('answers the funnel, the declines, the costs and the routing gain', async () => {
    expect((await get(`/v1/analytics/funnel?${window}`)).body).toEqual({
      object: 'analytics.funnel',
      from: '2026-06-01T11:59:00.000Z',
      to: '2026-06-01T12:02:00.000Z',
      created: 4,
      attempted: 4,
      authorized: 3,
      captured: 3,
      recovered_by_cascade: 0,
    });
    expect((await get(`/v1/analytics/declines?${window}`)).body.data).toEqual([{ reason: 'insufficient_funds', count: 1, share: 1 }]);
    const costs = (await get(`/v1/analytics/costs?${window}`)).body;
    // 2.9 % of 1999 is 57.97, rounded to 58, plus 30: 88 per approval.
    expect(costs.data).toEqual([{ gateway_account_id: expect.stringMatching(/^gwa_/), provider: 'stripe', currency: 'USD', attempts: 4, approved_amount: 3 * 1999, fees: 3 * 88, unpriced_approvals: 0 }]);
    const gain = (await get(`/v1/analytics/routing_gain?${window}`)).body;
    expect(gain).toMatchObject({ object: 'analytics.routing_gain', authorized: 3, recovered_by_cascade: { after_decline: 0, after_failure: 0, total: 0, share_of_authorized: 0 }, learner: { estimated: false } });
  });

  it("keeps each merchant's analytics its own", async () => {
    expect((await get(`/v1/analytics/funnel?${window}`, h.otherKey)).body).toMatchObject({ created: 1, authorized: 1 });
  });

  it('forecasts the next 24 hours and 7 days with the capacity they need', async () => {
    const day = (await get('/v1/analytics/forecast')).body;
    expect(day).toMatchObject({ object: 'analytics.forecast', horizon: '24h', generated_at: '2026-06-01T12:02:10.000Z', method: 'mean', accuracy: null });
    expect(day.points).toHaveLength(24);
    expect(day.points[0].t).toBe('2026-06-01T12:00:00.000Z');
    expect(day.capacity).toMatchObject({ instances_needed: 1 });
    expect(day.capacity.source).toMatch(/^default/);
    expect(day.peak.payments_per_second).toBe(Math.round((day.peak.volume / 3600) * 10_000) / 10_000);
    const week = (await get('/v1/analytics/forecast?horizon=7d')).body;
    expect(week.points).toHaveLength(168);
  });

  it.each([
    ['from=yesterday', 'from'],
    ['to=2026-13-01T00:00:00Z', 'to'],
    ['from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z', 'to'],
    ['from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z', 'from'],
    ['granularity=second', 'granularity'],
    ['granularity=minute&from=2026-05-29T00:00:00Z&to=2026-06-01T00:00:00Z', 'granularity'],
    ["gateway_account=gwa_1'%20or%20'1'='1", 'gateway_account'],
    ['gateway_account=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'gateway_account'],
    [`from=${'9'.repeat(5000)}`, 'from'],
    ['merchant_id=mer_other', 'merchant_id'],
  ])('refuses approval_rates?%s naming %s', async (query, param) => {
    const { status, type, body } = await get(`/v1/analytics/approval_rates?${query}`);
    expect(status).toBe(400);
    expect(type).toContain('application/problem+json');
    expect(body.param).toBe(param);
    expect(JSON.stringify(body)).not.toContain('<script>');
  });

  it.each([
    ['/v1/analytics/declines?limit=0', 'limit'],
    ['/v1/analytics/declines?limit=1000', 'limit'],
    ['/v1/analytics/declines?limit=ten', 'limit'],
    ['/v1/analytics/funnel?to=', 'to'],
    ['/v1/analytics/costs?from=2026-06-01', 'from'],
    ['/v1/analytics/routing_gain?from=2026-06-01T00:00:00Z&to=2026-06-01T00:00:00Z', 'to'],
    ['/v1/analytics/forecast?horizon=30d', 'horizon'],
    ['/v1/analytics/forecast?from=2026-06-01T00:00:00Z', 'from'],
  ])('refuses %s naming %s', async (path, param) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(body.param).toBe(param);
  });

  it('needs the analytics:read scope', async () => {
    const restricted = fixedKey('analyticsrestricted');
    const keyRow = await h.repositories.merchants.keyForHash(await hashApiKey(h.key), clock.now());
    await h.repositories.merchants.addApiKey({ merchantId: keyRow!.merchantId, keyHash: await hashApiKey(restricted), hint: keyHint(restricted), label: 'restricted', scopes: ['payments:read'] });
    const { status, body } = await get('/v1/analytics/funnel', restricted);
    expect(status).toBe(403);
    expect(body).toMatchObject({ code: 'insufficient_scope', required_scope: 'analytics:read' });
  });
});
