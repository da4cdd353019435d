/**
 * A GoCardless Pro API simulator the official `gocardless-nodejs` talks to (over plain HTTP, through
 * the adapter's local agent): customers, customer bank accounts (IBAN or US routing and account
 * number), mandates (sepa_core, ach), payments that settle days later on the simulator's own clock
 * (pending_submission → submitted → confirmed → paid_out, or failed), refunds, returns after
 * collection (charged_back, late failure), GoCardless' error envelope, Idempotency-Key with its
 * `idempotent_creation_conflict` answer, and webhooks signed with `Webhook-Signature`. Node only.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestFaults, type RequestFault } from '../../testkit/faults.js';
import { firstHeader, readRequest } from '../../testkit/http-server.js';
import type { SimulatorControl } from '../../testkit/simulator.js';
import { readSavedSimulator, simulatorControl, SimulatorRuntime } from '../../testkit/simulator-runtime.js';
import { ApprovalRates, Latency } from '../../testkit/steering.js';
import { WebhookDispatcher, type PendingWebhook } from '../../testkit/webhook-dispatcher.js';
import type { RetrySchedule } from '../../testkit/webhook-schedules.js';
import {
  ApiError,
  cancelPayment,
  createBankAccount,
  createCustomer,
  createMandate,
  createPayment,
  createRefund,
  getBankAccount,
  getCustomer,
  getMandate,
  getPayment,
  getRefund,
  invalidState,
  listPayments,
  listRefunds,
  malformed,
  notFound,
  progress,
  returnPayment,
  type ApiContext,
  type ApiResponse,
} from './api.js';
import { createLedger, gcId, SimulatorState, type GoCardlessEvent, type PaymentFate, type SavedGoCardlessState } from './state.js';
import { signedRequest } from './webhook-signer.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * GoCardless retries a webhook that did not get a 2xx up to 10 times with increasing back-off over
 * roughly a week ("Webhooks: retries", developer.gocardless.com); the receiver has 10 s to answer.
 */
export const GOCARDLESS_RETRY_SCHEDULE: RetrySchedule = {
  delaysMs: [MINUTE, 5 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR, 48 * HOUR, 72 * HOUR],
  timeoutMs: 10_000,
};

export interface GoCardlessSimulatorOptions {
  /** The accepted access token. Default: the saved one, else any. */
  accessToken?: string;
  /** The webhook endpoint secret. Default: the saved one, else a new one. */
  webhookSecret?: string;
  webhookUrl?: string;
  webhookRetry?: { scale?: number };
  /** Where the simulator keeps its resources, idempotency keys and undelivered webhooks across restarts; omitted: in memory. */
  statePath?: string;
  host?: string;
  port?: number;
}

export interface GoCardlessSimulator extends SimulatorControl {
  readonly account: { accessToken: string | null; webhookSecret: string };
  /** Moves the bank's calendar on by `ms`: payments and refunds whose next step falls due move, and their events go out. */
  advance(ms: number): void;
  /** The payer's bank returns a collected payment (a chargeback, or a late failure such as SEPA AC04). */
  returnPayment(reference: string, kind: 'charged_back' | 'late_failure_settled', reasonCode: string): void;
  /** Makes the next payments fail at settlement with this cause and scheme reason code (`insufficient_funds`, AM04), until cleared with null. */
  failNextPayments(failure: { cause: string; reasonCode: string } | null, times?: number): void;
  /** A payment as the simulator holds it, with the mandate it is drawn under (its id and bank reference). */
  payment(reference: string): { status: string; amount: number; currency: string; metadata: Record<string, string>; mandate: { id: string; reference: string | null } } | undefined;
}

const ROUTES: { method: string; pattern: RegExp; run: (ctx: ApiContext, match: RegExpExecArray, body: () => Record<string, unknown>, query: URLSearchParams) => ApiResponse }[] = [
  { method: 'POST', pattern: /^\/customers$/, run: (ctx, _m, body) => createCustomer(ctx, body()) },
  { method: 'GET', pattern: /^\/customers\/(CU[0-9A-Z]+)$/, run: (ctx, m) => getCustomer(ctx, m[1]!) },
  { method: 'GET', pattern: /^\/customer_bank_accounts\/(BA[0-9A-Z]+)$/, run: (ctx, m) => getBankAccount(ctx, m[1]!) },
  { method: 'POST', pattern: /^\/customer_bank_accounts$/, run: (ctx, _m, body) => createBankAccount(ctx, body()) },
  { method: 'POST', pattern: /^\/mandates$/, run: (ctx, _m, body) => createMandate(ctx, body()) },
  { method: 'GET', pattern: /^\/mandates\/(MD[0-9A-Z]+)$/, run: (ctx, m) => getMandate(ctx, m[1]!) },
  { method: 'POST', pattern: /^\/payments$/, run: (ctx, _m, body) => createPayment(ctx, body()) },
  { method: 'GET', pattern: /^\/payments$/, run: (ctx, _m, _b, query) => listPayments(ctx, query) },
  { method: 'GET', pattern: /^\/payments\/(PM[0-9A-Z]+)$/, run: (ctx, m) => getPayment(ctx, m[1]!) },
  { method: 'POST', pattern: /^\/payments\/(PM[0-9A-Z]+)\/actions\/cancel$/, run: (ctx, m) => cancelPayment(ctx, m[1]!) },
  { method: 'POST', pattern: /^\/refunds$/, run: (ctx, _m, body) => createRefund(ctx, body()) },
  { method: 'GET', pattern: /^\/refunds$/, run: (ctx, _m, _b, query) => listRefunds(ctx, query) },
  { method: 'GET', pattern: /^\/refunds\/(RF[0-9A-Z]+)$/, run: (ctx, m) => getRefund(ctx, m[1]!) },
];

/** The envelope key of each creation: GoCardless wraps the request's fields in it. */
const ENVELOPE: Readonly<Record<string, string>> = {
  '/customers': 'customers',
  '/customer_bank_accounts': 'customer_bank_accounts',
  '/mandates': 'mandates',
  '/payments': 'payments',
  '/refunds': 'refunds',
};

interface SavedGoCardlessSimulator {
  version: 1;
  provider: 'gocardless';
  account: { accessToken: string | null; webhookSecret: string };
  state: SavedGoCardlessState;
  created: [string, string][];
  webhooks: PendingWebhook[];
}

export async function startGoCardlessSimulator(options: GoCardlessSimulatorOptions = {}): Promise<GoCardlessSimulator> {
  const statePath = options.statePath ?? null;
  const saved = await readSavedSimulator<SavedGoCardlessSimulator>(statePath, 'gocardless', 'GoCardless');
  const account = {
    accessToken: options.accessToken ?? saved?.account.accessToken ?? null,
    webhookSecret: options.webhookSecret ?? saved?.account.webhookSecret ?? randomBytes(24).toString('hex'),
  };
  const state = new SimulatorState();
  const faults = new RequestFaults();
  const approval = new ApprovalRates();
  const latency = new Latency();
  /** Idempotency-Key → the resource it created (GoCardless answers a reuse with a 409 naming it). */
  const created = new Map<string, string>(saved?.created);
  let forcedFailure: { cause: string; reasonCode: string; left: number | null } | null = null;

  const dispatcher = new WebhookDispatcher({
    schedule: GOCARDLESS_RETRY_SCHEDULE,
    retryScale: options.webhookRetry?.scale ?? 1,
    url: options.webhookUrl ?? null,
    render: (payload) => signedRequest(payload as GoCardlessEvent[], account.webhookSecret),
    onChange: () => runtime.changed(),
  });
  const runtime = new SimulatorRuntime<SavedGoCardlessSimulator>({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    statePath,
    serialize: () => ({
      version: 1,
      provider: 'gocardless',
      account: { ...account },
      state: state.saved(),
      created: [...created],
      webhooks: dispatcher.pending(),
    }),
    handle,
    faults,
    stopSending: () => dispatcher.close(),
  });
  const { pending } = runtime;
  if (saved) {
    state.restore(saved.state);
    dispatcher.restore(saved.webhooks);
  }
  const ctx: ApiContext = {
    state,
    fate({ currency, country }): PaymentFate {
      if (forcedFailure) {
        const { cause, reasonCode } = forcedFailure;
        if (forcedFailure.left !== null && --forcedFailure.left <= 0) forcedFailure = null;
        return { kind: 'fail', cause, reasonCode };
      }
      // Steering's approval rates: a debit the rates turn down fails for want of funds (SEPA AM04, ACH R01).
      return approval.approves({ network: 'bank_debit', currency, country })
        ? { kind: 'confirm' }
        : { kind: 'fail', cause: 'insufficient_funds', reasonCode: currency === 'USD' ? 'R01' : 'AM04' };
    },
    emit(event) {
      const full: GoCardlessEvent = { id: gcId('EV'), created_at: state.iso(), ...event };
      dispatcher.enqueue({ type: `${event.resource_type}.${event.action}`, reference: event.links['payment'] ?? null, payload: [full] });
    },
  };

  function run(method: string, url: URL, text: string, idempotencyKey: string | null): ApiResponse {
    try {
      const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
      if (!route) throw notFound();
      if (method === 'POST' && idempotencyKey) {
        const existing = created.get(idempotencyKey);
        if (existing) throw invalidState('idempotent_creation_conflict', 'A resource has already been created with this idempotency key', { conflicting_resource_id: existing });
      }
      const body = () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw malformed();
        }
        const envelope = ENVELOPE[url.pathname];
        const inner = envelope && typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[envelope] : undefined;
        if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw malformed();
        return inner as Record<string, unknown>;
      };
      const response = route.run(ctx, route.pattern.exec(url.pathname)!, body, url.searchParams);
      if (method === 'POST' && idempotencyKey && response.status === 201) {
        const resource = Object.values(response.body as Record<string, { id: string }>)[0]!;
        created.set(idempotencyKey, resource.id);
      }
      return response;
    } catch (error) {
      if (error instanceof ApiError) return error.response;
      throw error;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readRequest(req, res);
    if (request === null) return;
    const { method, url, body } = request;
    state.requests.push({ method, path: url.pathname });
    const send = (status: number, text: string) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': gcId('WB') }).end(text);
    };
    const fault: RequestFault | null = faults.take(method, url.pathname);
    if (fault?.kind === 'http_error') return send(fault.status, JSON.stringify(invalidServer(fault.status)));
    if (fault?.kind === 'hang') return pending.hold(res);
    const wait = latency.nextMs();
    if (wait > 0 && !(await pending.delay(wait))) return void res.destroy();
    const token = firstHeader(req, 'authorization')?.replace(/^Bearer\s+/i, '') ?? '';
    if (!token || (account.accessToken !== null && token !== account.accessToken)) {
      return send(401, JSON.stringify({ error: { message: 'Authentication failed', type: 'invalid_api_usage', code: 401, request_id: gcId('WB'), documentation_url: 'https://developer.gocardless.com/api-reference#authentication_failed', errors: [{ reason: 'authentication_failed', message: 'Authentication failed' }] } }));
    }
    const response = run(method, url, body, method === 'POST' ? firstHeader(req, 'idempotency-key') : null);
    if (method === 'POST') runtime.changed();
    const text = JSON.stringify(response.body);
    if (fault?.kind === 'charge_then_hang') return pending.hold(res);
    if (fault?.kind === 'charge_then_500') return send(500, JSON.stringify(invalidServer(500)));
    if (fault?.kind === 'malformed_response') return send(response.status, text.slice(0, Math.ceil(text.length / 2)));
    send(response.status, text);
  }

  await runtime.listen();
  const ledger = createLedger(state, () => {
    created.clear();
    dispatcher.reset();
    runtime.changed();
  });

  return {
    ...simulatorControl(runtime, { approval, latency, dispatcher }),
    account: { ...account },
    ledger,
    advance(ms) {
      state.offsetMs += ms;
      progress(ctx);
      runtime.changed();
    },
    returnPayment(reference, kind, reasonCode) {
      returnPayment(ctx, reference, kind, reasonCode);
      runtime.changed();
    },
    failNextPayments(failure, times) {
      forcedFailure = failure ? { ...failure, left: times ?? null } : null;
    },
    payment(reference) {
      const p = state.payments.get(reference);
      return p ? { status: p.status, amount: p.amount, currency: p.currency, metadata: { ...p.metadata }, mandate: { id: p.mandate, reference: state.mandates.get(p.mandate)?.reference ?? null } } : undefined;
    },
  };
}

function invalidServer(status: number) {
  return { error: { message: 'Uh-oh! Something went wrong on our end.', type: 'gocardless', code: status, request_id: gcId('WB'), documentation_url: 'https://developer.gocardless.com/api-reference#internal_server_error', errors: [{ reason: 'internal_server_error', message: 'Internal server error' }] } };
}
