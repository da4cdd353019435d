import type { MiddlewareHandler } from 'hono';
import type { CreatedPayment } from '../orchestrator/payments.js';
import type { AppEnv } from './env.js';

/**
 * What the runtime plugs into the API to watch it (src/runtime/node/monitoring.ts builds it);
 * the Worker has none of it.
 */
export interface Monitoring {
  /** Run around every request, before anything else: HTTP metrics, traces. */
  middleware: MiddlewareHandler<AppEnv>[];
  /** GET /metrics: this instance's Prometheus exposition. */
  metrics: { contentType: string; render(): Promise<string> };
  /** Each payment as its create call answers it (counted in memory: the payment path gains no SQL). */
  paymentCreated(created: CreatedPayment): void;
}

/** The payment service with each created payment reported to `monitoring`. */
export function observePayments<S extends { create(...args: never[]): Promise<CreatedPayment | null> }>(service: S, monitoring: Monitoring | undefined): S {
  if (!monitoring) return service;
  const create = service.create.bind(service) as (...args: Parameters<S['create']>) => Promise<CreatedPayment | null>;
  return {
    ...service,
    async create(...args: Parameters<S['create']>) {
      const created = await create(...args);
      if (created) monitoring.paymentCreated(created);
      return created;
    },
  };
}
