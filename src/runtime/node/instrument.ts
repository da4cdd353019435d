import type { Tracer } from '@opentelemetry/api';
import type { GatewayAdapter } from '../../../adapters/testkit/contract.js';
import type { GatewayRegistry } from '../../orchestrator/gateways.js';
import type { Router } from '../../orchestrator/router.js';
import type { Repositories } from '../../store/index.js';
import type { Metrics } from './metrics.js';
import { inSpan } from './telemetry.js';

/** The adapter calls that reach a gateway. */
const GATEWAY_OPERATIONS = ['authorize', 'sync', 'voidAttempt', 'completeAction', 'capture', 'cancel', 'refund', 'resumeModification'] as const;

/**
 * Each gateway call timed into `metrics` and, with a tracer, a span `gateway.<operation>` with
 * the provider, account and outcome kind (never the request: it holds card data).
 */
export function instrumentGateways(registry: GatewayRegistry, observe: Pick<Metrics, 'gatewayCall'>, tracer: Tracer | null): GatewayRegistry {
  const wrapped = new WeakMap<GatewayAdapter, GatewayAdapter>();
  return {
    adapterFor(account) {
      const adapter = registry.adapterFor(account);
      if (!adapter) return null;
      let instrumented = wrapped.get(adapter);
      if (!instrumented) {
        instrumented = Object.create(adapter) as GatewayAdapter;
        for (const operation of GATEWAY_OPERATIONS) {
          const call = adapter[operation] as ((request: unknown) => Promise<{ kind: string }>) | undefined;
          if (!call) continue;
          const timed = async (request: unknown) => {
            const started = performance.now();
            let outcome = 'error';
            try {
              const result = await call.call(adapter, request);
              outcome = result.kind;
              return result;
            } finally {
              observe.gatewayCall({ provider: account.provider, accountId: account.id, operation, outcome, seconds: (performance.now() - started) / 1000 });
            }
          };
          const attributes = { 'switchyard.gateway.provider': account.provider, 'switchyard.gateway_account': account.id, 'switchyard.gateway.operation': operation };
          Object.assign(instrumented, {
            [operation]: tracer ? (request: unknown) => inSpan(tracer, `gateway.${operation}`, attributes, () => timed(request), (r) => ({ 'switchyard.outcome': r.kind })) : timed,
          });
        }
        wrapped.set(adapter, instrumented);
      }
      return instrumented;
    },
  };
}

/** Each repository call in a span `store.<repository>.<method>` (no arguments recorded), transactions included. */
export function traceRepositories(repositories: Repositories, tracer: Tracer): Repositories {
  const traced: Record<string, unknown> = {};
  for (const [name, repository] of Object.entries(repositories)) {
    if (name === 'transaction') continue;
    const methods: Record<string, unknown> = {};
    for (const [method, value] of Object.entries(repository as Record<string, unknown>)) {
      methods[method] = typeof value === 'function' ? (...args: unknown[]) => inSpan(tracer, `store.${name}.${method}`, {}, async () => value.apply(repository, args)) : value;
    }
    traced[name] = methods;
  }
  return {
    ...(traced as unknown as Repositories),
    transaction: (work) => inSpan(tracer, 'store.transaction', {}, () => repositories.transaction((inner) => work(traceRepositories(inner, tracer)))),
  };
}

/** The routing decision of each payment in a span `routing.decide`, with the rule that matched and the gateway accounts in the order it chose. */
export function traceRouter(router: Router, tracer: Tracer): Router {
  return {
    ...router,
    decideFor: (...args: Parameters<Router['decideFor']>) =>
      inSpan(tracer, 'routing.decide', {}, () => router.decideFor(...args), ({ explanation, order }) => ({
        'switchyard.routing.source': explanation.source,
        'switchyard.routing.rule': explanation.rule ?? '',
        'switchyard.routing.order': order.map((candidate) => candidate.accountId),
      })),
  };
}
