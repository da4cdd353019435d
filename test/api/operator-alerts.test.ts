import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_INSTANCE_CAPACITY } from '../../src/analytics/capacity.js';
import { evaluateAlerts, type AlertHealth } from '../../src/jobs/alerts.js';
import { foldRollups } from '../../src/jobs/rollups.js';
import type { BreakerState } from '../../src/orchestrator/breakers.js';
import { captureLogger } from '../support/capture-logger.js';
import { manualClock } from '../support/clock.js';
import { DRIVERS } from '../support/databases.js';
import { CARDS, paymentBody, SECRETS_KEY, startHarness, type Harness } from '../support/harness.js';
import { seedOperator, totpCode, type OperatorCredentials } from '../support/operators.js';

const MINUTE = 60_000;
const T0 = new Date('2026-06-01T12:00:00.000Z');

/** Operator-wide alert rules: one operator watching every merchant (admin API, evaluation, no merchant events). */
describe.each(DRIVERS)('operator-wide alert rules on %s', (driver) => {
  const clock = manualClock(T0);
  let h: Harness;
  let adminToken: string;
  let merchantOne: string;
  let merchantTwo: string;
  const breakers = new Map<string, BreakerState>();
  const health: AlertHealth = {
    accounts: async (merchant) => (await h.repositories.merchants.gatewayAccounts(merchant)).map((a) => ({ accountId: a.id, name: a.name })),
    breaker: (accountId) => breakers.get(accountId) ?? 'closed',
  };
  const logs = captureLogger();
  const evaluate = () => evaluateAlerts({ repositories: h.repositories, clock, logger: logs.logger, health, capacity: DEFAULT_INSTANCE_CAPACITY });
  const as = async (token: string | null, method: string, path: string, body?: unknown) => {
    const res = await h.request(method, path, { key: null, body, headers: token ? { Authorization: `Bearer ${token}` } : {} });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  };
  /** Each operator signs in in their own 30 s step (a TOTP code is good once). */
  const tokenFor = async (op: OperatorCredentials) => {
    clock.advance(30_000);
    const res = await h.request('POST', '/v1/admin/session', { key: null, body: { email: op.email, password: op.password, totp_code: await totpCode(op.totpSecret, clock) } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  };

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
  });
  beforeEach(async () => {
    await h.reset();
    clock.set(T0);
    breakers.clear();
    merchantOne = (await h.repositories.merchants.findByName('one'))!;
    merchantTwo = (await h.repositories.merchants.findByName('two'))!;
    adminToken = await tokenFor(await seedOperator(h.repositories, SECRETS_KEY, clock, { role: 'admin' }));
  });
  afterAll(() => h?.close());

  it('lets an admin change them, operators with every merchant read them, and nobody else', async () => {
    const created = await as(adminToken, 'POST', '/v1/admin/alert_rules', { kind: 'breaker_open', name: 'Any breaker' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: 'alert_rule', kind: 'breaker_open', name: 'Any breaker', params: { gateway_account_id: null, resolve_after: 2 } });
    const id = created.body.id as string;

    const everyMerchant = await tokenFor(await seedOperator(h.repositories, SECRETS_KEY, clock, { role: 'operator' }));
    expect((await as(everyMerchant, 'GET', '/v1/admin/alert_rules')).body.data.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await as(everyMerchant, 'GET', `/v1/admin/alert_rules/${id}`)).status).toBe(200);
    expect((await as(everyMerchant, 'GET', '/v1/admin/alerts')).status).toBe(200);
    const write = await as(everyMerchant, 'POST', `/v1/admin/alert_rules/${id}`, { enabled: false });
    expect(write).toMatchObject({ status: 403, body: { code: 'insufficient_role' } });
    expect((await as(everyMerchant, 'DELETE', `/v1/admin/alert_rules/${id}`)).status).toBe(403);

    const oneMerchant = await tokenFor(await seedOperator(h.repositories, SECRETS_KEY, clock, { role: 'operator', merchantIds: [merchantOne] }));
    expect(await as(oneMerchant, 'GET', '/v1/admin/alert_rules')).toMatchObject({ status: 403, body: { code: 'merchant_not_allowed' } });
    expect((await as(oneMerchant, 'GET', '/v1/admin/alerts')).status).toBe(403);
    // A merchant's key reaches neither the operator-wide rules nor, through its own routes, sees them.
    expect((await h.request('GET', '/v1/admin/alert_rules')).status).toBe(403);
    expect((await as(null, 'GET', '/v1/admin/alert_rules')).status).toBe(401);
    expect((await h.request('GET', '/v1/alert_rules').then((r) => r.json())).data).toEqual([]);
    expect((await h.request('GET', `/v1/alert_rules/${id}`)).status).toBe(404);

    expect((await as(adminToken, 'POST', `/v1/admin/alert_rules/${id}`, { enabled: false })).body.enabled).toBe(false);
    expect((await as(adminToken, 'DELETE', `/v1/admin/alert_rules/${id}`)).body).toEqual({ id, object: 'alert_rule', deleted: true });
  });

  it.each([
    ['a per-merchant kind', { kind: 'forecast_above_capacity' }, 'kind', 'invalid_field'],
    ['a gateway account filter on an approval drop (operator-wide it is per provider)', { kind: 'approval_drop', params: { gateway_account_id: 'gwa_1' } }, 'params.gateway_account_id', 'unknown_field'],
    ['a provider that is not a name', { kind: 'approval_drop', params: { provider: 'Stripe; drop' } }, 'params.provider', 'invalid_field'],
    ['no kind', {}, 'kind', 'missing_field'],
    ['an unknown field', { kind: 'review_queue', merchant_id: 'mer_1' }, 'merchant_id', 'unknown_field'],
  ])('refuses %s, naming the field, and stores nothing', async (_, body, param, code) => {
    const res = await as(adminToken, 'POST', '/v1/admin/alert_rules', body);
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body).toMatchObject({ param, code });
    expect((await as(adminToken, 'GET', '/v1/admin/alert_rules')).body.data).toEqual([]);
  });

  it('refuses malformed and oversized bodies', async () => {
    const malformed = await h.request('POST', '/v1/admin/alert_rules', { key: null, body: '{"kind":', headers: { Authorization: `Bearer ${adminToken}` } });
    expect(malformed.status).toBe(400);
    const huge = await as(adminToken, 'POST', '/v1/admin/alert_rules', { kind: 'review_queue', name: 'x'.repeat(40_000) });
    expect(huge.status).toBe(413);
    expect((await as(adminToken, 'GET', '/v1/admin/alert_rules/not-an-id')).body).toMatchObject({ param: 'id' });
  });

  it('fires a provider’s approval drop across merchants that no single merchant has enough attempts to see, and sends no merchant an event', async () => {
    const rule = await as(adminToken, 'POST', '/v1/admin/alert_rules', { kind: 'approval_drop', name: 'Stripe everywhere', params: { provider: 'stripe', window_minutes: 10, baseline_hours: 1, drop_pp: 20, min_attempts: 6 } });
    expect(rule.status).toBe(201);
    // Each merchant's own rule with the same numbers sees only 3 attempts.
    await h.request('POST', '/v1/alert_rules', { body: { kind: 'approval_drop', params: { window_minutes: 10, baseline_hours: 1, drop_pp: 20, min_attempts: 6 } } });
    clock.set(new Date(T0.getTime() - 30 * MINUTE));
    for (const key of [h.key, h.otherKey]) for (let i = 0; i < 3; i++) expect((await h.request('POST', '/v1/payments', { key, body: paymentBody() })).status).toBe(201);
    clock.set(new Date(T0.getTime() - 5 * MINUTE));
    for (const key of [h.key, h.otherKey]) for (let i = 0; i < 3; i++) await h.request('POST', '/v1/payments', { key, body: paymentBody({}, { number: CARDS.genericDecline }) });
    clock.set(T0);
    await foldRollups(h.repositories, clock, new Map());
    expect(await evaluate()).toEqual({ fired: 1, resolved: 0 });

    const firing = await as(adminToken, 'GET', '/v1/admin/alerts?state=firing');
    expect(firing.body.data).toHaveLength(1);
    expect(firing.body.data[0]).toMatchObject({ rule_id: rule.body.id, kind: 'approval_drop', subject: 'stripe', value: 0, threshold: 0.8, detail: { provider: 'stripe', attempts: 6 } });
    expect(firing.body.data[0].summary).toBe('stripe: approval rate 0.0 % over 10 min against 100.0 % over the 1 h before (every merchant)');
    for (const key of [h.key, h.otherKey]) {
      expect((await h.request('GET', '/v1/alerts', { key }).then((r) => r.json())).data).toEqual([]);
      expect((await h.request('GET', '/v1/events?type=alert.*', { key }).then((r) => r.json())).data).toEqual([]);
    }
    const logged = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'alert.firing');
    expect(logged).toEqual([expect.objectContaining({ level: 'warn', merchant_id: 'operator-wide', subject: 'stripe' })]);
  });

  it('fires on a breaker open at any merchant, naming the merchant', async () => {
    await as(adminToken, 'POST', '/v1/admin/alert_rules', { kind: 'breaker_open', params: { resolve_after: 1 } });
    const [account] = await h.repositories.merchants.gatewayAccounts(merchantTwo);
    breakers.set(account!.id, 'open');
    expect(await evaluate()).toEqual({ fired: 1, resolved: 0 });
    expect((await as(adminToken, 'GET', '/v1/admin/alerts?state=firing')).body.data[0]).toMatchObject({ subject: account!.id, summary: 'two / stripe: circuit breaker open' });
    breakers.set(account!.id, 'closed');
    expect(await evaluate()).toEqual({ fired: 0, resolved: 1 });
  });

  it('keeps to 50 operator-wide rules when creates race', async () => {
    for (let i = 0; i < 45; i++) expect((await as(adminToken, 'POST', '/v1/admin/alert_rules', { kind: 'review_queue', name: `rule ${i}` })).status).toBe(201);
    const racing = await Promise.all(Array.from({ length: 10 }, (_, i) => as(adminToken, 'POST', '/v1/admin/alert_rules', { kind: 'review_queue', name: `racer ${i}` })));
    expect(racing.map((r) => r.status).sort()).toEqual([...Array(5).fill(201), ...Array(5).fill(409)]);
    expect((await as(adminToken, 'GET', '/v1/admin/alert_rules')).body.data).toHaveLength(50);
    // A merchant's own limit is separate.
    expect((await h.request('POST', '/v1/alert_rules', { body: { kind: 'review_queue' } })).status).toBe(201);
  });
});
