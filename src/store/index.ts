import type { Database } from './database.js';
import { alertRepository } from './alerts.js';
import { auditRepository } from './audit.js';
import { billingRepository } from './billing.js';
import { cardRepository } from './cards.js';
import { customerRepository } from './customers.js';
import { vaultRepository } from './vault.js';
import { idempotencyRepository } from './idempotency.js';
import { jobRepository } from './jobs.js';
import { eventRepository, type EventsWritten } from './events.js';
import { learnerRepository } from './learner.js';
import { observedBinRepository } from './observed-bins.js';
import { merchantRepository } from './merchants.js';
import { operatorRepository } from './operators.js';
import { paymentRepository } from './payments.js';
import { paymentHistoryRepository } from './payment-history.js';
import { paymentWriteRepository } from './payment-statements.js';
import { rollupRepository } from './rollups.js';
import { routingRepository } from './routing.js';
import { stripePaymentIntentRepository } from './stripe-payment-intents.js';
import { webhookRepository } from './webhooks.js';
import { webhookDeliveryRepository, webhookEndpointRepository } from './webhook-endpoints.js';

export type { Database } from './database.js';

export interface StoreHooks {
  /** Merchant events of these merchants were committed (told after the commit; see EventsWritten). */
  eventsCommitted?: EventsWritten;
}

/** One repository layer over either driver: the code path is the same for PGlite and PostgreSQL. */
export function createRepositories(db: Database, hooks: StoreHooks = {}): Repositories {
  return repositoriesOn(db, hooks.eventsCommitted ?? (() => {}));
}

/** Repositories on `db` (the database or a transaction on it), telling `eventsWritten` what they store. */
function repositoriesOn(db: Database, eventsWritten: EventsWritten): Repositories {
  return {
    merchants: merchantRepository(db),
    payments: paymentRepository(db),
    paymentHistory: paymentHistoryRepository(db),
    paymentWrites: paymentWriteRepository(db, eventsWritten),
    idempotency: idempotencyRepository(db),
    webhooks: webhookRepository(db),
    routing: routingRepository(db),
    cards: cardRepository(db),
    learner: learnerRepository(db),
    observedBins: observedBinRepository(db),
    jobs: jobRepository(db),
    events: eventRepository(db, eventsWritten),
    webhookEndpoints: webhookEndpointRepository(db),
    webhookDeliveries: webhookDeliveryRepository(db),
    audit: auditRepository(db),
    operators: operatorRepository(db),
    stripePaymentIntents: stripePaymentIntentRepository(db),
    rollups: rollupRepository(db),
    vault: vaultRepository(db),
    customers: customerRepository(db),
    billing: billingRepository(db),
    alerts: alertRepository(db),
    /**
     * Runs `work` in one transaction, with repositories bound to it. The merchants whose events it
     * wrote are told to `eventsWritten` once it commits: after the commit for the outermost
     * transaction, to the enclosing one's for a nested one (a savepoint).
     */
    async transaction(work) {
      const merchants = new Set<string>();
      const result = await db.transaction((tx) => work(repositoriesOn(tx, (ids) => ids.forEach((id) => merchants.add(id)))));
      if (merchants.size > 0) eventsWritten([...merchants]);
      return result;
    },
  };
}

export interface Repositories {
  merchants: ReturnType<typeof merchantRepository>;
  payments: ReturnType<typeof paymentRepository>;
  paymentHistory: ReturnType<typeof paymentHistoryRepository>;
  /** The payment hot path's multi-row writes, one statement each. */
  paymentWrites: ReturnType<typeof paymentWriteRepository>;
  idempotency: ReturnType<typeof idempotencyRepository>;
  webhooks: ReturnType<typeof webhookRepository>;
  routing: ReturnType<typeof routingRepository>;
  cards: ReturnType<typeof cardRepository>;
  learner: ReturnType<typeof learnerRepository>;
  observedBins: ReturnType<typeof observedBinRepository>;
  jobs: ReturnType<typeof jobRepository>;
  events: ReturnType<typeof eventRepository>;
  webhookEndpoints: ReturnType<typeof webhookEndpointRepository>;
  webhookDeliveries: ReturnType<typeof webhookDeliveryRepository>;
  audit: ReturnType<typeof auditRepository>;
  operators: ReturnType<typeof operatorRepository>;
  stripePaymentIntents: ReturnType<typeof stripePaymentIntentRepository>;
  /** Analytics rollups: written by the fold job, read by the analytics API. */
  rollups: ReturnType<typeof rollupRepository>;
  vault: ReturnType<typeof vaultRepository>;
  customers: ReturnType<typeof customerRepository>;
  /** Plans, subscriptions and invoices. */
  billing: ReturnType<typeof billingRepository>;
  /** Alert rules and the alerts they raised. */
  alerts: ReturnType<typeof alertRepository>;
  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
}
