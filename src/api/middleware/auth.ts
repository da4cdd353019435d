import { createMiddleware } from 'hono/factory';
import { problems } from '../../domain/problem.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { sha256Hex } from '../hash.js';

/** Bearer secret keys; only their SHA-256 hashes are stored (keys are 190-bit random, so no slow hash is needed). */
export function auth(repositories: Repositories) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('Authorization');
    const match = header ? /^Bearer\s+(\S{1,200})$/i.exec(header) : null;
    if (!match) throw problems.unauthorized('Send your secret API key as Authorization: Bearer <key>.');
    const key = await repositories.merchants.keyForHash(await sha256Hex(match[1]!));
    if (!key) throw problems.unauthorized('The API key is not valid.');
    c.set('merchantId', key.merchantId);
    c.set('apiKeyId', key.id);
    c.set('actor', { type: 'api_key', id: key.id, name: key.label });
    await next();
  });
}
