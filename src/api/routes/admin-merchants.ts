import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { createMerchant, disableMerchant, listMerchants, merchantView } from '../../admin/merchants.js';
import { mayActFor } from '../../admin/operators.js';
import type { Clock } from '../../domain/clock.js';
import type { Repositories } from '../../store/index.js';
import { actingFor, adminAction, operatorContext } from '../admin-actions.js';
import type { AppEnv } from '../env.js';
import { requireOperator } from '../middleware/operator.js';
import { json, operatorSecurity as security, problem } from '../openapi.js';
import { listOf } from '../schemas.js';

export const MerchantIdParam = z.object({
  id: z.string().regex(/^mer_[0-9A-Z]{26}$/, 'id must be a merchant id (mer_…).').openapi({ param: { name: 'id', in: 'path' } }),
});

const MerchantView = z
  .object({ object: z.literal('merchant'), id: z.string(), name: z.string(), created_at: z.string(), disabled_at: z.string().nullable() })
  .openapi('Merchant');
const NewMerchant = z.strictObject({ name: z.string().max(200).openapi({ description: '1 to 200 characters, no control characters.' }) }).openapi('NewMerchant');

const routes = {
  list: createRoute({
    method: 'get',
    path: '/v1/admin/merchants',
    operationId: 'listMerchants',
    summary: 'The merchants the operator may act for (viewer)',
    security,
    responses: { 200: json(listOf(MerchantView, 'MerchantList'), 'Merchants.') },
  }),
  create: createRoute({
    method: 'post',
    path: '/v1/admin/merchants',
    operationId: 'createMerchant',
    summary: 'Create a merchant (admin, fresh MFA)',
    security,
    request: { body: { required: true, content: { 'application/json': { schema: NewMerchant } } } },
    responses: { 201: json(MerchantView, 'The merchant; give it keys and gateway accounts next.'), 400: problem('Invalid request.'), 403: problem('Not an admin, or MFA not fresh.') },
  }),
  disable: createRoute({
    method: 'post',
    path: '/v1/admin/merchants/{id}/disable',
    operationId: 'disableMerchant',
    summary: "Disable a merchant: its keys stop working at once; payments, accounts and rules stay (admin, fresh MFA)",
    security,
    request: { params: MerchantIdParam },
    responses: { 200: json(MerchantView, 'The disabled merchant.'), 400: problem('Invalid request, or disabled already.'), 403: problem('Not an admin, or MFA not fresh.'), 404: problem('No such merchant.') },
  }),
};

type MerchantFields = ReturnType<typeof merchantView>;
const view = (merchant: MerchantFields) => ({ object: 'merchant' as const, ...merchant });

export function adminMerchantRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories, clock: Clock): void {
  const adminWithMfa = requireOperator(clock, { role: 'admin', mfa: true });

  app.openapi({ ...routes.list, middleware: requireOperator(clock, { role: 'viewer' }) }, async (c) => {
    const operator = c.get('operator');
    const merchants = (await listMerchants({ repositories })).filter((m) => mayActFor(operator, m.id));
    return c.json({ object: 'list' as const, data: merchants.map(view), has_more: false }, 200);
  });

  app.openapi({ ...routes.create, middleware: adminWithMfa }, async (c) => {
    const { name } = c.req.valid('json');
    return c.json(view(await adminAction(() => createMerchant(operatorContext(c, repositories, clock), { name }))), 201);
  });

  app.openapi({ ...routes.disable, middleware: adminWithMfa }, async (c) => {
    const { id } = c.req.valid('param');
    actingFor(c, (await repositories.merchants.merchant(id))?.id ?? null, 'merchant');
    return c.json(view(await adminAction(() => disableMerchant(operatorContext(c, repositories, clock), id), { merchant: 'id' })), 200);
  });
}
