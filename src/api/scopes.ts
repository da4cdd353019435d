import { createMiddleware } from 'hono/factory';
import type { Scope } from '../domain/api-keys.js';
import { Problem } from '../domain/problem.js';
import type { AppEnv } from './env.js';

/**
 * The scope each merchant API route needs, by `METHOD path` as the OpenAPI document spells it.
 * A test checks that every route documented for API keys is here, so a new route cannot go
 * unscoped. Operator routes (the admin API, activating a ruleset) take no API key at all.
 */
export const ROUTE_SCOPES: Readonly<Record<string, Scope>> = {
  'POST /v1/payments': 'payments:write',
  'GET /v1/payments': 'payments:read',
  'GET /v1/payments/{id}': 'payments:read',
  'POST /v1/payments/{id}/capture': 'payments:write',
  'POST /v1/payments/{id}/cancel': 'payments:write',
  'POST /v1/payments/{id}/confirm': 'payments:write',
  'GET /v1/payments/{id}/events': 'payments:read',
  'POST /v1/payments/{id}/refunds': 'payments:write',
  'GET /v1/payments/{id}/refunds': 'payments:read',
  'GET /v1/routing/rules': 'routing:read',
  'POST /v1/routing/rules': 'routing:write',
  // Reads recorded payments and estimates; stores nothing.
  'POST /v1/routing/rules/{version}/backtest': 'routing:read',
  // A dry run: it decides without charging or storing anything.
  'POST /v1/routing/decide': 'routing:read',
  'POST /v1/webhook_endpoints': 'webhooks:manage',
  'GET /v1/webhook_endpoints': 'webhooks:manage',
  'GET /v1/webhook_endpoints/{id}': 'webhooks:manage',
  'DELETE /v1/webhook_endpoints/{id}': 'webhooks:manage',
  'GET /v1/events': 'events:read',
  'GET /v1/events/{id}': 'events:read',
  'POST /v1/events/{id}/redeliver': 'webhooks:manage',
  'GET /v1/gateway_accounts': 'gateways:read',
  'GET /v1/gateways/health': 'gateways:read',
  'GET /v1/jobs': 'jobs:read',
  'GET /v1/analytics/approval_rates': 'analytics:read',
  'GET /v1/analytics/funnel': 'analytics:read',
  'GET /v1/analytics/declines': 'analytics:read',
  'GET /v1/analytics/costs': 'analytics:read',
  'GET /v1/analytics/routing_gain': 'analytics:read',
  'GET /v1/analytics/forecast': 'analytics:read',
  'GET /v1/events/stream': 'events:read',
  'POST /v1/alert_rules': 'alerts:write',
  'GET /v1/alert_rules': 'alerts:read',
  'GET /v1/alert_rules/{id}': 'alerts:read',
  'POST /v1/alert_rules/{id}': 'alerts:write',
  'DELETE /v1/alert_rules/{id}': 'alerts:write',
  'GET /v1/alerts': 'alerts:read',
  // Instance-wide numbers: operators see them with their session; a key needs this scope.
  'GET /metrics': 'metrics:read',
  'POST /v1/payment_methods': 'payment_methods:write',
  'GET /v1/payment_methods': 'payment_methods:read',
  'GET /v1/payment_methods/available': 'payment_methods:read',
  'GET /v1/payment_methods/{id}': 'payment_methods:read',
  'POST /v1/payment_methods/{id}': 'payment_methods:write',
  // The only route a publishable key (pk_…) can call.
  'POST /v1/tokens': 'payment_methods:tokenize',
  'POST /v1/customers': 'customers:write',
  'GET /v1/customers': 'customers:read',
  'GET /v1/customers/{id}': 'customers:read',
  'POST /v1/customers/{id}': 'customers:write',
  'DELETE /v1/customers/{id}': 'customers:write',
  'POST /v1/customers/{id}/payment_methods': 'customers:write',
  'GET /v1/customers/{id}/payment_methods': 'customers:read',
  'DELETE /v1/customers/{id}/payment_methods/{payment_method}': 'customers:write',
  'POST /v1/plans': 'billing:write',
  'GET /v1/plans': 'billing:read',
  'GET /v1/plans/{id}': 'billing:read',
  'POST /v1/plans/{id}/archive': 'billing:write',
  'POST /v1/subscriptions': 'billing:write',
  'GET /v1/subscriptions': 'billing:read',
  'GET /v1/subscriptions/{id}': 'billing:read',
  'POST /v1/subscriptions/{id}/cancel': 'billing:write',
  'GET /v1/subscriptions/{id}/invoices': 'billing:read',
  'GET /v1/invoices': 'billing:read',
  'GET /v1/invoices/{id}': 'billing:read',
};

const ROUTES = Object.entries(ROUTE_SCOPES).map(([route, scope]) => {
  const [method, path] = route.split(' ') as [string, string];
  const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
  return { method, pattern, scope };
});

export function scopeFor(method: string, path: string): Scope | null {
  return ROUTES.find((r) => r.method === method && r.pattern.test(path))?.scope ?? null;
}

/** Refuses a request whose key lacks the route's scope, before the route runs (so nothing changes). */
export function requireScope() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const needed = scopeFor(c.req.method, c.req.path);
    if (needed && !c.get('scopes').includes(needed)) {
      throw new Problem({
        status: 403,
        code: 'insufficient_scope',
        title: 'Insufficient scope',
        detail: c.get('operator') ? `Your role lacks the ${needed} scope this request needs.` : `This API key lacks the ${needed} scope this request needs.`,
        extensions: { required_scope: needed },
      });
    }
    await next();
  });
}
