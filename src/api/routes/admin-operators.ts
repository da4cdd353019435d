import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { operatorView, ROLES, type OperatorService } from '../../admin/operators.js';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARS } from '../../admin/passwords.js';
import type { Clock } from '../../domain/clock.js';
import { problems } from '../../domain/problem.js';
import type { AppEnv } from '../env.js';
import { requireOperator } from '../middleware/operator.js';
import { json, operatorSecurity as security, problem } from '../openapi.js';
import { OperatorView } from './admin-session.js';

const Password = z
  .string()
  .min(PASSWORD_MIN_CHARS, `password must be at least ${PASSWORD_MIN_CHARS} characters.`)
  .refine((p) => new TextEncoder().encode(p).length <= PASSWORD_MAX_BYTES, `password must be at most ${PASSWORD_MAX_BYTES} bytes (UTF-8).`);

const NewOperator = z
  .strictObject({
    email: z.email('email must be an email address.').max(254),
    name: z.string().trim().min(1).max(100),
    role: z.enum(ROLES),
    password: Password,
    merchant_ids: z.array(z.string().min(1).max(64)).max(1000).nullable().optional().openapi({ description: 'The merchants an operator or viewer may act for; omitted or null: all. Admins act for all.' }),
  })
  .openapi('NewOperator');
const OperatorList = z.object({ object: z.literal('list'), data: z.array(OperatorView) }).openapi('OperatorList');
const IdParam = z.object({ id: z.string().regex(/^op_[0-9A-Z]{26}$/, 'id must be an operator id (op_…).').openapi({ param: { name: 'id', in: 'path' } }) });
const CreatedOperator = OperatorView.extend({
  totp_secret: z.string().openapi({ description: 'Base32; shown this once. TOTP is on from the start: hand it over with the password.' }),
  otpauth_uri: z.string().openapi({ description: 'The same secret for an authenticator app (as a QR code).' }),
}).openapi('CreatedOperator');

const PasswordChange = z.strictObject({ current_password: z.string().min(1).max(1024), new_password: Password.openapi({ description: `${PASSWORD_MIN_CHARS} characters to ${PASSWORD_MAX_BYTES} bytes.` }) }).openapi('PasswordChange');

const routes = {
  create: createRoute({
    method: 'post',
    path: '/v1/admin/operators',
    operationId: 'createOperator',
    summary: 'Create an operator (admin, fresh MFA)',
    security,
    request: { body: { required: true, content: { 'application/json': { schema: NewOperator } } } },
    responses: { 201: json(CreatedOperator, 'The operator, with TOTP on, and its TOTP secret (this once).'), 400: problem('Invalid request.'), 403: problem('Not an admin, or MFA not fresh.'), 409: problem('The email is taken.') },
  }),
  list: createRoute({ method: 'get', path: '/v1/admin/operators', operationId: 'listOperators', summary: 'Every operator (admin)', security, responses: { 200: json(OperatorList, 'Operators.'), 403: problem('Not an admin.') } }),
  disable: createRoute({
    method: 'post',
    path: '/v1/admin/operators/{id}/disable',
    operationId: 'disableOperator',
    summary: 'Disable an operator: their sessions stop working at once (admin, fresh MFA)',
    security,
    request: { params: IdParam },
    responses: { 200: json(OperatorView, 'The disabled operator.'), 403: problem('Not an admin, or MFA not fresh.'), 404: problem('No such operator.'), 409: problem('An operator cannot disable themselves.') },
  }),
  password: createRoute({
    method: 'post',
    path: '/v1/admin/operators/me/password',
    operationId: 'changePassword',
    summary: 'Change your own password (fresh MFA)',
    security,
    request: { body: { required: true, content: { 'application/json': { schema: PasswordChange } } } },
    responses: { 204: { description: 'Changed.' }, 400: problem('Invalid request.'), 401: problem('The current password is not valid.'), 403: problem('MFA not fresh.') },
  }),
};

export function adminOperatorRoutes(app: OpenAPIHono<AppEnv>, operators: OperatorService, clock: Clock): void {
  const admin = requireOperator(clock, { role: 'admin' });
  const adminWithMfa = requireOperator(clock, { role: 'admin', mfa: true });

  app.openapi({ ...routes.create, middleware: adminWithMfa }, async (c) => {
    const body = c.req.valid('json');
    const { operator, totpSecret, otpauthUri } = await operators.create(c.get('actor'), { email: body.email, name: body.name, role: body.role, password: body.password, merchantIds: body.merchant_ids ?? null });
    return c.json({ ...operatorView(operator), totp_secret: totpSecret, otpauth_uri: otpauthUri }, 201);
  });

  app.openapi({ ...routes.list, middleware: admin }, async (c) => c.json({ object: 'list' as const, data: (await operators.list()).map(operatorView) }, 200));

  app.openapi({ ...routes.disable, middleware: adminWithMfa }, async (c) => {
    const { id } = c.req.valid('param');
    if (id === c.get('operator').id) throw problems.conflict('cannot_disable_self', 'An operator cannot disable themselves; ask another admin.');
    const operator = await operators.disable(c.get('actor'), id);
    if (!operator) throw problems.notFound('operator');
    return c.json(operatorView(operator), 200);
  });

  app.openapi({ ...routes.password, middleware: requireOperator(clock, { role: 'viewer', mfa: true }) }, async (c) => {
    const { current_password, new_password } = c.req.valid('json');
    if (!(await operators.changePassword(c.get('operator').id, current_password, new_password))) throw problems.unauthorized('The current password is not valid.');
    return c.body(null, 204);
  });
}
