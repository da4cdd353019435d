import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestFaults } from '../../testkit/faults.js';
import { readBody } from '../../testkit/http-server.js';
import { SimulatorRuntime } from '../../testkit/simulator-runtime.js';
import { ApprovalRates, Latency } from '../../testkit/steering.js';
import { WebhookDispatcher, type PendingWebhook } from '../../testkit/webhook-dispatcher.js';
import type { RetrySchedule } from '../../testkit/webhook-schedules.js';
import type { WebhookKeys } from '../webhooks.js';
import { handleApi, record, type ApiContext, type ApiResponse, type Json } from './api.js';
import { Ledger } from './ledger.js';
import { notificationRequest } from './notifications.js';
import { Settlements } from './settlement.js';
import { TransactionStore, type SavedTransaction, type TransactionRecord } from './state.js';
import { transactionXml } from './xml.js';

/** The gateway's credentials: the merchant id in every path, and the key pair (the private key signs notifications). */
export interface BraintreeAccount extends WebhookKeys {
  merchantId: string;
}

/** What a Braintree simulator saves, and reads back at start. Never a card number or CVV. */
export interface SavedBraintreeSimulator {
  version: 1;
  provider: 'braintree';
  account: BraintreeAccount;
  transactions: SavedTransaction[];
  webhooks: PendingWebhook[];
}

export interface ServerConfig {
  host: string;
  port: number;
  account: BraintreeAccount;
  webhookUrl: string | null;
  merchantAccounts: ReadonlyMap<string, string>;
  settlementDelayMs: number | null;
  webhookRetry: { schedule: RetrySchedule; scale: number; concurrency?: number | undefined };
  statePath: string | null;
  saved: SavedBraintreeSimulator | null;
}

/** A notification as queued: its kind, the transaction XML as it was then, and when it happened. */
interface QueuedNotification {
  kind: string;
  transactionId: string;
  subject: string;
  at: string;
}

/**
 * The HTTP side: basic auth, faults, latency, then the transaction API; notifications go out
 * as transactions settle, retried on Braintree's schedule. Saves its state (when given a path)
 * soon after each change.
 */
export class SimulatorServer {
  readonly approval = new ApprovalRates();
  readonly latency = new Latency();
  readonly ledger: Ledger;
  readonly dispatcher: WebhookDispatcher;
  private readonly store = new TransactionStore();
  private readonly faults = new RequestFaults();
  private readonly settlements: Settlements;
  private readonly api: ApiContext;
  readonly runtime: SimulatorRuntime<SavedBraintreeSimulator>;
  private readonly authorization: string;
  private closed = false;

  constructor(private readonly config: ServerConfig) {
    const { account } = config;
    this.authorization = `Basic ${Buffer.from(`${account.publicKey}:${account.privateKey}`).toString('base64')}`;
    this.runtime = new SimulatorRuntime({
      host: config.host,
      port: config.port,
      statePath: config.statePath,
      serialize: () => this.saved(),
      handle: (req, res) => this.handle(req, res),
      faults: this.faults,
      stopSending: () => this.stopSending(),
    });
    this.dispatcher = new WebhookDispatcher({
      schedule: config.webhookRetry.schedule,
      retryScale: config.webhookRetry.scale,
      concurrency: config.webhookRetry.concurrency,
      url: config.webhookUrl,
      keepPayloads: false,
      // Signed once, when it happened: a retry resends the same notification.
      render: (payload) => {
        const { kind, subject, at } = payload as QueuedNotification;
        return notificationRequest(kind, subject, account, new Date(at));
      },
      onChange: () => this.runtime.changed(),
      onSettled: (delivery, payload) => {
        const last = delivery.attempts.at(-1);
        this.ledger.recordDelivery({ kind: delivery.type, transactionId: (payload as QueuedNotification).transactionId, status: last?.status ?? null });
      },
    });
    this.settlements = new Settlements(this.store, config.settlementDelayMs, Date.now, (t, kind) => {
      this.notify(t, kind);
      this.runtime.changed();
    });
    this.ledger = new Ledger(this.store, () => {
      this.settlements.stop();
      this.dispatcher.reset();
      this.runtime.changed();
    });
    this.api = { store: this.store, settlements: this.settlements, approval: this.approval, merchantAccounts: config.merchantAccounts, now: Date.now };
    if (config.saved) {
      this.store.restore(config.saved.transactions);
      this.settlements.resume();
      this.dispatcher.restore(config.saved.webhooks);
    }
  }

  /** Resolves once no transaction waits for its settlement timer and no notification is pending. */
  async idle(): Promise<void> {
    while (!this.closed && (this.settlements.busy || !this.dispatcher.isIdle())) {
      await this.dispatcher.idle();
      if (this.settlements.busy) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private saved(): SavedBraintreeSimulator {
    return {
      version: 1,
      provider: 'braintree',
      account: { ...this.config.account },
      transactions: this.store.saved(),
      webhooks: this.dispatcher.pending(),
    };
  }

  /** At close, before the port closes and the state is saved (transactions waiting to settle and undelivered notifications included). */
  private stopSending(): void {
    this.closed = true;
    this.settlements.stop();
    this.dispatcher.close();
  }

  // ---- requests ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => {});
    const method = (req.method ?? 'GET').toUpperCase();
    const path = new URL(req.url ?? '/', 'http://simulator.invalid').pathname;
    const text = await readBody(req);
    const entry = this.ledger.recordRequest(method, path, Date.now());
    const send = (answer: ApiResponse): void => {
      entry.status = answer.status;
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/xml; charset=utf-8' }).end(answer.body);
    };
    if (text === null) {
      res.destroy();
      return;
    }

    const fault = this.faults.take(method, path);
    entry.fault = fault?.kind ?? null;
    if (fault?.kind === 'hang') return this.runtime.pending.hold(res);
    if (!(await this.runtime.pending.delay(this.latency.nextMs()))) return void res.destroy();
    if (fault?.kind === 'http_error') return send(serverError(fault.status));

    const answer = this.respond(req, method, path, text);
    if (method !== 'GET') this.runtime.changed();
    switch (fault?.kind) {
      case 'charge_then_hang':
        return this.runtime.pending.hold(res);
      case 'charge_then_500':
        return send(serverError(500));
      case 'malformed_response':
        return send({ status: 200, body: answer.body.slice(0, Math.floor(answer.body.length / 2)) });
      default:
        return send(answer);
    }
  }

  private respond(req: IncomingMessage, method: string, path: string, text: string): ApiResponse {
    if (req.headers.authorization !== this.authorization) return { status: 401, body: '' };
    const prefix = `/merchants/${this.config.account.merchantId}`;
    if (!path.startsWith(`${prefix}/`)) return { status: 404, body: '' };
    let body: Json;
    try {
      body = text === '' ? {} : record(JSON.parse(text));
    } catch {
      return { status: 400, body: '' };
    }
    return handleApi(this.api, method, path.slice(prefix.length), body);
  }

  // ---- notifications ----

  /** Queues the notification Braintree posts when a transaction settles (or fails to), about the transaction as it is now. */
  private notify(transaction: TransactionRecord, kind: string): void {
    if (this.closed) return;
    const payload: QueuedNotification = { kind, transactionId: transaction.id, subject: transactionXml(transaction), at: new Date().toISOString() };
    this.dispatcher.enqueue({ type: kind, reference: transaction.refundedTransactionId ?? transaction.id, payload });
  }
}

/** Braintree's 5xx and 429 answers carry no body the SDK reads: the status alone picks its error. */
function serverError(status: number): ApiResponse {
  return { status, body: '' };
}
