import { createMiddleware } from 'hono/factory';
import { hasRole, operatorActor, type OperatorService, type Role } from '../../admin/operators.js';
import { mfaFresh, MFA_FRESH_SECONDS, type SessionSigner } from '../../admin/sessions.js';
import type { Clock } from '../../domain/clock.js';
import { Problem, problems } from '../../domain/problem.js';
import type { AppEnv } from '../env.js';
import { isApiKey } from '../../domain/api-keys.js';

/**
 * An operator's session token (POST /v1/admin/session). The operator row is read on every request,
 * so disabling an operator ends their sessions at once. A merchant API key is refused with 403:
 * these endpoints are for people, proven with a TOTP code.
 */
export function operatorAuth(operators: OperatorService, signer: SessionSigner) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('Authorization');
    const match = header ? /^Bearer\s+(\S{1,2000})$/i.exec(header) : null;
    if (!match) throw problems.unauthorized('Sign in with POST /v1/admin/session and send the token as Authorization: Bearer <token>.');
    const session = await signer.verify(match[1]!);
    if (!session) {
      if (isApiKey(match[1]!)) throw operatorRequired();
      throw problems.unauthorized('The session token is not valid or has expired: sign in again with POST /v1/admin/session.');
    }
    const operator = await operators.active(session.operatorId);
    if (!operator) throw problems.unauthorized('The session token is not valid or has expired: sign in again with POST /v1/admin/session.');
    c.set('operator', operator);
    c.set('session', session);
    c.set('actor', operatorActor(operator));
    await next();
  });
}

/** The signed-in operator has at least `role`, and with `mfa`, proved a TOTP code within MFA_FRESH_SECONDS. */
export function requireOperator(clock: Clock, options: { role: Role; mfa?: boolean }) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const operator = c.get('operator') as AppEnv['Variables']['operator'] | undefined;
    // Only reachable without a session if a route were mounted outside operatorOnly's paths.
    if (!operator) throw operatorRequired();
    if (!hasRole(operator, options.role)) {
      throw new Problem({ status: 403, code: 'insufficient_role', title: 'Forbidden', detail: `This needs the ${options.role} role or higher.` });
    }
    if (options.mfa && !mfaFresh(c.get('session'), clock)) {
      throw new Problem({
        status: 403,
        code: 'mfa_required',
        title: 'Forbidden',
        detail: `This needs a TOTP code proven in the last ${MFA_FRESH_SECONDS / 60} minutes: POST /v1/admin/session/mfa with totp_code.`,
      });
    }
    await next();
  });
}

function operatorRequired(): Problem {
  return new Problem({
    status: 403,
    code: 'operator_required',
    title: 'Forbidden',
    detail: 'API keys cannot do this: it needs an operator signed in with POST /v1/admin/session and a TOTP code (Authorization: Bearer <session token>).',
  });
}
