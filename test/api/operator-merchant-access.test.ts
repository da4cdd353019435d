import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operatorScopes } from '../../src/api/middleware/operator-merchant.js';
import { SCOPES } from '../../src/domain/api-keys.js';
import { manualClock } from '../support/clock.js';
import { DRIVERS } from '../support/databases.js';
import { paymentBody, SECRETS_KEY, startHarness, type Harness } from '../support/harness.js';
import { seedOperator, totpCode, type OperatorCredentials } from '../support/operators.js';

const STEP = 30_000;
const RULES = 'default: { route: [stripe] }\n';

describe('operatorScopes', () => {
  it('gives viewers the read scopes, operators routing, webhooks and alert rules too, admins every scope', () => {
    expect(operatorScopes('viewer')).toEqual(SCOPES.filter((s) => s.endsWith(':read')));
    expect(operatorScopes('viewer')).not.toContain('payments:write');
    expect(operatorScopes('operator')).toEqual([...SCOPES.filter((s) => s.endsWith(':read')), 'routing:write', 'webhooks:manage', 'alerts:write']);
    expect(operatorScopes('admin')).toEqual([...SCOPES]);
  });
});

describe.each(DRIVERS)('an operator session on the merchant API on %s', (driver) => {
  const clock = manualClock();
  let h: Harness;
  let one: string;
  let two: string;
  beforeAll(async () => {
    h = await startHarness(driver, { clock });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.reset();
    clock.advance(STEP);
    one = (await h.repositories.merchants.findByName('one'))!;
    two = (await h.repositories.merchants.findByName('two'))!;
  });

  const seed = (input: Parameters<typeof seedOperator>[3] = {}) => seedOperator(h.repositories, SECRETS_KEY, clock, input);
  const tokenFor = async (op: OperatorCredentials, withCode = true) => {
    const res = await h.request('POST', '/v1/admin/session', { key: null, body: { email: op.email, password: op.password, ...(withCode ? { totp_code: await totpCode(op.totpSecret, clock) } : {}) } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  };
  const as = (token: string, merchant: string | null, method: string, path: string, body?: unknown) =>
    h.request(method, path, { key: null, body, headers: { Authorization: `Bearer ${token}`, ...(merchant === null ? {} : { 'Switchyard-Merchant': merchant }) } });
  const paymentIds = async (res: Response) => ((await res.json()) as { data: { id: string }[] }).data.map((p) => p.id);

  it('lets a viewer read the merchant it names, and nothing else, and write nothing', async () => {
    const paid = (await (await h.request('POST', '/v1/payments', { body: paymentBody() })).json()) as { id: string };
    await h.request('POST', '/v1/payments', { key: h.otherKey, body: paymentBody() });
    const token = await tokenFor(await seed({ role: 'viewer' }));
    const list = await as(token, one, 'GET', '/v1/payments');
    expect(list.status).toBe(200);
    expect(await paymentIds(list)).toEqual([paid.id]);
    expect((await as(token, one, 'GET', `/v1/payments/${paid.id}/events`)).status).toBe(200);
    // The other merchant's view has none of one's payments.
    expect(await paymentIds(await as(token, two, 'GET', '/v1/payments'))).not.toContain(paid.id);
    expect((await as(token, two, 'GET', `/v1/payments/${paid.id}`)).status).toBe(404);
    for (const [method, path, body] of [
      ['POST', '/v1/payments', paymentBody()],
      ['POST', '/v1/routing/rules', { source: RULES }],
      ['POST', `/v1/payments/${paid.id}/refunds`, { amount: 100 }],
    ] as const) {
      const res = await as(token, one, method, path, body);
      expect(res.status, path).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ code: 'insufficient_scope', detail: expect.stringContaining('role') });
    }
    expect(await paymentIds(await h.request('GET', '/v1/payments'))).toEqual([paid.id]);
  });

  it('lets an operator store a ruleset under their own name, but not charge', async () => {
    const op = await seed({ name: 'Grace Hopper', role: 'operator' });
    const token = await tokenFor(op);
    const stored = await as(token, one, 'POST', '/v1/routing/rules', { source: RULES });
    expect(stored.status).toBe(201);
    expect(await stored.json()).toMatchObject({ created_by: `operator:${op.id}`, active: false });
    const rules = (await (await as(token, one, 'GET', '/v1/routing/rules')).json()) as { audit: { actor: string }[] };
    expect(rules.audit).toContainEqual(expect.objectContaining({ action: 'create', actor: `operator:${op.id}`, actor_name: 'Grace Hopper' }));
    expect(await (await as(token, one, 'POST', '/v1/payments', paymentBody())).json()).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect((await h.request('GET', '/v1/payments')).status).toBe(200);
    expect(await paymentIds(await h.request('GET', '/v1/payments'))).toEqual([]);
  });

  it('lets an admin do anything for any merchant', async () => {
    const token = await tokenFor(await seed({ role: 'admin' }));
    const created = await as(token, two, 'POST', '/v1/payments', paymentBody());
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(await paymentIds(await h.request('GET', '/v1/payments', { key: h.otherKey }))).toEqual([id]);
    expect(await paymentIds(await h.request('GET', '/v1/payments'))).toEqual([]);
  });

  it('refuses a merchant outside the operator\'s list, known or not, alike', async () => {
    const token = await tokenFor(await seed({ role: 'operator', merchantIds: [two] }));
    expect((await as(token, two, 'GET', '/v1/payments')).status).toBe(200);
    const answers = [];
    for (const merchant of [one, 'mer_01NOSUCHMERCHANT0000000000']) {
      const res = await as(token, merchant, 'GET', '/v1/payments');
      const { request_id: _, ...problem } = (await res.json()) as Record<string, unknown>;
      answers.push({ status: res.status, problem });
    }
    expect(answers[0]).toMatchObject({ status: 403, problem: { code: 'merchant_not_allowed', param: 'Switchyard-Merchant' } });
    expect(answers[1]).toEqual(answers[0]);
  });

  it('answers a missing, malformed, hostile or unknown merchant header with a problem naming it, and changes nothing', async () => {
    const token = await tokenFor(await seed({ role: 'admin' }));
    const cases: [string | null, number, string][] = [
      [null, 400, 'merchant_required'],
      ['', 400, 'merchant_required'],
      ['one', 400, 'invalid_merchant'],
      ["mer_x' OR 1=1 --", 400, 'invalid_merchant'],
      [`mer_${'A'.repeat(5_000)}`, 400, 'invalid_merchant'],
      ['mer_01NOSUCHMERCHANT0000000000', 400, 'unknown_merchant'],
    ];
    for (const [merchant, status, code] of cases) {
      const res = await as(token, merchant, 'POST', '/v1/payments', paymentBody());
      expect(res.status, String(merchant).slice(0, 20)).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ code, param: 'Switchyard-Merchant' });
    }
    expect(await paymentIds(await h.request('GET', '/v1/payments'))).toEqual([]);
    expect(await paymentIds(await h.request('GET', '/v1/payments', { key: h.otherKey }))).toEqual([]);
  });

  it('refuses a forged, expired or disabled operator\'s session', async () => {
    const op = await seed({ role: 'admin' });
    const token = await tokenFor(op);
    const [header, payload] = token.split('.');
    for (const forged of [`${header}.${payload}.${'A'.repeat(43)}`, 'a.b.c']) {
      const res = await as(forged, one, 'GET', '/v1/payments');
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'unauthorized' });
    }
    clock.advance(13 * 60 * 60 * 1000);
    expect((await as(token, one, 'GET', '/v1/payments')).status).toBe(401);
    const fresh = await tokenFor(op);
    expect((await as(fresh, one, 'GET', '/v1/payments')).status).toBe(200);
    await h.repositories.operators.update(op.id, { disabledAt: clock.now() });
    expect((await as(fresh, one, 'GET', '/v1/payments')).status).toBe(401);
  });

  it('leaves API keys as they were: the header cannot move a key to another merchant', async () => {
    const paid = (await (await h.request('POST', '/v1/payments', { body: paymentBody() })).json()) as { id: string };
    const res = await h.request('GET', '/v1/payments', { key: h.otherKey, headers: { 'Switchyard-Merchant': one } });
    expect(res.status).toBe(200);
    expect(await paymentIds(res)).not.toContain(paid.id);
    expect((await h.request('GET', '/v1/payments', { key: null })).status).toBe(401);
  });

  it('still asks for a fresh TOTP code to activate a ruleset', async () => {
    const op = await seed({ role: 'operator' });
    const passwordOnly = await tokenFor(op, false);
    // The password alone reads the merchant API but activates nothing.
    expect((await as(passwordOnly, one, 'GET', '/v1/routing/rules')).status).toBe(200);
    const stored = (await (await as(passwordOnly, one, 'POST', '/v1/routing/rules', { source: RULES })).json()) as { version: number };
    const activate = (token: string) => as(token, one, 'POST', `/v1/routing/rules/${stored.version}/activate?merchant_id=${one}`);
    expect(await (await activate(passwordOnly)).json()).toMatchObject({ status: 403, code: 'mfa_required' });
    clock.advance(STEP);
    expect((await activate(await tokenFor(op))).status).toBe(200);
  });
});
