import type { AuthorizeRequest, CardInput } from '../../adapters/testkit/contract.js';
import { cardFacts, cardFingerprint } from '../domain/card.js';
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
  planCancel,
  planCapture,
  type CaptureMethod,
  type PaymentState,
} from '../domain/payment.js';
import { Problem, problems } from '../domain/problem.js';
import { accountCapabilities, eligibleCandidates } from '../routing/candidates.js';
import type { Repositories } from '../store/index.js';
import type { GatewayAccount } from '../store/merchants.js';
import { stateOf, type AttemptResult, type PaymentRecord, type PaymentRow } from '../store/payments.js';
import { authorizeAtGateway } from './authorize.js';
import type { GatewayRegistry } from './gateways.js';

export interface NewPaymentInput {
  amount: number;
  currency: string;
  captureMethod: CaptureMethod;
  card: CardInput;
  customer: { id: string | null; email: string | null; country: string | null } | null;
  description: string | null;
  metadata: Record<string, string>;
}

export interface PaymentServiceDeps {
  repositories: Repositories;
  gateways: GatewayRegistry;
  fingerprintSecret: string;
  logger: Logger;
  /** Attempts per payment, across gateways. */
  maxAttempts: number;
}

export function paymentService(deps: PaymentServiceDeps) {
  const { repositories, gateways, logger } = deps;
  const payments = repositories.payments;

  async function routeFor(merchantId: string, currency: string): Promise<GatewayAccount[]> {
    const accounts = await repositories.merchants.gatewayAccounts(merchantId);
    const candidates = accounts.flatMap((account) => {
      const adapter = gateways.adapterFor(account);
      return adapter ? [{ account, capabilities: accountCapabilities(adapter.capabilities, account.settings) }] : [];
    });
    return eligibleCandidates(candidates, { currency, paymentMethod: 'card' })
      .filter((v) => v.eligible)
      .map((v) => v.account)
      .slice(0, deps.maxAttempts);
  }

  async function create(merchantId: string, input: NewPaymentInput): Promise<PaymentRecord> {
    const route = await routeFor(merchantId, input.currency);
    if (route.length === 0) {
      throw new Problem({
        status: 422,
        code: 'no_eligible_gateway',
        title: 'No gateway can take this payment',
        detail: `None of the merchant's gateway accounts accepts card payments in ${input.currency}.`,
        param: 'currency',
      });
    }

    const id = newId('pay');
    const facts = cardFacts(input.card.number);
    let state: PaymentState = {
      status: 'processing',
      amount: input.amount,
      captureMethod: input.captureMethod,
      amountCapturable: 0,
      amountCaptured: 0,
      amountRefunded: 0,
      failure: null,
      nextAction: null,
      gatewayReference: null,
    };
    const now = new Date();
    const first = route[0]!;
    const firstAttempt = attemptRow(id, 1, first);
    await payments.create(
      {
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
          fingerprint: await cardFingerprint(input.card.number, deps.fingerprintSecret),
          holder_name: input.card.holderName,
        },
        customer: input.customer,
        description: input.description,
        metadata: input.metadata,
        gatewayAccountId: first.id,
        createdAt: now,
        updatedAt: now,
      },
      firstAttempt,
    );

    for (let index = 0; index < route.length; index++) {
      const account = route[index]!;
      const number = index + 1;
      const attempt = index === 0 ? firstAttempt : attemptRow(id, number, account);
      if (index > 0) await payments.addAttempt(attempt, account.id);

      const adapter = gateways.adapterFor(account)!;
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
      };
      const { outcome, resolvedBySync, latencyMs } = await authorizeAtGateway(adapter, request);
      const result = attemptResult(outcome, latencyMs, resolvedBySync);
      const hasNext = index + 1 < route.length;
      const next = nextStep(outcome, hasNext);

      if (next === 'continue') {
        logger.info('payment.attempt_failed_over', { payment_id: id, attempt: number, provider: account.provider, outcome: outcome.kind });
        await payments.recordAttempt(attempt.id, result, id, null);
        continue;
      }
      if (outcome.kind === 'approved' || outcome.kind === 'requires_action' || outcome.kind === 'declined') {
        state = afterAuthorization(state, outcome);
      } else if (outcome.kind === 'not_processed') {
        state = afterNoGatewayReached(state, 'No gateway could be reached for this payment; it was not charged.');
      } else {
        logger.warn('payment.outcome_unknown', { payment_id: id, attempt: number, provider: account.provider, reason: outcome.reason });
      }
      await payments.recordAttempt(attempt.id, result, id, state);
      break;
    }
    return (await payments.get(merchantId, id))!;
  }

  async function capture(merchantId: string, id: string, amount: number | undefined): Promise<PaymentRecord> {
    const begun = await payments.beginOperation(merchantId, id, 'capture', (row) => {
      assertIdle(row.pendingOperation);
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
      assertIdle(row.pendingOperation);
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

/** Fail over only when the gateway certainly did not charge and another one may (principle 2). */
function nextStep(outcome: AuthorizationOutcome, hasNext: boolean): 'continue' | 'stop' {
  if (!hasNext) return 'stop';
  if (outcome.kind === 'not_processed') return 'continue';
  if (outcome.kind === 'declined' && outcome.decline.cascade) return 'continue';
  return 'stop';
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

function assertIdle(pendingOperation: string | null): void {
  if (pendingOperation) {
    throw new Problem({
      status: 409,
      code: 'payment_operation_in_progress',
      title: 'Conflict with the current state',
      detail: `A ${pendingOperation} of this payment is in progress; retry when it has finished.`,
      headers: { 'Retry-After': '1' },
    });
  }
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
