import type { OpenAPIHono } from '@hono/zod-openapi';
import type { webhookService } from '../../orchestrator/webhooks.js';
import type { AppEnv } from '../env.js';

/**
 * Provider notifications. No merchant key: the provider's signature, checked with the
 * account's webhook secret, is the authentication. The raw body is verified byte for byte.
 */
export function webhookRoutes(app: OpenAPIHono<AppEnv>, webhooks: ReturnType<typeof webhookService>): void {
  app.post('/v1/webhooks/:provider/:account', async (c) => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const ack = await webhooks.receive(c.req.param('provider'), c.req.param('account'), { headers, rawBody: await c.req.text() });
    return c.body(ack.body, ack.status, { 'Content-Type': ack.contentType });
  });
}
