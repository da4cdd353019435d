import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROUTE_SCOPES } from '../../src/api/scopes.js';
import { generateApiKey, hashApiKey, keyHint, SCOPES, type Scope } from '../../src/domain/api-keys.js';
import { paymentBody, startHarness, type Harness } from '../support/harness.js';

const RULES = 'rules:\n  - id: all\n    then: { route: [stripe] }\ndefault: { optimize: { objective: success_rate } }\n';

describe('API key scopes', () => {
  let h: Harness;
  let merchantId: string;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.reset();
    merchantId = (await h.repositories.merchants.findByName('one'))!;
  });

  async function keyWith(scopes: readonly Scope[]): Promise<string> {
    const key = generateApiKey('test');
    await h.repositories.merchants.addApiKey({ merchantId, keyHash: await hashApiKey(key), hint: keyHint(key), label: 'restricted', scopes });
    return key;
  }

  it('maps every API-key route of the OpenAPI document to a scope, and nothing else; every other route is an operator\'s', async () => {
    const doc = await (await h.request('GET', '/openapi.json', { key: null })).json();
    type Operation = { security?: Record<string, unknown>[] };
    const operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, schemes: (operation.security ?? []).flatMap((s) => Object.keys(s)) })),
    );
    const keyed = operations.filter((o) => o.schemes.includes('bearerAuth')).map((o) => o.route);
    expect(keyed.length).toBeGreaterThan(20);
    expect(Object.keys(ROUTE_SCOPES).sort()).toEqual(keyed.sort());
    const others = operations.filter((o) => !o.schemes.includes('bearerAuth'));
    expect(others.filter((o) => !o.schemes.includes('operatorSession')).map((o) => o.route)).toEqual(['POST /v1/admin/session']);
    expect(others.map((o) => o.route)).toContain('POST /v1/routing/rules/{version}/activate');
  });

  it.each(Object.entries(ROUTE_SCOPES))('%s needs %s: a key with every other scope gets 403 insufficient_scope', async (route, scope) => {
    const [method, template] = route.split(' ') as [string, string];
    const path = template.replace(/\{[^}]+\}/g, 'pay_00000000000000000000000000');
    const key = await keyWith(SCOPES.filter((s) => s !== scope));
    const res = await h.request(method, path, { key, ...(method === 'POST' ? { body: {} } : {}) });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ code: 'insufficient_scope', required_scope: scope });
    expect(body.detail).toContain(scope);
  });

  it('a key without routing:write can read rules but neither store nor activate a ruleset', async () => {
    const key = await keyWith(['routing:read', 'payments:write', 'payments:read']);
    const stored = await h.request('POST', '/v1/routing/rules', { body: { source: RULES } });
    expect(stored.status).toBe(201);
    const { version } = await stored.json();

    const refused = await h.request('POST', '/v1/routing/rules', { key, body: { source: RULES } });
    expect(refused.status).toBe(403);
    expect((await refused.json()).detail).toContain('routing:write');
    // No API key activates, whatever its scopes: that takes an operator with a TOTP code.
    const activate = await h.request('POST', `/v1/routing/rules/${version}/activate`, { key });
    expect(activate.status).toBe(403);
    expect(await activate.json()).toMatchObject({ code: 'operator_required' });

    const listed = await (await h.request('GET', '/v1/routing/rules', { key })).json();
    expect(listed.versions.map((v: { version: number }) => v.version)).toEqual([version]);
    expect(listed.active_version).toBeNull();
  });

  it('a payments-only key takes payments and refuses what it may not do, changing nothing', async () => {
    const key = await keyWith(['payments:write']);
    const paid = await h.request('POST', '/v1/payments', { key, body: paymentBody() });
    expect(paid.status).toBe(201);
    const payment = await paid.json();
    expect((await h.request('GET', `/v1/payments/${payment.id}`, { key })).status).toBe(403);
    expect((await h.request('POST', '/v1/webhook_endpoints', { key, body: { url: 'http://127.0.0.1:9/hook', enabled_events: ['*'] } })).status).toBe(403);
    const endpoints = await (await h.request('GET', '/v1/webhook_endpoints')).json();
    expect(endpoints.data).toEqual([]);
  });
});

describe('API key authentication', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h.close());

  it.each(['sk_sandbox_demo', `sk_live_${'a'.repeat(31)}`, `sk_prod_${'a'.repeat(32)}`, `sk_test_${'a'.repeat(31)}!`])(
    'refuses %j as not shaped like a key: 401 problem+json',
    async (key) => {
      const res = await h.request('GET', '/v1/payments', { key });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((await res.json()).code).toBe('unauthorized');
    },
  );

  it('refuses a well-formed key nobody issued', async () => {
    expect((await h.request('GET', '/v1/payments', { key: generateApiKey('live') })).status).toBe(401);
  });
});
