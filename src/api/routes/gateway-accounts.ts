import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { GatewayRegistry } from '../../orchestrator/gateways.js';
import { accountCapabilities } from '../../routing/candidates.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { listOf } from '../schemas.js';

const Capabilities = z.object({
  payment_methods: z.array(z.string()),
  card_networks: z.array(z.string()),
  currencies: z.union([z.array(z.string()), z.literal('*')]),
  countries: z.union([z.array(z.string()), z.literal('*')]),
  capture_methods: z.array(z.string()),
  partial_capture: z.boolean(),
  multiple_capture: z.boolean(),
  voids: z.boolean(),
  refunds: z.boolean(),
  partial_refund: z.boolean(),
  multiple_refunds: z.boolean(),
  idempotency: z.boolean(),
  sync_without_reference: z.boolean(),
  async_modifications: z.boolean(),
  amount_limits: z.object({ min: z.number().int(), max: z.number().int() }),
  amount_steps: z
    .record(z.string(), z.number().int())
    .describe('Per currency, amounts must be a multiple of this many minor units for the provider to carry them exactly (it counts the currency in fewer decimals); other currencies take any amount.'),
});

export const GatewayAccountView = z
  .object({
    id: z.string(),
    object: z.literal('gateway_account'),
    provider: z.string(),
    label: z.string(),
    priority: z.number().int(),
    /** Where the provider must send its notifications for this account. */
    webhook_path: z.string(),
    capabilities: Capabilities.nullable(),
    created_at: z.string(),
  })
  .openapi('GatewayAccount');

const route = createRoute({
  method: 'get',
  path: '/v1/gateway_accounts',
  operationId: 'listGatewayAccounts',
  summary: "The merchant's gateway accounts and what each can do (credentials and webhook secrets are never shown)",
  security: [{ bearerAuth: [] }],
  responses: {
    200: { description: 'The accounts.', content: { 'application/json': { schema: listOf(GatewayAccountView, 'GatewayAccountList') } } },
  },
});

export function gatewayAccountRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories, gateways: GatewayRegistry): void {
  app.openapi(route, async (c) => {
    const accounts = await repositories.merchants.gatewayAccounts(c.get('merchantId'));
    const data = accounts.map((account) => {
      const adapter = gateways.adapterFor(account);
      const caps = adapter ? accountCapabilities(adapter.capabilities, account.settings) : null;
      return {
        id: account.id,
        object: 'gateway_account' as const,
        provider: account.provider,
        label: account.label,
        priority: account.priority,
        webhook_path: `/v1/webhooks/${account.provider}/${account.id}`,
        capabilities: caps && {
          payment_methods: [...caps.paymentMethods],
          card_networks: [...caps.cardNetworks],
          currencies: caps.currencies === '*' ? ('*' as const) : [...caps.currencies],
          countries: caps.countries === '*' ? ('*' as const) : [...caps.countries],
          capture_methods: [...caps.captureMethods],
          partial_capture: caps.partialCapture,
          multiple_capture: caps.multipleCapture,
          voids: caps.voids,
          refunds: caps.refunds,
          partial_refund: caps.partialRefund,
          multiple_refunds: caps.multipleRefunds,
          idempotency: caps.idempotency,
          sync_without_reference: caps.syncWithoutReference,
          async_modifications: caps.asyncModifications,
          amount_limits: caps.amountLimits,
          amount_steps: { ...caps.amountSteps },
        },
        created_at: account.createdAt.toISOString(),
      };
    });
    return c.json({ object: 'list' as const, data, has_more: false }, 200);
  });
}
