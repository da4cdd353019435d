import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluateAlerts, type AlertHealth } from '../../src/jobs/alerts.js';
import { foldRollups } from '../../src/jobs/rollups.js';
import { DEFAULT_INSTANCE_CAPACITY } from '../../src/analytics/capacity.js';
import { hashApiKey, keyHint } from '../../src/domain/api-keys.js';
import type { BreakerState } from '../../src/orchestrator/breakers.js';
import { captureLogger } from '../support/capture-logger.js';
import { manualClock } from '../support/clock.js';
import { DRIVERS } from '../support/databases.js';
import { CARDS, paymentBody, startHarness, type Harness } from '../support/harness.js';
import { fixedKey } from '../support/keys.js';

const T0 = new Date('2026-06-01T12:00:00.000Z');
const MINUTE = 60_000;
const WEEK = 7 * 24 * 60 * MINUTE;

describe.each(DRIVERS)('alert rules and alerts on %s', (driver) => {
  let h: Harness;
  let merchantId: string;
  const clock = manualClock(T0);
  const breakers = new Map<string, BreakerState>();
  const health: AlertHealth = {
    accounts: async (merchant) => (await h.repositories.merchants.gatewayAccounts(merchant)).map((a) => ({ accountId: a.id, name: a.name })),
    breaker: (accountId) => breakers.get(accountId) ?? 'closed',
  };
  const evaluate = () => evaluateAlerts({ repositories: h.repositories, clock, logger: captureLogger().logger, health, capacity: DEFAULT_INSTANCE_CAPACITY });
  const call = async (method: string, path: string, body?: unknown, key?: string) => {
    const res = await h.request(method, path, { body, ...(key ? { key } : {}) });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  };
  const ruleCount = async () => (await call('GET', '/v1/alert_rules')).body.data.length;

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
  });
  beforeEach(async () => {
    await h.reset();
    clock.set(T0);
    breakers.clear();
    merchantId = (await h.repositories.merchants.keyForHash(await hashApiKey(h.key), clock.now()))!.merchantId;
  });
  afterAll(() => h.close());

  it('creates, lists, reads, changes and deletes a rule, with the kind’s defaults filled in', async () => {
    const created = await call('POST', '/v1/alert_rules', { kind: 'approval_drop', params: { drop_pp: 15 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      object: 'alert_rule',
      kind: 'approval_drop',
      name: 'approval drop',
      enabled: true,
      params: { gateway_account_id: null, window_minutes: 15, baseline_hours: 24, drop_pp: 15, min_attempts: 20, resolve_after: 2 },
    });
    const id = created.body.id as string;
    expect(id).toMatch(/^alr_/);
    expect((await call('GET', '/v1/alert_rules')).body).toEqual({ object: 'list', data: [created.body], has_more: false });
    expect((await call('GET', `/v1/alert_rules/${id}`)).body).toEqual(created.body);
    clock.advance(MINUTE);
    const changed = await call('POST', `/v1/alert_rules/${id}`, { name: 'Stripe approvals', params: { window_minutes: 5 } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Stripe approvals', params: { window_minutes: 5, drop_pp: 10 }, updated_at: '2026-06-01T12:01:00.000Z' });
    expect((await call('DELETE', `/v1/alert_rules/${id}`)).body).toEqual({ id, object: 'alert_rule', deleted: true });
    expect((await call('GET', `/v1/alert_rules/${id}`)).status).toBe(404);
    // Another merchant never sees the rule.
    const other = await call('POST', '/v1/alert_rules', { kind: 'review_queue' });
    expect((await call('GET', `/v1/alert_rules/${other.body.id}`, undefined, h.otherKey)).status).toBe(404);
    expect((await call('DELETE', `/v1/alert_rules/${other.body.id}`, undefined, h.otherKey)).status).toBe(404);
    expect((await call('GET', '/v1/alert_rules', undefined, h.otherKey)).body.data).toEqual([]);
  });

  it('binds a create to its Idempotency-Key in the same transaction: a retry answers the same rule, also after a crash', async () => {
    const create = () => h.request('POST', '/v1/alert_rules', { body: { kind: 'review_queue', params: { max_count: 1 } }, headers: { 'Idempotency-Key': 'rule-key-1' } });
    const first = await create();
    expect(first.status).toBe(201);
    const rule = await first.json();
    const again = await create();
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(rule);
    const result = await h.database.db.execute(sql`select resource_type, resource_id from idempotency_keys where key = 'rule-key-1'`);
    const [key] = (result as unknown as { rows?: unknown[] }).rows ?? (result as unknown as unknown[]);
    expect(key).toEqual({ resource_type: 'alert_rule', resource_id: rule.id });
    // The request that created it died before storing its answer, and its lease ran out: the retry answers the rule, creating none.
    await h.database.db.execute(sql`update idempotency_keys set state = 'in_progress', response_status = null, response_body = null, locked_until = ${new Date(T0.getTime() - MINUTE).toISOString()} where key = 'rule-key-1'`);
    const recovered = await create();
    expect(recovered.status).toBe(201);
    expect(await recovered.json()).toEqual(rule);
    expect(await ruleCount()).toBe(1);
  });

  it('keeps to 50 rules per merchant when creates race', async () => {
    for (let i = 0; i < 45; i++) expect((await call('POST', '/v1/alert_rules', { kind: 'review_queue', name: `rule ${i}` })).status).toBe(201);
    const racing = await Promise.all(Array.from({ length: 10 }, (_, i) => call('POST', '/v1/alert_rules', { kind: 'review_queue', name: `racer ${i}` })));
    expect(racing.map((r) => r.status).sort()).toEqual([...Array(5).fill(201), ...Array(5).fill(409)]);
    expect(racing.find((r) => r.status === 409)!.body).toMatchObject({ code: 'alert_rule_limit_reached' });
    expect(await ruleCount()).toBe(50);
    // The other merchant's count is its own.
    expect((await call('POST', '/v1/alert_rules', { kind: 'review_queue' }, h.otherKey)).status).toBe(201);
  });

  it('fires an approval drop against the gateway’s own baseline, delivers it as an event, and resolves it with hysteresis', async () => {
    await call('POST', '/v1/alert_rules', { kind: 'approval_drop', name: 'Approvals', params: { window_minutes: 10, baseline_hours: 1, drop_pp: 20, min_attempts: 5 } });
    // The hour before: five approvals. Now: five declines.
    clock.set(new Date(T0.getTime() - 30 * MINUTE));
    for (let i = 0; i < 5; i++) expect((await h.request('POST', '/v1/payments', { body: paymentBody() })).status).toBe(201);
    clock.set(new Date(T0.getTime() - 5 * MINUTE));
    for (let i = 0; i < 5; i++) await h.request('POST', '/v1/payments', { body: paymentBody({}, { number: CARDS.genericDecline }) });
    clock.set(T0);
    await foldRollups(h.repositories, clock, new Map());
    expect(await evaluate()).toEqual({ fired: 1, resolved: 0 });
    // A second evaluation finds the same drop: still one alert.
    expect(await evaluate()).toEqual({ fired: 0, resolved: 0 });
    const firing = await call('GET', '/v1/alerts?state=firing');
    expect(firing.body.data).toHaveLength(1);
    expect(firing.body.data[0]).toMatchObject({ object: 'alert', kind: 'approval_drop', state: 'firing', value: 0, threshold: 0.8, subject: expect.stringMatching(/^gwa_/), resolved_at: null });
    expect(firing.body.data[0].summary).toBe('stripe: approval rate 0.0 % over 10 min against 100.0 % over the 1 h before');
    const events = await call('GET', '/v1/events?type=alert.*');
    expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(['alert.firing']);
    expect(events.body.data[0].data.object).toMatchObject({ id: firing.body.data[0].id, state: 'firing' });

    // Ten minutes on, the window is empty: clear, but it takes two clear evaluations in a row to resolve.
    clock.advance(11 * MINUTE);
    await foldRollups(h.repositories, clock, new Map());
    expect(await evaluate()).toEqual({ fired: 0, resolved: 0 });
    expect(await evaluate()).toEqual({ fired: 0, resolved: 1 });
    const all = await call('GET', '/v1/alerts');
    expect(all.body.data).toHaveLength(1);
    expect(all.body.data[0]).toMatchObject({ state: 'resolved', resolved_at: clock.now().toISOString() });
    expect((await call('GET', '/v1/events?type=alert.*')).body.data.map((e: { type: string }) => e.type)).toEqual(['alert.resolved', 'alert.firing']);
    // The other merchant has no alerts.
    expect((await call('GET', '/v1/alerts', undefined, h.otherKey)).body.data).toEqual([]);
  });

  it('compares with the same window last week when the rule says baseline: last_week', async () => {
    const weekly = await call('POST', '/v1/alert_rules', { kind: 'approval_drop', name: 'Week on week', params: { baseline: 'last_week', window_minutes: 10, drop_pp: 20, min_attempts: 5 } });
    expect(weekly.body.params).toMatchObject({ baseline: 'last_week' });
    await call('POST', '/v1/alert_rules', { kind: 'approval_drop', name: 'Hour before', params: { window_minutes: 10, baseline_hours: 1, drop_pp: 20, min_attempts: 5 } });
    // A week ago in the same window: five approvals.
    clock.set(new Date(T0.getTime() - WEEK - 5 * MINUTE));
    for (let i = 0; i < 5; i++) expect((await call('POST', '/v1/payments', paymentBody())).body.status).toBe('succeeded');
    // The hour before the window was as poor as the window: against it, nothing dropped.
    clock.set(new Date(T0.getTime() - 30 * MINUTE));
    for (let i = 0; i < 5; i++) await h.request('POST', '/v1/payments', { body: paymentBody({}, { number: CARDS.genericDecline }) });
    clock.set(new Date(T0.getTime() - 5 * MINUTE));
    for (let i = 0; i < 5; i++) await h.request('POST', '/v1/payments', { body: paymentBody({}, { number: CARDS.genericDecline }) });
    clock.set(T0);
    await foldRollups(h.repositories, clock, new Map());
    expect(await evaluate()).toEqual({ fired: 1, resolved: 0 });
    const [alert] = (await call('GET', '/v1/alerts?state=firing')).body.data;
    expect(alert).toMatchObject({ rule_id: weekly.body.id, value: 0, threshold: 0.8, detail: { baseline: 'last_week', baseline_attempts: 5, baseline_approved: 5 } });
    expect(alert.summary).toBe('stripe: approval rate 0.0 % over 10 min against 100.0 % in the same window last week');
  });

  it('fires on an open breaker, holds while half-open, and resolves when the rule is disabled', async () => {
    const rule = await call('POST', '/v1/alert_rules', { kind: 'breaker_open', params: { resolve_after: 1 } });
    const [account] = await h.repositories.merchants.gatewayAccounts(merchantId);
    breakers.set(account!.id, 'open');
    expect(await evaluate()).toEqual({ fired: 1, resolved: 0 });
    breakers.set(account!.id, 'half_open');
    expect(await evaluate()).toEqual({ fired: 0, resolved: 0 });
    expect((await call('GET', '/v1/alerts?state=firing')).body.data[0]).toMatchObject({ kind: 'breaker_open', subject: account!.id, summary: 'stripe: circuit breaker half-open' });
    const disabled = await call('POST', `/v1/alert_rules/${rule.body.id}`, { enabled: false });
    expect(disabled.body.enabled).toBe(false);
    expect((await call('GET', '/v1/alerts?state=firing')).body.data).toEqual([]);
    expect((await call('GET', '/v1/alerts?state=resolved')).body.data[0].detail).toMatchObject({ resolved_because: 'rule_disabled' });
    // A disabled rule is not evaluated.
    breakers.set(account!.id, 'open');
    expect(await evaluate()).toEqual({ fired: 0, resolved: 0 });
  });

  it('counts payments waiting for review', async () => {
    await call('POST', '/v1/alert_rules', { kind: 'review_queue', params: { max_count: 0 } });
    const payment = await call('POST', '/v1/payments', paymentBody());
    expect(await evaluate()).toEqual({ fired: 0, resolved: 0 });
    await h.database.db.execute(sql`update payments set review_reason = 'reconciler_gave_up', review_at = now() where id = ${payment.body.id}`);
    expect(await evaluate()).toEqual({ fired: 1, resolved: 0 });
    expect((await call('GET', '/v1/alerts')).body.data[0]).toMatchObject({ kind: 'review_queue', subject: 'merchant', value: 1, threshold: 0 });
  });

  it('takes alert events on a webhook endpoint', async () => {
    const res = await call('POST', '/v1/webhook_endpoints', { url: 'http://127.0.0.1:9/hook', enabled_events: ['alert.firing', 'alert.resolved'] });
    expect(res.status).toBe(201);
  });

  describe('refuses bad input, naming the field, and changes nothing', () => {
    it.each([
      ['no kind', {}, 'kind', 'missing_field'],
      ['an unknown kind', { kind: 'everything' }, 'kind', 'invalid_field'],
      ['an unknown field', { kind: 'review_queue', colour: 'red' }, 'colour', 'unknown_field'],
      ['a parameter out of range', { kind: 'approval_drop', params: { drop_pp: 0 } }, 'params.drop_pp', 'invalid_field'],
      ['a parameter of the wrong type', { kind: 'approval_drop', params: { min_attempts: '20' } }, 'params.min_attempts', 'invalid_field'],
      ['an unknown parameter', { kind: 'breaker_open', params: { window_minutes: 5 } }, 'params.window_minutes', 'unknown_field'],
      ['a lookback past the minute rollups', { kind: 'approval_drop', params: { window_minutes: 61, baseline_hours: 47 } }, 'params.baseline_hours', 'invalid_field'],
      ['an unknown baseline', { kind: 'approval_drop', params: { baseline: 'yesterday' } }, 'params.baseline', 'invalid_field'],
      ['a backlog rule without a threshold', { kind: 'reconciler_backlog' }, 'params.max_count', 'invalid_field'],
      ['a gateway account that is not an id', { kind: 'breaker_open', params: { gateway_account_id: "gwa_1' or 1=1" } }, 'params.gateway_account_id', 'invalid_field'],
      ['params that are not an object', { kind: 'review_queue', params: [1] }, 'params', 'invalid_field'],
      ['a name with control characters', { kind: 'review_queue', name: 'a\u0000b' }, 'name', 'invalid_text'],
      ['an empty name', { kind: 'review_queue', name: '   ' }, 'name', 'invalid_field'],
      ['a name too long', { kind: 'review_queue', name: 'x'.repeat(101) }, 'name', 'invalid_field'],
      ['enabled as a string', { kind: 'review_queue', enabled: 'yes' }, 'enabled', 'invalid_field'],
    ])('POST /v1/alert_rules with %s', async (_, body, param, code) => {
      const res = await call('POST', '/v1/alert_rules', body);
      expect(res.status).toBe(400);
      expect(res.type).toContain('application/problem+json');
      expect(res.body).toMatchObject({ param, code });
      expect(await ruleCount()).toBe(0);
    });

    it('POST /v1/alert_rules with malformed JSON, an oversized body, or no JSON content type', async () => {
      const malformed = await h.request('POST', '/v1/alert_rules', { body: '{"kind": "review_queue"' });
      expect(malformed.status).toBe(400);
      expect((await malformed.json()).code).toBe('invalid_json');
      const huge = await h.request('POST', '/v1/alert_rules', { body: { kind: 'review_queue', name: 'x'.repeat(40_000) } });
      expect(huge.status).toBe(413);
      const form = await h.request('POST', '/v1/alert_rules', { body: 'kind=review_queue', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      expect(form.status).toBe(415);
      expect(await ruleCount()).toBe(0);
    });

    it('POST /v1/alert_rules/{id}: bad parameters for the rule’s kind, an unknown field, an unknown or malformed id', async () => {
      const rule = (await call('POST', '/v1/alert_rules', { kind: 'review_queue', params: { max_count: 3 } })).body;
      const bad = await call('POST', `/v1/alert_rules/${rule.id}`, { params: { drop_pp: 10 } });
      expect(bad).toMatchObject({ status: 400, body: { param: 'params.drop_pp', code: 'unknown_field' } });
      expect((await call('POST', `/v1/alert_rules/${rule.id}`, { kind: 'approval_drop' })).body).toMatchObject({ param: 'kind', code: 'unknown_field' });
      expect((await call('POST', `/v1/alert_rules/${rule.id}`, { params: { max_count: -1 } })).body).toMatchObject({ param: 'params.max_count' });
      expect((await call('POST', '/v1/alert_rules/alr_00000000000000000000000000', { name: 'x' })).status).toBe(404);
      expect((await call('POST', '/v1/alert_rules/alr_%27%3B--', { name: 'x' })).body).toMatchObject({ param: 'id' });
      expect((await call('GET', `/v1/alert_rules/${rule.id}`)).body).toEqual(rule);
    });

    it.each([
      ['GET', '/v1/alert_rules/not-an-id', 400],
      ['GET', '/v1/alert_rules/alr_00000000000000000000000000', 404],
      ['DELETE', '/v1/alert_rules/alr_' + 'x'.repeat(61), 400],
      ['DELETE', '/v1/alert_rules/alr_00000000000000000000000000', 404],
    ])('%s %s answers %i', async (method, path, status) => {
      const res = await call(method, path);
      expect(res.status).toBe(status);
      expect(res.type).toContain('application/problem+json');
      if (status === 400) expect(res.body.param).toBe('id');
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['state=burning', 'state'],
      ['starting_after=evt_1', 'starting_after'],
      ['kind=approval_drop', 'kind'],
    ])('GET /v1/alerts?%s names %s', async (query, param) => {
      const res = await call('GET', `/v1/alerts?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.param).toBe(param);
    });

    it('needs alerts:write to change rules and alerts:read to read them', async () => {
      const readOnly = fixedKey('alertsreadonly');
      await h.repositories.merchants.addApiKey({ merchantId, keyHash: await hashApiKey(readOnly), hint: keyHint(readOnly), label: 'r', scopes: ['alerts:read'] });
      const refused = await call('POST', '/v1/alert_rules', { kind: 'review_queue' }, readOnly);
      expect(refused).toMatchObject({ status: 403, body: { code: 'insufficient_scope', required_scope: 'alerts:write' } });
      expect((await call('GET', '/v1/alerts', undefined, readOnly)).status).toBe(200);
      const none = fixedKey('alertsnone');
      await h.repositories.merchants.addApiKey({ merchantId, keyHash: await hashApiKey(none), hint: keyHint(none), label: 'n', scopes: ['payments:read'] });
      expect((await call('GET', '/v1/alert_rules', undefined, none)).body).toMatchObject({ code: 'insufficient_scope', required_scope: 'alerts:read' });
      expect(await ruleCount()).toBe(0);
    });
  });
});
