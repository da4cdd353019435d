import { after, type Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';
import {
  EVENT_ID_HEADER,
  eventEnvelope,
  retryDelayMs,
  SIGNATURE_HEADER,
  signatureHeader,
  subscribes,
  USER_AGENT,
} from '../domain/merchant-webhooks.js';
import { createSecretBox, type SecretBox } from '../domain/secret-box.js';
import { FANOUT_JOB } from '../orchestrator/events.js';
import { DELIVER_JOB, scheduleDeliveries } from '../orchestrator/merchant-webhooks.js';
import type { Repositories } from '../store/index.js';
import type { JobRow } from '../store/jobs.js';
import type { JobKind, JobOutcome } from './engine.js';

export interface WebhookJobDeps {
  repositories: Repositories;
  clock: Clock;
  logger: Logger;
  /** The key (or keyring, newest first) the API sealed the signing secrets with, or the box itself. */
  secretsKey: string | readonly string[] | SecretBox;
  /** How a delivery is sent; tests point it anywhere. Default: the global fetch. */
  fetch?: typeof fetch;
  /** An endpoint must answer within this long (default 10 s). */
  timeoutMs?: number;
}

type Attempt = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/**
 * The job kinds of merchant webhooks, for the runtime to register with the job engine:
 * `events.fanout` turns a merchant event into one delivery per subscribed endpoint, and
 * `webhook.deliver` POSTs it, signed, retrying on the schedule of `RETRY_DELAYS_MS`. Both read the
 * current rows and act on them, so running either twice changes nothing.
 */
export function webhookJobKinds(deps: WebhookJobDeps): Record<string, JobKind> {
  const { repositories, clock, logger } = deps;
  const secrets = typeof deps.secretsKey === 'object' && 'open' in deps.secretsKey ? deps.secretsKey : createSecretBox(deps.secretsKey);
  const send = deps.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = deps.timeoutMs ?? 10_000;

  /** Creates the deliveries that do not exist yet, each with its job, in one transaction. */
  async function fanout(job: JobRow): Promise<JobOutcome> {
    const eventId = job.payload.event_id;
    if (typeof eventId !== 'string' || !job.merchantId) return { giveUp: 'the job names no event or merchant' };
    const merchantId = job.merchantId;
    const now = clock.now();
    return repositories.transaction(async (tx): Promise<JobOutcome> => {
      const event = await tx.events.get(merchantId, eventId);
      if (!event) return { giveUp: `no merchant event ${eventId}` };
      const endpoints = (await tx.webhookEndpoints.live(merchantId)).filter((e) => subscribes(e.enabledEvents, event.type));
      const created = await tx.webhookDeliveries.createMissing(eventId, endpoints.map((e) => e.id), now);
      await scheduleDeliveries(tx, merchantId, eventId, created.map((d) => d.endpointId), now);
      return { done: true };
    });
  }

  async function deliver(job: JobRow): Promise<JobOutcome> {
    const { event_id: eventId, endpoint_id: endpointId } = job.payload;
    if (typeof eventId !== 'string' || typeof endpointId !== 'string') return { giveUp: 'the job names no event and endpoint' };
    const deliveries = repositories.webhookDeliveries;
    const delivery = await deliveries.get(eventId, endpointId);
    // Delivered, failed or canceled already: a late or repeated run has nothing to do.
    if (!delivery || delivery.state !== 'pending') return { done: true };
    const now = clock.now();
    if (delivery.nextAttemptAt && delivery.nextAttemptAt > now) return { retryAt: delivery.nextAttemptAt };
    const endpoint = await repositories.webhookEndpoints.byId(endpointId);
    if (!endpoint) return { giveUp: `no webhook endpoint ${endpointId}` };
    if (endpoint.deletedAt) {
      await deliveries.cancel(eventId, endpointId, now);
      return { done: true };
    }
    const event = await repositories.events.get(endpoint.merchantId, eventId);
    if (!event) return { giveUp: `no merchant event ${eventId}` };
    const secret = await secrets.open(endpoint.secretCiphertext, endpoint.id);

    const attempt = delivery.attempts + 1;
    // Counted before it is sent: a crash mid-request still uses up the attempt.
    if (!(await deliveries.beginAttempt(eventId, endpointId, delivery.attempts, now))) return { done: true };
    const body = JSON.stringify(eventEnvelope(event));
    const result = await post(endpoint.url, body, {
      'Content-Type': 'application/json',
      [SIGNATURE_HEADER]: await signatureHeader(secret, clock.now(), body),
      [EVENT_ID_HEADER]: event.id,
      'User-Agent': USER_AGENT,
    });
    const at = clock.now();
    const fields = { event_id: eventId, endpoint_id: endpointId, merchant_id: endpoint.merchantId, type: event.type, attempt };

    if (result.ok) {
      await deliveries.recordAttempt(eventId, endpointId, attempt, { state: 'delivered', status: result.status, error: null, nextAttemptAt: null }, at);
      logger.info('webhook.delivered', { ...fields, status: result.status });
      return { done: true };
    }
    const delay = retryDelayMs(attempt);
    if (delay === null) {
      await deliveries.recordAttempt(eventId, endpointId, attempt, { state: 'failed', status: result.status, error: result.error, nextAttemptAt: null }, at);
      logger.warn('webhook.delivery_failed', { ...fields, status: result.status, error: result.error });
      return { done: true };
    }
    const next = after(at, delay);
    const recorded = await deliveries.recordAttempt(eventId, endpointId, attempt, { state: 'pending', status: result.status, error: result.error, nextAttemptAt: next }, at);
    logger.warn('webhook.attempt_failed', { ...fields, status: result.status, error: result.error, next_attempt_at: next.toISOString() });
    // Not recorded: a redelivery or deletion came meanwhile and scheduled (or ended) the job itself.
    return recorded ? { retryAt: next, note: result.error } : { done: true };
  }

  /** One POST. Redirects are not followed; the answer's body is not read, nor ever stored. */
  async function post(url: string, body: string, headers: Record<string, string>): Promise<Attempt> {
    try {
      const res = await send(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      return { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (error) {
      return { ok: false, status: null, error: describeFailure(error, timeoutMs) };
    }
  }

  return {
    [FANOUT_JOB]: { run: fanout },
    [DELIVER_JOB]: { run: deliver },
  };
}

/** What went wrong, in words that carry no URL, header or secret: the error's name and code only. */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const codeOf = (value: unknown) => (typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string' ? (value as { code: string }).code : null);
  const code = codeOf(error instanceof Error ? error.cause : undefined) ?? codeOf(error);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code) return `connection failed (${code})`;
  return `request failed (${error instanceof Error ? error.name : 'unknown error'})`;
}
