import { afterFailure, DEFAULT_DUNNING, type ChargeFailure, type DunningPolicy } from '../billing/dunning.js';
import { period, trialEnd, type BillingInterval, type IntervalUnit } from '../billing/periods.js';
import { after, type Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import type { Logger } from '../domain/logger.js';
import { safeErrorMessage } from '../domain/safe-error.js';
import { Problem, problems } from '../domain/problem.js';
import type { InvoiceChanges, InvoiceRow, PlanRow, SubscriptionChanges, SubscriptionRow } from '../store/billing.js';
import type { Repositories } from '../store/index.js';
import type { PaymentRow } from '../store/payments.js';
import { emit, type EventSpec } from './events.js';
import type { CreatedPayment, NewPaymentInput, RequestContext } from './payments.js';

/** Moves a subscription to its next period when the current one ends; one job per subscription. */
export const RENEW_JOB = 'billing.renew';
/** Pays an open invoice: its attempts, its retries and following a payment that settles later. */
export const INVOICE_JOB = 'billing.invoice';
export const renewJobKey = (subscriptionId: string) => `subscription:${subscriptionId}`;
export const invoiceJobKey = (invoiceId: string) => `invoice:${invoiceId}`;

/**
 * The payment of an invoice's attempt `n`: its id derives from the invoice's and `n`, so whoever
 * runs the attempt again after a crash finds the payment instead of making another, and the
 * gateway call carries the same idempotency key (derived from the payment id).
 */
export function invoicePaymentId(invoiceId: string, attempt: number): string {
  return `pay_${invoiceId.slice('in_'.length)}A${attempt}`;
}

/** How long the request that opens a subscription has to pay its first invoice before the invoice's job does. */
export const INVOICE_LEASE_MS = 60_000;

/** How often an invoice looks again at a payment still processing or waiting for the shopper. */
export const FOLLOW_PAYMENT_MS = 5 * 60_000;

export type SubscriptionStatus = 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid';
export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';

export interface NewPlan {
  name: string;
  amount: number;
  currency: string;
  interval: IntervalUnit;
  intervalCount: number;
  trialDays: number;
  retryDays: number[] | null;
  onUncollectible: 'unpaid' | 'canceled';
  metadata: Record<string, string>;
}

export interface NewSubscription {
  customerId: string;
  planId: string;
  paymentMethodId: string | null;
  /** Overrides the plan's trial days. */
  trialDays: number | null;
  metadata: Record<string, string>;
}

/** Where renewal charges go: the payment service, as the API uses it. */
export interface InvoicePayments {
  create(merchantId: string, request: NewPaymentInput, context?: RequestContext): Promise<CreatedPayment | null>;
}

export interface BillingServiceDeps {
  repositories: Repositories;
  payments: InvoicePayments;
  clock: Clock;
  logger: Logger;
  /** Wakes the job engine after scheduling work for now. */
  wake?: () => void;
}

/** What an invoice's job should do next. */
export type InvoiceProgress = { done: true } | { retryAt: Date };

export function billingService(deps: BillingServiceDeps) {
  const { repositories, payments, clock, logger } = deps;
  const billing = repositories.billing;

  const intervalOf = (plan: PlanRow): BillingInterval => ({ unit: plan.interval as IntervalUnit, count: plan.intervalCount });
  const dunningOf = (plan: PlanRow): DunningPolicy => ({ retryDays: plan.retryDays ?? DEFAULT_DUNNING.retryDays, onExhausted: plan.onUncollectible as DunningPolicy['onExhausted'] });
  const subscriptionEvent = (type: 'subscription.created' | 'subscription.updated' | 'subscription.canceled', row: SubscriptionRow): EventSpec => ({ type, merchantId: row.merchantId, paymentId: null, data: subscriptionSnapshot(row) });
  const invoiceEvent = (type: 'invoice.created' | 'invoice.paid' | 'invoice.payment_failed' | 'invoice.uncollectible' | 'invoice.voided', row: InvoiceRow, paymentId: string | null = null): EventSpec => ({
    type,
    merchantId: row.merchantId,
    paymentId,
    data: invoiceSnapshot(row),
  });

  async function createPlan(merchantId: string, input: NewPlan): Promise<PlanRow> {
    const now = clock.now();
    return billing.createPlan({ id: newId('plan'), merchantId, ...input, interval: input.interval, createdAt: now, updatedAt: now });
  }

  /**
   * Starts a subscription. With a trial it waits for the trial's end; without one its first
   * invoice is created with it and paid at once, customer-initiated (the shopper is here), so
   * the card's network transaction id is kept for the merchant-initiated renewals.
   */
  async function createSubscription(merchantId: string, input: NewSubscription): Promise<SubscriptionRow> {
    const plan = await billing.plan(merchantId, input.planId);
    if (!plan) throw problems.invalidRequest('No such plan.', 'plan', 'no_such_plan');
    if (plan.archivedAt) throw problems.invalidRequest('The plan is archived: it takes no new subscriptions.', 'plan', 'plan_archived');
    const customer = await repositories.customers.get(merchantId, input.customerId);
    if (!customer) throw problems.invalidRequest('No such customer.', 'customer', 'no_such_customer');
    const cardId = input.paymentMethodId ?? customer.defaultPaymentMethodId;
    if (!cardId) throw problems.invalidRequest('Name a payment method: the customer has no default one.', 'payment_method', 'payment_method_required');
    const card = await repositories.vault.get(merchantId, cardId);
    if (!card) throw problems.invalidRequest('No such payment method.', 'payment_method', 'no_such_payment_method');
    if (card.customerId !== customer.id) throw problems.invalidRequest("The payment method is not one of this customer's.", 'payment_method', 'payment_method_not_attached');

    const now = clock.now();
    const trialEnds = trialEnd(now, input.trialDays ?? plan.trialDays);
    const anchor = trialEnds ?? now;
    const first = period(anchor, intervalOf(plan), 0);
    const id = newId('sub');
    const created = await repositories.transaction(async (tx) => {
      const subscription = await tx.billing.createSubscription({
        id,
        merchantId,
        customerId: customer.id,
        planId: plan.id,
        paymentMethodId: card.id,
        status: trialEnds ? 'trialing' : 'active',
        billingAnchor: anchor,
        cycle: trialEnds ? -1 : 0,
        trialEnd: trialEnds,
        currentPeriodStart: trialEnds ? now : first.start,
        currentPeriodEnd: trialEnds ?? first.end,
        metadata: input.metadata,
        createdAt: now,
        updatedAt: now,
      });
      const events: EventSpec[] = [subscriptionEvent('subscription.created', subscription)];
      let invoice: InvoiceRow | null = null;
      if (!trialEnds) {
        // Paid below, by this request; its job takes over only should the request die first.
        invoice = await openInvoice(tx, subscription, plan, 0, first, now, after(now, INVOICE_LEASE_MS));
        events.push(invoiceEvent('invoice.created', invoice));
      }
      await tx.jobs.schedule({ kind: RENEW_JOB, key: renewJobKey(id), merchantId, payload: { subscription_id: id }, runAt: subscription.currentPeriodEnd }, now);
      await emit(tx, now, events);
      return { subscription, invoice };
    });
    deps.wake?.();
    if (created.invoice) {
      await payInvoice(created.invoice.id).catch((error: unknown) => logger.warn('billing.first_invoice_deferred', { invoice_id: created.invoice!.id, error: safeErrorMessage(error) }));
    }
    return (await billing.subscriptionById(id))!;
  }

  /** The invoice of a cycle, with the job that pays it from `payAt`. */
  async function openInvoice(tx: Repositories, subscription: SubscriptionRow, plan: PlanRow, cycle: number, p: { start: Date; end: Date }, now: Date, payAt = now): Promise<InvoiceRow> {
    const { invoice, created } = await tx.billing.createInvoice({
      id: newId('in'),
      merchantId: subscription.merchantId,
      subscriptionId: subscription.id,
      customerId: subscription.customerId,
      cycle,
      periodStart: p.start,
      periodEnd: p.end,
      amount: plan.amount,
      currency: plan.currency,
      status: 'open',
      createdAt: now,
      updatedAt: now,
    });
    if (created) await tx.jobs.schedule({ kind: INVOICE_JOB, key: invoiceJobKey(invoice.id), merchantId: invoice.merchantId, payload: { invoice_id: invoice.id }, runAt: payAt }, now);
    return invoice;
  }

  /**
   * The renewal job's work: every period that has ended moves the subscription on and opens the
   * next period's invoice with its job (which pays it), in one transaction (compare-and-set on the
   * subscription), so a run repeated after a crash finds the work done. Answers when to look again, or null when the
   * subscription renews no more.
   */
  async function renew(subscriptionId: string): Promise<Date | null> {
    for (;;) {
      const subscription = await billing.subscriptionById(subscriptionId);
      if (!subscription || subscription.status === 'canceled' || subscription.status === 'unpaid') return null;
      const now = clock.now();
      if (subscription.currentPeriodEnd > now) return subscription.currentPeriodEnd;
      const plan = (await billing.plan(subscription.merchantId, subscription.planId))!;
      const opened = await repositories.transaction(async (tx) => {
        if (subscription.cancelAtPeriodEnd) {
          const ended = await tx.billing.updateSubscription(subscription.id, subscription.version, { status: 'canceled', endedAt: subscription.currentPeriodEnd }, now);
          if (ended) await emit(tx, now, [subscriptionEvent('subscription.canceled', ended)]);
          return ended ? { ended } : null;
        }
        const cycle = subscription.cycle + 1;
        const next = period(subscription.billingAnchor, intervalOf(plan), cycle);
        const changes: SubscriptionChanges = { cycle, currentPeriodStart: next.start, currentPeriodEnd: next.end };
        if (subscription.status === 'trialing') changes.status = 'active';
        const moved = await tx.billing.updateSubscription(subscription.id, subscription.version, changes, now);
        if (!moved) return null;
        const invoice = await openInvoice(tx, moved, plan, cycle, next, now);
        const events = [invoiceEvent('invoice.created', invoice)];
        if (changes.status) events.unshift(subscriptionEvent('subscription.updated', moved));
        await emit(tx, now, events);
        return { invoice };
      });
      // Another writer (a cancel) moved it first: look again.
      if (!opened) continue;
      if ('ended' in opened) return null;
      logger.info('billing.renewed', { subscription_id: subscription.id, invoice_id: opened.invoice.id, cycle: opened.invoice.cycle });
      deps.wake?.();
    }
  }

  /**
   * Moves an open invoice on, reading only what is stored: follows its last payment to its end,
   * makes the next attempt when one is due, and applies the dunning schedule to a failure. Every
   * write is compare-and-set on the invoice's version, and an attempt's payment id is fixed
   * before the payment is made, so running it twice (or concurrently) never charges twice.
   */
  async function payInvoice(invoiceId: string): Promise<InvoiceProgress> {
    for (;;) {
      const invoice = await billing.invoiceById(invoiceId);
      if (!invoice || invoice.status !== 'open') return { done: true };
      const subscription = (await billing.subscriptionById(invoice.subscriptionId))!;
      const now = clock.now();
      const lastId = invoice.paymentIds.at(-1) ?? null;
      const last = lastId ? ((await repositories.payments.get(invoice.merchantId, lastId))?.payment ?? null) : null;
      // A failure already answered by the schedule leaves nextPaymentAttempt set.
      const awaitingRetry = invoice.nextPaymentAttempt !== null;

      if (last && !awaitingRetry) {
        if (last.status === 'succeeded' || last.status === 'requires_capture') {
          if (await settlePaid(invoice, subscription, last, now)) return { done: true };
          continue;
        }
        if (last.status === 'processing' || last.status === 'requires_action') return { retryAt: after(now, FOLLOW_PAYMENT_MS) };
        // A decline the payment service took for never-again (Mastercard 03/21, lost, stolen…) flagged the card.
        const flagged = (await repositories.vault.get(invoice.merchantId, subscription.paymentMethodId))?.flaggedAt ?? null;
        const cardFlagged = flagged !== null && flagged >= last.createdAt;
        await settleFailed(invoice, subscription, { code: last.failureCode ?? 'unknown', cardFlagged }, last.id, now);
        continue;
      }
      if (subscription.status === 'canceled') {
        const voided = await repositories.transaction(async (tx) => {
          const row = await tx.billing.updateInvoice(invoice.id, invoice.version, { status: 'void', nextPaymentAttempt: null }, now);
          if (row) await emit(tx, now, [invoiceEvent('invoice.voided', row)]);
          return row;
        });
        if (voided) return { done: true };
        continue;
      }
      if (awaitingRetry && invoice.nextPaymentAttempt! > now) return { retryAt: invoice.nextPaymentAttempt! };

      // Attempt n: a payment whose id is fixed now. A missing payment under the last id (the run
      // that recorded it died before making it, and no failure was recorded) is made under that id.
      const attempt = lastId && !last && !awaitingRetry ? invoice.attemptCount : invoice.attemptCount + 1;
      const paymentId = invoicePaymentId(invoice.id, attempt);
      if (attempt !== invoice.attemptCount) {
        const begun = await billing.updateInvoice(
          invoice.id,
          invoice.version,
          { attemptCount: attempt, paymentIds: [...invoice.paymentIds, paymentId], firstAttemptAt: invoice.firstAttemptAt ?? now, nextPaymentAttempt: null },
          now,
        );
        if (!begun) continue;
      }
      const card = await repositories.vault.get(invoice.merchantId, subscription.paymentMethodId);
      // Merchant-initiated once the card has a consented payment to cite; the first charge (at signup, or after a trial) is the customer's.
      const initiator = card?.networkTransactionId ? 'merchant' : 'customer';
      try {
        await payments.create(
          invoice.merchantId,
          {
            amount: invoice.amount,
            currency: invoice.currency,
            captureMethod: 'automatic',
            card: null,
            paymentMethodId: subscription.paymentMethodId,
            customerId: subscription.customerId,
            customer: null,
            description: `Invoice ${invoice.id}`,
            metadata: { invoice: invoice.id, subscription: subscription.id },
            initiator,
            gateways: null,
            returnUrl: null,
            threeDSecure: 'automatic',
          },
          { paymentId },
        );
      } catch (error) {
        if (await paymentExists(invoice.merchantId, paymentId)) continue;
        // The payment service refused the saved card before any gateway (flagged, expired, no stored credential): a failure like a decline.
        if (error instanceof Problem && error.status === 422) {
          const fresh = (await billing.invoiceById(invoice.id))!;
          await settleFailed(fresh, subscription, { code: error.code }, null, clock.now());
          continue;
        }
        throw error;
      }
    }
  }

  async function paymentExists(merchantId: string, id: string): Promise<boolean> {
    return (await repositories.payments.get(merchantId, id)) !== null;
  }

  async function settlePaid(invoice: InvoiceRow, subscription: SubscriptionRow, payment: PaymentRow, now: Date): Promise<boolean> {
    return repositories.transaction(async (tx) => {
      const paid = await tx.billing.updateInvoice(invoice.id, invoice.version, { status: 'paid', paidAt: now, nextPaymentAttempt: null, lastFailureCode: null }, now);
      if (!paid) return false;
      const events: EventSpec[] = [invoiceEvent('invoice.paid', paid, payment.id)];
      // A paid invoice brings a subscription that was retrying (or given up on) back, unless it was canceled.
      if (subscription.status === 'past_due' || subscription.status === 'unpaid') {
        const others = (await tx.billing.openInvoices(subscription.id)).filter((i) => i.id !== invoice.id);
        if (others.length === 0) {
          const active = await tx.billing.updateSubscription(subscription.id, subscription.version, { status: 'active' }, now);
          if (!active) throw new Error('subscription changed meanwhile');
          events.push(subscriptionEvent('subscription.updated', active));
          if (subscription.status === 'unpaid') await tx.jobs.schedule({ kind: RENEW_JOB, key: renewJobKey(subscription.id), merchantId: subscription.merchantId, payload: { subscription_id: subscription.id }, runAt: now }, now);
        }
      }
      await emit(tx, now, events);
      logger.info('billing.invoice_paid', { invoice_id: invoice.id, payment_id: payment.id, attempt: invoice.attemptCount });
      return true;
    }).catch((error: unknown) => {
      if (error instanceof Error && error.message === 'subscription changed meanwhile') return false;
      throw error;
    });
  }

  /** Applies the dunning schedule to a failed attempt: the next try's time, or the end (uncollectible). */
  async function settleFailed(invoice: InvoiceRow, subscription: SubscriptionRow, failure: ChargeFailure, paymentId: string | null, now: Date): Promise<boolean> {
    const plan = (await billing.plan(invoice.merchantId, subscription.planId))!;
    const policy = dunningOf(plan);
    const step = afterFailure(policy, invoice.attemptCount, invoice.firstAttemptAt ?? now, now, failure);
    const changes: InvoiceChanges = 'retryAt' in step
      ? { nextPaymentAttempt: step.retryAt, lastFailureCode: failure.code }
      : { status: 'uncollectible', nextPaymentAttempt: null, lastFailureCode: failure.code };
    return repositories.transaction(async (tx) => {
      const row = await tx.billing.updateInvoice(invoice.id, invoice.version, changes, now);
      if (!row) return false;
      const events: EventSpec[] = [invoiceEvent('invoice.payment_failed', row, paymentId)];
      const live = subscription.status !== 'canceled';
      let next: SubscriptionChanges | null = null;
      if ('stop' in step) {
        events.push(invoiceEvent('invoice.uncollectible', row, paymentId));
        if (live) next = policy.onExhausted === 'canceled' ? { status: 'canceled', canceledAt: now, endedAt: now } : { status: 'unpaid' };
      } else if (live && subscription.status !== 'past_due' && subscription.status !== 'unpaid') {
        next = { status: 'past_due' };
      }
      if (next) {
        const moved = await tx.billing.updateSubscription(subscription.id, subscription.version, next, now);
        if (moved) events.push(subscriptionEvent(moved.status === 'canceled' ? 'subscription.canceled' : 'subscription.updated', moved));
      }
      await emit(tx, now, events);
      logger.info('billing.invoice_payment_failed', { invoice_id: invoice.id, attempt: invoice.attemptCount, code: failure.code, ...('stop' in step ? { stopped: step.stop } : { retry_at: step.retryAt.toISOString() }) });
      return true;
    });
  }

  /** Cancels at the period's end (it renews no more) or now (its open invoices with no payment under way are voided). */
  async function cancel(merchantId: string, id: string, atPeriodEnd: boolean): Promise<SubscriptionRow> {
    for (;;) {
      const subscription = await billing.subscription(merchantId, id);
      if (!subscription) throw problems.notFound('subscription');
      if (subscription.status === 'canceled') return subscription;
      const now = clock.now();
      const changes: SubscriptionChanges = atPeriodEnd ? { cancelAtPeriodEnd: true, canceledAt: now } : { status: 'canceled', canceledAt: now, endedAt: now, cancelAtPeriodEnd: false };
      const done = await repositories.transaction(async (tx) => {
        const row = await tx.billing.updateSubscription(id, subscription.version, changes, now);
        if (!row) return null;
        await emit(tx, now, [subscriptionEvent(atPeriodEnd ? 'subscription.updated' : 'subscription.canceled', row)]);
        if (!atPeriodEnd) {
          for (const invoice of await tx.billing.openInvoices(id)) {
            await tx.jobs.schedule({ kind: INVOICE_JOB, key: invoiceJobKey(invoice.id), merchantId, payload: { invoice_id: invoice.id }, runAt: now }, now);
          }
        }
        return row;
      });
      if (!done) continue;
      deps.wake?.();
      return done;
    }
  }

  return {
    createPlan,
    plan: (merchantId: string, id: string) => billing.plan(merchantId, id),
    archivePlan: (merchantId: string, id: string) => billing.archivePlan(merchantId, id, clock.now()),
    createSubscription,
    cancel,
    renew,
    payInvoice,
  };
}

export type BillingService = ReturnType<typeof billingService>;

/** A subscription as the API and its events show it. */
export function subscriptionSnapshot(row: SubscriptionRow): Record<string, unknown> & { id: string } {
  return {
    id: row.id,
    object: 'subscription',
    customer: row.customerId,
    plan: row.planId,
    payment_method: row.paymentMethodId,
    status: row.status,
    billing_anchor: row.billingAnchor.toISOString(),
    current_period_start: row.currentPeriodStart.toISOString(),
    current_period_end: row.currentPeriodEnd.toISOString(),
    trial_end: row.trialEnd?.toISOString() ?? null,
    cancel_at_period_end: row.cancelAtPeriodEnd,
    canceled_at: row.canceledAt?.toISOString() ?? null,
    ended_at: row.endedAt?.toISOString() ?? null,
    metadata: row.metadata,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** An invoice as the API and its events show it. */
export function invoiceSnapshot(row: InvoiceRow): Record<string, unknown> & { id: string } {
  return {
    id: row.id,
    object: 'invoice',
    subscription: row.subscriptionId,
    customer: row.customerId,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    period_start: row.periodStart.toISOString(),
    period_end: row.periodEnd.toISOString(),
    attempt_count: row.attemptCount,
    next_payment_attempt: row.nextPaymentAttempt?.toISOString() ?? null,
    payments: row.paymentIds,
    last_failure_code: row.lastFailureCode,
    paid_at: row.paidAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
