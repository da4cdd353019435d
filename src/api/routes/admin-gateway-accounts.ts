import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import {
  addGatewayAccount,
  disableGatewayAccount,
  gatewayAccountMerchant,
  gatewayAccountView,
  listGatewayAccounts,
  updateGatewayAccount,
} from '../../admin/gateway-accounts.js';
import type { Clock } from '../../domain/clock.js';
import type { Repositories } from '../../store/index.js';
import { actingFor, adminAction, operatorContext } from '../admin-actions.js';
import type { AppEnv } from '../env.js';
import { requireOperator } from '../middleware/operator.js';
import { json, operatorSecurity as security, problem } from '../openapi.js';
import { listOf } from '../schemas.js';
import { MerchantIdParam } from './admin-merchants.js';

const AccountIdParam = z.object({ id: z.string().regex(/^gwa_[0-9A-Z]{26}$/, 'id must be a gateway account id (gwa_…).').openapi({ param: { name: 'id', in: 'path' } }) });

const AdminGatewayAccount = z
  .object({
    object: z.literal('gateway_account'),
    id: z.string(),
    merchant_id: z.string(),
    provider: z.string(),
    name: z.string().openapi({ description: 'The slug routing rules name the account by.' }),
    label: z.string(),
    credentials_ref: z.string().openapi({ description: 'Where the credentials are: `env:<PREFIX>` (the `<PREFIX>_*` variables of the router), or `sandbox:<provider>`. Never the secrets.' }),
    currencies: z.array(z.string()).nullable(),
    countries: z.array(z.string()).nullable(),
    priority: z.number().int(),
    created_at: z.string(),
    disabled_at: z.string().nullable(),
  })
  .openapi('AdminGatewayAccount');

const changes = {
  label: z.string().max(100).openapi({ description: '1 to 100 characters, no control characters.' }),
  credentials_ref: z.string().max(100).openapi({ description: '`env:<PREFIX>` (upper-case letters, digits, _): the secrets stay in `<PREFIX>_*` variables of the router and are never stored.', example: 'env:ACME_STRIPE' }),
  currencies: z.array(z.string().max(3)).min(1).max(200).openapi({ description: 'ISO 4217 codes the account takes; omitted: what the provider takes.' }),
  countries: z.array(z.string().max(2)).min(1).max(300).openapi({ description: 'ISO 3166 alpha-2 codes of the cards the account takes; omitted: any.' }),
  priority: z.number().int().min(0).max(1000).openapi({ description: 'Ties between candidates go to the higher priority.' }),
};
const NewGatewayAccount = z
  .strictObject({
    provider: z.string().max(40),
    name: z.string().max(63).openapi({ description: 'A slug: lower-case letters, digits and -.', example: 'stripe-eu' }),
    label: changes.label,
    credentials_ref: changes.credentials_ref,
    currencies: changes.currencies.optional(),
    countries: changes.countries.optional(),
    priority: changes.priority.optional(),
  })
  .openapi('NewGatewayAccount');
const GatewayAccountUpdate = z
  .strictObject({
    label: changes.label.optional(),
    credentials_ref: changes.credentials_ref.optional(),
    currencies: changes.currencies.optional(),
    countries: changes.countries.optional(),
    priority: changes.priority.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'Nothing to change: give label, credentials_ref, currencies, countries or priority.')
  .openapi('GatewayAccountUpdate');

const refusals = 'Not an operator, MFA not fresh (`mfa_required`), or a merchant the operator may not act for (`merchant_not_allowed`).';
const routes = {
  list: createRoute({
    method: 'get',
    path: '/v1/admin/merchants/{id}/gateway_accounts',
    operationId: 'listMerchantGatewayAccounts',
    summary: "A merchant's gateway accounts, disabled ones included (viewer)",
    security,
    request: { params: MerchantIdParam },
    responses: { 200: json(listOf(AdminGatewayAccount, 'AdminGatewayAccountList'), 'Accounts.'), 400: problem('Invalid request.'), 403: problem('A merchant the operator may not act for.'), 404: problem('No such merchant.') },
  }),
  add: createRoute({
    method: 'post',
    path: '/v1/admin/merchants/{id}/gateway_accounts',
    operationId: 'addGatewayAccount',
    summary: 'Add a gateway account whose credentials are in the environment (operator, fresh MFA)',
    security,
    request: { params: MerchantIdParam, body: { required: true, content: { 'application/json': { schema: NewGatewayAccount } } } },
    responses: { 201: json(AdminGatewayAccount, 'The account.'), 400: problem('Invalid request (`param` names the field).'), 403: problem(refusals), 404: problem('No such merchant.') },
  }),
  update: createRoute({
    method: 'post',
    path: '/v1/admin/gateway_accounts/{id}',
    operationId: 'updateGatewayAccount',
    summary: 'Change an account’s label, credentials reference, currencies, countries or priority; its name stays (operator, fresh MFA)',
    security,
    request: { params: AccountIdParam, body: { required: true, content: { 'application/json': { schema: GatewayAccountUpdate } } } },
    responses: { 200: json(AdminGatewayAccount, 'The account.'), 400: problem('Invalid request (`param` names the field).'), 403: problem(refusals), 404: problem('No such account.') },
  }),
  disable: createRoute({
    method: 'post',
    path: '/v1/admin/gateway_accounts/{id}/disable',
    operationId: 'disableGatewayAccount',
    summary: 'Disable an account: routing stops choosing it (operator, fresh MFA)',
    security,
    request: { params: AccountIdParam },
    responses: { 200: json(AdminGatewayAccount, 'The disabled account.'), 400: problem('Invalid request, or disabled already.'), 403: problem(refusals), 404: problem('No such account.') },
  }),
};

type AccountFields = ReturnType<typeof gatewayAccountView>;
const view = (account: AccountFields) => ({ object: 'gateway_account' as const, ...account });
// The services name what they refuse by their own words; the request's are these.
const FIELDS = { merchant: 'id', account: 'id', credentials: 'credentials_ref' };

/** `providers`: the providers an account may be added for. */
export function adminGatewayAccountRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories, providers: readonly string[], clock: Clock): void {
  const operatorWithMfa = requireOperator(clock, { role: 'operator', mfa: true });

  app.openapi({ ...routes.list, middleware: requireOperator(clock, { role: 'viewer' }) }, async (c) => {
    const { id } = c.req.valid('param');
    actingFor(c, (await repositories.merchants.merchant(id))?.id ?? null, 'merchant');
    return c.json({ object: 'list' as const, data: (await listGatewayAccounts({ repositories }, id)).map(view), has_more: false }, 200);
  });

  app.openapi({ ...routes.add, middleware: operatorWithMfa }, async (c) => {
    const { id } = c.req.valid('param');
    const { credentials_ref, ...body } = c.req.valid('json');
    actingFor(c, (await repositories.merchants.merchant(id))?.id ?? null, 'merchant');
    const account = await adminAction(() => addGatewayAccount(operatorContext(c, repositories, clock), providers, { ...body, merchantId: id, credentials: credentials_ref }), FIELDS);
    return c.json(view(account), 201);
  });

  app.openapi({ ...routes.update, middleware: operatorWithMfa }, async (c) => {
    const { id } = c.req.valid('param');
    const { credentials_ref, ...body } = c.req.valid('json');
    actingFor(c, await gatewayAccountMerchant({ repositories }, id), 'gateway account');
    const account = await adminAction(() => updateGatewayAccount(operatorContext(c, repositories, clock), id, { ...body, credentials: credentials_ref }), FIELDS);
    return c.json(view(account), 200);
  });

  app.openapi({ ...routes.disable, middleware: operatorWithMfa }, async (c) => {
    const { id } = c.req.valid('param');
    actingFor(c, await gatewayAccountMerchant({ repositories }, id), 'gateway account');
    return c.json(view(await adminAction(() => disableGatewayAccount(operatorContext(c, repositories, clock), id), FIELDS)), 200);
  });
}
