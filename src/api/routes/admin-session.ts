import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { operatorView, type Operator, type OperatorService } from '../../admin/operators.js';
import type { Session, SessionSigner } from '../../admin/sessions.js';
import { problems } from '../../domain/problem.js';
import type { AppEnv } from '../env.js';
import { json, operatorSecurity, problem } from '../openapi.js';

const TotpCode = z.string().regex(/^\d{6}$/, 'totp_code must be the 6 digits your authenticator app shows.').openapi({ example: '123456' });

export const OperatorView = z
  .object({
    object: z.literal('operator'),
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(['viewer', 'operator', 'admin']),
    merchant_ids: z.array(z.string()).nullable().openapi({ description: 'The merchants the operator may act for; null: all.' }),
    totp_enabled: z.boolean(),
    created_at: z.string(),
    disabled_at: z.string().nullable(),
  })
  .openapi('Operator');

const SessionView = z
  .object({
    object: z.literal('operator_session'),
    token: z.string().openapi({ description: 'Send as Authorization: Bearer <token>.' }),
    expires_at: z.string(),
    mfa_at: z.string().nullable().openapi({ description: 'When a TOTP code was last proven in this session; sensitive actions need it within 15 minutes.' }),
    operator: OperatorView,
  })
  .openapi('OperatorSession');

const SignIn = z
  .strictObject({
    email: z.string().min(1).max(254),
    password: z.string().min(1).max(1024),
    totp_code: TotpCode.optional(),
  })
  .openapi('OperatorSignIn');
const StepUp = z.strictObject({ totp_code: TotpCode }).openapi('OperatorStepUp');

const routes = {
  signIn: createRoute({
    method: 'post',
    path: '/v1/admin/session',
    operationId: 'signIn',
    // Public: this is where an operator gets a session.
    security: [],
    summary: 'Sign in as an operator: email, password and (for sensitive actions) a TOTP code',
    request: { body: { required: true, content: { 'application/json': { schema: SignIn } } } },
    responses: { 201: json(SessionView, 'A session token.'), 400: problem('Invalid request.'), 401: problem('The credentials are not valid (one answer for every reason).') },
  }),
  stepUp: createRoute({
    method: 'post',
    path: '/v1/admin/session/mfa',
    operationId: 'stepUpSession',
    summary: 'Prove a TOTP code in a session: answers a new token whose MFA is fresh',
    security: operatorSecurity,
    request: { body: { required: true, content: { 'application/json': { schema: StepUp } } } },
    responses: { 201: json(SessionView, 'A session token with fresh MFA.'), 400: problem('Invalid request.'), 401: problem('The code is not valid, or was used before.') },
  }),
  me: createRoute({ method: 'get', path: '/v1/admin/me', operationId: 'getSignedInOperator', summary: 'The signed-in operator and their session', security: operatorSecurity, responses: { 200: json(SessionView.omit({ token: true }).openapi('OperatorMe'), 'The operator.') } }),
};


function sessionView(operator: Operator, session: Session) {
  return { object: 'operator_session' as const, expires_at: session.expiresAt.toISOString(), mfa_at: session.mfaAt?.toISOString() ?? null, operator: operatorView(operator) };
}

const invalidCredentials = () => problems.unauthorized('The email, password or TOTP code is not valid.');

export function adminSessionRoutes(app: OpenAPIHono<AppEnv>, operators: OperatorService, signer: SessionSigner): void {
  app.openapi(routes.signIn, async (c) => {
    const { email, password, totp_code } = c.req.valid('json');
    const signedIn = await operators.signIn(email, password, totp_code);
    if (!signedIn) throw invalidCredentials();
    const { token, session } = await signer.issue(signedIn.operator.id, signedIn.mfaAt);
    return c.json({ ...sessionView(signedIn.operator, session), token }, 201);
  });

  app.openapi(routes.stepUp, async (c) => {
    const operator = c.get('operator');
    const mfaAt = await operators.stepUp(operator.id, c.req.valid('json').totp_code);
    if (!mfaAt) throw problems.unauthorized('The TOTP code is not valid, or was used before.');
    const { token, session } = await signer.issue(operator.id, mfaAt);
    return c.json({ ...sessionView(operator, session), token }, 201);
  });

  app.openapi(routes.me, (c) => c.json(sessionView(c.get('operator'), c.get('session')), 200));
}
