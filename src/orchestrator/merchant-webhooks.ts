import type { Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import type { RequestContext } from './payments.js';
import {
  MAX_ENDPOINTS_PER_MERCHANT,
  newSigningSecret,
  subscribes,
  urlPolicyIssue,
  type WebhookUrlPolicy,
} from '../domain/merchant-webhooks.js';
import { Problem, problems } from '../domain/problem.js';
import type { SecretBox } from '../domain/secret-box.js';
import type { EventFilter, EventRow } from '../store/events.js';
import type { Repositories } from '../store/index.js';
import type { DeliveryWithEndpoint, WebhookEndpointRow } from '../store/webhook-endpoints.js';

/** The job that POSTs one event to one endpoint, and retries it on schedule. */
export const DELIVER_JOB = 'webhook.deliver';

/** One job per (event, endpoint): scheduling it again (a redelivery) moves that job. */
export function deliveryJobKey(eventId: string, endpointId: string): string {
  return `delivery:${eventId}:${endpointId}`;
}

/**
 * Makes `webhook.deliver` due now for each delivery, in the caller's transaction (with the
 * delivery rows), so a delivery is never recorded without the job that makes it.
 */
export async function scheduleDeliveries(repos: Repositories, merchantId: string, eventId: string, endpointIds: readonly string[], now: Date): Promise<void> {
  for (const endpointId of endpointIds) {
    await repos.jobs.schedule(
      { kind: DELIVER_JOB, key: deliveryJobKey(eventId, endpointId), merchantId, payload: { event_id: eventId, endpoint_id: endpointId }, runAt: now },
      now,
    );
  }
}

export interface MerchantWebhookDeps {
  repositories: Repositories;
  clock: Clock;
  /** Seals signing secrets at rest. */
  secrets: SecretBox;
  urlPolicy: WebhookUrlPolicy;
  /** Asks the job engine to look for due jobs at once (after a redelivery). */
  wake?: () => void;
}

export interface NewEndpointInput {
  url: string;
  enabledEvents: string[];
  description: string | null;
}

/** Webhook endpoints, the merchant's events and their deliveries, redelivery. Scoped per merchant. */
export function merchantWebhookService(deps: MerchantWebhookDeps) {
  const { repositories, clock, secrets } = deps;

  return {
    /** Creates an endpoint; its signing secret is answered here only, and stored sealed. */
    async createEndpoint(merchantId: string, input: NewEndpointInput, context: RequestContext = {}): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
      const policy = urlPolicyIssue(input.url, deps.urlPolicy);
      if (policy) throw problems.invalidRequest(policy, 'url', 'invalid_url');
      const id = newId('we');
      const secret = newSigningSecret();
      const secretCiphertext = await secrets.seal(secret, id);
      const now = clock.now();
      const created = await repositories.transaction(async (tx) => {
        const row = await tx.webhookEndpoints.create(
          { id, merchantId, url: input.url, description: input.description, enabledEvents: [...new Set(input.enabledEvents)], secretCiphertext, createdAt: now },
          MAX_ENDPOINTS_PER_MERCHANT,
        );
        if (row !== 'limit_reached' && context.idempotencyKey) await tx.idempotency.link(merchantId, context.idempotencyKey, { type: 'webhook_endpoint', id });
        return row;
      });
      if (created === 'limit_reached') {
        throw problems.conflict(
          'webhook_endpoint_limit_reached',
          `A merchant may have at most ${MAX_ENDPOINTS_PER_MERCHANT} webhook endpoints; delete one first.`,
        );
      }
      return { endpoint: created, secret };
    },

    /**
     * The creation answer once more, secret included, for the idempotency layer to replay the same
     * request (same merchant, key and body) without keeping the secret in its stored answer.
     */
    async creationAnswer(merchantId: string, id: string): Promise<{ endpoint: WebhookEndpointRow; secret: string } | null> {
      const endpoint = await repositories.webhookEndpoints.get(merchantId, id);
      if (!endpoint) return null;
      return { endpoint, secret: await secrets.open(endpoint.secretCiphertext, endpoint.id) };
    },

    listEndpoints: (merchantId: string, page: { limit: number; startingAfter?: string }) => repositories.webhookEndpoints.list(merchantId, page),

    getEndpoint: (merchantId: string, id: string) => repositories.webhookEndpoints.get(merchantId, id),

    /** Soft-deletes; its pending deliveries stop (and their scheduled runs are called off). */
    async deleteEndpoint(merchantId: string, id: string): Promise<WebhookEndpointRow> {
      const now = clock.now();
      const deleted = await repositories.transaction(async (tx) => {
        const row = await tx.webhookEndpoints.softDelete(merchantId, id, now);
        if (!row) return null;
        for (const eventId of await tx.webhookDeliveries.cancelPending(id, now)) await tx.jobs.cancel(deliveryJobKey(eventId, id), now);
        return row;
      });
      if (!deleted) throw problems.notFound('webhook endpoint');
      return deleted;
    },

    listEvents: (merchantId: string, filter: EventFilter) => repositories.events.list(merchantId, filter),

    async getEvent(merchantId: string, id: string): Promise<{ event: EventRow; deliveries: DeliveryWithEndpoint[] } | null> {
      const event = await repositories.events.get(merchantId, id);
      if (!event) return null;
      return { event, deliveries: await repositories.webhookDeliveries.forEvent(id) };
    },

    /**
     * Delivers the event afresh, now: to one endpoint of the merchant's, or to every live
     * endpoint it was delivered to or subscribes to its type. Each delivery starts over (attempts
     * from zero, the full retry schedule ahead). Answers the deliveries started.
     */
    async redeliver(merchantId: string, eventId: string, endpointId?: string): Promise<DeliveryWithEndpoint[]> {
      const now = clock.now();
      const deliveries = await repositories.transaction(async (tx) => {
        const event = await tx.events.get(merchantId, eventId);
        if (!event) throw problems.notFound('event');
        let targets: string[];
        if (endpointId !== undefined) {
          const endpoint = await tx.webhookEndpoints.get(merchantId, endpointId);
          if (!endpoint) {
            throw new Problem({ status: 404, code: 'resource_missing', title: 'Not found', detail: 'No such webhook endpoint.', param: 'endpoint_id' });
          }
          targets = [endpoint.id];
        } else {
          const before = new Set((await tx.webhookDeliveries.forEvent(eventId)).map((d) => d.endpointId));
          targets = (await tx.webhookEndpoints.live(merchantId)).filter((e) => before.has(e.id) || subscribes(e.enabledEvents, event.type)).map((e) => e.id);
        }
        await tx.webhookDeliveries.restart(eventId, targets, now);
        await scheduleDeliveries(tx, merchantId, eventId, targets, now);
        const wanted = new Set(targets);
        return (await tx.webhookDeliveries.forEvent(eventId)).filter((d) => wanted.has(d.endpointId));
      });
      if (deliveries.length > 0) deps.wake?.();
      return deliveries;
    },
  };
}

export type MerchantWebhookService = ReturnType<typeof merchantWebhookService>;
