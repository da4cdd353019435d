import { createMiddleware } from 'hono/factory';
import type { MiddlewareHandler } from 'hono';
import { mayActFor, type Role } from '../../admin/operators.js';
import { SCOPES, type Scope } from '../../domain/api-keys.js';
import { Problem } from '../../domain/problem.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';

/** The header an operator names the merchant with, on the merchant API. */
export const MERCHANT_HEADER = 'Switchyard-Merchant';
const MERCHANT_ID = /^mer_[0-9A-Za-z]{1,60}$/;

/** A signed session token (three base64url parts); API keys never have this shape. */
export function isSessionToken(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

/** What an operator of each role may do on the merchant API: viewers read, operators also route and manage webhooks and alert rules, admins do everything. */
export function operatorScopes(role: Role): Scope[] {
  if (role === 'admin') return [...SCOPES];
  const reads = SCOPES.filter((scope) => scope.endsWith(':read'));
  return role === 'viewer' ? reads : [...reads, 'routing:write', 'webhooks:manage', 'alerts:write'];
}

/**
 * An operator's session on the merchant API, for the merchant the Switchyard-Merchant header names.
 * `signedIn` (operatorAuth) proves the session and loads the operator; this then picks the merchant
 * and the role's scopes. A restricted operator is told 403 for any merchant outside their list, known
 * or not, so the answer does not reveal which merchant ids exist.
 */
export function operatorForMerchant(repositories: Repositories, signedIn: MiddlewareHandler<AppEnv>) {
  return createMiddleware<AppEnv>((c, next) =>
    signedIn(c, async () => {
      const merchantId = c.req.header(MERCHANT_HEADER)?.trim();
      if (!merchantId) throw merchantProblem(400, 'merchant_required', `Name the merchant you act for in the ${MERCHANT_HEADER} header (mer_…).`);
      if (!MERCHANT_ID.test(merchantId)) throw merchantProblem(400, 'invalid_merchant', `${MERCHANT_HEADER} must be a merchant id (mer_…).`);
      const operator = c.get('operator');
      if (!mayActFor(operator, merchantId)) throw merchantProblem(403, 'merchant_not_allowed', 'You may not act for this merchant.');
      if ((await repositories.operators.knownMerchantIds([merchantId])).length === 0) throw merchantProblem(400, 'unknown_merchant', 'No merchant has this id.');
      c.set('merchantId', merchantId);
      // Rate limits count an operator's requests in their own bucket, apart from every API key's.
      c.set('apiKeyId', `operator:${operator.id}`);
      c.set('scopes', operatorScopes(operator.role));
      await next();
    }),
  );
}

function merchantProblem(status: 400 | 403, code: string, detail: string): Problem {
  return new Problem({ status, code, title: status === 400 ? 'Invalid request' : 'Forbidden', detail, param: MERCHANT_HEADER });
}
