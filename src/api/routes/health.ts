import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Router } from '../../orchestrator/router.js';
import type { AppEnv } from '../env.js';

const GatewayHealth = z
  .object({
    gateway: z.string(),
    account_id: z.string(),
    provider: z.string(),
    breaker: z.object({ state: z.enum(['closed', 'open', 'half_open']), calls: z.number(), failures: z.number(), successes: z.number(), rejected: z.number() }),
    success_rate: z.object({ probability: z.number(), samples: z.number(), level: z.string() }),
  })
  .openapi('GatewayHealth');

const RoutingStatus = z
  .object({
    active_version: z.number().int().nullable(),
    fallback: z
      .object({ reason: z.literal('ruleset_unusable'), ruleset_version: z.number().int(), errors: z.array(z.string()) })
      .nullable()
      .openapi({ description: 'Set while the active ruleset cannot be used (a gateway account it names was disabled, renamed or lost its adapter since activation): default routing decides meanwhile.' }),
  })
  .openapi('RoutingStatus');

const route = createRoute({
  method: 'get',
  path: '/v1/gateways/health',
  operationId: 'getGatewayHealth',
  summary: "Each gateway account's circuit breaker and the learner's current success estimate, and whether the active ruleset is in use",
  security: [{ bearerAuth: [] }],
  responses: { 200: { description: 'Health.', content: { 'application/json': { schema: z.object({ object: z.literal('list'), data: z.array(GatewayHealth), routing: RoutingStatus }) } } } },
});

export function healthRoutes(app: OpenAPIHono<AppEnv>, router: Router): void {
  app.openapi(route, async (c) => {
    const merchantId = c.get('merchantId');
    const candidates = await router.candidates(merchantId);
    const learner = router.learner.of(merchantId);
    const data = candidates.map((candidate) => {
      const estimate = learner.overall(candidate.accountId);
      return {
        gateway: candidate.name,
        account_id: candidate.accountId,
        provider: candidate.provider,
        breaker: router.breakers.stats(candidate.accountId),
        success_rate: { probability: Math.round(estimate.p * 10_000) / 10_000, samples: Math.round(estimate.n * 100) / 100, level: estimate.level },
      };
    });
    return c.json({ object: 'list' as const, data, routing: await router.rulesetStatus(merchantId) }, 200);
  });
}
