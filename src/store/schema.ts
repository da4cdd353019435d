import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
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
import type { CryptoQuote, PayerReport } from '../domain/outcome.js';
import type { CardDetails } from '../domain/payment.js';
import type { BankAccountDetails } from '../domain/bank-account.js';
import type { PaymentMethodType, WalletDetails } from '../domain/payment-method.js';

export interface GatewayAccountSettings {
  currencies?: string[];
  countries?: string[];
}

const money = (name: string) => bigint(name, { mode: 'number' }).notNull();
const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
/** A 64-bit transaction id (PostgreSQL's `xid8`), as its decimal text. */
const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

export const merchants = pgTable('merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** The routing ruleset version every new payment is decided with; null: none stored yet. */
  activeRulesetVersion: integer('active_ruleset_version'),
  createdAt: createdAt(),
  /** A disabled merchant's keys stop working; its data stays. */
  disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
});

/** Secret keys are stored only as SHA-256 hashes; the hint (`sk_live_Ab…9xYz`) lets a merchant tell keys apart. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    keyHash: text('key_hash').notNull(),
    hint: text('hint').notNull(),
    label: text('label').notNull(),
    /** What the key may do (see src/domain/api-keys.ts); a standard key lists every scope. */
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    /** A rolled key keeps working until then. */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    /** A publishable key's (`pk_…`) browser origins, which the tokenization endpoint answers with CORS; empty for secret keys. */
    allowedOrigins: jsonb('allowed_origins').$type<string[]>().notNull().default([]),
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
    /** What paid: `card`, `apple_pay`, `google_pay`, `sepa_debit`, `ach_debit` (src/domain/payment-method.ts). */
    paymentMethodType: text('payment_method_type').$type<PaymentMethodType>().notNull().default('card'),
    /** The card's facts; null for a wallet, whose card number the router never sees. */
    card: jsonb('card').$type<CardDetails>(),
    /** A wallet's display facts (network, last4 as the wallet shows it); never its token. Null for a card. */
    wallet: jsonb('wallet').$type<WalletDetails>(),
    /** A bank debit's account: country, bank code, last4, keyed fingerprint; never the IBAN or account number. Null otherwise. */
    bankAccount: jsonb('bank_account').$type<BankAccountDetails>(),
    /** Indexed copy of card.fingerprint: the card as this merchant knows it. Null for a wallet (its token is one-time). */
    cardFingerprint: text('card_fingerprint'),
    /** The card as the networks know it, across merchants (a keyed hash): what the retry guard counts by. Null before it existed. */
    cardNetworkKey: text('card_network_key'),
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
    /**
     * Where the pending capture or cancel stands: `sending` (a request holds the lease and is at the
     * gateway), `unknown` (its answer was lost; the reconciler resumes it) or `accepted` (the gateway
     * took it and confirms it by webhook).
     */
    operationState: text('operation_state'),
    /** Bumped by every write: state writes after a gateway call are compare-and-set on it. */
    version: integer('version').notNull().default(0),
    /** While set and in the future, the request that started the current step owns the payment; after it, the reconciler does. */
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    /** Where the shopper comes back after a redirect (3-D Secure). */
    returnUrl: text('return_url'),
    threeDSecure: text('three_d_secure').notNull().default('automatic'),
    /** A `requires_action` payment not completed by then fails with `authentication_abandoned`. */
    actionExpiresAt: timestamp('action_expires_at', { withTimezone: true, mode: 'date' }),
    /** Set when the reconciler gave up without an answer: a human must look (listed with `review=true`). */
    reviewReason: text('review_reason'),
    reviewAt: timestamp('review_at', { withTimezone: true, mode: 'date' }),
    /** Who started it: `customer` (a checkout, consented) or `merchant` (a renewal on a saved card). */
    initiator: text('initiator').notNull().default('customer'),
    /** The vaulted card it was paid with (pm_…); null for a card sent in the request. */
    paymentMethodId: text('payment_method_id'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('payments_merchant_id_idx').on(t.merchantId, t.id),
    index('payments_merchant_status_idx').on(t.merchantId, t.status, t.id),
    index('payments_gateway_reference_idx').on(t.gatewayAccountId, t.gatewayReference),
    index('payments_card_fingerprint_idx').on(t.merchantId, t.cardFingerprint, t.createdAt),
    index('payments_card_network_key_idx').on(t.cardNetworkKey, t.createdAt),
    index('payments_review_idx').on(t.merchantId, t.id).where(sql`${t.reviewReason} is not null`),
    // What the analytics fold reads: payments changed since its watermark.
    index('payments_updated_idx').on(t.updatedAt),
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
    /** A crypto payment's quote and what was paid, as the gateway reported it (coin amounts in the coin's smallest unit). */
    cryptoQuote: jsonb('crypto_quote').$type<CryptoQuote>(),
    /** Who paid, as the gateway named them (a PayPal payer id and email, a debit mandate and its reference); never a credential. */
    payer: jsonb('payer').$type<PayerReport>(),
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
    /** Set when the reconciler gave up without an answer from the gateway. */
    reviewReason: text('review_reason'),
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
    /** While `in_progress`: the request's lease, renewed as it runs. A retry after it ends is not kept waiting. */
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    /** What the request created, written in the same transaction: a retry after a crash answers it as it now stands. */
    resourceType: text('resource_type'),
    resourceId: text('resource_id'),
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

/**
 * People who sign in to the admin API. Global (above merchants): `merchant_ids` lists the merchants
 * an operator may act for, null for all (admins always act for all).
 */
export const operators = pgTable(
  'operators',
  {
    id: text('id').primaryKey(),
    /** Lower-cased. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** `viewer`, `operator` or `admin`. */
    role: text('role').notNull(),
    merchantIds: jsonb('merchant_ids').$type<string[]>(),
    passwordHash: text('password_hash').notNull(),
    /** The TOTP secret, sealed with the secrets key (bound to the operator id). */
    totpSecret: text('totp_secret'),
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true, mode: 'date' }),
    /** The last 30 s step a code was accepted for: a code is accepted once. */
    lastTotpStep: bigint('last_totp_step', { mode: 'number' }),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('operators_email_idx').on(t.email)],
);

/**
 * Append-only (a trigger refuses UPDATE and DELETE): who did what, to what, with what before and
 * after (secrets masked), and when. Ruleset changes, keys, merchants, gateway accounts, operators.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** `operator`, `api_key`, `cli` or `system`. */
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id').notNull(),
    actorName: text('actor_name').notNull(),
    /** Not a foreign key: the record outlives what it names. */
    merchantId: text('merchant_id'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [index('audit_log_merchant_idx').on(t.merchantId, t.id), index('audit_log_target_idx').on(t.targetType, t.targetId, t.id)],
);

/**
 * Cards the network said never to try again (Mastercard MAC 03/21): a card-network rule, so it
 * holds across merchants, by the card's network key (a keyed hash, never the number).
 */
export const cardNetworkBlocks = pgTable('card_network_blocks', {
  cardNetworkKey: text('card_network_key').primaryKey(),
  reason: text('reason').notNull(),
  createdAt: createdAt(),
});

/**
 * What a merchant's gateways reported about cards, per BIN (6 digits, fewer for short numbers):
 * funding type and issuing country. Written in the background, and only for a BIN whose facts a
 * report added or changed; read at start (routing/bins/observed.ts).
 */
export const observedBins = pgTable(
  'observed_bins',
  {
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    bin: text('bin').notNull(),
    cardType: text('card_type'),
    issuerCountry: text('issuer_country'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.bin] })],
);

/**
 * Each merchant's success-rate learner state (a versioned snapshot of its cells, by gateway
 * account id), saved in the background so a restart does not start from the prior. One row per
 * merchant: the last instance to save a merchant's state wins.
 */
export const merchantLearnerState = pgTable('merchant_learner_state', {
  merchantId: text('merchant_id')
    .primaryKey()
    .references(() => merchants.id),
  snapshot: jsonb('snapshot').notNull(),
  savedAt: timestamp('saved_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** The last `learner_outcomes.seq` the saving instance had heard of: a restart replays the outcomes after it. */
  outcomeSeq: bigint('outcome_seq', { mode: 'number' }).notNull().default(0),
});

/**
 * Learner outcomes as every instance records them (in batches, off the payment path), numbered
 * in order: an instance that starts restores the saved learner state, then replays the outcomes
 * after the sequence number that state was saved at. Rows every saved state covers are purged.
 */
export const learnerOutcomes = pgTable('learner_outcomes', {
  seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  merchantId: text('merchant_id').notNull(),
  /** `record`'s arguments in the wire form the instances share (runtime/node/learning-sync.ts). */
  outcome: jsonb('outcome').notNull(),
  recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/**
 * The durable job queue: background work written in the same transaction as the state change
 * that needs it. `key` names the work (one row per payment to settle, per delivery to make), so
 * scheduling it again moves the existing row instead of adding one. Workers claim due rows with
 * `FOR UPDATE SKIP LOCKED` under a lease; a worker that dies leaves a row whose lease runs out.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    merchantId: text('merchant_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    /** `scheduled`, `running`, `done` or `dead` (gave up after its last attempt). */
    state: text('state').notNull(),
    /** Runs started so far. */
    attempts: integer('attempts').notNull().default(0),
    runAt: timestamp('run_at', { withTimezone: true, mode: 'date' }).notNull(),
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    lockToken: text('lock_token'),
    /** Scheduled again while it ran: it runs once more instead of finishing. */
    rerun: boolean('rerun').notNull().default(false),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('jobs_key_idx').on(t.key),
    index('jobs_due_idx').on(t.runAt).where(sql`${t.state} = 'scheduled'`),
    index('jobs_lease_idx').on(t.lockedUntil).where(sql`${t.state} = 'running'`),
    // For purging finished jobs. No index leads with `state`: on an empty table a generic plan for
    // `key = $1 and state = $2` picked such an index over the unique key and, kept as the table grew,
    // read every scheduled job per payment (see bench/load/README.md, "the plan that scanned").
    index('jobs_done_idx').on(t.updatedAt).where(sql`${t.state} = 'done'`),
  ],
);

/**
 * What happened to a payment or refund, in order: `merchant` events are the merchant's (listed by
 * `GET /v1/events`, delivered to webhook endpoints); `internal` ones (what the reconciler tried)
 * appear only on the payment's timeline. `data` is a snapshot of the object at that moment.
 */
export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    type: text('type').notNull(),
    visibility: text('visibility').notNull(),
    paymentId: text('payment_id'),
    refundId: text('refund_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    /**
     * The transaction that wrote the event, which the live stream compares with its last snapshot
     * (event-feed.ts). Null for events written before migration 0022.
     */
    tx: xid8('tx').default(sql`pg_current_xact_id()`),
  },
  (t) => [
    index('events_merchant_idx').on(t.merchantId, t.visibility, t.id),
    index('events_payment_idx').on(t.paymentId, t.id),
    index('events_feed_idx').on(t.merchantId, t.tx).where(sql`${t.visibility} = 'merchant'`),
  ],
);

/** Where a merchant receives its events; the signing secret is kept encrypted and shown once. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    url: text('url').notNull(),
    description: text('description'),
    /** Event types delivered; `*` for all. */
    enabledEvents: jsonb('enabled_events').$type<string[]>().notNull(),
    secretCiphertext: text('secret_ciphertext').notNull(),
    createdAt: createdAt(),
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('webhook_endpoints_merchant_idx').on(t.merchantId)],
);

/** One event's delivery to one endpoint: its attempts and last answer. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    eventId: text('event_id').notNull().references(() => events.id),
    endpointId: text('endpoint_id').notNull().references(() => webhookEndpoints.id),
    /** `pending`, `delivered`, `failed` (gave up after the last retry) or `canceled` (its endpoint was deleted). */
    state: text('state').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.endpointId] })],
);

/**
 * A PaymentIntent of the Stripe-compatible API (src/api/stripe-compat): what the merchant asked for
 * before and between confirmations, and the canonical payment its latest confirmation made. Never
 * card data: `payment_method` is only a public test shortcut such as `pm_card_visa`.
 */
export const stripePaymentIntents = pgTable(
  'stripe_payment_intents',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    amount: money('amount'),
    currency: text('currency').notNull(),
    captureMethod: text('capture_method').notNull(),
    description: text('description'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull().default({}),
    returnUrl: text('return_url'),
    paymentMethod: text('payment_method'),
    /** Stripe's `payment_method_types`: which kinds of payment method a confirmation may use. */
    paymentMethodTypes: jsonb('payment_method_types').$type<string[]>().notNull().default(['card']),
    /** The saved customer (cus_…) the intent pays for: its saved cards pay without card data. */
    customer: text('customer'),
    /** `on_session` or `off_session`: the card typed in is saved (with the shopper's consent) by the confirmation. */
    setupFutureUsage: text('setup_future_usage'),
    /**
     * The canonical payment of the latest confirmation, written in the transaction that creates it,
     * just before its row (so no foreign key: it would be checked before the row exists).
     */
    paymentId: text('payment_id'),
    cancellationReason: text('cancellation_reason'),
    canceledAt: timestamp('canceled_at', { withTimezone: true, mode: 'date' }),
    /** Bumped by every write: a confirmation or cancel is compare-and-set on it. */
    version: integer('version').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('stripe_payment_intents_merchant_idx').on(t.merchantId, t.id), uniqueIndex('stripe_payment_intents_payment_idx').on(t.paymentId)],
);

/**
 * Analytics rollups (src/jobs/rollups.ts folds payments into them in the background, never on the
 * request path). Each row is one `granularity` (`minute` or `hour`) bucket of one merchant's
 * gateway account and card segment (network, currency); minute rows are purged after a few days.
 */
const rollupKey = {
  merchantId: text('merchant_id').notNull(),
  granularity: text('granularity').notNull(),
  bucket: timestamp('bucket', { withTimezone: true, mode: 'date' }).notNull(),
  network: text('network').notNull(),
  currency: text('currency').notNull(),
};
const counter = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0);

/** Finished attempts: outcomes, latency (sum and a histogram on LATENCY_BOUNDS_MS), and what approvals brought and cost. */
export const rollupAttempts = pgTable(
  'rollup_attempts',
  {
    ...rollupKey,
    gatewayAccountId: text('gateway_account_id').notNull(),
    provider: text('provider').notNull(),
    attempts: counter('attempts'),
    approved: counter('approved'),
    declined: counter('declined'),
    technicalFailures: counter('technical_failures'),
    latencyCount: counter('latency_count'),
    latencySumMs: counter('latency_sum_ms'),
    /** Counts per latency bucket (src/analytics/latency.ts); the last one is everything slower. */
    latencyBuckets: bigint('latency_buckets', { mode: 'number' }).array().notNull(),
    approvedAmount: counter('approved_amount'),
    /** From the fee schedules routing uses, per approved attempt. */
    fees: counter('fees'),
    /** Approved attempts the fee schedules have no price for (their fee is not in `fees`). */
    unpriced: counter('unpriced'),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.granularity, t.bucket, t.gatewayAccountId, t.network, t.currency] }),
    index('rollup_attempts_purge_idx').on(t.granularity, t.bucket),
  ],
);

/** Declined attempts by canonical decline reason. */
export const rollupDeclines = pgTable(
  'rollup_declines',
  {
    ...rollupKey,
    gatewayAccountId: text('gateway_account_id').notNull(),
    reason: text('reason').notNull(),
    count: counter('count'),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.granularity, t.bucket, t.gatewayAccountId, t.network, t.currency, t.reason] }),
    index('rollup_declines_purge_idx').on(t.granularity, t.bucket),
  ],
);

/** The payment funnel: created and attempted (at creation), authorized and recovered (at approval), captured. */
export const rollupPayments = pgTable(
  'rollup_payments',
  {
    ...rollupKey,
    created: counter('created'),
    attempted: counter('attempted'),
    authorized: counter('authorized'),
    captured: counter('captured'),
    /** Approved on a later attempt after a decline that cascaded. */
    recoveredAfterDecline: counter('recovered_after_decline'),
    /** Approved on a later attempt after a gateway that certainly did not process it (failover). */
    recoveredAfterFailure: counter('recovered_after_failure'),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.granularity, t.bucket, t.network, t.currency] }), index('rollup_payments_purge_idx').on(t.granularity, t.bucket)],
);

/** What the fold has counted of each payment so far: folding it again adds only what changed since. */
export const rollupFolded = pgTable(
  'rollup_folded',
  {
    paymentId: text('payment_id').primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** Attempts counted: numbers 1..n. */
    attempts: smallint('attempts').notNull(),
    attempted: boolean('attempted').notNull(),
    authorized: boolean('authorized').notNull(),
    captured: boolean('captured').notNull(),
  },
  (t) => [index('rollup_folded_created_idx').on(t.createdAt)],
);

/** Up to when payment changes (`payments.updated_at`) are folded into the rollups. */
export const rollupWatermarks = pgTable('rollup_watermarks', {
  name: text('name').primaryKey(),
  foldedTo: timestamp('folded_to', { withTimezone: true, mode: 'date' }).notNull(),
});

/** A merchant's customer: the owner of saved payment methods, one of them its default. */
export const customers = pgTable(
  'customers',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    email: text('email'),
    name: text('name'),
    description: text('description'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull().default({}),
    defaultPaymentMethodId: text('default_payment_method_id'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** A deleted customer is gone from the API; its payment methods are detached. */
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('customers_merchant_idx').on(t.merchantId, t.id)],
);

/**
 * The card vault: one row per card per merchant (deduplicated by fingerprint). The card number
 * and holder name are sealed with AES-256-GCM under the row's own data key, which is stored
 * only wrapped by a key-encryption key (`kek_id` names it). The CVC is never stored.
 */
export const paymentMethods = pgTable(
  'payment_methods',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    customerId: text('customer_id').references(() => customers.id),
    fingerprint: text('fingerprint').notNull(),
    brand: text('brand').notNull(),
    last4: text('last4').notNull(),
    expMonth: smallint('exp_month').notNull(),
    expYear: smallint('exp_year').notNull(),
    /** `v1.<iv>.<ciphertext and tag>`, base64url: the sealed card (number, holder name). */
    sealedCard: text('sealed_card').notNull(),
    /** The data key, wrapped by the KEK `kekId` (the KMS's format). */
    wrappedKey: text('wrapped_key').notNull(),
    kekId: text('kek_id').notNull(),
    /** The card network's id of the first consented payment: merchant-initiated payments cite it. */
    networkTransactionId: text('network_transaction_id'),
    /** Set when a payment with this card was declined in a way that forbids trying it again as it is. */
    flaggedReason: text('flagged_reason'),
    flaggedAt: timestamp('flagged_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('payment_methods_fingerprint_idx').on(t.merchantId, t.fingerprint),
    index('payment_methods_customer_idx').on(t.customerId, t.id),
    index('payment_methods_kek_idx').on(t.kekId, t.id),
  ],
);

/** What a merchant bills on a schedule: an amount every `interval_count` × `interval`. */
export const plans = pgTable(
  'plans',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    name: text('name').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    interval: text('interval').notNull(),
    intervalCount: integer('interval_count').notNull(),
    trialDays: integer('trial_days').notNull(),
    /** Days after an invoice's first attempt to retry it; null: the default schedule. */
    retryDays: jsonb('retry_days').$type<number[]>(),
    /** What a subscription becomes when an invoice is uncollectible: `unpaid` or `canceled`. */
    onUncollectible: text('on_uncollectible').notNull(),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull().default({}),
    archivedAt: timestamp('archived_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('plans_merchant_idx').on(t.merchantId, t.id)],
);

/** A customer billed on a plan; `cycle` counts paid periods from the anchor (-1 while trialing). */
export const subscriptions = pgTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    customerId: text('customer_id').notNull().references(() => customers.id),
    planId: text('plan_id').notNull().references(() => plans.id),
    paymentMethodId: text('payment_method_id').notNull().references(() => paymentMethods.id),
    status: text('status').notNull(),
    billingAnchor: timestamp('billing_anchor', { withTimezone: true, mode: 'date' }).notNull(),
    cycle: integer('cycle').notNull(),
    trialEnd: timestamp('trial_end', { withTimezone: true, mode: 'date' }),
    currentPeriodStart: timestamp('current_period_start', { withTimezone: true, mode: 'date' }).notNull(),
    currentPeriodEnd: timestamp('current_period_end', { withTimezone: true, mode: 'date' }).notNull(),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    canceledAt: timestamp('canceled_at', { withTimezone: true, mode: 'date' }),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull().default({}),
    version: integer('version').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('subscriptions_merchant_idx').on(t.merchantId, t.id), index('subscriptions_customer_idx').on(t.customerId, t.id)],
);

/** One bill per subscription period; each attempt to pay it is a payment whose id derives from the invoice's and the attempt number. */
export const invoices = pgTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    customerId: text('customer_id').notNull(),
    cycle: integer('cycle').notNull(),
    periodStart: timestamp('period_start', { withTimezone: true, mode: 'date' }).notNull(),
    periodEnd: timestamp('period_end', { withTimezone: true, mode: 'date' }).notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    attemptCount: integer('attempt_count').notNull().default(0),
    firstAttemptAt: timestamp('first_attempt_at', { withTimezone: true, mode: 'date' }),
    nextPaymentAttempt: timestamp('next_payment_attempt', { withTimezone: true, mode: 'date' }),
    paymentIds: jsonb('payment_ids').$type<string[]>().notNull().default([]),
    lastFailureCode: text('last_failure_code'),
    paidAt: timestamp('paid_at', { withTimezone: true, mode: 'date' }),
    version: integer('version').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('invoices_subscription_cycle_idx').on(t.subscriptionId, t.cycle), index('invoices_merchant_idx').on(t.merchantId, t.id)],
);

/**
 * A merchant's alert rules (src/alerts/rules.ts lists the kinds and their parameters). The
 * evaluation job (src/jobs/alerts.ts) reads rollups and health, never payments one by one.
 */
export const alertRules = pgTable(
  'alert_rules',
  {
    id: text('id').primaryKey(),
    /** Null: an operator-wide rule, watching every merchant (admin API, /v1/admin/alert_rules). */
    merchantId: text('merchant_id').references(() => merchants.id),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** The kind's parameters, validated on the way in (snake_case, as the API takes them). */
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('alert_rules_merchant_idx').on(t.merchantId, t.id)],
);

/**
 * What a rule found, per subject (a gateway account, or the merchant): firing until it resolves,
 * then kept as history. At most one firing alert per rule and subject.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    /** Null: raised by an operator-wide rule. */
    merchantId: text('merchant_id').references(() => merchants.id),
    /** No foreign key: an alert outlives its rule as history. */
    ruleId: text('rule_id').notNull(),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    state: text('state').notNull(),
    /** The measured value and the threshold it crossed, in the kind's unit; the latest reading while firing. */
    value: doublePrecision('value'),
    threshold: doublePrecision('threshold'),
    summary: text('summary').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull(),
    /** Evaluations in a row that found the condition cleared (resolves at the rule's `resolve_after`). */
    clearStreak: integer('clear_streak').notNull().default(0),
    firedAt: timestamp('fired_at', { withTimezone: true, mode: 'date' }).notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    uniqueIndex('alerts_firing_idx').on(t.ruleId, t.subject).where(sql`${t.state} = 'firing'`),
    index('alerts_merchant_idx').on(t.merchantId, t.id),
  ],
);
