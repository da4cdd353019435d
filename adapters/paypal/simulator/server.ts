import { createPublicKey, createPrivateKey, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestFaults, type RequestFault } from '../../testkit/faults.js';
import { firstHeader, readRequest } from '../../testkit/http-server.js';
import { SimulatorRuntime } from '../../testkit/simulator-runtime.js';
import { ApprovalRates, Latency } from '../../testkit/steering.js';
import { WebhookDispatcher, type PendingWebhook } from '../../testkit/webhook-dispatcher.js';
import type { RetrySchedule } from '../../testkit/webhook-schedules.js';
import * as api from './api.js';
import { ApiError, paypalError, record, type ApiContext, type ApiResponse } from './api.js';
import { newId } from './ids.js';
import { createLedger, SimulatorState, type LoggedRequest, type PayPalLedger, type SavedPayPalState } from './state.js';
import { paypalEvent, signedRequest, signedString, verifySignature, type SigningKey } from './webhook-signer.js';

export interface PayPalAccount {
  clientId: string;
  clientSecret: string;
  webhookId: string;
}

interface SavedResponse {
  status: number;
  text: string;
}

/** What a PayPal simulator saves and reads back at start: never a payer's credential (there are none). */
export interface SavedPayPalSimulator {
  version: 1;
  provider: 'paypal';
  account: PayPalAccount;
  /** The webhook signing key (PKCS #8 PEM) and its certificate id. */
  signing: { privateKey: string; certId: string };
  state: SavedPayPalState;
  requestIds: [string, SavedResponse][];
  webhooks: PendingWebhook[];
}

export interface ServerOptions {
  host: string;
  port: number;
  account: PayPalAccount;
  key: SigningKey;
  certId: string;
  webhookUrl: string | null;
  webhookRetry: { schedule: RetrySchedule; scale: number; concurrency?: number | undefined };
  statePath: string | null;
  saved: SavedPayPalSimulator | null;
}

const ORDER = /^\/v2\/checkout\/orders\/([A-Z0-9]+)(?:\/(capture|authorize))?$/;
const AUTHORIZATION = /^\/v2\/payments\/authorizations\/([A-Z0-9]+)(?:\/(capture|void))?$/;
const CAPTURE = /^\/v2\/payments\/captures\/([A-Z0-9]+)(?:\/(refund))?$/;
const REFUND = /^\/v2\/payments\/refunds\/([A-Z0-9]+)$/;
/** Access tokens live nine hours, as PayPal's do. */
const TOKEN_TTL_S = 32_400;

/**
 * PayPal's REST API as the server SDK speaks it: OAuth2 client credentials, Orders v2 and Payments
 * v2 with PayPal-Request-Id, the payer's approval page, webhooks signed SHA256withRSA and the
 * verify-webhook-signature call; the shared faults, steering and state file.
 */
export class PayPalSimulatorServer {
  readonly state = new SimulatorState();
  readonly faults = new RequestFaults();
  readonly approval = new ApprovalRates();
  readonly latency = new Latency();
  readonly dispatcher: WebhookDispatcher;
  readonly ledger: PayPalLedger;
  readonly context: ApiContext;
  private readonly tokens = new Set<string>();
  /** PayPal-Request-Id → the first 2xx answer, per path. */
  private readonly requestIds = new Map<string, SavedResponse>();
  readonly runtime: SimulatorRuntime<SavedPayPalSimulator>;

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
      render: (payload, at) => signedRequest(payload, options.key, options.account.webhookId, this.certUrl, at),
      onChange: () => this.runtime.changed(),
    });
    this.ledger = createLedger(this.state, () => {
      this.requestIds.clear();
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
      emit: (eventType, resourceType, resource, orderId) => {
        this.dispatcher.enqueue({ type: eventType, reference: orderId, payload: paypalEvent(eventType, resourceType, resource, server.runtime.baseUrl, new Date()) });
      },
    };
    if (options.saved) {
      this.state.restore(options.saved.state);
      for (const [key, response] of options.saved.requestIds) this.requestIds.set(key, response);
      this.dispatcher.restore(options.saved.webhooks);
    }
  }

  get certUrl(): string {
    return `${this.runtime.baseUrl}/v1/notifications/certs/CERT-${this.options.certId}`;
  }

  private saved(): SavedPayPalSimulator {
    return {
      version: 1,
      provider: 'paypal',
      account: { ...this.options.account },
      signing: { privateKey: this.options.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certId: this.options.certId },
      state: this.state.saved(),
      requestIds: [...this.requestIds],
      webhooks: this.dispatcher.pending(),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readRequest(req, res);
    if (request === null) return;
    const { method, url, body } = request;
    if (url.pathname === '/checkoutnow' || url.pathname === '/checkoutnow/approve') return this.approvalPage(url, res);

    const requestId = method === 'POST' ? firstHeader(req, 'paypal-request-id') : null;
    const entry: LoggedRequest = { method, path: url.pathname, requestId, replayed: false, status: null, fault: null };
    this.state.requests.push(entry);
    const debugId = newId(13).toLowerCase();
    const send = (status: number, text: string): void => {
      entry.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { 'paypal-debug-id': debugId, ...(text ? { 'content-type': 'application/json' } : {}) });
      res.end(text);
    };
    const respond = (response: ApiResponse): void => send(response.status, response.body === undefined ? '' : JSON.stringify(response.body));

    const fault = this.faults.take(method, url.pathname);
    entry.fault = fault?.kind ?? null;
    if (fault?.kind === 'http_error') {
      return respond(fault.status === 429 ? paypalError(429, 'RATE_LIMIT_REACHED', null, 'Too many requests. Blocked due to rate limiting.').response : paypalError(fault.status, 'INTERNAL_SERVER_ERROR', null, 'An internal server error occurred.').response);
    }
    if (fault?.kind === 'hang') return this.runtime.pending.hold(res);
    const latency = this.latency.nextMs();
    if (latency > 0 && !(await this.runtime.pending.delay(latency))) return void res.destroy();

    if (url.pathname === '/v1/oauth2/token' && method === 'POST') return this.finish(fault, this.token(req, body), send, res);
    if (url.pathname.startsWith('/v1/notifications/certs/') && method === 'GET') return this.certificate(url, res);
    if (!this.tokens.has(firstHeader(req, 'authorization')?.replace(/^Bearer\s+/i, '') ?? '')) {
      return respond(paypalError(401, 'AUTHENTICATION_FAILURE', null, 'Authentication failed due to invalid authentication credentials or a missing Authorization header.').response);
    }
    const key = requestId === null ? null : `${url.pathname}\n${requestId}`;
    const stored = key === null ? undefined : this.requestIds.get(key);
    if (stored) {
      entry.replayed = true;
      return this.finish(fault, stored, send, res);
    }
    const result = this.run(method, url, body, firstHeader(req, 'prefer'));
    const saved: SavedResponse = { status: result.status, text: result.body === undefined ? '' : JSON.stringify(result.body) };
    if (key !== null && result.status < 300) this.requestIds.set(key, saved);
    this.runtime.changed();
    this.finish(fault, saved, send, res);
  }

  /** POST /v1/oauth2/token: client credentials in Basic auth, `grant_type=client_credentials`. */
  private token(req: IncomingMessage, body: string): SavedResponse {
    const basic = /^Basic\s+(.+)$/i.exec(firstHeader(req, 'authorization') ?? '')?.[1];
    const [id, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [];
    const { clientId, clientSecret } = this.options.account;
    if (new URLSearchParams(body).get('grant_type') !== 'client_credentials') return { status: 400, text: JSON.stringify({ error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' }) };
    if (id !== clientId || secret !== clientSecret) return { status: 401, text: JSON.stringify({ error: 'invalid_client', error_description: 'Client Authentication failed' }) };
    const token = `A21AA${randomBytes(24).toString('base64url')}`;
    this.tokens.add(token);
    return { status: 200, text: JSON.stringify({ scope: 'https://uri.paypal.com/services/payments/payment', access_token: token, token_type: 'Bearer', app_id: 'APP-80W284485P519543T', expires_in: TOKEN_TTL_S, nonce: `${new Date().toISOString()}${randomBytes(8).toString('hex')}` }) };
  }

  /** The signing certificate's public key, PEM (the simulator has no CA to issue an X.509 certificate). */
  private certificate(url: URL, res: ServerResponse): void {
    if (!this.certUrl.endsWith(url.pathname)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(this.options.key.publicKey.export({ type: 'spki', format: 'pem' }));
  }

  private run(method: string, url: URL, text: string, prefer: string | null): ApiResponse {
    try {
      const path = url.pathname;
      const body = method === 'POST' ? parseBody(text) : {};
      if (path === '/v2/checkout/orders' && method === 'POST') return api.createOrder(this.context, body);
      if (path === '/v1/notifications/verify-webhook-signature' && method === 'POST') return this.verify(body);
      const order = ORDER.exec(path);
      if (order) {
        if (!order[2] && method === 'GET') return api.getOrder(this.context, order[1]!);
        if (order[2] && method === 'POST') return api.completeOrder(this.context, order[1]!, order[2] as 'capture' | 'authorize');
      }
      const authorization = AUTHORIZATION.exec(path);
      if (authorization) {
        if (!authorization[2] && method === 'GET') return api.getAuthorization(this.context, authorization[1]!);
        if (authorization[2] === 'capture' && method === 'POST') return api.captureAuthorization(this.context, authorization[1]!, body);
        if (authorization[2] === 'void' && method === 'POST') return api.voidAuthorization(this.context, authorization[1]!, prefer === 'return=representation');
      }
      const capture = CAPTURE.exec(path);
      if (capture) {
        if (!capture[2] && method === 'GET') return api.getCapture(this.context, capture[1]!);
        if (capture[2] && method === 'POST') return api.refundCapture(this.context, capture[1]!, body);
      }
      const refund = REFUND.exec(path);
      if (refund && method === 'GET') return api.getRefund(this.context, refund[1]!);
      return api.notFound().response;
    } catch (error) {
      if (error instanceof ApiError) return error.response;
      throw error;
    }
  }

  /** POST /v1/notifications/verify-webhook-signature: this webhook's id, this simulator's certificate, its key's signature. */
  private verify(body: Record<string, unknown>): ApiResponse {
    const fields = ['auth_algo', 'cert_url', 'transmission_id', 'transmission_sig', 'transmission_time', 'webhook_id'] as const;
    const values = fields.map((f) => body[f]);
    const event = record(body['webhook_event']);
    if (values.some((v) => typeof v !== 'string' || v === '') || event === null) return paypalError(400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_PARAMETER', 'Invalid request - see details.').response;
    const [algo, certUrl, transmissionId, sig, time, webhookId] = values as string[];
    const ok =
      algo === 'SHA256withRSA' &&
      certUrl === this.certUrl &&
      webhookId === this.options.account.webhookId &&
      verifySignature(this.options.key.publicKey, signedString(transmissionId!, time!, webhookId!, JSON.stringify(event)), sig!);
    return { status: 200, body: { verification_status: ok ? 'SUCCESS' : 'FAILURE' } };
  }

  /**
   * The payer's approval page, where `payer-action` points. `approve?result=succeed` logs the payer
   * in (the order's email hint picks the sandbox payer) and approves; `result=fail` cancels. Either
   * way the browser goes back as PayPal sends it: to return_url with `token` and `PayerID`, or to
   * cancel_url with `token` only.
   */
  private approvalPage(url: URL, res: ServerResponse): void {
    const page = (status: number, text: string, location?: string): void => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...(location ? { location } : {}) }).end(`<!doctype html><title>PayPal simulator</title><p>${text}</p>`);
    };
    const order = this.state.orders.get(url.searchParams.get('token') ?? '');
    if (!order) return page(404, 'Unknown order.');
    if (url.pathname === '/checkoutnow') {
      const action = `/checkoutnow/approve?token=${order.id}`;
      return page(200, `Pay ${order.value} ${order.currency} with PayPal. <a href="${action}&amp;result=succeed">Agree and pay</a> or <a href="${action}&amp;result=fail">Cancel and return to the merchant</a>.`);
    }
    if (order.status !== 'PAYER_ACTION_REQUIRED') return page(409, `Already ${order.status}.`);
    const approved = url.searchParams.get('result') === 'succeed';
    if (approved) api.approveOrder(this.context, order);
    this.runtime.changed();
    const back = approved ? order.returnUrl : order.cancelUrl;
    if (!back) return page(200, approved ? 'Approved.' : 'Cancelled.');
    const location = new URL(back);
    location.searchParams.set('token', order.id);
    if (approved) location.searchParams.set('PayerID', order.payer!.payerId);
    page(302, 'Back to the merchant.', location.toString());
  }

  private finish(fault: RequestFault | null, response: SavedResponse, send: (status: number, text: string) => void, res: ServerResponse): void {
    switch (fault?.kind) {
      case 'charge_then_hang':
        return this.runtime.pending.hold(res);
      case 'charge_then_500':
        return send(500, JSON.stringify(paypalError(500, 'INTERNAL_SERVER_ERROR', null, 'An internal server error occurred.').response.body));
      case 'malformed_response':
        return send(response.status, response.text.slice(0, Math.ceil(response.text.length / 2)));
      default:
        return send(response.status, response.text);
    }
  }
}

function parseBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw paypalError(400, 'INVALID_REQUEST', 'MALFORMED_REQUEST_JSON', 'The request JSON is not well formed.');
  }
  const body = record(value);
  if (body === null) throw paypalError(400, 'INVALID_REQUEST', 'MALFORMED_REQUEST_JSON', 'The request JSON is not well formed.');
  return body;
}

export function signingKeyFrom(saved: SavedPayPalSimulator['signing']): SigningKey {
  const privateKey = createPrivateKey(saved.privateKey);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
