import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { apiKeyMerchant, apiKeyView, createApiKey, listApiKeys, MAX_OVERLAP_MS, revokeApiKey, rollApiKey } from '../../admin/api-keys.js';
import { SCOPES } from '../../domain/api-keys.js';
import type { Clock } from '../../domain/clock.js';
import type { Repositories } from '../../store/index.js';
import { actingFor, adminAction, operatorContext } from '../admin-actions.js';
import type { AppEnv } from '../env.js';
import { requireOperator } from '../middleware/operator.js';
import { json, operatorSecurity as security, problem } from '../openapi.js';
import { listOf } from '../schemas.js';
import { MerchantIdParam } from './admin-merchants.js';

const MAX_OVERLAP_SECONDS = MAX_OVERLAP_MS / 1000;
const DEFAULT_OVERLAP_SECONDS = 24 * 3600;

const KeyIdParam = z.object({ id: z.string().regex(/^key_[0-9A-Z]{26}$/, 'id must be an API key id (key_…).').openapi({ param: { name: 'id', in: 'path' } }) });

const ApiKeyView = z
  .object({
    object: z.literal('api_key'),
    id: z.string(),
    merchant_id: z.string(),
    hint: z.string().openapi({ description: 'The mode prefix and the last characters: enough to recognise a key, never to use it.', example: 'sk_test_4e…Qx9Z' }),
    label: z.string(),
    type: z.enum(['secret', 'publishable']),
    scopes: z.array(z.string()).openapi({ description: `Of ${SCOPES.join(', ')}.` }),
    allowed_origins: z.array(z.string()).openapi({ description: 'Publishable keys: the browser origins the tokenization endpoint answers with CORS.' }),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
    expires_at: z.string().nullable().openapi({ description: 'When a rolled key stops working.' }),
  })
  .openapi('ApiKey');
const CreatedApiKey = ApiKeyView.extend({ secret: z.string().openapi({ description: 'The key itself, shown in this answer only: only its hash is stored.' }) }).openapi('CreatedApiKey');
const RolledApiKey = CreatedApiKey.extend({ replaces: ApiKeyView.openapi({ description: 'The old key, with the time it stops working.' }) }).openapi('RolledApiKey');

const NewApiKey = z
  .strictObject({
    mode: z.enum(['live', 'test']).openapi({ description: '`live` keys are `sk_live_…`, `test` keys `sk_test_…`.' }),
    label: z.string().max(100).openapi({ description: '1 to 100 characters, no control characters.' }),
    type: z.enum(['secret', 'publishable']).optional().openapi({ description: '`secret` (default): `sk_…`, for servers. `publishable`: `pk_…`, for browsers and apps; it can only tokenize cards.' }),
    scopes: z.array(z.string().max(40)).max(SCOPES.length).optional().openapi({ description: `Secret keys; omitted: every scope (${SCOPES.join(', ')}).` }),
    allowed_origins: z.array(z.string().max(200)).max(20).optional().openapi({ description: 'Publishable keys (required): browser origins such as https://shop.example.', example: ['https://shop.example'] }),
  })
  .openapi('NewApiKey');
const KeyRoll = z
  .strictObject({
    overlap_seconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_OVERLAP_SECONDS)
      .optional()
      .openapi({ description: `How long the old key keeps working next to its successor (0: it stops now); default ${DEFAULT_OVERLAP_SECONDS} (24 hours), at most 30 days.` }),
  })
  .openapi('ApiKeyRoll');

const refusals = 'Not an operator, MFA not fresh (`mfa_required`), or a merchant the operator may not act for (`merchant_not_allowed`).';
const routes = {
  list: createRoute({
    method: 'get',
    path: '/v1/admin/merchants/{id}/keys',
    operationId: 'listApiKeys',
    summary: "A merchant's API keys, by hint: never a key itself (operator)",
    security,
    request: { params: MerchantIdParam },
    responses: { 200: json(listOf(ApiKeyView, 'ApiKeyList'), 'Keys, revoked ones included.'), 400: problem('Invalid request.'), 403: problem('Not an operator, or a merchant the operator may not act for.'), 404: problem('No such merchant.') },
  }),
  create: createRoute({
    method: 'post',
    path: '/v1/admin/merchants/{id}/keys',
    operationId: 'createApiKey',
    summary: 'Create an API key: its secret is answered this once (operator, fresh MFA)',
    security,
    request: { params: MerchantIdParam, body: { required: true, content: { 'application/json': { schema: NewApiKey } } } },
    responses: { 201: json(CreatedApiKey, 'The key, with its secret.'), 400: problem('Invalid request, or the merchant is disabled.'), 403: problem(refusals), 404: problem('No such merchant.') },
  }),
  roll: createRoute({
    method: 'post',
    path: '/v1/admin/keys/{id}/roll',
    operationId: 'rollApiKey',
    summary: 'Roll a key: a successor with the same label and scopes; the old one keeps working for the overlap (operator, fresh MFA)',
    security,
    request: { params: KeyIdParam, body: { required: false, content: { 'application/json': { schema: KeyRoll } } } },
    responses: { 201: json(RolledApiKey, 'The successor, with its secret, and the old key.'), 400: problem('Invalid request, or the key is revoked or expired.'), 403: problem(refusals), 404: problem('No such key.') },
  }),
  revoke: createRoute({
    method: 'post',
    path: '/v1/admin/keys/{id}/revoke',
    operationId: 'revokeApiKey',
    summary: 'Revoke a key: it stops working at once (operator, fresh MFA)',
    security,
    request: { params: KeyIdParam },
    responses: { 200: json(ApiKeyView, 'The revoked key.'), 400: problem('Invalid request, or revoked already.'), 403: problem(refusals), 404: problem('No such key.') },
  }),
};

type KeyFields = ReturnType<typeof apiKeyView>;
const view = (key: KeyFields) => ({ object: 'api_key' as const, ...key });
// The services name what they refuse by their own words; the request's are these.
const FIELDS = { merchant: 'id', key: 'id', overlap: 'overlap_seconds', allowed_origins: 'allowed_origins', scopes: 'scopes' };

export function adminKeyRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories, clock: Clock): void {
  const operatorWithMfa = requireOperator(clock, { role: 'operator', mfa: true });

  app.openapi({ ...routes.list, middleware: requireOperator(clock, { role: 'operator' }) }, async (c) => {
    const { id } = c.req.valid('param');
    actingFor(c, (await repositories.merchants.merchant(id))?.id ?? null, 'merchant');
    return c.json({ object: 'list' as const, data: (await listApiKeys({ repositories }, id)).map(view), has_more: false }, 200);
  });

  app.openapi({ ...routes.create, middleware: operatorWithMfa }, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    actingFor(c, (await repositories.merchants.merchant(id))?.id ?? null, 'merchant');
    const { key, secret } = await adminAction(() => createApiKey(operatorContext(c, repositories, clock), { merchantId: id, mode: body.mode, label: body.label, scopes: body.scopes, kind: body.type, allowedOrigins: body.allowed_origins }), FIELDS);
    return c.json({ ...view(key), secret }, 201);
  });

  app.openapi({ ...routes.roll, middleware: operatorWithMfa }, async (c) => {
    const { id } = c.req.valid('param');
    // The body is optional: without one, the default overlap.
    const overlap = (c.req.valid('json') as z.infer<typeof KeyRoll> | undefined)?.overlap_seconds ?? DEFAULT_OVERLAP_SECONDS;
    actingFor(c, await apiKeyMerchant({ repositories }, id), 'API key');
    const { old, key, secret } = await adminAction(() => rollApiKey(operatorContext(c, repositories, clock), id, overlap * 1000), FIELDS);
    return c.json({ ...view(key), secret, replaces: view(old) }, 201);
  });

  app.openapi({ ...routes.revoke, middleware: operatorWithMfa }, async (c) => {
    const { id } = c.req.valid('param');
    actingFor(c, await apiKeyMerchant({ repositories }, id), 'API key');
    return c.json(view(await adminAction(() => revokeApiKey(operatorContext(c, repositories, clock), id), FIELDS)), 200);
  });
}
