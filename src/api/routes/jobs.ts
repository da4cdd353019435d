import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Clock } from '../../domain/clock.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';

const JobStats = z
  .object({
    kind: z.string(),
    state: z.enum(['scheduled', 'running', 'done', 'dead']),
    count: z.number().int(),
    oldest_run_at: z.string().nullable(),
    /** For scheduled jobs: how long the oldest one has been due (0 when none is due yet). */
    oldest_overdue_seconds: z.number().int(),
  })
  .openapi('JobStats');

const route = createRoute({
  method: 'get',
  path: '/v1/jobs',
  operationId: 'getJobs',
  summary: "The merchant's background work: reconciler and webhook jobs per kind and state, with the oldest",
  security: [{ bearerAuth: [] }],
  responses: { 200: { description: 'Counts.', content: { 'application/json': { schema: z.object({ object: z.literal('list'), data: z.array(JobStats) }) } } } },
});

export function jobRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories, clock: Clock): void {
  app.openapi(route, async (c) => {
    const now = clock.now().getTime();
    const stats = await repositories.jobs.stats(c.get('merchantId'));
    const data = stats.map((s) => ({
      kind: s.kind,
      state: s.state,
      count: s.count,
      oldest_run_at: s.oldestRunAt?.toISOString() ?? null,
      oldest_overdue_seconds: s.state === 'scheduled' && s.oldestRunAt ? Math.max(0, Math.floor((now - s.oldestRunAt.getTime()) / 1000)) : 0,
    }));
    return c.json({ object: 'list' as const, data }, 200);
  });
}
