import type { Logger } from '../domain/logger.js';
import type { Repositories } from '../store/index.js';
import type { GatewayRegistry } from '../orchestrator/gateways.js';

export interface AppDeps {
  repositories: Repositories;
  gateways: GatewayRegistry;
  logger: Logger;
  fingerprintSecret: string;
  /** How long an Idempotency-Key and its stored response are kept (at least 24 hours). */
  idempotencyTtlSeconds?: number;
  maxAttempts?: number;
  maxBodyBytes?: number;
}

export type AppEnv = { Variables: { merchantId: string; requestId: string } };
