import type { WebhookAck, WebhookRequest } from '../../adapters/testkit/contract.js';
import { decline } from '../domain/decline.js';
import type { Logger } from '../domain/logger.js';
import { afterAuthorization, afterCancel, afterCapture, afterCaptureFailed, type PaymentStatus } from '../domain/payment.js';
import { Problem, problems } from '../domain/problem.js';
import type { WebhookEvent } from '../domain/webhook.js';
import type { Repositories } from '../store/index.js';
import type { GatewayAccount } from '../store/merchants.js';
import { stateOf, type AttemptRow, type PaymentRow } from '../store/payments.js';
import type { WebhookEventResult } from '../store/webhooks.js';
import type { GatewayRegistry } from './gateways.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';
import type { SuccessLearner } from '../routing/decide.js';
import { routingFacts } from './routing-facts.js';

const REJECTIONS = {
  missing_signature: { status: 400, detail: 'The notification carries no signature.' },
  malformed: { status: 400, detail: 'The notification could not be read.' },
  invalid_signature: { status: 401, detail: "The notification's signature does not match this gateway account's webhook secret." },
  stale: { status: 401, detail: 'The notification is signed too long ago to be accepted.' },
  wrong_account: { status: 422, detail: 'The notification names another merchant account than this gateway account.' },
} as const;

class Redelivered extends Error {}

/**
 * Provider notifications: verified with the account's own secret, then each event applied
 * once, in the same transaction that records its id.
 */
export function webhookService(deps: { repositories: Repositories; gateways: GatewayRegistry; logger: Logger; learner: SuccessLearner }) {
  const { repositories, gateways, logger, learner } = deps;

  async function receive(provider: string, accountId: string, request: WebhookRequest, now: Date): Promise<WebhookAck> {
    const account = await repositories.merchants.gatewayAccount(accountId);
    const adapter = account && account.provider === provider ? gateways.adapterFor(account) : null;
    if (!account || !adapter) throw problems.notFound('gateway account');
    const verified = await adapter.parseWebhook(request, now);
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
        const found = await repos.payments.findByGateway(account.id, event.reference, event.merchantReference);
        const result = found ? await applyToPayment(repos, found.payment, found.attempt, event) : 'unmatched';
        if (found && result === 'applied' && (event.type === 'authorization.succeeded' || event.type === 'authorization.failed')) {
          // Late feedback: the attempt's answer was lost, so the learner has not counted it yet.
          learner.record(account.name, routingFacts(found.payment), authorizationOf(event));
        }
        const fresh = await repos.webhooks.record({
          gatewayAccountId: account.id,
          eventId: event.eventId,
          type: event.type,
          reference: event.reference,
          paymentId: found?.payment.id ?? null,
          result,
        });
        if (!fresh) throw new Redelivered();
        logger.info('webhook.event', { gateway_account_id: account.id, event_id: event.eventId, type: event.type, payment_id: found?.payment.id, result });
      });
    } catch (error) {
      if (!(error instanceof Redelivered)) throw error;
    }
  }

  return { receive };
}

function authorizationOf(event: WebhookEvent): AuthorizationOutcome {
  return event.type === 'authorization.succeeded'
    ? { kind: 'approved', reference: event.reference, captured: false }
    : { kind: 'declined', reference: event.reference, decline: event.decline ?? decline('unknown', 'webhook') };
}

async function applyToPayment(repos: Repositories, payment: PaymentRow, attempt: AttemptRow, event: WebhookEvent): Promise<WebhookEventResult> {
  const state = stateOf(payment);
  const unresolved = payment.status === 'processing' && !payment.pendingOperation && (attempt.status === 'pending' || attempt.status === 'unknown');
  const pending = (operation: 'capture' | 'cancel') => payment.pendingOperation === operation && payment.statusBeforeOperation !== null;
  const revert = () => ({ ...state, status: payment.statusBeforeOperation as PaymentStatus });

  switch (event.type) {
    case 'authorization.succeeded':
    case 'authorization.failed': {
      if (!unresolved) return 'no_change';
      const outcome =
        event.type === 'authorization.succeeded'
          ? ({ kind: 'approved', reference: event.reference, captured: payment.captureMethod === 'automatic' } as const)
          : ({ kind: 'declined', reference: event.reference, decline: event.decline ?? decline('unknown', 'webhook') } as const);
      await repos.payments.recordAttempt(
        attempt.id,
        {
          status: outcome.kind === 'approved' ? 'succeeded' : 'failed',
          outcome: outcome.kind,
          outcomeReason: 'resolved_by_webhook',
          gatewayReference: event.reference,
          declineReason: outcome.kind === 'declined' ? outcome.decline.reason : null,
          providerCode: outcome.kind === 'declined' ? outcome.decline.providerCode : null,
          completedAt: event.occurredAt,
        },
        payment.id,
        afterAuthorization(state, outcome),
      );
      return 'applied';
    }
    case 'capture.succeeded':
      if (!pending('capture')) return 'no_change';
      await repos.payments.finishOperation(payment.id, afterCapture(state, event.amount ?? payment.pendingAmount ?? payment.amount));
      return 'applied';
    case 'cancel.succeeded':
      if (!pending('cancel')) return 'no_change';
      await repos.payments.finishOperation(payment.id, afterCancel(state));
      return 'applied';
    case 'capture.failed': {
      if (pending('capture')) {
        await repos.payments.finishOperation(payment.id, revert());
        return 'applied';
      }
      const undone = afterCaptureFailed(state, event.amount ?? payment.amountCaptured);
      if (!undone) return 'no_change';
      await repos.payments.finishOperation(payment.id, undone);
      return 'applied';
    }
    case 'cancel.failed':
      if (!pending('cancel')) return 'no_change';
      await repos.payments.finishOperation(payment.id, revert());
      return 'applied';
    case 'refund.succeeded':
    case 'refund.failed': {
      const refund = event.modificationReference ? await repos.payments.refundByGatewayReference(payment.id, event.modificationReference) : null;
      if (!refund || refund.status !== 'pending') return 'no_change';
      await repos.payments.settleRefund(refund.id, event.type === 'refund.succeeded' ? { status: 'succeeded' } : { status: 'failed', failureCode: 'refund_failed' });
      return 'applied';
    }
    case 'settlement.succeeded':
      // Captured funds settled: our model already counts them as captured.
      return 'no_change';
  }
}
