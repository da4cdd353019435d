import type { AttemptIdentity, AuthorizeRequest, CardInput, GatewayAdapter } from '../../adapters/testkit/contract.js';
import { tokenProviders, walletDetails, type ApprovalMethodType, type BankDebitMethod, type BankDebitType, type PaymentMethod, type WalletDetails, type WalletType } from '../domain/payment-method.js';
import { bankAccountFingerprint, parseIban, type BankAccountDetails } from '../domain/bank-account.js';
import { cardFacts, cardFingerprint, isExpired, type CardFacts } from '../domain/card.js';
import { after, type Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import { safeErrorMessage } from '../domain/safe-error.js';
import type { Logger } from '../domain/logger.js';
import type { AuthorizationOutcome, ModificationOutcome } from '../domain/outcome.js';
import {
  afterNoGatewayReached,
  attemptStatusFor,
  gatewayKeys,
  newPaymentState,
  planCancel,
  planCapture,
  type CaptureMethod,
  type PaymentFailure,
  type PaymentState,
} from '../domain/payment.js';
import { Problem, problems } from '../domain/problem.js';
import type { RoutingTransaction } from '../routing/rules/transaction.js';
import type { EventRow } from '../store/events.js';
import type { Claim, DeferredIdempotency } from '../store/idempotency.js';
import type { Repositories } from '../store/index.js';
import type { JobRow } from '../store/jobs.js';
import type { PaymentMethodRow } from '../store/vault.js';
import type { CardVault } from '../vault/vault.js';
import { stateColumns, stateOf, type AttemptResult, type AttemptRow, type PaymentRecord, type PaymentRow } from '../store/payments.js';
import { authorizeAtGateway } from './authorize.js';
import { emit, eventWrites, paymentSnapshot } from './events.js';
import type { GatewayRegistry } from './gateways.js';
import type { DecisionExplanation, Router } from './router.js';
import { routingFacts } from './routing-facts.js';
import { recordSavedCardOutcome } from './saved-card.js';
import {
  authorizationStep,
  awaitsAuthorization,
  changeEvents,
  operationDoneStep,
  operationRevertStep,
  operationWaitStep,
  PAYMENT_JOB,
  paymentJobKey,
  settlingStep,
  writeStep,
  type PaymentStep,
  type SettlementPolicy,
} from './settle.js';

export interface NewPaymentInput {
  amount: number;
  currency: string;
  captureMethod: CaptureMethod;
  /** The card typed in; null when it comes from the vault (`paymentMethodId`, or the customer's default), or a wallet pays. */
  card: CardInput | null;
  /** A payment method other than a card, sent in the request (a wallet's one-time token). */
  method?: Exclude<PaymentMethod, { type: 'card' }> | null;
  /** A saved card (pm_…) to pay with instead of `card`; with `card`, the saved record of that card, which this (customer-initiated) payment sets up. */
  paymentMethodId: string | null;
  /** A saved customer (cus_…): its default card pays when no payment method is named. */
  customerId: string | null;
  customer: { id: string | null; email: string | null; country: string | null } | null;
  description: string | null;
  metadata: Record<string, string>;
  initiator: 'customer' | 'merchant';
  /** Gateway account names to try, in order, instead of the rules (still subject to eligibility). */
  gateways: string[] | null;
  /** Where the shopper comes back after a redirect (3-D Secure). */
  returnUrl: string | null;
  threeDSecure: 'automatic' | 'required';
}

export interface RetryGuard {
  /** Declined attempts a card may have across all gateways within the window (Visa: 15 in 30 days). */
  maxDeclines: number;
  windowDays: number;
}

/** The Idempotency-Key the request came with: what it creates is linked to it in the same transaction. */
export interface RequestContext {
  idempotencyKey?: string | undefined;
  /** A key the handler claims in its own transaction (payment creation), and may store the answer with its last write. */
  idempotency?: DeferredIdempotency | undefined;
  /** Renders the 201 answer for a payment as created, for storing with the write that settles it. */
  answer?: (created: CreatedPayment) => string;
  /** The new payment's id, when the caller must record it in the transaction that creates it (the Stripe-compatible API's intents). */
  paymentId?: string;
}

/** A payment as the create call answers it, with its reconciler job when it still has one. */
export interface CreatedPayment extends PaymentRecord {
  settlement: JobRow | null;
}

export interface PaymentServiceDeps {
  repositories: Repositories;
  gateways: GatewayRegistry;
  router: Router;
  fingerprintSecret: string;
  logger: Logger;
  clock: Clock;
  policy: SettlementPolicy;
  /** Attempts per payment, across gateways. */
  maxAttempts: number;
  /** No new attempt starts after this long from the payment's start. */
  deadlineMs: number;
  retryGuard: RetryGuard;
  /** Opens saved cards for the gateway call of a payment with a pm_. */
  vault: CardVault;
}

/** A payment request with what pays at hand: a card typed in or opened from the vault (`saved`), or a wallet's token. */
interface ResolvedInput extends Omit<NewPaymentInput, 'method'> {
  method: PaymentMethod;
}

/**
 * What a payment knows of what pays it. A card: its BIN facts, a per-merchant fingerprint and the
 * network key the retry guard counts by. A wallet: only what the wallet shows in clear; its
 * number is inside a one-time token, so there is nothing to fingerprint or count.
 */
type MethodFacts =
  | { kind: 'card'; card: CardInput; facts: CardFacts; fingerprint: string; networkKey: string; routing: RoutingTransaction['card'] }
  | { kind: 'wallet'; type: WalletType; wallet: WalletDetails; routing: RoutingTransaction['card'] }
  /** The payer approves at the provider (PayPal, a crypto hosted page): no card, no network, nothing known before the approval. */
  | { kind: 'approval'; type: ApprovalMethodType; routing: RoutingTransaction['card'] }
  | { kind: 'bank'; type: BankDebitType; bankAccount: BankAccountDetails; routing: RoutingTransaction['card'] };

type Operation = 'capture' | 'cancel';

export function paymentService(deps: PaymentServiceDeps) {
  const { repositories, gateways, logger, router, clock, policy } = deps;
  const payments = repositories.payments;

  /**
   * Creates and authorizes a payment. Before the gateway call, one transaction claims the request's
   * Idempotency-Key (when the handler defers it here), checks the network retry guard, and writes
   * the payment with its first attempt and the reconciler's lease job; after it, one statement
   * writes the outcome, the attempt, the job, the events and the stored answer. Answers null when
   * the key belongs to another request (the idempotency middleware answers for it).
   */
  async function create(merchantId: string, request: NewPaymentInput, context: RequestContext = {}): Promise<CreatedPayment | null> {
    const { input, saved, refusal } = await withCard(merchantId, request);
    const started = clock.now();
    const id = context.paymentId ?? newId('pay');
    const known = await methodFacts(merchantId, input.method);
    const networkKey = known.kind === 'card' ? known.networkKey : null;
    const tx = transactionFor(id, input, known.routing);
    const { order, explanation, candidates } = await router.decideFor(merchantId, tx, input.gateways);
    const unknown = input.gateways?.filter((name) => !candidates.some((c) => c.name === name)) ?? [];
    // Raised after the key is claimed, so a retry of a request that once succeeded replays its answer.
    const invalid =
      candidates.length === 0
        ? new Problem({ status: 422, code: 'no_gateway_account', title: 'No gateway account', detail: 'The merchant has no usable gateway account.' })
        : unknown.length > 0
          ? problems.invalidRequest(`Unknown gateway account name: ${unknown[0]}.`, 'routing.gateways', 'unknown_gateway')
          : refusal;

    const deferred = context.idempotency;
    const key = deferred?.key ?? context.idempotencyKey;
    const link = key ? { merchantId, key, resource: { type: 'payment.create' as const, id } } : undefined;
    const route = order.slice(0, deps.maxAttempts);
    const leaseUntil = after(started, policy.requestLeaseMs);
    const opened = await repositories.transaction(async (repos): Promise<{ claim: Claim } | { refused: PaymentRow } | { payment: PaymentRow; attempt: AttemptRow }> => {
      // The guard's read goes out with the claim (pipelined, one round trip); it is used only once the key is this request's.
      const since = new Date(started.getTime() - deps.retryGuard.windowDays * 86_400_000);
      const [claim, card] = await Promise.all([deferred?.claim(repos), networkKey === null || invalid ? null : repos.cards.guard(networkKey, since)]);
      if (claim && claim.state !== 'claimed') return { claim };
      if (invalid) throw invalid;
      const guard = card ? guardRefusal(card) : null;
      const refusal = guard ?? routingRefusal(explanation);
      if (refusal) {
        const state: PaymentState = { ...newPaymentState(input.amount, input.captureMethod), status: 'failed', failure: refusal };
        const refused = await repos.payments.create(newPaymentRow(id, merchantId, input, state, { known, explanation, started, leaseUntil: null, gatewayAccountId: null }));
        if (link) await repos.idempotency.link(merchantId, link.key, link.resource);
        await emit(repos, started, [{ type: 'payment.failed', merchantId, paymentId: id, data: paymentSnapshot(refused) }]);
        return { refused };
      }
      const first = route[0]!;
      const payment = newPaymentRow(id, merchantId, input, newPaymentState(input.amount, input.captureMethod), {
        known,
        explanation,
        started,
        leaseUntil,
        gatewayAccountId: first.accountId,
      });
      const attempt = newAttemptRow(id, 1, first, started);
      // Should this request die before it settles the payment, the reconciler takes over when its lease ends.
      const job = { kind: PAYMENT_JOB, key: paymentJobKey(id), merchantId, payload: { payment_id: id }, runAt: leaseUntil };
      await repos.paymentWrites.open({ payment, attempt, job, ...(link ? { link } : {}) });
      return { payment, attempt };
    });
    deferred?.settled('claim' in opened ? opened.claim : { state: 'claimed' });
    if ('claim' in opened) return null;
    if ('refused' in opened) {
      logger.info('payment.refused', { payment_id: id, code: opened.refused.failureCode });
      return { payment: opened.refused, attempts: [], settlement: null };
    }

    let row = opened.payment;
    let declines = 0;
    let rejection: string | null = null;
    for (let index = 0; index < route.length; index++) {
      const candidate = route[index]!;
      const number = index + 1;
      const now = index === 0 ? started : clock.now();
      let attempt = opened.attempt;
      if (index > 0) {
        // The payment must still be this request's: if its lease ran out, the reconciler may have settled it.
        const begun = await repositories.transaction(async (repos) => {
          const updated = await repos.payments.update(id, row.version, { gatewayAccountId: candidate.accountId, leaseUntil: after(now, policy.requestLeaseMs) }, now);
          if (!updated) return null;
          const added = await repos.payments.addAttempt(newAttemptRow(id, number, candidate, now));
          return { updated, attempt: added };
        });
        if (!begun) {
          logger.warn('payment.taken_over', { payment_id: id, attempt: number });
          break;
        }
        row = begun.updated;
        attempt = begun.attempt;
      }

      const adapter = gateways.adapterFor(candidate.account)!;
      const request: AuthorizeRequest = {
        paymentId: id,
        attemptNumber: number,
        idempotencyKey: attempt.idempotencyKey,
        amount: input.amount,
        currency: input.currency,
        captureMethod: input.captureMethod,
        method: input.method,
        description: input.description,
        customerEmail: input.customer?.email ?? null,
        returnUrl: input.returnUrl,
        threeDSecure: input.threeDSecure,
        storedCredential: saved ? { initiator: input.initiator, networkTransactionId: saved.networkTransactionId } : null,
      };
      const { outcome, resolvedBySync, latencyMs } = await authorizeAtGateway(adapter, request, (call) => router.breakers.run(candidate.accountId, call), {
        // Lookups stop in time for the lease: past it, the reconciler owns the payment.
        budgetMs: policy.requestLeaseMs - (now.getTime() - started.getTime()),
      });
      router.learner.of(merchantId).record(candidate.accountId, tx, outcome);
      if (known.kind === 'card') router.observeCard(merchantId, known.facts.bin, outcome);
      // What the vault learns must never abort the attempt loop after the gateway has answered: the
      // outcome still has to be written, or the payment waits for the reconciler.
      await savedCardFeedback(row, outcome);
      if (outcome.kind === 'declined') {
        declines++;
        if (networkKey !== null && (outcome.decline.adviceCode === '03' || outcome.decline.adviceCode === '21')) {
          await repositories.cards.block(networkKey, `mastercard_advice_${outcome.decline.adviceCode}`);
        }
      }
      if (outcome.kind === 'not_processed' && outcome.reason === 'rejected') rejection = outcome.detail;
      const done = clock.now();
      const result = attemptResult(outcome, latencyMs, resolvedBySync ? 'resolved_by_sync' : null, done);
      const mayCascade = index + 1 < route.length && done.getTime() - started.getTime() < deps.deadlineMs && declines < deps.retryGuard.maxDeclines;
      if (mayCascade && nextStep(outcome) === 'continue') {
        logger.info('payment.attempt_failed_over', { payment_id: id, attempt: number, gateway: candidate.name, outcome: outcome.kind });
        await payments.updateAttempt(attempt.id, result);
        continue;
      }
      if (outcome.kind === 'unknown') {
        logger.warn('payment.outcome_unknown', { payment_id: id, attempt: number, gateway: candidate.name, reason: outcome.reason });
      }
      // Only a payment settled at its first attempt is answered from memory; after a failover it is read back.
      const settled = await settleAttempt(row, attempt, result, (p, a) => finalStep(p, a, outcome, result, done, rejection), index === 0 ? context : undefined);
      if (settled) return settled;
      break;
    }
    return { ...(await payments.get(merchantId, id))!, settlement: await repositories.jobs.get(paymentJobKey(id)) };
  }

  /**
   * The card of a payment request: the one typed in (no reads), or a saved one opened from the
   * vault. What makes a saved card unusable (another customer's, flagged, expired, no stored
   * credential for a merchant-initiated payment) is answered as `refusal`, which the caller raises
   * once it holds the Idempotency-Key, so a retry of a request that once succeeded still replays.
   */
  async function withCard(merchantId: string, request: NewPaymentInput): Promise<{ input: ResolvedInput; saved: PaymentMethodRow | null; refusal: Problem | null }> {
    if (request.card && request.paymentMethodId !== null) {
      // The card typed in (with its CVC), just saved as `paymentMethodId` with the shopper's consent:
      // this customer-initiated payment earns the saved card its network transaction id.
      const saved = await repositories.vault.get(merchantId, request.paymentMethodId);
      if (!saved) throw problems.invalidRequest('No such payment method.', 'payment_method', 'no_such_payment_method');
      return { input: { ...request, method: { type: 'card', card: request.card } }, saved, refusal: savedCardRefusal(saved, request.customerId, 'customer') };
    }
    if (request.card) return { input: { ...request, method: { type: 'card', card: request.card } }, saved: null, refusal: null };
    if (request.method) return { input: { ...request, method: request.method }, saved: null, refusal: null };
    const customer = request.customerId === null ? null : await repositories.customers.get(merchantId, request.customerId);
    if (request.customerId !== null && !customer) throw problems.invalidRequest('No such customer.', 'customer', 'no_such_customer');
    const paymentMethodId = request.paymentMethodId ?? customer?.defaultPaymentMethodId ?? null;
    if (paymentMethodId === null) throw problems.invalidRequest('Name a payment method: the customer has no default one.', 'payment_method', 'payment_method_required');
    const saved = await repositories.vault.get(merchantId, paymentMethodId);
    if (!saved) throw problems.invalidRequest('No such payment method.', 'payment_method', 'no_such_payment_method');
    const input: ResolvedInput = {
      ...request,
      method: { type: 'card', card: await deps.vault.cardFor(saved) },
      paymentMethodId: saved.id,
      customer: customer ? { id: customer.id, email: customer.email, country: null } : request.customer,
    };
    return { input, saved, refusal: savedCardRefusal(saved, customer?.id ?? null, request.initiator) };
  }

  function savedCardRefusal(saved: PaymentMethodRow, customerId: string | null, initiator: NewPaymentInput['initiator']): Problem | null {
    const refuse = (code: string, detail: string, param = 'payment_method') => new Problem({ status: 422, code, title: 'Payment method unusable', detail, param });
    if (saved.customerId !== customerId) {
      return saved.customerId === null
        ? refuse('payment_method_not_attached', 'The payment method is not attached to this customer.', 'customer')
        : refuse('payment_method_customer_mismatch', "The payment method belongs to a customer: name that customer in `customer`.", 'customer');
    }
    if (saved.flaggedReason) {
      return refuse('payment_method_flagged', `The card was declined with ${saved.flaggedReason} on ${saved.flaggedAt?.toISOString() ?? 'an earlier payment'}; it is not tried again as it is (update its expiry, or save a new card).`);
    }
    if (isExpired(saved.expMonth, saved.expYear, clock.now())) return refuse('card_expired', 'The saved card has expired: update its expiry date, or save a new card.');
    if (initiator === 'merchant' && saved.networkTransactionId === null) {
      return refuse('stored_credential_missing', 'A merchant-initiated payment needs a first payment the customer made with this card (its network transaction id is cited): none has been approved yet.');
    }
    return null;
  }

  /** The vault learns from a gateway's answer (recordSavedCardOutcome); a failure to write it is logged, never raised: the outcome still has to be written. */
  async function savedCardFeedback(payment: PaymentRow, outcome: AuthorizationOutcome): Promise<void> {
    await recordSavedCardOutcome(repositories, payment, outcome, clock.now()).catch((error: unknown) =>
      logger.warn('payment.saved_card_feedback_failed', { payment_id: payment.id, payment_method: payment.paymentMethodId, error: safeErrorMessage(error) }),
    );
  }

  /** The step that ends the attempt loop with this outcome, unless the payment moved on without it. */
  function finalStep(p: PaymentRow, a: AttemptRow, outcome: AuthorizationOutcome, result: AttemptResult, now: Date, rejection: string | null): PaymentStep | null {
    if (outcome.kind === 'approved' || outcome.kind === 'declined' || outcome.kind === 'requires_action') {
      return authorizationStep(p, a, outcome, result, now, policy);
    }
    if (outcome.kind === 'pending') return settlingStep(p, a, outcome.reference, result, now, policy);
    if (!awaitsAuthorization(p, a) || p.status !== 'processing') return null;
    if (outcome.kind === 'not_processed') {
      const failure: PaymentFailure = rejection
        ? { code: 'gateway_rejected', message: `The gateway refused the payment request (${rejection}); it was not charged.` }
        : { code: 'gateway_unavailable', message: 'No gateway could be reached for this payment; it was not charged.' };
      return { set: { ...stateColumns(afterNoGatewayReached(stateOf(p), failure)), leaseUntil: null }, attempt: { id: a.id, result }, job: 'cancel' };
    }
    // Unknown after the in-request sync: the reconciler asks the gateway again on its schedule.
    return { set: { leaseUntil: null }, attempt: { id: a.id, result }, job: { runAt: after(now, policy.retryDelaysMs[0] ?? 0) } };
  }

  /**
   * Writes an attempt's final step compare-and-set; when a webhook or the reconciler moved the
   * payment first, re-reads and decides again, and at least records the attempt's own result.
   * A step that ends the payment's settlement (its job done) is written in one statement. With
   * `answering` (the payment's one attempt), that statement also stores the request's answer, and
   * the payment as answered comes back, built from what was written; otherwise null: read it back.
   */
  async function settleAttempt(
    row: PaymentRow,
    attempt: AttemptRow,
    result: AttemptResult,
    decide: (payment: PaymentRow, attempt: AttemptRow) => PaymentStep | null,
    answering?: RequestContext,
  ): Promise<CreatedPayment | null> {
    let payment = row;
    let current = attempt;
    for (;;) {
      const step = decide(payment, current);
      if (!step) {
        await payments.updateAttempt(current.id, result);
        return null;
      }
      const now = clock.now();
      if (step.job === 'cancel') {
        const settled: PaymentRow = { ...payment, ...step.set, version: payment.version + 1, updatedAt: now };
        const record: CreatedPayment = { payment: settled, attempts: [step.attempt ? { ...current, ...step.attempt.result } : current], settlement: null };
        const writes = eventWrites([...(step.notes ?? []), ...changeEvents(payment, settled)], now);
        const deferred = answering?.idempotency;
        const response = deferred && answering?.answer && payment === row ? { merchantId: deferred.merchantId, key: deferred.key, status: 201, body: answering.answer(record) } : undefined;
        const written = await repositories.paymentWrites.settle({
          id: payment.id,
          version: payment.version,
          set: step.set,
          now,
          ...(step.attempt ? { attempt: step.attempt } : {}),
          cancelJob: paymentJobKey(payment.id),
          events: writes.events,
          jobs: writes.jobs,
          ...(response ? { response } : {}),
        });
        if (written.written) {
          if (written.responseStored) deferred?.stored();
          return answering && payment === row && written.attemptWritten && written.jobCanceled ? record : null;
        }
      } else {
        const written = await repositories.transaction((repos) => writeStep(repos, payment, step, now));
        if (written) return null;
      }
      const fresh = (await payments.byId(payment.id))!;
      payment = fresh.payment;
      current = fresh.attempts.find((a) => a.id === attempt.id)!;
    }
  }

  /**
   * The decision a payment request would get now, without charging or storing anything. Unless
   * it explores, a dry run stands for the same payment each time: its split bucket comes from
   * the request's routing facts instead of a fresh payment id.
   */
  async function preview(merchantId: string, request: NewPaymentInput, explore = false): Promise<DecisionExplanation> {
    const { input } = await withCard(merchantId, request);
    const tx = transactionFor(newId('pay'), input, (await methodFacts(merchantId, input.method)).routing);
    if (!explore) tx.paymentId = `dry_run:${JSON.stringify({ ...tx, paymentId: '' })}`;
    return (await router.decideFor(merchantId, tx, input.gateways, { explore })).explanation;
  }

  /** The network retry guard: a card told never again, or declined too often lately (at any merchant: it is a network rule), is not sent anywhere. */
  function guardRefusal(card: { blockReason: string | null; declinedSince: number }): PaymentFailure | null {
    if (card.blockReason) return { code: 'card_do_not_retry', message: 'The card network said not to try this card again.' };
    if (card.declinedSince >= deps.retryGuard.maxDeclines) {
      return {
        code: 'card_retry_limit_reached',
        message: `The card was declined ${card.declinedSince} times in ${deps.retryGuard.windowDays} days; networks allow no more attempts now.`,
      };
    }
    return null;
  }

  /**
   * Capture or cancel: marks the operation under way (the payment's lease; a second one gets 409),
   * calls the gateway under the operation's own key, then writes what it did. One whose answer
   * was lost stays pending for the reconciler; a retry of the same operation resumes it.
   */
  async function operate(merchantId: string, id: string, operation: Operation, requested: number | undefined, context: RequestContext): Promise<PaymentRecord> {
    const now = clock.now();
    const begun = await repositories.transaction(async (repos) => {
      const row = await repos.payments.lock(id, merchantId);
      if (!row) return null;
      const plan = planOperation(row, operation, requested, now);
      const leaseUntil = after(now, policy.requestLeaseMs);
      const updated = (await repos.payments.update(
        id,
        row.version,
        {
          pendingOperation: operation,
          operationState: 'sending',
          statusBeforeOperation: plan.resume ? row.statusBeforeOperation : row.status,
          pendingAmount: plan.amount,
          leaseUntil,
        },
        now,
      ))!;
      if (context.idempotencyKey) await repos.idempotency.link(merchantId, context.idempotencyKey, { type: 'payment', id });
      await repos.jobs.schedule({ kind: PAYMENT_JOB, key: paymentJobKey(id), merchantId, payload: { payment_id: id }, runAt: leaseUntil }, now);
      return { row: updated, plan };
    });
    if (!begun) throw problems.notFound('payment');
    const { row, plan } = begun;
    const adapter = await adapterForAccount(row.gatewayAccountId);
    const key = gatewayKeys[operation](id);
    const outcome: ModificationOutcome = !adapter
      ? { kind: 'not_processed', reason: 'rejected', detail: 'The gateway account of this payment is no longer configured.' }
      : plan.resume
        ? await adapter.resumeModification({ operation, reference: row.gatewayReference!, modificationReference: null, amount: plan.amount, currency: row.currency, idempotencyKey: key })
        : operation === 'capture'
          ? await adapter.capture({ reference: row.gatewayReference!, amount: plan.amount, currency: row.currency, idempotencyKey: key })
          : await adapter.cancel({ reference: row.gatewayReference!, amount: row.amount, currency: row.currency, idempotencyKey: key });

    // A resumed operation that cannot reach the gateway may still have happened the first time.
    const lost = outcome.kind === 'unknown' || (plan.resume && outcome.kind === 'not_processed');
    await settleOperation(row, operation, (p) => {
      const retryAt = after(clock.now(), policy.retryDelaysMs[0] ?? 0);
      if (p.pendingOperation !== operation) return null;
      if (outcome.kind === 'succeeded') return operationDoneStep(p, operation, outcome.amount || plan.amount);
      if (outcome.kind === 'pending') return operationWaitStep('accepted', retryAt);
      if (lost) return operationWaitStep('unknown', retryAt);
      return operationRevertStep(p, operation);
    });
    if (outcome.kind !== 'succeeded' && outcome.kind !== 'pending') {
      logger.warn(`payment.${operation}_failed`, { payment_id: id, outcome: outcome.kind });
      throw operationProblem(operation, lost ? { kind: 'unknown', reason: 'timeout', detail: '' } : outcome);
    }
    return (await payments.get(merchantId, id))!;
  }

  async function settleOperation(row: PaymentRow, operation: Operation, decide: (payment: PaymentRow) => PaymentStep | null): Promise<void> {
    let payment = row;
    for (;;) {
      const step = decide(payment);
      if (!step) return;
      const now = clock.now();
      if (await repositories.transaction((repos) => writeStep(repos, payment, step, now))) return;
      payment = (await payments.byId(row.id))!.payment;
      logger.info('payment.operation_raced', { payment_id: row.id, operation });
    }
  }

  /**
   * After the shopper's redirect (3-D Secure): asks the gateway how the challenge ended, with the
   * parameters the shopper's browser brought back, and settles the payment. A payment that is
   * no longer waiting is answered as it stands.
   */
  async function confirm(merchantId: string, id: string, returnParams: Record<string, string>): Promise<PaymentRecord> {
    const record = await payments.get(merchantId, id);
    if (!record) throw problems.notFound('payment');
    const { payment } = record;
    const attempt = record.attempts.findLast((a) => a.status === 'requires_action');
    if (payment.status !== 'requires_action' || !attempt) return record;
    const account = await repositories.merchants.gatewayAccount(attempt.gatewayAccountId);
    const adapter = account ? gateways.adapterFor(account) : null;
    if (!account || !adapter) throw problems.gateway('gateway_unavailable', 'The gateway account of this payment is no longer configured.');
    const outcome = await adapter.completeAction({
      reference: attempt.gatewayReference ?? payment.gatewayReference!,
      attempt: storedAttempt(payment, attempt),
      returnParams,
    });
    if (outcome.kind !== 'approved' && outcome.kind !== 'declined') return record;
    if (payment.card) router.observeCard(merchantId, payment.card.bin, outcome);
    await savedCardFeedback(payment, outcome);
    const now = clock.now();
    const result = attemptResult(outcome, attempt.latencyMs ?? 0, 'resolved_by_confirm', now);
    await settleAttempt(payment, attempt, result, (p, a) => authorizationStep(p, a, outcome, result, now, policy));
    const settled = (await payments.get(merchantId, id))!;
    // The gateway's notification of the same challenge may have settled it first, and taught the learner then.
    if (settled.attempts.find((a) => a.id === attempt.id)?.outcomeReason === 'resolved_by_confirm') {
      router.learner.of(merchantId).record(account.id, routingFacts(payment), outcome);
    }
    return settled;
  }

  async function methodFacts(merchantId: string, method: PaymentMethod): Promise<MethodFacts> {
    if (method.type === 'paypal' || method.type === 'crypto') return { kind: 'approval', type: method.type, routing: { network: 'unknown', type: null, bin: null, issuerCountry: null } };
    if (method.type === 'sepa_debit' || method.type === 'ach_debit') {
      const bankAccount = await bankAccountFacts(method, deps.fingerprintSecret, merchantId);
      // No card network: the bank's country stands where a card's issuer country would.
      return { kind: 'bank', type: method.type, bankAccount, routing: { network: 'unknown', type: null, bin: null, issuerCountry: bankAccount.country } };
    }
    if (method.type !== 'card') {
      const wallet = walletDetails(method);
      return { kind: 'wallet', type: method.type, wallet, routing: { network: wallet.network, type: wallet.funding, bin: null, issuerCountry: null } };
    }
    const { card } = method;
    const facts = cardFacts(card.number);
    return {
      kind: 'card',
      card,
      facts,
      fingerprint: await cardFingerprint(card.number, deps.fingerprintSecret, `merchant:${merchantId}`),
      networkKey: await cardFingerprint(card.number, deps.fingerprintSecret, 'network'),
      routing: router.cardFacts(merchantId, card.number, facts.brand, facts.bin),
    };
  }

  async function adapterForAccount(accountId: string | null): Promise<GatewayAdapter | null> {
    const account = accountId ? await repositories.merchants.gatewayAccount(accountId) : null;
    return account ? gateways.adapterFor(account) : null;
  }

  return {
    create,
    preview,
    capture: (merchantId: string, id: string, amount: number | undefined, context: RequestContext = {}) => operate(merchantId, id, 'capture', amount, context),
    cancel: (merchantId: string, id: string, context: RequestContext = {}) => operate(merchantId, id, 'cancel', undefined, context),
    confirm,
    get: (merchantId: string, id: string) => payments.get(merchantId, id),
    list: payments.list,
    /** The reconciler's job for a payment, when it has one. */
    settlement: (paymentId: string) => repositories.jobs.get(paymentJobKey(paymentId)),
    async settlements(paymentIds: readonly string[]): Promise<Map<string, JobRow>> {
      const rows = await repositories.jobs.byKeys(paymentIds.map(paymentJobKey));
      return new Map(rows.map((job) => [String(job.payload.payment_id), job]));
    },
    async timeline(merchantId: string, id: string): Promise<EventRow[]> {
      if (!(await payments.get(merchantId, id))) throw problems.notFound('payment');
      return repositories.events.timeline(merchantId, id);
    },
  };
}

/**
 * Whether a capture or cancel may start: the state allows it and no other operation is under
 * way. The same operation whose answer was lost (or whose request died) is resumed, under the
 * same gateway key, and only for the same amount: a different one would fail at the gateway's
 * idempotency check, or capture twice where it keeps no key.
 */
function planOperation(row: PaymentRow, operation: Operation, requested: number | undefined, now: Date): { amount: number; resume: boolean } {
  if (row.pendingOperation) {
    const abandoned = row.operationState === 'unknown' || (row.operationState === 'sending' && (row.leaseUntil === null || row.leaseUntil <= now));
    const sameAmount = requested === undefined || requested === row.pendingAmount;
    if (row.pendingOperation === operation && abandoned && sameAmount) return { amount: row.pendingAmount ?? 0, resume: true };
    const detail =
      row.pendingOperation === operation && abandoned
        ? `A ${operation} of ${row.pendingAmount} is being settled with the gateway; only the same amount can be retried until it is.`
        : `A ${row.pendingOperation} of this payment is in progress; retry when it has finished.`;
    throw new Problem({ status: 409, code: 'payment_operation_in_progress', title: 'Conflict with the current state', detail, headers: { 'Retry-After': '1' } });
  }
  if (operation === 'capture') return { amount: planCapture(stateOf(row), requested), resume: false };
  planCancel(stateOf(row));
  return { amount: row.amountCapturable, resume: false };
}

/** An attempt as the adapters identify it, from what is stored (no card data). */
export function storedAttempt(payment: PaymentRow, attempt: AttemptRow): AttemptIdentity {
  return {
    paymentId: payment.id,
    attemptNumber: attempt.number,
    idempotencyKey: attempt.idempotencyKey,
    amount: payment.amount,
    currency: payment.currency,
    captureMethod: payment.captureMethod as CaptureMethod,
  };
}

/** A new payment's row, every column set here so that what is answered is what was written. */
function newPaymentRow(
  id: string,
  merchantId: string,
  input: ResolvedInput,
  state: PaymentState,
  at: { known: MethodFacts; explanation: DecisionExplanation; started: Date; leaseUntil: Date | null; gatewayAccountId: string | null },
): PaymentRow {
  return {
    id,
    merchantId,
    status: state.status,
    amount: input.amount,
    currency: input.currency,
    captureMethod: input.captureMethod,
    amountCapturable: state.amountCapturable,
    amountCaptured: state.amountCaptured,
    amountRefunded: state.amountRefunded,
    ...methodColumns(at.known),
    decision: at.explanation as unknown as Record<string, unknown>,
    customer: input.customer,
    description: input.description,
    metadata: input.metadata,
    gatewayAccountId: at.gatewayAccountId,
    gatewayReference: state.gatewayReference,
    failureCode: state.failure?.code ?? null,
    failureMessage: state.failure?.message ?? null,
    nextAction: state.nextAction,
    pendingOperation: null,
    statusBeforeOperation: null,
    pendingAmount: null,
    operationState: null,
    version: 0,
    leaseUntil: at.leaseUntil,
    returnUrl: input.returnUrl,
    threeDSecure: input.threeDSecure,
    actionExpiresAt: null,
    reviewReason: null,
    reviewAt: null,
    initiator: input.initiator,
    paymentMethodId: input.paymentMethodId,
    createdAt: at.started,
    updatedAt: at.started,
  };
}

/** The payment's columns for what pays it: a card's facts, or a wallet's display facts (never its token). */
function methodColumns(known: MethodFacts): Pick<PaymentRow, 'paymentMethodType' | 'card' | 'wallet' | 'bankAccount' | 'cardFingerprint' | 'cardNetworkKey'> {
  if (known.kind === 'wallet') return { paymentMethodType: known.type, card: null, wallet: known.wallet, bankAccount: null, cardFingerprint: null, cardNetworkKey: null };
  if (known.kind === 'bank') return { paymentMethodType: known.type, card: null, wallet: null, bankAccount: known.bankAccount, cardFingerprint: null, cardNetworkKey: null };
  if (known.kind === 'approval') return { paymentMethodType: known.type, card: null, wallet: null, bankAccount: null, cardFingerprint: null, cardNetworkKey: null };
  return {
    paymentMethodType: 'card',
    card: {
      brand: known.facts.brand,
      bin: known.facts.bin,
      last4: known.facts.last4,
      exp_month: known.card.expMonth,
      exp_year: known.card.expYear,
      fingerprint: known.fingerprint,
      holder_name: known.card.holderName,
      funding: known.routing.type,
      issuer_country: known.routing.issuerCountry,
    },
    wallet: null,
    bankAccount: null,
    cardFingerprint: known.fingerprint,
    cardNetworkKey: known.networkKey,
  };
}

/** What a payment keeps of the account a debit is drawn on: country, bank code, last four digits and a keyed fingerprint. */
async function bankAccountFacts(method: BankDebitMethod, secret: string, merchantId: string): Promise<BankAccountDetails> {
  if (method.type === 'sepa_debit') {
    const { iban, accountHolderName } = method.sepaDebit;
    const parsed = parseIban(iban);
    if (!parsed.ok) throw problems.invalidRequest('The IBAN is not valid.', 'payment_method.sepa_debit.iban', parsed.problem);
    return { country: parsed.country, bank_code: parsed.bankCode, last4: parsed.iban.slice(-4), fingerprint: await bankAccountFingerprint(parsed.iban, secret, merchantId), holder_name: accountHolderName };
  }
  const a = method.achDebit;
  return {
    country: 'US',
    bank_code: a.routingNumber,
    last4: a.accountNumber.slice(-4),
    fingerprint: await bankAccountFingerprint(`${a.routingNumber}:${a.accountNumber}`, secret, merchantId),
    holder_name: a.accountHolderName,
    account_type: a.accountType,
    account_holder_type: a.accountHolderType,
  };
}

/** An attempt as it starts: pending at the candidate's gateway, under the key derived from payment and number. */
function newAttemptRow(paymentId: string, number: number, candidate: { accountId: string; account: { provider: string } }, now: Date): AttemptRow {
  return {
    id: newId('att'),
    paymentId,
    number,
    gatewayAccountId: candidate.accountId,
    provider: candidate.account.provider,
    idempotencyKey: gatewayKeys.attempt(paymentId, number),
    status: 'pending',
    outcome: null,
    outcomeReason: null,
    declineReason: null,
    providerCode: null,
    gatewayReference: null,
    latencyMs: null,
    cryptoQuote: null,
    payer: null,
    createdAt: now,
    completedAt: null,
  };
}

/** What routing sees of a payment request; the card's facts come from its BIN (Router.cardFacts). */
function transactionFor(paymentId: string, input: ResolvedInput, card: RoutingTransaction['card']): RoutingTransaction {
  return {
    paymentId,
    amount: input.amount,
    currency: input.currency,
    paymentMethod: input.method.type,
    card,
    tokenProviders: tokenProviders(input.method),
    billingCountry: input.customer?.country ?? null,
    captureMethod: input.captureMethod,
    initiator: input.initiator,
    metadata: input.metadata,
    threeDSecure: input.threeDSecure,
  };
}

/** Fail over only when the gateway certainly did not charge and another one may (principle 2). */
function nextStep(outcome: AuthorizationOutcome): 'continue' | 'stop' {
  if (outcome.kind === 'not_processed') return 'continue';
  if (outcome.kind === 'declined' && outcome.decline.cascade) return 'continue';
  return 'stop';
}

/** A payment the routing refused before any gateway: blocked by a rule, or nowhere eligible. */
function routingRefusal(explanation: DecisionExplanation): PaymentFailure | null {
  if (explanation.blocked) return { code: explanation.blocked.code, message: `Blocked by routing rule ${explanation.rule}.` };
  if (explanation.order.length === 0) return { code: 'no_eligible_gateway', message: 'No gateway account can take this payment; see the decision for why.' };
  return null;
}

/** An attempt's columns for an outcome; `resolvedBy` says who settled an answer first lost. */
export function attemptResult(outcome: AuthorizationOutcome, latencyMs: number, resolvedBy: string | null, completedAt: Date): AttemptResult {
  const base: AttemptResult = {
    status: attemptStatusFor(outcome),
    outcome: outcome.kind,
    latencyMs,
    completedAt,
  };
  switch (outcome.kind) {
    case 'approved':
      return { ...base, gatewayReference: outcome.reference, outcomeReason: resolvedBy, ...(outcome.crypto ? { cryptoQuote: outcome.crypto } : {}), ...(outcome.payer ? { payer: outcome.payer } : {}) };
    case 'requires_action':
      return { ...base, gatewayReference: outcome.reference, outcomeReason: resolvedBy };
    case 'pending':
      return { ...base, gatewayReference: outcome.reference, outcomeReason: resolvedBy ?? 'awaiting_settlement', ...(outcome.payer ? { payer: outcome.payer } : {}) };
    case 'declined':
      return {
        ...base,
        gatewayReference: outcome.reference,
        declineReason: outcome.decline.reason,
        providerCode: outcome.decline.providerCode,
        outcomeReason: resolvedBy,
        ...(outcome.crypto ? { cryptoQuote: outcome.crypto } : {}),
      };
    case 'not_processed':
    case 'unknown':
      return { ...base, outcomeReason: outcome.reason };
  }
}

function operationProblem(operation: Operation, outcome: Exclude<ModificationOutcome, { kind: 'succeeded' | 'pending' }>): Problem {
  switch (outcome.kind) {
    case 'rejected':
      return problems.gateway('gateway_rejected', `The gateway refused the ${operation} (${outcome.code}); the payment is unchanged.`);
    case 'not_processed':
      return problems.gateway('gateway_unavailable', `The gateway could not be reached; the ${operation} was not made. Retrying is safe.`);
    case 'unknown':
      return problems.gateway(
        'gateway_outcome_unknown',
        `The gateway did not confirm the ${operation}; the payment stays processing until it is settled. Retrying the same ${operation} is safe: it carries the same gateway idempotency key.`,
      );
  }
}

