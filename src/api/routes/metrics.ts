import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import type { Monitoring } from '../monitoring.js';
import { operatorSecurity, security } from '../openapi.js';

const route = createRoute({
  method: 'get',
  path: '/metrics',
  operationId: 'getMetrics',
  summary: "This instance's metrics, in the Prometheus text exposition format",
  description:
    'Any signed-in operator (session token), or an API key with the `metrics:read` scope. The numbers are the whole instance\'s, every merchant\'s: grant `metrics:read` to monitoring keys only.',
  security: [...security, ...operatorSecurity],
  responses: {
    200: { description: 'The metrics.', content: { 'text/plain': { schema: z.string() } } },
  },
});

/** GET /metrics behind `guard` (an operator session, or a key with metrics:read). */
export function metricsRoutes(app: OpenAPIHono<AppEnv>, metrics: Monitoring['metrics'], guard: MiddlewareHandler<AppEnv>): void {
  app.use(route.path, guard);
  app.openapi(route, async (c) => c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType }) as never);
}
