import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestFaults, type RequestFault } from '../../testkit/faults.js';
import { firstHeader, readRequest } from '../../testkit/http-server.js';
import { SimulatorRuntime } from '../../testkit/simulator-runtime.js';
import { ApprovalRates, Latency } from '../../testkit/steering.js';
import { WebhookDispatcher, type PendingWebhook } from '../../testkit/webhook-dispatcher.js';
import type { RetrySchedule } from '../../testkit/webhook-schedules.js';
import { ApiError, capturePayment, createPayment, getPayment, invalid, listActions, listPayments, record, refundPayment, voidPayment, type ApiContext, type ApiResponse } from './api.js';
import { newId } from './ids.js';
import { createToken } from './tokens.js';
import { IdempotencyStore, type SavedIdempotencyEntry, type SavedResponse } from './idempotency.js';
import { createLedger, SimulatorState, type CheckoutLedger, type LoggedRequest, type SavedCheckoutState } from './state.js';
import { threeDSecurePage } from './three-d-secure.js';
import { paymentEvent, signedRequest } from './webhook-signer.js';

export interface CheckoutAccount {
  /** The secret key clients send (`Authorization: Bearer sk_sbox_…`); null: any key. */
  secretKey: string | null;
  /** The public key POST /tokens takes (`pk_sbox_…`, and only there); null: any `pk_` key. */
  publicKey: string | null;
  /** The webhook endpoint's signature key. */
  webhookSecret: string;
}

/** What a Checkout.com simulator saves and reads back at start. Never a card number or CVV. */
export interface SavedCheckoutSimulator {
  version: 1;
  provider: 'checkout';
  account: CheckoutAccount;
  state: SavedCheckoutState;
  idempotency: SavedIdempotencyEntry[];
  webhooks: PendingWebhook[];
}

export interface ServerOptions {
  host: string;
  port: number;
  account: CheckoutAccount;
  webhookUrl: string | null;
  webhookRetry: { schedule: RetrySchedule; scale: number; concurrency?: number | undefined };
  statePath: string | null;
  saved: SavedCheckoutSimulator | null;
}

const PAYMENT = /^\/payments\/((?:pay|sid)_[a-z2-7]+)$/;
const PAYMENT_ACTION = /^\/payments\/(pay_[a-z2-7]+)\/(captures|voids|refunds|actions)$/;

/**
 * The HTTP side: reads a request, applies faults and latency, authenticates, runs Cko-Idempotency-Key
 * around each POST and writes Checkout.com's JSON. Webhooks go out through the shared dispatcher,
 * signed with `Cko-Signature`, retried on Checkout.com's schedule.
 */
export class CheckoutSimulatorServer {
  readonly state = new SimulatorState();
  readonly faults = new RequestFaults();
  readonly approval = new ApprovalRates();
  readonly latency = new Latency();
  readonly dispatcher: WebhookDispatcher;
  readonly ledger: CheckoutLedger;
  private readonly idempotency = new IdempotencyStore();
  readonly runtime: SimulatorRuntime<SavedCheckoutSimulator>;
  readonly context: ApiContext;

  constructor(private readonly options: ServerOptions) {
    this.runtime = new SimulatorRuntime({
      host: options.host,
      port: options.port,
      statePath: options.statePath,
      serialize: () => this.saved(),
      handle: (req, res) => this.handle(req, res),
      faults: this.faults,
      stopSending: () => this.dispatcher.close(),
    });
    this.dispatcher = new WebhookDispatcher({
      schedule: options.webhookRetry.schedule,
      retryScale: options.webhookRetry.scale,
      concurrency: options.webhookRetry.concurrency,
      url: options.webhookUrl,
      render: (payload) => signedRequest(payload, options.account.webhookSecret),
      onChange: () => this.runtime.changed(),
    });
    this.ledger = createLedger(this.state, () => {
      this.idempotency.clear();
      this.dispatcher.reset();
      this.runtime.changed();
    });
    const server = this;
    this.context = {
      state: this.state,
      approval: this.approval,
      get baseUrl() {
        return server.runtime.baseUrl;
      },
      now: () => new Date(),
      emit: (type, payment, action) => {
        const event = paymentEvent(type, payment, action, server.runtime.baseUrl, new Date());
        this.dispatcher.enqueue({ type, reference: payment.id, payload: event });
      },
    };
    if (options.saved) {
      this.state.restore(options.saved.state);
      this.idempotency.restore(options.saved.idempotency);
      this.dispatcher.restore(options.saved.webhooks);
    }
  }

  private saved(): SavedCheckoutSimulator {
    return {
      version: 1,
      provider: 'checkout',
      account: { ...this.options.account },
      state: this.state.saved(),
      idempotency: this.idempotency.saved(),
      webhooks: this.dispatcher.pending(),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readRequest(req, res);
    if (request === null) return;
    const { method, url, body } = request;
    if (url.pathname.startsWith('/_sim/')) {
      const page = threeDSecurePage(this.context, url);
      this.runtime.changed();
      res.writeHead(page.status, { 'content-type': 'text/html; charset=utf-8', ...(page.location ? { location: page.location } : {}) }).end(page.html);
      return;
    }

    const idempotencyKey = method === 'POST' ? firstHeader(req, 'cko-idempotency-key') : null;
    const entry: LoggedRequest = { method, path: url.pathname, idempotencyKey, replayed: false, status: null, fault: null };
    this.state.requests.push(entry);
    const requestId = newId('req');
    const send = (status: number, text: string): void => {
      entry.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { 'cko-request-id': requestId, 'cko-version': '1.0.0', ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}) });
      res.end(text);
    };
    const respond = (response: ApiResponse): void => send(response.status, response.body === undefined ? '' : JSON.stringify(response.body));

    const fault = this.faults.take(method, url.pathname);
    entry.fault = fault?.kind ?? null;
    if (fault?.kind === 'http_error') return respond({ status: fault.status });
    if (fault?.kind === 'hang') return this.runtime.pending.hold(res);

    const latency = this.latency.nextMs();
    const waited = async (): Promise<boolean> => {
      if (latency > 0 && !(await this.runtime.pending.delay(latency))) {
        res.destroy();
        return false;
      }
      return true;
    };

    if (!this.authenticated(req, url.pathname)) return (await waited()) ? respond({ status: 401 }) : undefined;
    const decision = idempotencyKey === null ? null : this.idempotency.begin(idempotencyKey, method, url.pathname, body);
    if (decision?.kind === 'conflict') return (await waited()) ? respond({ status: 409 }) : undefined;
    if (decision?.kind === 'replay') {
      if (!(await waited())) return;
      entry.replayed = true;
      return this.finish(fault, decision.response, send, res);
    }
    if (!(await waited())) {
      decision?.release();
      return;
    }

    const result = this.run(method, url, body);
    const saved: SavedResponse = { status: result.status, text: result.body === undefined ? '' : JSON.stringify(result.body) };
    if (decision !== null) {
      if (result.status < 300) decision.save(saved);
      else decision.release();
    }
    this.runtime.changed();
    this.finish(fault, saved, send, res);
  }

  /**
   * `Authorization: <key>`, with or without `Bearer ` (the SDK sends the secret key with it, the
   * public key without). POST /tokens takes the public key, every other endpoint the secret key.
   */
  private authenticated(req: IncomingMessage, path: string): boolean {
    const header = firstHeader(req, 'authorization')?.replace(/^Bearer\s+/i, '') ?? '';
    if (path === '/tokens') {
      const expected = this.options.account.publicKey;
      return header.startsWith('pk_') && (expected === null || header === expected);
    }
    const expected = this.options.account.secretKey;
    return header.length > 0 && !header.startsWith('pk_') && (expected === null || header === expected);
  }

  private run(method: string, url: URL, text: string): ApiResponse {
    try {
      const path = url.pathname;
      if (path === '/tokens' && method === 'POST') return createToken(this.context, parseBody(text));
      if (path === '/payments') {
        if (method === 'POST') return createPayment(this.context, parseBody(text));
        if (method === 'GET') return listPayments(this.context, url.searchParams);
      }
      const payment = PAYMENT.exec(path);
      if (payment && method === 'GET') return getPayment(this.context, payment[1] ?? '');
      const action = PAYMENT_ACTION.exec(path);
      if (action) {
        const [, id = '', kind] = action;
        if (kind === 'actions' && method === 'GET') return listActions(this.context, id);
        if (method === 'POST') {
          const body = text.trim() === '' ? {} : parseBody(text);
          if (kind === 'captures') return capturePayment(this.context, id, body);
          if (kind === 'voids') return voidPayment(this.context, id, body);
          if (kind === 'refunds') return refundPayment(this.context, id, body);
        }
      }
      return { status: 404 };
    } catch (error) {
      if (error instanceof ApiError) return error.response;
      throw error;
    }
  }

  /** Answers, unless a fault says the answer is lost (hang, 500) or mangled (truncated body). */
  private finish(fault: RequestFault | null, response: SavedResponse, send: (status: number, text: string) => void, res: ServerResponse): void {
    switch (fault?.kind) {
      case 'charge_then_hang':
        return this.runtime.pending.hold(res);
      case 'charge_then_500':
        return send(500, '');
      case 'malformed_response':
        return send(response.status, response.text.slice(0, Math.ceil(response.text.length / 2)));
      default:
        return send(response.status, response.text);
    }
  }
}

function parseBody(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('request_body_malformed');
  }
  const body = record(value);
  if (body === null) throw invalid('request_body_malformed');
  return body;
}
