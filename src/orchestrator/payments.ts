import type { AuthorizeRequest, CardInput } from '../../adapters/testkit/contract.js';
import { cardFacts, cardFingerprint, type CardFacts } from '../domain/card.js';
import { newId } from '../domain/ids.js';
import type { Logger } from '../domain/logger.js';
import type { AuthorizationOutcome, ModificationOutcome } from '../domain/outcome.js';
import {
  afterAuthorization,
  afterCancel,
  afterCapture,
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
import type { Repositories } from '../store/index.js';
import type { GatewayAccount } from '../store/merchants.js';
import { stateOf, type AttemptResult, type PaymentRecord, type PaymentRow } from '../store/payments.js';
import { authorizeAtGateway } from './authorize.js';
import type { GatewayRegistry } from './gateways.js';
import type { DecisionExplanation, Router } from './router.js';

export interface NewPaymentInput {
  amount: number;
  currency: string;
  captureMethod: CaptureMethod;
  card: CardInput;
  customer: { id: string | null; email: string | null; country: string | null } | null;
  description: string | null;
  metadata: Record<string, string>;
  initiator: 'customer' | 'merchant';
  /** Gateway account names to try, in order, instead of the rules (still subject to eligibility). */
  gateways: string[] | null;
}

export interface RetryGuard {
  /** Declined attempts a card may have across all gateways within the window (Visa: 15 in 30 days). */
  maxDeclines: number;
  windowDays: number;
}

export interface PaymentServiceDeps {
  repositories: Repositories;
  gateways: GatewayRegistry;
  router: Router;
  fingerprintSecret: string;
  logger: Logger;
  /** Attempts per payment, across gateways. */
  maxAttempts: number;
  /** No new attempt starts after this long from the payment's start. */
  deadlineMs: number;
  retryGuard: RetryGuard;
}

export function paymentService(deps: PaymentServiceDeps) {
  const { repositories, gateways, logger, router } = deps;
  const payments = repositories.payments;

  async function create(merchantId: string, input: NewPaymentInput): Promise<PaymentRecord> {
    const started = Date.now();
    const id = newId('pay');
    const facts = cardFacts(input.card.number);
    const fingerprint = await cardFingerprint(input.card.number, deps.fingerprintSecret);
    const tx = transactionFor(id, input, facts);
    const { order, explanation, candidates } = await router.decideFor(merchantId, tx, input.gateways);
    if (candidates.length === 0) {
      throw new Problem({
        status: 422,
        code: 'no_gateway_account',
        title: 'No gateway account',
        detail: 'The merchant has no usable gateway account.',
      });
    }
    const unknown = input.gateways?.filter((name) => !candidates.some((c) => c.name === name)) ?? [];
    if (unknown.length > 0) {
      throw problems.invalidRequest(`Unknown gateway account name: ${unknown[0]}.`, 'routing.gateways', 'unknown_gateway');
    }

    let state = newPaymentState(input.amount, input.captureMethod);
    const refusal = (await guardRefusal(merchantId, fingerprint)) ?? routingRefusal(explanation);
    if (refusal) state = { ...state, status: 'failed', failure: refusal };
    const now = new Date();
    await payments.create({
      id,
      merchantId,
      status: state.status,
      amount: input.amount,
      currency: input.currency,
      captureMethod: input.captureMethod,
      card: {
        brand: facts.brand,
        bin: facts.bin,
        last4: facts.last4,
        exp_month: input.card.expMonth,
        exp_year: input.card.expYear,
        fingerprint,
        holder_name: input.card.holderName,
      },
      cardFingerprint: fingerprint,
      customer: input.customer,
      description: input.description,
      metadata: input.metadata,
      failureCode: state.failure?.code ?? null,
      failureMessage: state.failure?.message ?? null,
      decision: explanation as unknown as Record<string, unknown>,
      createdAt: now,
      updatedAt: now,
    });
    if (refusal) {
      logger.info('payment.refused', { payment_id: id, code: refusal.code });
      return (await payments.get(merchantId, id))!;
    }

    let declines = 0;
    const route = order.slice(0, deps.maxAttempts);
    for (let index = 0; index < route.length; index++) {
      const candidate = route[index]!;
      const number = index + 1;
      const attempt = attemptRow(id, number, candidate.account);
      await payments.addAttempt(attempt, candidate.accountId);

      const adapter = gateways.adapterFor(candidate.account)!;
      const request: AuthorizeRequest = {
        paymentId: id,
        attemptNumber: number,
        idempotencyKey: attempt.idempotencyKey,
        amount: input.amount,
        currency: input.currency,
        captureMethod: input.captureMethod,
        card: input.card,
        description: input.description,
        customerEmail: input.customer?.email ?? null,
        returnUrl: null,
        threeDSecure: 'automatic',
      };
      const { outcome, resolvedBySync, latencyMs } = await authorizeAtGateway(adapter, request, (call) => router.breakers.run(candidate.accountId, call));
      router.learner.record(candidate.name, tx, outcome);
      if (outcome.kind === 'declined') {
        declines++;
        if (outcome.decline.adviceCode === '03' || outcome.decline.adviceCode === '21') {
          await repositories.cards.block(merchantId, fingerprint, `mastercard_advice_${outcome.decline.adviceCode}`);
        }
      }
      const result = attemptResult(outcome, latencyMs, resolvedBySync);
      const mayCascade = index + 1 < route.length && Date.now() - started < deps.deadlineMs && declines < deps.retryGuard.maxDeclines;
      if (mayCascade && nextStep(outcome) === 'continue') {
        logger.info('payment.attempt_failed_over', { payment_id: id, attempt: number, gateway: candidate.name, outcome: outcome.kind });
        await payments.recordAttempt(attempt.id, result, id, null);
        continue;
      }
      if (outcome.kind === 'approved' || outcome.kind === 'requires_action' || outcome.kind === 'declined') {
        state = afterAuthorization(state, outcome);
      } else if (outcome.kind === 'not_processed') {
        state = afterNoGatewayReached(state, 'No gateway could be reached for this payment; it was not charged.');
      } else {
        logger.warn('payment.outcome_unknown', { payment_id: id, attempt: number, gateway: candidate.name, reason: outcome.reason });
      }
      await payments.recordAttempt(attempt.id, result, id, state);
      break;
    }
    return (await payments.get(merchantId, id))!;
  }

  /** The decision a payment request would get now, without charging or storing anything. */
  async function preview(merchantId: string, input: NewPaymentInput): Promise<DecisionExplanation> {
    return (await router.decideFor(merchantId, transactionFor(newId('pay'), input, cardFacts(input.card.number)), input.gateways)).explanation;
  }

  /** The network retry guard: a card told never again, or declined too often lately, is not sent anywhere. */
  async function guardRefusal(merchantId: string, fingerprint: string): Promise<PaymentFailure | null> {
    const blocked = await repositories.cards.blockReason(merchantId, fingerprint);
    if (blocked) return { code: 'card_do_not_retry', message: 'The card network said not to try this card again.' };
    const since = new Date(Date.now() - deps.retryGuard.windowDays * 86_400_000);
    const declined = await repositories.cards.declinedAttemptsSince(merchantId, fingerprint, since);
    if (declined >= deps.retryGuard.maxDeclines) {
      return {
        code: 'card_retry_limit_reached',
        message: `The card was declined ${declined} times in ${deps.retryGuard.windowDays} days; networks allow no more attempts now.`,
      };
    }
    return null;
  }

  async function capture(merchantId: string, id: string, amount: number | undefined): Promise<PaymentRecord> {
    const begun = await payments.beginOperation(merchantId, id, 'capture', (row) => {
      assertIdle(row);
      return planCapture(stateOf(row), amount);
    });
    if (!begun) throw problems.notFound('payment');
    const { row, plan: captureAmount } = begun;
    const outcome = await modify(row.gatewayAccountId, merchantId, (adapter) =>
      adapter.capture({
        reference: row.gatewayReference!,
        amount: captureAmount,
        currency: row.currency,
        idempotencyKey: gatewayKeys.capture(id),
      }),
    );
    await settleOperation(row, outcome, 'capture', captureAmount, (captured) => afterCapture(stateOf(row), captured));
    return (await payments.get(merchantId, id))!;
  }

  async function cancel(merchantId: string, id: string): Promise<PaymentRecord> {
    const begun = await payments.beginOperation(merchantId, id, 'cancel', (row) => {
      assertIdle(row);
      planCancel(stateOf(row));
    });
    if (!begun) throw problems.notFound('payment');
    const { row } = begun;
    const outcome = await modify(row.gatewayAccountId, merchantId, (adapter) =>
      adapter.cancel({ reference: row.gatewayReference!, amount: row.amount, currency: row.currency, idempotencyKey: gatewayKeys.cancel(id) }),
    );
    await settleOperation(row, outcome, 'cancel', row.amountCapturable, () => afterCancel(stateOf(row)));
    return (await payments.get(merchantId, id))!;
  }

  /**
   * Writes the new state when the gateway did it; waits for the webhook when it accepted it;
   * otherwise frees the payment and says why.
   */
  async function settleOperation(
    row: PaymentRow,
    outcome: ModificationOutcome,
    operation: 'capture' | 'cancel',
    amount: number,
    next: (amount: number) => PaymentState,
  ): Promise<void> {
    switch (outcome.kind) {
      case 'succeeded':
        return payments.finishOperation(row.id, next(outcome.amount || amount));
      case 'pending':
        return payments.awaitOperation(row, amount);
      default:
        await payments.finishOperation(row.id, null);
        logger.warn(`payment.${operation}_failed`, { payment_id: row.id, outcome: outcome.kind });
        throw operationProblem(operation, outcome);
    }
  }

  async function modify(
    gatewayAccountId: string | null,
    merchantId: string,
    call: (adapter: NonNullable<ReturnType<GatewayRegistry['adapterFor']>>) => Promise<ModificationOutcome>,
  ): Promise<ModificationOutcome> {
    const accounts = await repositories.merchants.gatewayAccounts(merchantId);
    const account = accounts.find((a) => a.id === gatewayAccountId);
    const adapter = account ? gateways.adapterFor(account) : null;
    if (!adapter) {
      return { kind: 'not_processed', reason: 'rejected', detail: 'The gateway account of this payment is no longer configured.' };
    }
    return call(adapter);
  }

  return {
    create,
    preview,
    capture,
    cancel,
    get: (merchantId: string, id: string) => payments.get(merchantId, id),
    list: payments.list,
  };
}

function attemptRow(paymentId: string, number: number, account: GatewayAccount) {
  return {
    id: newId('att'),
    paymentId,
    number,
    gatewayAccountId: account.id,
    provider: account.provider,
    idempotencyKey: gatewayKeys.attempt(paymentId, number),
    status: 'pending',
  };
}

/** What routing sees of a payment request. Card type and issuer country need a BIN table we do not have yet. */
function transactionFor(paymentId: string, input: NewPaymentInput, facts: CardFacts): RoutingTransaction {
  return {
    paymentId,
    amount: input.amount,
    currency: input.currency,
    paymentMethod: 'card',
    card: { network: facts.brand, type: null, bin: facts.bin, issuerCountry: null },
    billingCountry: input.customer?.country ?? null,
    captureMethod: input.captureMethod,
    initiator: input.initiator,
    metadata: input.metadata,
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

function attemptResult(outcome: AuthorizationOutcome, latencyMs: number, resolvedBySync: boolean): AttemptResult {
  const base: AttemptResult = {
    status: attemptStatusFor(outcome),
    outcome: outcome.kind,
    latencyMs,
    completedAt: new Date(),
  };
  switch (outcome.kind) {
    case 'approved':
    case 'requires_action':
      return { ...base, gatewayReference: outcome.reference, outcomeReason: resolvedBySync ? 'resolved_by_sync' : null };
    case 'declined':
      return {
        ...base,
        gatewayReference: outcome.reference,
        declineReason: outcome.decline.reason,
        providerCode: outcome.decline.providerCode,
        outcomeReason: resolvedBySync ? 'resolved_by_sync' : null,
      };
    case 'not_processed':
    case 'unknown':
      return { ...base, outcomeReason: outcome.reason };
  }
}

/**
 * Past this, a capture or cancel still marked in progress (and not awaiting the gateway's
 * webhook) was cut off by a crash: the gateway call has long timed out. Taking it over is
 * safe because the retry carries the same gateway idempotency key.
 */
const STALE_OPERATION_MS = 2 * 60_000;

function assertIdle(row: PaymentRow): void {
  if (!row.pendingOperation) return;
  const abandoned = row.statusBeforeOperation === null && Date.now() - row.updatedAt.getTime() > STALE_OPERATION_MS;
  if (abandoned) return;
  throw new Problem({
    status: 409,
    code: 'payment_operation_in_progress',
    title: 'Conflict with the current state',
    detail: `A ${row.pendingOperation} of this payment is in progress; retry when it has finished.`,
    headers: { 'Retry-After': '1' },
  });
}

function operationProblem(operation: 'capture' | 'cancel', outcome: Exclude<ModificationOutcome, { kind: 'succeeded' | 'pending' }>): Problem {
  switch (outcome.kind) {
    case 'rejected':
      return problems.gateway('gateway_rejected', `The gateway refused the ${operation} (${outcome.code}); the payment is unchanged.`);
    case 'not_processed':
      return problems.gateway('gateway_unavailable', `The gateway could not be reached; the ${operation} was not made. Retrying is safe.`);
    case 'unknown':
      return problems.gateway(
        'gateway_outcome_unknown',
        `The gateway did not confirm the ${operation}. Retrying is safe: it carries the same gateway idempotency key.`,
      );
  }
}
