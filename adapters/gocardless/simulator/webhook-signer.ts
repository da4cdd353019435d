import { createHmac } from 'node:crypto';
import type { WebhookRequest } from '../../testkit/contract.js';
import { gcId, type GoCardlessEvent } from './state.js';

/**
 * The request GoCardless sends: `{"events": [...], "meta": {"webhook_id": "WB…"}}` as JSON, with
 * `Webhook-Signature` the hex HMAC-SHA256 of that body under the endpoint's secret.
 */
export function signedRequest(events: readonly GoCardlessEvent[], secret: string): WebhookRequest {
  const rawBody = JSON.stringify({ events, meta: { webhook_id: gcId('WB') } });
  return { headers: { 'content-type': 'application/json', 'webhook-signature': createHmac('sha256', secret).update(rawBody).digest('hex') }, rawBody };
}
