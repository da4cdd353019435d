import { attemptIdentity, type AuthorizeRequest, type GatewayAdapter } from '../../adapters/testkit/contract.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';

export interface ResolvedOutcome {
  outcome: AuthorizationOutcome;
  /** True when a first ambiguous answer was settled by asking the gateway again. */
  resolvedBySync: boolean;
  latencyMs: number;
}

/**
 * Waits before each lookup of an ambiguous answer while the request still holds the card data:
 * a resend under the same key outlasts a gateway's short bout of 5xx or timeouts, and the card
 * data (which a later reconciler never has) makes it the surest lookup there is.
 */
export const SYNC_DELAYS_MS: readonly number[] = [0, 250, 1000];

/**
 * One attempt at one gateway. An ambiguous answer (timeout, 5xx) is resolved with that same
 * gateway before anything else happens (principle 2): the caller sees `unknown` only when the
 * gateway itself still cannot say whether it charged, after a few tries within `budgetMs`.
 */
export async function authorizeAtGateway(
  adapter: GatewayAdapter,
  request: AuthorizeRequest,
  /** The gateway's circuit breaker: it counts faults and, when open, answers without calling. */
  guard: (call: () => Promise<AuthorizationOutcome>) => Promise<AuthorizationOutcome>,
  options: { syncDelaysMs?: readonly number[]; budgetMs?: number } = {},
): Promise<ResolvedOutcome> {
  const started = performance.now();
  const first = await guard(() => adapter.authorize(request));
  if (first.kind !== 'unknown') {
    return { outcome: first, resolvedBySync: false, latencyMs: elapsed(started) };
  }
  for (const delay of options.syncDelaysMs ?? SYNC_DELAYS_MS) {
    if (elapsed(started) + delay > (options.budgetMs ?? Number.POSITIVE_INFINITY)) break;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const synced = await adapter.sync({ reference: null, attempt: attemptIdentity(request), resend: request });
    // A sync that cannot reach the gateway, or finds nothing yet, tells nothing about the first request.
    if (synced.kind !== 'unknown' && synced.kind !== 'not_processed') {
      return { outcome: synced, resolvedBySync: true, latencyMs: elapsed(started) };
    }
  }
  return { outcome: first, resolvedBySync: false, latencyMs: elapsed(started) };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
