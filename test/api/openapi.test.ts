import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

type Operation = { operationId?: string; security?: Record<string, unknown>[]; parameters?: { name: string }[]; responses: Record<string, { headers?: Record<string, unknown> }> };

describe('service documents', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h.close());

  it('GET /healthz answers without a key', async () => {
    const res = await h.request('GET', '/healthz', { key: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /openapi.json is an OpenAPI 3.1 document built from the request schemas', async () => {
    const res = await h.request('GET', '/openapi.json', { key: null });
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/metrics',
      '/v1/admin/alert_rules',
      '/v1/admin/alert_rules/{id}',
      '/v1/admin/alerts',
      '/v1/admin/audit',
      '/v1/admin/gateway_accounts/{id}',
      '/v1/admin/gateway_accounts/{id}/disable',
      '/v1/admin/keys/{id}/revoke',
      '/v1/admin/keys/{id}/roll',
      '/v1/admin/me',
      '/v1/admin/merchants',
      '/v1/admin/merchants/{id}/disable',
      '/v1/admin/merchants/{id}/gateway_accounts',
      '/v1/admin/merchants/{id}/keys',
      '/v1/admin/operators',
      '/v1/admin/operators/me/password',
      '/v1/admin/operators/{id}/disable',
      '/v1/admin/session',
      '/v1/admin/session/mfa',
      '/v1/alert_rules',
      '/v1/alert_rules/{id}',
      '/v1/alerts',
      '/v1/analytics/approval_rates',
      '/v1/analytics/costs',
      '/v1/analytics/declines',
      '/v1/analytics/forecast',
      '/v1/analytics/funnel',
      '/v1/analytics/routing_gain',
      '/v1/customers',
      '/v1/customers/{id}',
      '/v1/customers/{id}/payment_methods',
      '/v1/customers/{id}/payment_methods/{payment_method}',
      '/v1/events',
      '/v1/events/stream',
      '/v1/events/{id}',
      '/v1/events/{id}/redeliver',
      '/v1/gateway_accounts',
      '/v1/gateways/health',
      '/v1/invoices',
      '/v1/invoices/{id}',
      '/v1/jobs',
      '/v1/payment_methods',
      '/v1/payment_methods/available',
      '/v1/payment_methods/{id}',
      '/v1/payments',
      '/v1/payments/{id}',
      '/v1/payments/{id}/cancel',
      '/v1/payments/{id}/capture',
      '/v1/payments/{id}/confirm',
      '/v1/payments/{id}/events',
      '/v1/payments/{id}/refunds',
      '/v1/plans',
      '/v1/plans/{id}',
      '/v1/plans/{id}/archive',
      '/v1/routing/decide',
      '/v1/routing/rules',
      '/v1/routing/rules/{version}/activate',
      '/v1/routing/rules/{version}/backtest',
      '/v1/subscriptions',
      '/v1/subscriptions/{id}',
      '/v1/subscriptions/{id}/cancel',
      '/v1/subscriptions/{id}/invoices',
      '/v1/tokens',
      '/v1/webhook_endpoints',
      '/v1/webhook_endpoints/{id}',
    ]);
    const create = doc.components.schemas.CreatePayment;
    // payment_method may be left out when `customer` names a customer with a default card.
    expect(create.required).toEqual(expect.arrayContaining(['amount', 'currency']));
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.capture_method.enum).toEqual(['automatic', 'manual']);
    expect(doc.paths['/v1/payments'].post.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    expect(doc.paths['/v1/payments'].post.responses['400'].content).toHaveProperty(['application/problem+json']);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.operatorSession).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    // People activate rulesets, with a session token; keys store them.
    expect(doc.paths['/v1/routing/rules/{version}/activate'].post.security).toEqual([{ operatorSession: [] }]);
    expect(doc.paths['/v1/routing/rules'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/v1/admin/session'].post.security).toEqual([]);
  });

  it('names every operation and declares every status, header and parameter the middleware adds', async () => {
    const doc = await (await h.request('GET', '/openapi.json', { key: null })).json();
    expect(doc.servers).toEqual([expect.objectContaining({ url: 'http://127.0.0.1:8787' })]);
    const operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ method, path, operation })),
    );
    const ids = operations.map((o) => o.operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/v1/payments/{id}/capture'].post.operationId).toBe('capturePayment');
    for (const { method, path, operation } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      if (operation.security?.length) expect(Object.keys(operation.responses), where).toEqual(expect.arrayContaining(['401', '403']));
      expect(Object.keys(operation.responses), where).toContain('429');
      // The merchant API's POSTs take an Idempotency-Key; the operators' do not (they are not retried by machines).
      const merchantPost = method === 'post' && JSON.stringify(operation.security) === JSON.stringify([{ bearerAuth: [] }]);
      if (method === 'post') expect(Object.keys(operation.responses), where).toEqual(expect.arrayContaining(['400', '413', '415']));
      if (merchantPost) {
        expect(Object.keys(operation.responses), where).toEqual(expect.arrayContaining(['409', '422']));
        expect(operation.parameters?.map((p) => p.name), where).toContain('Idempotency-Key');
      } else {
        expect(operation.parameters?.map((p) => p.name) ?? [], where).not.toContain('Idempotency-Key');
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(Object.keys(response.headers ?? {}), `${where} ${status}`).toContain('Request-Id');
        if (status === '409' || status === '429') expect(Object.keys(response.headers ?? {}), `${where} ${status}`).toContain('Retry-After');
        if (merchantPost && status.startsWith('2')) expect(Object.keys(response.headers ?? {}), `${where} ${status}`).toContain('Idempotent-Replayed');
      }
    }
    // The version is an integer in the path, as `active_version` is in the body.
    expect(doc.paths['/v1/routing/rules/{version}/activate'].post.parameters).toContainEqual(expect.objectContaining({ name: 'version', schema: expect.objectContaining({ type: 'integer' }) }));
  });

  it('answers every request with a Request-Id', async () => {
    const res = await h.request('GET', '/v1/payments');
    expect(res.headers.get('request-id')).toMatch(/.{8,}/);
  });
});
