import type { Operator } from '../admin/operators.js';
import type { InstanceCapacity } from '../analytics/capacity.js';
import type { PasswordHasher } from '../admin/passwords.js';
import type { Session } from '../admin/sessions.js';
import type { Actor } from '../domain/audit.js';
import type { Context } from 'hono';
import type { Clock } from '../domain/clock.js';
import type { TokenBuckets } from './middleware/rate-limit.js';
import type { Logger } from '../domain/logger.js';
import type { SettlementPolicy } from '../orchestrator/settle.js';
import type { WebhookUrlPolicy } from '../domain/merchant-webhooks.js';
import type { DeferredIdempotency } from '../store/idempotency.js';
import type { Repositories } from '../store/index.js';
import type { GatewayRegistry } from '../orchestrator/gateways.js';
import type { RetryGuard } from '../orchestrator/payments.js';
import type { Router } from '../orchestrator/router.js';
import type { Monitoring } from './monitoring.js';
import type { EventStreamSettings } from './routes/events-stream.js';
import type { KeyManagement } from '../vault/kms.js';

export interface AppDeps {
  repositories: Repositories;
  gateways: GatewayRegistry;
  /** The providers the admin API may add gateway accounts for. */
  providers: readonly string[];
  router: Router;
  logger: Logger;
  fingerprintSecret: string;
  /** How long an Idempotency-Key and its stored response are kept (at least 24 hours). */
  idempotencyTtlSeconds?: number;
  maxAttempts?: number;
  /** No new attempt of a payment starts after this long (default 30 s). */
  deadlineMs?: number;
  retryGuard?: RetryGuard;
  maxBodyBytes?: number;
  /** Where the API reads the time (default: the system clock). */
  clock?: Clock;
  /** Leases and the reconciler's schedule; default DEFAULT_SETTLEMENT_POLICY. */
  settlement?: SettlementPolicy;
  /** How long a running request holds its Idempotency-Key without renewing it (default 30 s). */
  idempotencyLeaseMs?: number;
  /** Seals webhook signing secrets at rest: 32 bytes, base64 (or a keyring, newest first). */
  secretsKey: string | readonly string[];
  /** `strict` (default): endpoints must be public https URLs; `local` (sandbox, tests): any http(s) URL. */
  webhookUrlPolicy?: WebhookUrlPolicy;
  /**
   * Where requests are counted, per API key and per client address for unauthenticated ones
   * (default: tokenBuckets(DEFAULT_RATE_LIMIT) on `clock`, for this app). Pass one to share it
   * between apps, as the Worker does across the requests of an isolate.
   */
  rateLimits?: TokenBuckets;
  /** Whom an unauthenticated request is counted against (default: the peer's address, peerAddress). */
  clientAddress?: (c: Context<AppEnv>) => string;
  /** Hashes operator passwords (default: bcrypt, cost 12). */
  passwords?: PasswordHasher;
  /** What one instance can take, for the forecast's capacity answer (default DEFAULT_INSTANCE_CAPACITY). */
  capacity?: InstanceCapacity;
  /** Wraps the card vault's data keys (src/vault/kms.ts); default: localKms over the secrets keyring. */
  vaultKms?: KeyManagement;
  /** The job engine, woken after the API schedules a delivery. */
  jobs?: { wake(): void };
  /** Metrics and traces (the Node runtime's); without it, no /metrics. */
  monitoring?: Monitoring;
  /** GET /v1/events/stream (both runtimes build one); without it, no stream. */
  eventStream?: EventStreamSettings;
}

export type AppEnv = { Variables: { merchantId: string; apiKeyId: string; scopes: readonly string[]; allowedOrigins: readonly string[]; actor: Actor; operator: Operator; session: Session; requestId: string; clientRequestId: string | undefined; idempotencyKey: string | undefined; idempotency: DeferredIdempotency | undefined; idempotencyRenderOnReplay: boolean | undefined } };
