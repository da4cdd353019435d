import type { Context } from 'hono';
import { AdminInputError, type AdminContext } from '../admin/context.js';
import { mayActFor } from '../admin/operators.js';
import type { Clock } from '../domain/clock.js';
import { Problem, problems } from '../domain/problem.js';
import type { Repositories } from '../store/index.js';
import type { AppEnv } from './env.js';

/** The admin services' context for the signed-in operator: audit records carry their id and name. */
export function operatorContext(c: Context<AppEnv>, repositories: Repositories, clock: Clock): AdminContext {
  return { repositories, actor: c.get('actor'), clock };
}

/**
 * The merchant an admin route acts on (for a key or an account: the one owning it): 404 when
 * the id is unknown, 403 `merchant_not_allowed` when the operator may not act for it.
 */
export function actingFor(c: Context<AppEnv>, merchantId: string | null, what: string): string {
  if (merchantId === null) throw problems.notFound(what);
  if (!mayActFor(c.get('operator'), merchantId)) {
    throw new Problem({ status: 403, code: 'merchant_not_allowed', title: 'Forbidden', detail: 'You may not act for this merchant.', param: 'id' });
  }
  return merchantId;
}

/**
 * Runs an admin service action; its AdminInputError becomes a 400 naming the request's field
 * (`fields` maps the service's names to the API's: `credentials` is `credentials_ref` here).
 */
export async function adminAction<T>(action: () => Promise<T>, fields: Record<string, string> = {}): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof AdminInputError) throw problems.invalidRequest(error.message, fields[error.field] ?? error.field);
    throw error;
  }
}
