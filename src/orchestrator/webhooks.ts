import type { WebhookAck, WebhookRequest } from '../../adapters/testkit/contract.js';
import type { Clock } from '../domain/clock.js';
import { decline } from '../domain/decline.js';
import type { Logger } from '../domain/logger.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';
import { afterCaptureFailed, refundIdOfKey } from '../domain/payment.js';
import { Problem, problems } from '../domain/problem.js';
import type { WebhookEvent } from '../domain/webhook.js';
import type { MerchantLearners } from '../routing/merchant-learners.js';
import type { Repositories } from '../store/index.js';
import type { GatewayAccount } from '../store/merchants.js';
import { stateColumns, stateOf, type AttemptRow, type PaymentRow } from '../store/payments.js';
import type { WebhookEventResult } from '../store/webhooks.js';
import type { GatewayRegistry } from './gateways.js';
import { attemptResult } from './payments.js';
import { writeRefundStep } from './refunds.js';
import { routingFacts } from './routing-facts.js';
import { recordSavedCardOutcome } from './saved-card.js';
import {
  authorizationStep,
  awaitsAuthorization,
  voidedStep,
  operationDoneStep,
  operationRevertStep,
  returnedStep,
  writeStep,
  type FinalAuthorization,
  type PaymentStep,
  type SettlementPolicy,
} from './settle.js';

const REJECTIONS = {
  missing_signature: { status: 400, detail: 'The notification carries no signature.' },
  malformed: { status: 400, detail: 'The notification could not be read.' },
  invalid_signature: { status: 401, detail: "The notification's signature does not match this gateway account's webhook secret." },
  stale: { status: 401, detail: 'The notification is signed too long ago to be accepted.' },
  wrong_account: { status: 422, detail: 'The notification names another merchant account than this gateway account.' },
} as const;

class Redelivered extends Error {}

export interface WebhookServiceDeps {
  repositories: Repositories;
  gateways: GatewayRegistry;
  logger: Logger;
  learner: MerchantLearners;
  clock: Clock;
  policy: SettlementPolicy;
}

/**
 * Provider notifications: verified with the account's own secret, then each event applied
 * once, under the payment's row lock, in the same transaction that records its id. The writes
 * are compare-and-set like every other, so a webhook and the attempt loop or the reconciler
 * never overwrite each other: whoever comes second sees the first's result.
 */
export function webhookService(deps: WebhookServiceDeps) {
  const { repositories, gateways, logger, learner, clock, policy } = deps;

  async function receive(provider: string, accountId: string, request: WebhookRequest): Promise<WebhookAck> {
    const account = await repositories.merchants.gatewayAccount(accountId);
    const adapter = account && account.provider === provider ? gateways.adapterFor(account) : null;
    if (!account || !adapter) throw problems.notFound('gateway account');
    const verified = await adapter.parseWebhook(request, clock.now());
    if (!verified.ok) {
      const rejection = REJECTIONS[verified.reason];
      logger.warn('webhook.rejected', { provider, gateway_account_id: accountId, reason: verified.reason });
      throw new Problem({ status: rejection.status, code: `webhook_${verified.reason}`, title: 'Webhook rejected', detail: rejection.detail });
    }
    for (const event of verified.events) await apply(account, event);
    return adapter.webhookAck;
  }

  async function apply(account: GatewayAccount, event: WebhookEvent): Promise<void> {
    try {
      await repositories.transaction(async (repos) => {
        const now = clock.now();
        const found = await repos.payments.findByGateway(account.id, event.reference, event.merchantReference);
        const payment = found ? await repos.payments.lock(found.payment.id) : null;
        const attempt = found && payment ? (await repos.payments.attempts(payment.id)).find((a) => a.id === found.attempt.id)! : null;
        const result: WebhookEventResult = payment && attempt ? await applyToPayment(repos, payment, attempt, event, now) : 'unmatched';
        // Late feedback: the gateway answered what the attempt could not learn. An attempt still in
        // flight (no outcome written yet) is learned by the call itself when its answer comes back,
        // so a notification that overtakes that answer must not teach the learner a second time.
        if (payment && attempt && attempt.outcome !== null && result === 'applied' && (event.type === 'authorization.succeeded' || event.type === 'authorization.failed')) {
          learner.of(payment.merchantId).record(account.id, routingFacts(payment), authorizationOf(event, payment));
        }
        const fresh = await repos.webhooks.record({
          gatewayAccountId: account.id,
          eventId: event.eventId,
          type: event.type,
          reference: event.reference,
          paymentId: payment?.id ?? null,
          result,
        });
        if (!fresh) throw new Redelivered();
        logger.info('webhook.event', { gateway_account_id: account.id, event_id: event.eventId, type: event.type, payment_id: payment?.id, result });
      });
    } catch (error) {
      if (!(error instanceof Redelivered)) throw error;
    }
  }

  async function applyToPayment(repos: Repositories, payment: PaymentRow, attempt: AttemptRow, event: WebhookEvent, now: Date): Promise<WebhookEventResult> {
    const write = async (step: PaymentStep | null) => (step && (await writeStep(repos, payment, step, now)) ? 'applied' : 'no_change');
    switch (event.type) {
      case 'authorization.succeeded':
      case 'authorization.failed': {
        if (event.type === 'authorization.succeeded' && (await voidAskedFor(repos, payment, attempt))) {
          // The gateway was told to void this attempt before its approval reached us: the
          // authorization is released, whether or not the void's own notification ever arrives.
          return write(voidedStep(payment, attempt, event.occurredAt));
        }
        const outcome = authorizationOf(event, payment);
        const result = attemptResult(outcome, attempt.latencyMs ?? 0, 'resolved_by_webhook', event.occurredAt);
        const applied = await write(authorizationStep(payment, attempt, outcome, result, now, policy));
        if (applied === 'applied') await recordSavedCardOutcome(repos, payment, outcome, now);
        return applied;
      }
      case 'authorization.voided':
        return write(voidedStep(payment, attempt, event.occurredAt));
      case 'capture.succeeded':
        return write(operationDoneStep(payment, 'capture', event.amount));
      case 'cancel.succeeded':
        return write(operationDoneStep(payment, 'cancel', null));
      case 'capture.failed': {
        if (payment.pendingOperation === 'capture') return write(operationRevertStep(payment, 'capture'));
        const undone = payment.pendingOperation ? null : afterCaptureFailed(stateOf(payment), event.amount ?? payment.amountCaptured);
        return write(undone ? { set: stateColumns(undone) } : null);
      }
      case 'cancel.failed':
        return write(operationRevertStep(payment, 'cancel'));
      case 'refund.succeeded':
      case 'refund.failed': {
        // By the provider's reference, or (an answer lost before we had it) by the key we sent it under.
        const refund = await repos.payments.refundByGateway(payment.id, event.modificationReference, refundIdOfKey(event.modificationKey));
        if (!refund || refund.status !== 'pending') return 'no_change';
        const reference = event.modificationReference ?? refund.gatewayReference;
        const final = event.type === 'refund.succeeded' ? ({ status: 'succeeded', gatewayReference: reference } as const) : ({ status: 'failed', failureCode: 'refund_failed', gatewayReference: reference } as const);
        return (await writeRefundStep(repos, refund, { patch: final, final: true }, now, now)) ? 'applied' : 'no_change';
      }
      case 'debit.returned':
        return write(returnedStep(payment, attempt, event.returnCode ?? 'unspecified', event.occurredAt));
      case 'settlement.succeeded':
        // Captured funds settled: our model already counts them as captured.
        return 'no_change';
    }
  }

  return { receive };
}

function authorizationOf(event: WebhookEvent, payment: PaymentRow): FinalAuthorization & AuthorizationOutcome {
  return event.type === 'authorization.succeeded'
    ? {
        kind: 'approved',
        reference: event.reference,
        captured: payment.captureMethod === 'automatic',
        ...(event.networkTransactionId ? { networkTransactionId: event.networkTransactionId } : {}),
        ...(event.crypto ? { crypto: event.crypto } : {}),
        ...(event.payer ? { payer: event.payer } : {}),
      }
    : { kind: 'declined', reference: event.reference, decline: event.decline ?? decline('unknown', 'webhook'), ...(event.crypto ? { crypto: event.crypto } : {}) };
}

/**
 * Whether the reconciler had the gateway void this still-open, uncaptured attempt (a technical
 * cancel, accepted): then a late approval of it is already being released. Read only on that rare
 * path: a manual-capture payment still waiting for the attempt.
 */
async function voidAskedFor(repos: Repositories, payment: PaymentRow, attempt: AttemptRow): Promise<boolean> {
  if (payment.captureMethod !== 'manual' || payment.status !== 'processing' || !awaitsAuthorization(payment, attempt)) return false;
  const timeline = await repos.events.timeline(payment.merchantId, payment.id);
  return timeline.some((e) => e.type === 'reconciler.checked' && e.data['finding'] === 'void_requested' && e.data['attempt'] === attempt.number);
}
