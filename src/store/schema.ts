import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { CardDetails } from '../domain/payment.js';

export interface GatewayAccountSettings {
  currencies?: string[];
  countries?: string[];
}

const money = (name: string) => bigint(name, { mode: 'number' }).notNull();
const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const merchants = pgTable('merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** The routing ruleset version every new payment is decided with; null: none stored yet. */
  activeRulesetVersion: integer('active_ruleset_version'),
  createdAt: createdAt(),
});

/** Secret keys are stored only as SHA-256 hashes; the prefix lets a merchant tell keys apart. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    keyHash: text('key_hash').notNull(),
    prefix: text('prefix').notNull(),
    label: text('label').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('api_keys_key_hash_idx').on(t.keyHash), index('api_keys_merchant_idx').on(t.merchantId)],
);

/** A merchant's account at one provider. Credentials are a reference resolved at run time, never stored. */
export const gatewayAccounts = pgTable(
  'gateway_accounts',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    provider: text('provider').notNull(),
    /** The stable slug routing rules and fee schedules name the account by (`stripe`, `adyen-eu`). */
    name: text('name').notNull(),
    label: text('label').notNull(),
    credentialsRef: text('credentials_ref').notNull(),
    /** Narrows the provider's capabilities for this account (e.g. a regional merchant account). */
    settings: jsonb('settings').$type<GatewayAccountSettings>().notNull().default({}),
    priority: integer('priority').notNull().default(0),
    createdAt: createdAt(),
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('gateway_accounts_merchant_idx').on(t.merchantId), uniqueIndex('gateway_accounts_merchant_name_idx').on(t.merchantId, t.name)],
);

export const payments = pgTable(
  'payments',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    status: text('status').notNull(),
    amount: money('amount'),
    currency: text('currency').notNull(),
    captureMethod: text('capture_method').notNull(),
    amountCapturable: money('amount_capturable').default(0),
    amountCaptured: money('amount_captured').default(0),
    amountRefunded: money('amount_refunded').default(0),
    card: jsonb('card').$type<CardDetails>().notNull(),
    /** Indexed copy of card.fingerprint, for the network retry guard. */
    cardFingerprint: text('card_fingerprint').notNull(),
    /** Why the payment went where it went: the routing decision and its explanation. */
    decision: jsonb('decision').$type<Record<string, unknown>>(),
    customer: jsonb('customer').$type<{ id: string | null; email: string | null; country: string | null } | null>(),
    description: text('description'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull().default({}),
    gatewayAccountId: text('gateway_account_id').references(() => gatewayAccounts.id),
    gatewayReference: text('gateway_reference'),
    failureCode: text('failure_code'),
    failureMessage: text('failure_message'),
    nextAction: jsonb('next_action').$type<{ type: 'redirect'; url: string } | null>(),
    /** Set while a capture or cancel is at the gateway (or awaits its webhook), so two cannot race. */
    pendingOperation: text('pending_operation'),
    /** While a capture or cancel awaits confirmation: the status to return to if it fails, and the amount. */
    statusBeforeOperation: text('status_before_operation'),
    pendingAmount: bigint('pending_amount', { mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('payments_merchant_id_idx').on(t.merchantId, t.id),
    index('payments_merchant_status_idx').on(t.merchantId, t.status, t.id),
    index('payments_gateway_reference_idx').on(t.gatewayAccountId, t.gatewayReference),
    index('payments_card_fingerprint_idx').on(t.merchantId, t.cardFingerprint, t.createdAt),
  ],
);

export const attempts = pgTable(
  'attempts',
  {
    id: text('id').primaryKey(),
    paymentId: text('payment_id').notNull().references(() => payments.id),
    number: smallint('number').notNull(),
    gatewayAccountId: text('gateway_account_id').notNull().references(() => gatewayAccounts.id),
    provider: text('provider').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    status: text('status').notNull(),
    outcome: text('outcome'),
    outcomeReason: text('outcome_reason'),
    declineReason: text('decline_reason'),
    providerCode: text('provider_code'),
    gatewayReference: text('gateway_reference'),
    latencyMs: integer('latency_ms'),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('attempts_payment_number_idx').on(t.paymentId, t.number),
    index('attempts_gateway_reference_idx').on(t.gatewayAccountId, t.gatewayReference),
    index('attempts_idempotency_key_idx').on(t.idempotencyKey),
  ],
);

export const refunds = pgTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    paymentId: text('payment_id').notNull().references(() => payments.id),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    amount: money('amount'),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    reason: text('reason'),
    gatewayReference: text('gateway_reference'),
    failureCode: text('failure_code'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('refunds_payment_idx').on(t.paymentId, t.id), index('refunds_gateway_reference_idx').on(t.gatewayReference)],
);

/**
 * One row per (merchant, Idempotency-Key). `response_body` holds the exact bytes first
 * answered, so a replay is byte-identical.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    state: text('state').notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' })
      .notNull()
      .default(sql`now() + interval '24 hours'`),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.key] }), index('idempotency_keys_expires_idx').on(t.expiresAt)],
);

/** Every provider event applied, once: the key makes a redelivered notification a no-op. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    gatewayAccountId: text('gateway_account_id').notNull().references(() => gatewayAccounts.id),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    reference: text('reference').notNull(),
    paymentId: text('payment_id').references(() => payments.id),
    /** What applying it did: `applied`, `no_change` or `unmatched`. */
    result: text('result').notNull(),
    receivedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.gatewayAccountId, t.eventId] })],
);

/** Every stored ruleset version of a merchant, as the YAML ops wrote it. */
export const routingRulesets = pgTable(
  'routing_rulesets',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    version: integer('version').notNull(),
    source: text('source').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.version] })],
);

/** Who stored or activated which ruleset version, and when. */
export const routingAudit = pgTable(
  'routing_audit',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    action: text('action').notNull(),
    version: integer('version').notNull(),
    actor: text('actor').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('routing_audit_merchant_idx').on(t.merchantId, t.at)],
);

/** Cards the network said never to try again (Mastercard MAC 03/21), per merchant. */
export const cardBlocks = pgTable(
  'card_blocks',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    cardFingerprint: text('card_fingerprint').notNull(),
    reason: text('reason').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.cardFingerprint] })],
);

/** The success-rate learner's state, saved in the background so a restart does not start from the prior. */
export const learnerState = pgTable('learner_state', {
  id: text('id').primaryKey(),
  snapshot: jsonb('snapshot').notNull(),
  savedAt: timestamp('saved_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
