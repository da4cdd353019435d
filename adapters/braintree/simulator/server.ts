import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestFaults } from '../../testkit/faults.js';
import { FaultSwitch, PendingRequests, readBody, SimulatorHttpServer } from '../../testkit/http-server.js';
import type { FaultOptions, SimulatorFault } from '../../testkit/simulator.js';
import { ApprovalRates, Latency } from '../../testkit/steering.js';
import type { WebhookKeys } from '../webhooks.js';
import { handleApi, record, type ApiContext, type ApiResponse, type Json } from './api.js';
import { Ledger } from './ledger.js';
import { notificationRequest } from './notifications.js';
import { Settlements, type SettlementKind } from './settlement.js';
import { TransactionStore, type TransactionRecord } from './state.js';
import { transactionXml } from './xml.js';

export interface ServerConfig extends WebhookKeys {
  host: string;
  port: number;
  merchantId: string;
  webhookUrl: string | null;
  merchantAccounts: ReadonlyMap<string, string>;
  settlementDelayMs: number | null;
}

/**
 * The HTTP side: basic auth, faults, latency, then the transaction API; notifications go out
 * as transactions settle.
 */
export class SimulatorServer {
  readonly approval = new ApprovalRates();
  readonly latency = new Latency();
  readonly ledger: Ledger;
  private readonly store = new TransactionStore();
  private readonly faults = new RequestFaults();
  private readonly settlements: Settlements;
  private readonly api: ApiContext;
  private readonly http: SimulatorHttpServer;
  private readonly pending = new PendingRequests();
  private readonly faultSwitch: FaultSwitch;
  private readonly deliveries = new Set<AbortController>();
  private readonly authorization: string;
  private closed = false;

  constructor(private readonly config: ServerConfig) {
    this.authorization = `Basic ${Buffer.from(`${config.publicKey}:${config.privateKey}`).toString('base64')}`;
    this.settlements = new Settlements(this.store, config.settlementDelayMs, Date.now, (t, kind) => this.notify(t, kind));
    this.ledger = new Ledger(this.store, () => this.settlements.stop());
    this.api = { store: this.store, settlements: this.settlements, approval: this.approval, merchantAccounts: config.merchantAccounts, now: Date.now };
    this.http = new SimulatorHttpServer(config.host, config.port, (req, res) => {
      this.handle(req, res).catch(() => {
        if (res.headersSent) res.destroy();
        else res.writeHead(500).end();
      });
    });
    this.faultSwitch = new FaultSwitch(this.faults, this.http, this.pending);
  }

  listen(): Promise<{ host: string; port: number; url: string }> {
    return this.http.listen();
  }

  setFault(fault: SimulatorFault, options?: FaultOptions): Promise<void> {
    return this.faultSwitch.set(fault, options);
  }

  clearFault(): Promise<void> {
    return this.faultSwitch.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.settlements.stop();
    for (const delivery of this.deliveries) delivery.abort();
    this.pending.close();
    await this.http.close();
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
    if (fault?.kind === 'hang') return this.pending.hold(res);
    if (!(await this.pending.delay(this.latency.nextMs()))) return void res.destroy();
    if (fault?.kind === 'http_error') return send(serverError(fault.status));

    const answer = this.respond(req, method, path, text);
    switch (fault?.kind) {
      case 'charge_then_hang':
        return this.pending.hold(res);
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
    const prefix = `/merchants/${this.config.merchantId}`;
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

  private notify(transaction: TransactionRecord, kind: SettlementKind): void {
    const url = this.config.webhookUrl;
    if (!url || this.closed) return;
    const subject = transactionXml(transaction);
    const controller = new AbortController();
    this.deliveries.add(controller);
    const deliver = async (): Promise<number | null> => {
      const request = await notificationRequest(kind, subject, this.config, new Date());
      const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.rawBody, signal: controller.signal });
      await response.body?.cancel();
      return response.status;
    };
    deliver()
      .catch(() => null)
      .then((status) => {
        this.deliveries.delete(controller);
        if (!controller.signal.aborted) this.ledger.recordDelivery({ kind, transactionId: transaction.id, status });
      });
  }
}

/** Braintree's 5xx and 429 answers carry no body the SDK reads: the status alone picks its error. */
function serverError(status: number): ApiResponse {
  return { status, body: '' };
}
