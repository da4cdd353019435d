import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestFaults, type RequestFault } from '../../testkit/faults.js';
import { firstHeader, readRequest } from '../../testkit/http-server.js';
import { SimulatorRuntime } from '../../testkit/simulator-runtime.js';
import { ApprovalRates, Latency } from '../../testkit/steering.js';
import type { PendingWebhook } from '../../testkit/webhook-dispatcher.js';
import type { RetrySchedule } from '../../testkit/webhook-schedules.js';
import { authorisationNotification, type AccountContext } from './account.js';
import { AdyenApiError, errors, faultBody, type ApiResponse } from './errors.js';
import { IdempotencyStore, type SavedIdempotencyEntry, type SavedResponse } from './idempotency.js';
import { paymentDetails } from './details.js';
import { createModification, decideModification, reportFailure } from './modifications.js';
import { Notifier, type PendingJob } from './notifications.js';
import { createPayment, isRecord } from './payments.js';
import { returnDebit, settleDueDebits } from './bank-debits.js';
import { createLedger, SimulatorState, type AdyenLedger, type LoggedRequest, type ModificationKind, type SavedAdyenState } from './state.js';
import { createTechnicalCancel, decideTechnicalCancel } from './technical-cancel.js';
import { threeDSecurePage } from './three-d-secure.js';
import type { NotificationFields } from './webhook-signer.js';

const MODIFICATION_PATH = /^\/v72\/payments\/([A-Za-z0-9]+)\/(captures|refunds|cancels|reversals)$/;
const MODIFICATION_KINDS: Record<string, ModificationKind> = {
  captures: 'capture',
  refunds: 'refund',
  cancels: 'cancel',
  reversals: 'reversal',
};

/** The account's credentials: the API key clients send, the merchant account, the notifications' HMAC key. */
export interface AdyenAccount {
  /** Null: any non-empty X-API-Key is accepted. */
  apiKey: string | null;
  /** Null: any merchant account is accepted. */
  merchantAccount: string | null;
  hmacKey: string;
}

/** What an Adyen simulator saves, and reads back at start. Never a card number or CVC. */
export interface SavedAdyenSimulator {
  version: 1;
  provider: 'adyen';
  account: AdyenAccount & { idempotencySecret: string };
  state: SavedAdyenState;
  idempotency: SavedIdempotencyEntry[];
  jobs: PendingJob[];
  webhooks: PendingWebhook[];
  /** How far `advanceBank` moved the bank's calendar ahead of the clock (absent in files saved before bank debits). */
  bankOffsetMs?: number;
}

export interface ServerOptions {
  host: string;
  port: number;
  account: AdyenAccount;
  webhookUrl: string | null;
  notificationDelayMs: number;
  webhookRetry: { schedule: RetrySchedule; scale: number; concurrency?: number | undefined };
  statePath: string | null;
  saved: SavedAdyenSimulator | null;
  /** How long after it is received a bank debit settles on the bank's calendar. */
  debitSettlementMs: number;
}

/**
 * The HTTP side: reads a request, applies faults and latency, authenticates, runs Adyen's
 * idempotency around the endpoint and writes Adyen's JSON. Saves its state (when given a path)
 * soon after each change.
 */
export class AdyenSimulatorServer {
  readonly state = new SimulatorState();
  readonly faults = new RequestFaults();
  readonly approval = new ApprovalRates();
  readonly latency = new Latency();
  readonly notifier: Notifier;
  readonly ledger: AdyenLedger;
  private readonly idempotency: IdempotencyStore;
  readonly runtime: SimulatorRuntime<SavedAdyenSimulator>;
  private bankOffsetMs = 0;
  private readonly context: AccountContext;

  constructor(private readonly options: ServerOptions) {
    const { saved } = options;
    this.runtime = new SimulatorRuntime({
      host: options.host,
      port: options.port,
      statePath: options.statePath,
      serialize: () => this.saved(),
      handle: (req, res) => this.handle(req, res),
      faults: this.faults,
      internalError: () => ({ headers: { 'content-type': 'application/json;charset=UTF-8' }, body: JSON.stringify(faultBody(500)) }),
      stopSending: () => this.notifier.close(),
    });
    this.idempotency = new IdempotencyStore(saved ? Buffer.from(saved.account.idempotencySecret, 'base64') : undefined);
    this.notifier = new Notifier({
      hmacKey: options.account.hmacKey,
      webhookUrl: options.webhookUrl,
      delayMs: options.notificationDelayMs,
      retry: options.webhookRetry,
      onChange: () => this.runtime.changed(),
    });
    this.ledger = createLedger(this.state, () => {
      this.idempotency.clear();
      this.notifier.reset();
      this.runtime.changed();
    });
    const server = this;
    this.context = {
      state: this.state,
      approval: this.approval,
      notifier: this.notifier,
      get baseUrl() {
        return server.runtime.baseUrl;
      },
      bank: { now: () => Date.now() + server.bankOffsetMs, settlementMs: options.debitSettlementMs },
    };
    if (saved) {
      this.state.restore(saved.state);
      this.bankOffsetMs = saved.bankOffsetMs ?? 0;
      this.idempotency.restore(saved.idempotency);
      this.notifier.restore(saved.jobs, saved.webhooks, (job) => this.resumeJob(job));
    }
  }

  /** Moves the bank's calendar on by `ms`: debits falling due settle and their AUTHORISATION goes out. */
  advanceBank(ms: number): void {
    this.bankOffsetMs += ms;
    settleDueDebits(this.context);
    this.runtime.changed();
  }

  /** The payer's bank returns a collected debit: a CHARGEBACK notification with this reason code. */
  returnDebit(pspReference: string, reasonCode: string): void {
    returnDebit(this.context, pspReference, reasonCode);
    this.runtime.changed();
  }

  private saved(): SavedAdyenSimulator {
    return {
      version: 1,
      provider: 'adyen',
      account: { ...this.options.account, idempotencySecret: this.idempotency.secret.toString('base64') },
      state: this.state.saved(),
      idempotency: this.idempotency.saved(),
      jobs: this.notifier.pendingJobs(),
      webhooks: this.notifier.dispatcher.pending(),
      bankOffsetMs: this.bankOffsetMs,
    };
  }

  /** A saved job's work, against the restored state. */
  private resumeJob(job: PendingJob): (() => NotificationFields[]) | null {
    if (job.kind === 'technical_cancel') {
      const { kind: _kind, ...cancel } = job;
      return () => decideTechnicalCancel(this.context, cancel);
    }
    if (job.kind === 'authorisation') {
      const payment = this.state.payments.get(job.pspReference);
      return payment ? () => [authorisationNotification(payment)] : null;
    }
    const modification = this.state.modifications.get(job.pspReference);
    const payment = modification && this.state.payments.get(modification.paymentPspReference);
    if (!modification || !payment) return null;
    if (job.kind === 'modification') return modification.status === 'received' ? () => decideModification(this.context, payment, modification) : null;
    return () => reportFailure(payment, modification, job.eventCode);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Time passed on its own too: whatever fell due settles before the request is answered.
    settleDueDebits(this.context);
    const request = await readRequest(req, res);
    if (request === null) return;
    const { method, url, body } = request;
    if (url.pathname.startsWith('/_sim/')) {
      const page = threeDSecurePage(this.context, url);
      this.runtime.changed();
      res.writeHead(page.status, { 'content-type': 'text/html; charset=utf-8', ...(page.location ? { location: page.location } : {}) }).end(page.html);
      return;
    }

    const idempotencyKey = firstHeader(req, 'idempotency-key');
    const entry: LoggedRequest = { method, path: url.pathname, idempotencyKey, replayed: false, status: null, fault: null };
    this.state.requests.push(entry);
    const send = (status: number, text: string, headers: Record<string, string> = {}): void => {
      entry.status = status;
      if (res.destroyed) return;
      res.writeHead(status, {
        'content-type': 'application/json;charset=UTF-8',
        ...(idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey }),
        ...headers,
      });
      res.end(text);
    };
    const respond = (response: ApiResponse): void => send(response.status, JSON.stringify(response.body), response.headers);

    const fault = this.faults.take(method, url.pathname);
    entry.fault = fault?.kind ?? null;
    if (fault?.kind === 'http_error') return respond({ status: fault.status, body: faultBody(fault.status) });
    if (fault?.kind === 'hang') return this.runtime.pending.hold(res);

    const latency = this.latency.nextMs();
    const waited = async (): Promise<boolean> => {
      if (latency > 0 && !(await this.runtime.pending.delay(latency))) {
        res.destroy();
        return false;
      }
      return true;
    };

    const admitted = this.admit(req, body);
    if (!admitted.ok) {
      if (await waited()) respond(admitted.error.toResponse());
      return;
    }

    const decision = idempotencyKey === null ? null : this.idempotency.begin(admitted.apiKey, idempotencyKey, method, url.pathname, body);
    if (decision?.kind === 'reject') return (await waited()) ? respond(decision.response) : undefined;
    if (decision?.kind === 'replay') {
      if (!(await waited())) return;
      entry.replayed = true;
      return this.finish(fault, decision.response, send, res);
    }
    if (!(await waited())) {
      decision?.release();
      return;
    }

    const result = this.run(method, url.pathname, admitted.body);
    const saved: SavedResponse = { status: result.status, text: JSON.stringify(result.body) };
    if (decision !== null) {
      if (result.status < 300) decision.save(saved);
      else decision.release();
    }
    this.runtime.changed();
    this.finish(fault, saved, send, res, result.headers);
  }

  /** 401 for a missing or wrong X-API-Key, 400 for a body that is not a JSON object, 403 for another merchant account. */
  private admit(
    req: IncomingMessage,
    text: string,
  ): { ok: true; apiKey: string; body: Record<string, unknown> } | { ok: false; error: AdyenApiError } {
    const key = firstHeader(req, 'x-api-key');
    if (!key || (this.options.account.apiKey !== null && key !== this.options.account.apiKey)) return { ok: false, error: errors.unauthorized() };
    const body = parseObject(text);
    if (body === null) return { ok: false, error: errors.unparsable() };
    const account = body['merchantAccount'];
    const allowed = this.options.account.merchantAccount;
    if (allowed !== null && typeof account === 'string' && account !== allowed) return { ok: false, error: errors.merchantAccountNotAllowed() };
    return { ok: true, apiKey: key, body };
  }

  private run(method: string, path: string, body: Record<string, unknown>): ApiResponse {
    try {
      if (method === 'POST' && path === '/v72/payments') return createPayment(this.context, body);
      if (method === 'POST' && path === '/v72/payments/details') return paymentDetails(this.context, body);
      if (method === 'POST' && path === '/v72/cancels') {
        const { response, cancel } = createTechnicalCancel(body);
        this.notifier.schedule(() => decideTechnicalCancel(this.context, cancel), undefined, { kind: 'technical_cancel', ...cancel });
        return response;
      }
      const match = MODIFICATION_PATH.exec(path);
      const kind = match ? MODIFICATION_KINDS[match[2] ?? ''] : undefined;
      if (method === 'POST' && match && kind) return createModification(this.context, kind, match[1] ?? '', body);
      return errors.notFound().toResponse();
    } catch (error) {
      if (error instanceof AdyenApiError) return error.toResponse();
      throw error;
    }
  }

  /** Answers, unless a fault says the answer is lost (hang, 500) or mangled (truncated body). */
  private finish(
    fault: RequestFault | null,
    response: SavedResponse,
    send: (status: number, text: string, headers?: Record<string, string>) => void,
    res: ServerResponse,
    headers?: Record<string, string>,
  ): void {
    switch (fault?.kind) {
      case 'charge_then_hang':
        return this.runtime.pending.hold(res);
      case 'charge_then_500':
        return send(500, JSON.stringify(faultBody(500)));
      case 'malformed_response':
        return send(response.status, response.text.slice(0, Math.ceil(response.text.length / 2)));
      default:
        return send(response.status, response.text, headers);
    }
  }
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}
