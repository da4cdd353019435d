import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { firstHeader, readRequest } from '../../testkit/http-server.js';
import { SimulatorRuntime } from '../../testkit/simulator-runtime.js';
import type { FaultOptions, SimulatorFault } from '../../testkit/simulator.js';
import { ApprovalRates, Latency } from '../../testkit/steering.js';
import { WebhookDispatcher, type PendingWebhook } from '../../testkit/webhook-dispatcher.js';
import type { RetrySchedule } from '../../testkit/webhook-schedules.js';
import { apiKeyFrom, keyAccepted, maskKey, MISSING_KEY_MESSAGE } from './auth.js';
import type { HandlerContext } from './context.js';
import { ApiError, apiErrorBody, authenticationError, type ApiResponse } from './errors.js';
import { FaultController, type StripeFault } from './faults.js';
import { base62, newId } from './ids.js';
import { IdempotencyStore, type IdempotencyDecision, type SavedIdempotencyEntry } from './idempotency.js';
import { Ledger } from './ledger.js';
import { parseParams, type Params } from './params.js';
import { API_VERSION } from './resources.js';
import { dispatch } from './router.js';
import { SimulatorState, type SavedStripeState } from './state.js';
import { handleThreeDSecure } from './three-d-secure.js';
import { disputeDebit, disputeReason, settleDueDebits } from './bank-debits.js';
import { signedWebhook, WebhookOutbox, type EventOrigin } from './webhooks.js';

/** The account's secrets: they sign webhooks and key fingerprints and idempotency digests. */
export interface StripeAccount {
  /** The secret key the account hands out (any `sk_test_` key is accepted unless `apiKeys` says otherwise). */
  secretKey: string;
  /** The webhook endpoint's signing secret (`whsec_...`). */
  webhookSecret: string;
}

/** What a Stripe simulator saves, and reads back at start. Never a card number or CVC. */
export interface SavedStripeSimulator {
  version: 1;
  provider: 'stripe';
  account: StripeAccount & { hmacKey: string };
  state: SavedStripeState;
  idempotency: SavedIdempotencyEntry[];
  webhooks: PendingWebhook[];
  /** How far `advanceBank` moved the bank's calendar ahead of the clock (absent in files saved before bank debits). */
  bankOffsetMs?: number;
}

export interface SimulatorServerConfig {
  host: string;
  port: number;
  apiKeys: readonly string[] | undefined;
  now: () => number;
  account: StripeAccount;
  /** Keys fingerprints and idempotency digests. */
  hmacKey: Buffer;
  /** Where to send signed webhook events; null until set. */
  webhookUrl: string | null;
  webhookRetry: { schedule: RetrySchedule; scale: number; concurrency?: number | undefined };
  statePath: string | null;
  saved: SavedStripeSimulator | null;
  /** How long after confirmation a bank debit settles on the bank's calendar. */
  debitSettlementMs: number;
}

/**
 * The HTTP side: reads the request, applies faults and latency, authenticates, runs idempotency
 * around the API operation, writes Stripe-shaped JSON and hands the events it caused to the
 * webhook outbox. Saves its state (when given a path) soon after each change.
 */
export class SimulatorServer {
  readonly state = new SimulatorState();
  readonly faults: FaultController;
  readonly ledger: Ledger;
  readonly approvals = new ApprovalRates();
  readonly latency = new Latency();
  readonly dispatcher: WebhookDispatcher;
  private readonly idempotency: IdempotencyStore;
  private readonly outbox: WebhookOutbox;
  private readonly secret: Buffer;
  readonly runtime: SimulatorRuntime<SavedStripeSimulator>;
  private bankOffsetMs = 0;
  private readonly ctx: HandlerContext;

  constructor(private readonly config: SimulatorServerConfig) {
    this.secret = config.hmacKey;
    this.faults = new FaultController(() => this.runtime.pending.dropHeld());
    this.idempotency = new IdempotencyStore(config.now, this.secret);
    this.runtime = new SimulatorRuntime({
      host: config.host,
      port: config.port,
      statePath: config.statePath,
      serialize: () => this.saved(),
      handle: (req, res) => this.handle(req, res),
      faults: this.faults,
      internalError: () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(apiErrorBody(500)) }),
      stopSending: () => this.dispatcher.close(),
    });
    this.ledger = new Ledger(this.state, () => {
      this.idempotency.clear();
      this.dispatcher.reset();
      this.runtime.changed();
    });
    this.dispatcher = new WebhookDispatcher({
      schedule: config.webhookRetry.schedule,
      retryScale: config.webhookRetry.scale,
      concurrency: config.webhookRetry.concurrency,
      url: config.webhookUrl,
      keepPayloads: false,
      now: config.now,
      render: (event, at) => signedWebhook(event as Record<string, unknown>, config.account.webhookSecret, at.getTime()),
      onChange: () => this.runtime.changed(),
    });
    this.outbox = new WebhookOutbox(this.dispatcher, config.now);
    if (config.saved) {
      this.state.restore(config.saved.state);
      this.idempotency.restore(config.saved.idempotency);
      this.dispatcher.restore(config.saved.webhooks);
      this.bankOffsetMs = config.saved.bankOffsetMs ?? 0;
    }
    const self = this;
    this.ctx = {
      state: this.state,
      now: config.now,
      get baseUrl() {
        return self.runtime.baseUrl;
      },
      fingerprint: (digits) => base62(createHmac('sha256', this.secret).update(`fingerprint:${digits}`).digest()).slice(0, 16),
      issuerApproves: (segment) => this.approvals.approves(segment),
      bank: { now: () => config.now() + this.bankOffsetMs, settlementMs: config.debitSettlementMs },
      emit: (type, object) => this.outbox.add(type, object),
    };
  }

  /** The shared steering, one fault at a time: a new one replaces the one before. */
  async setFault(fault: SimulatorFault, options: FaultOptions = {}): Promise<void> {
    await this.runtime.clearFault();
    await this.runtime.setFault(fault, options);
  }

  /** Moves the bank's calendar on by `ms`: bank debits falling due settle, and their events go out. */
  advanceBank(ms: number): void {
    this.bankOffsetMs += ms;
    this.settleDebits();
  }

  /** The payer's bank returns a collected debit (a dispute, lost from the start); answers Stripe's dispute reason. */
  returnDebit(paymentIntentId: string, schemeCode: string): string {
    const reason = disputeDebit(this.ctx, paymentIntentId, disputeReason(schemeCode));
    this.outbox.flush({ requestId: null, idempotencyKey: null });
    this.runtime.changed();
    return reason;
  }

  /** Debits the bank settles on its own: their events name no API request. */
  private settleDebits(): void {
    settleDueDebits(this.ctx);
    this.outbox.flush({ requestId: null, idempotencyKey: null });
    this.runtime.changed();
  }

  private saved(): SavedStripeSimulator {
    return {
      version: 1,
      provider: 'stripe',
      account: { ...this.config.account, hmacKey: this.secret.toString('base64') },
      state: this.state.saved(),
      idempotency: this.idempotency.saved(),
      webhooks: this.dispatcher.pending(),
      bankOffsetMs: this.bankOffsetMs,
    };
  }

  // ---- request handling ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readRequest(req, res);
    if (request === null) return;
    const { method, url, body } = request;

    if (url.pathname.startsWith('/_sim/')) {
      const page = handleThreeDSecure(this.ctx, method, url);
      this.outbox.flush({ requestId: null, idempotencyKey: null });
      this.runtime.changed();
      res.writeHead(page.status, page.headers);
      res.end(page.body);
      return;
    }

    // Time passed on its own too: whatever fell due settles before the request is answered.
    this.settleDebits();
    const requestId = newId('req');
    const idempotencyKey = method === 'POST' ? firstHeader(req, 'idempotency-key') || null : null;
    const entry = this.ledger.recordRequest(method, url.pathname, idempotencyKey, this.config.now());
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'cache-control': 'no-cache, no-store',
      'request-id': requestId,
      'stripe-version': firstHeader(req, 'stripe-version') ?? API_VERSION,
    };
    if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
    const send = (status: number, text: string, extra: Record<string, string> = {}): void => {
      entry.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { ...headers, ...extra });
      res.end(text);
    };

    const fault = this.faults.take(method, url.pathname);
    entry.fault = fault?.kind ?? null;
    if (fault?.kind === 'http_error') {
      send(fault.status, JSON.stringify(apiErrorBody(fault.status)));
      return;
    }
    if (fault?.kind === 'hang') {
      this.runtime.pending.hold(res);
      return;
    }

    // Latency (the steered distribution, plus a latency fault) delays whatever answer this request
    // gets; the idempotency key, if any, stays locked meanwhile, so a concurrent request with the
    // same key sees a 409.
    const latency = this.latency.nextMs() + (fault?.kind === 'latency' ? fault.ms : 0);
    const wait = async (): Promise<boolean> => {
      if (latency <= 0) return true;
      const alive = await this.runtime.pending.delay(latency);
      if (!alive) res.destroy();
      return alive;
    };

    const apiKey = apiKeyFrom(req);
    if (apiKey === null || !keyAccepted(apiKey, this.config.apiKeys)) {
      if (!(await wait())) return;
      const message = apiKey === null ? MISSING_KEY_MESSAGE : `Invalid API Key provided: ${maskKey(apiKey)}`;
      send(401, JSON.stringify(authenticationError(message)), { 'www-authenticate': 'Basic realm="Stripe"' });
      return;
    }

    let params: Params;
    try {
      params = parseParams(method === 'POST' ? body : url.search.slice(1));
    } catch {
      if (!(await wait())) return;
      send(400, JSON.stringify({ error: { type: 'invalid_request_error', message: 'Could not parse the request parameters.' } }));
      return;
    }

    let decision: IdempotencyDecision | null = null;
    if (idempotencyKey !== null) {
      decision = this.idempotency.begin(apiKey, idempotencyKey, method, url.pathname, params);
      if (decision.kind === 'reject') {
        if (!(await wait())) return;
        send(decision.status, JSON.stringify({ error: decision.error }));
        return;
      }
      if (decision.kind === 'replay') {
        if (!(await wait())) return;
        entry.replayed = true;
        const saved = decision.response;
        this.finish(fault, send, saved.status, saved.body, res, {
          'idempotent-replayed': 'true',
          'original-request': saved.requestId,
        });
        return;
      }
    }

    if (!(await wait())) {
      if (decision?.kind === 'execute') decision.release();
      return;
    }

    const result = this.run(method, url.pathname, params, { requestId, idempotencyKey });
    const text = JSON.stringify(result.body);
    if (decision?.kind === 'execute') {
      if (result.saveIdempotent) decision.save({ status: result.status, body: text, requestId });
      else decision.release();
    }
    if (method !== 'GET') {
      this.noteRefundKey(result, idempotencyKey);
      this.runtime.changed();
    }
    this.finish(fault, send, result.status, text, res);
  }

  /** Runs the operation; the events it caused go out as webhooks, naming this request. */
  private run(method: string, path: string, params: Params, origin: EventOrigin): ApiResponse {
    try {
      return dispatch(this.ctx, method, path, params, { idempotencyKey: origin.idempotencyKey });
    } catch (error) {
      if (error instanceof ApiError) return error.toResponse();
      return { status: 500, body: apiErrorBody(500), saveIdempotent: false };
    } finally {
      this.outbox.flush(origin);
    }
  }

  /** A refund made under an Idempotency-Key keeps it, for the ledger (reconciliation by our reference). */
  private noteRefundKey(result: ApiResponse, idempotencyKey: string | null): void {
    const body = (result.body ?? {}) as { object?: unknown; id?: unknown };
    if (idempotencyKey === null || result.status !== 200 || body.object !== 'refund' || typeof body.id !== 'string') return;
    const refund = this.state.refunds.get(body.id);
    if (refund && refund.idempotencyKey === undefined) refund.idempotencyKey = idempotencyKey;
  }

  /** Answers, unless a fault says to hang, fail or garble the answer after the work is done. */
  private finish(
    fault: StripeFault | null,
    send: (status: number, text: string, extra?: Record<string, string>) => void,
    status: number,
    text: string,
    res: ServerResponse,
    extra: Record<string, string> = {},
  ): void {
    if (fault?.kind === 'charge_then_hang') {
      this.runtime.pending.hold(res);
      return;
    }
    if (fault?.kind === 'charge_then_500') {
      send(500, JSON.stringify(apiErrorBody(500)));
      return;
    }
    if (fault?.kind === 'malformed_response') {
      send(200, text.slice(0, Math.ceil(text.length / 2)), extra);
      return;
    }
    send(status, text, extra);
  }
}
