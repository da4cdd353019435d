import { attemptIdentity, type AuthorizeRequest, type GatewayAdapter } from '../../adapters/testkit/contract.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';

export interface ResolvedOutcome {
  outcome: AuthorizationOutcome;
  /** True when a first ambiguous answer was settled by asking the gateway again. */
  resolvedBySync: boolean;
  latencyMs: number;
}

/**
 * One attempt at one gateway. An ambiguous answer (timeout, 5xx) is resolved with that same
 * gateway before anything else happens (principle 2): the caller sees `unknown` only when the
 * gateway itself still cannot say whether it charged.
 */
export async function authorizeAtGateway(
  adapter: GatewayAdapter,
  request: AuthorizeRequest,
  /** The gateway's circuit breaker: it counts faults and, when open, answers without calling. */
  guard: (call: () => Promise<AuthorizationOutcome>) => Promise<AuthorizationOutcome>,
): Promise<ResolvedOutcome> {
  const started = performance.now();
  const first = await guard(() => adapter.authorize(request));
  if (first.kind !== 'unknown') {
    return { outcome: first, resolvedBySync: false, latencyMs: elapsed(started) };
  }
  const synced = await adapter.sync({ reference: null, attempt: attemptIdentity(request), resend: request });
  if (synced.kind === 'unknown' || synced.kind === 'not_processed') {
    // A sync that cannot reach the gateway tells nothing about the first request.
    return { outcome: first, resolvedBySync: false, latencyMs: elapsed(started) };
  }
  return { outcome: synced, resolvedBySync: true, latencyMs: elapsed(started) };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
