import { createMiddleware } from 'hono/factory';
import type { MiddlewareHandler } from 'hono';
import { hashApiKey, isApiKey } from '../../domain/api-keys.js';
import type { Clock } from '../../domain/clock.js';
import { problems } from '../../domain/problem.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { isSessionToken } from './operator-merchant.js';

/**
 * Bearer API keys (secret or publishable); only their SHA-256 hashes are stored (keys carry 190 random bits, so no slow
 * hash is needed). Anything not shaped like a key is refused before the database is asked.
 * With `operatorSessions`, an operator's session token is handed to it instead (operatorForMerchant).
 */
export function auth(repositories: Repositories, clock: Clock, operatorSessions?: MiddlewareHandler<AppEnv>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('Authorization');
    const match = header ? /^Bearer\s+(\S{1,2000})$/i.exec(header) : null;
    if (operatorSessions && match && isSessionToken(match[1]!)) return operatorSessions(c, next);
    if (!match || match[1]!.length > 200) throw problems.unauthorized('Send your secret API key as Authorization: Bearer <key>.');
    if (!isApiKey(match[1]!)) throw problems.unauthorized('The API key is not valid: keys are sk_ or pk_, live_ or test_, and 32 letters or digits.');
    const key = await repositories.merchants.keyForHash(await hashApiKey(match[1]!), clock.now());
    if (!key) throw problems.unauthorized('The API key is not valid, or was revoked or has expired.');
    c.set('merchantId', key.merchantId);
    c.set('apiKeyId', key.id);
    c.set('scopes', key.scopes);
    c.set('allowedOrigins', key.allowedOrigins);
    c.set('actor', { type: 'api_key', id: key.id, name: key.label });
    await next();
  });
}
