import { createPublicKey, ECDH, randomBytes, verify } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestFaults, type RequestFault } from '../../testkit/faults.js';
import { firstHeader, readRequest } from '../../testkit/http-server.js';
import { SimulatorRuntime } from '../../testkit/simulator-runtime.js';
import { ApprovalRates, Latency } from '../../testkit/steering.js';
import { WebhookDispatcher, type PendingWebhook } from '../../testkit/webhook-dispatcher.js';
import type { RetrySchedule } from '../../testkit/webhook-schedules.js';
import { BITPAY_PRICE_CURRENCIES, isCryptoCurrency } from '../amounts.js';
import { createLedger, SimulatorState, type BitPayLedger, type InvoiceRecord, type InvoiceStatus, type RefundRecord, type SavedBitPayState } from './state.js';

export interface BitPayAccount {
  /** The merchant facade token, paired with `identity`. */
  merchantToken: string;
  /** The paired key's public key, compressed, hex: what the SDK sends as `X-Identity`. */
  identity: string;
}

export interface SavedBitPaySimulator {
  version: 1;
  provider: 'bitpay';
  account: BitPayAccount;
  state: SavedBitPayState;
  webhooks: PendingWebhook[];
}

export interface ServerOptions {
  host: string;
  port: number;
  account: BitPayAccount;
  webhookUrl: string | null;
  webhookRetry: { schedule: RetrySchedule; scale: number; concurrency?: number | undefined };
  statePath: string | null;
  saved: SavedBitPaySimulator | null;
  now: () => Date;
}

/** How long a payer has to pay an invoice: BitPay's 15 minutes. */
const INVOICE_TTL_MS = 15 * 60_000;
/** Simulated rates, fiat major units per coin. */
const USD_PER_COIN: Readonly<Record<string, number>> = { BTC: 60_000, BCH: 400, LTC: 80, DOGE: 0.15 };
const USD_PER_FIAT: Readonly<Record<string, number>> = { USD: 1, EUR: 1.08, GBP: 1.27, CAD: 0.73, AUD: 0.66, NZD: 0.6, CHF: 1.12, JPY: 0.0067, MXN: 0.058 };
/** The network fee BitPay adds to `paymentTotals` over `paymentSubtotals`, in the coin's smallest unit. */
const NETWORK_FEE: Readonly<Record<string, number>> = { BTC: 2_000, BCH: 500, LTC: 5_000, DOGE: 100_000_000 };
const COINS = Object.keys(USD_PER_COIN);

const INVOICE = /^\/invoices\/([A-Za-z0-9]+)$/;
const INVOICE_BY_GUID = /^\/invoices\/guid\/([^/]+)$/;
const REFUND = /^\/refunds\/([A-Za-z0-9]+)$/;
const REFUND_BY_GUID = /^\/refunds\/guid\/([^/]+)$/;
const PAGE = /^\/i\/([A-Za-z0-9]+)(\/pay)?$/;

/** BitPay's IPN codes (developer.bitpay.com, "Notification Codes"). */
const EVENTS: Partial<Record<InvoiceStatus, { code: number; name: string }>> = {
  paid: { code: 1003, name: 'invoice_paidInFull' },
  expired: { code: 1004, name: 'invoice_expired' },
  confirmed: { code: 1005, name: 'invoice_confirmed' },
  complete: { code: 1006, name: 'invoice_completed' },
  invalid: { code: 1013, name: 'invoice_failedToConfirm' },
};

/** BitPay's refund IPN codes (developer.bitpay.com, "Notifications: Refunds"; the adapter reads only the `refund_` prefix). */
const REFUND_EVENTS: Readonly<Record<RefundRecord['status'], { code: number; name: string } | null>> = {
  created: { code: 7001, name: 'refund_created' },
  success: { code: 7003, name: 'refund_success' },
  canceled: null,
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
  ) {
    super(text);
  }
}

const newId = () => randomBytes(16).toString('base64url').replace(/[-_]/g, '').slice(0, 22).padEnd(22, 'X');

/**
 * BitPay's REST API as bitpay-sdk speaks it: invoices (create, get by id or guid, cancel), refunds
 * (create, get by id or guid), requests signed with the merchant's key (`X-Identity`, `X-Signature`:
 * ECDSA secp256k1 over SHA-256 of URL and body) and its token; the payer's hosted page; unsigned IPNs
 * in the extended format; the shared faults, steering and state file.
 */
export class BitPaySimulatorServer {
  readonly state = new SimulatorState();
  readonly faults = new RequestFaults();
  readonly approval = new ApprovalRates();
  readonly latency = new Latency();
  readonly dispatcher: WebhookDispatcher;
  readonly ledger: BitPayLedger;
  readonly runtime: SimulatorRuntime<SavedBitPaySimulator>;
  private readonly identityKey;
  private holding = false;

  constructor(private readonly options: ServerOptions) {
    this.identityKey = publicKeyOf(options.account.identity);
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
      // BitPay's IPNs carry no signature: JSON with Accept and Content-Type headers only.
      render: (payload) => ({ headers: { accept: 'application/json', 'content-type': 'application/json' }, rawBody: JSON.stringify(payload) }),
      onChange: () => this.runtime.changed(),
    });
    this.ledger = createLedger(this.state, () => {
      this.dispatcher.reset();
      this.runtime.changed();
    });
    if (options.saved) {
      this.state.restore(options.saved.state);
      this.dispatcher.restore(options.saved.webhooks);
    }
  }

  /** The payer's time runs out: an invoice still `new` expires now (with `paidPartial` when part was paid). */
  expire(id: string): void {
    const invoice = this.state.invoices.get(id);
    if (invoice?.status === 'new') this.move(invoice, 'expired');
  }

  /** While held, a paid invoice waits at `paid` (on the chain, not yet confirmed) until `confirm`. */
  holdConfirmations(held: boolean): void {
    this.holding = held;
  }

  /** The chain confirms a paid invoice: `confirmed`, or `invalid` for the steered share. */
  confirm(id: string): void {
    const invoice = this.state.invoices.get(id);
    if (invoice?.status === 'paid') this.move(invoice, this.approval.approves({ network: 'crypto', currency: invoice.currency, country: '' }) ? 'confirmed' : 'invalid');
  }

  /** The payer gave a refund address and BitPay sent the refund. */
  settleRefund(id: string): void {
    const refund = this.state.refund((r) => r.id === id);
    if (refund?.status === 'created') {
      refund.status = 'success';
      this.runtime.changed();
      this.notifyRefund(refund);
    }
  }

  /** A refund IPN in the extended format (the default for refunds), to the same notification URL as the invoice's. */
  private notifyRefund(refund: RefundRecord): void {
    const event = REFUND_EVENTS[refund.status];
    if (!event) return;
    const data = { id: refund.id, invoice: refund.invoice, status: refund.status, amount: refund.amount, currency: refund.currency, refundFee: 0, immediate: false, buyerPaysRefundFee: false, requestDate: refund.requestDate };
    this.dispatcher.enqueue({ type: event.name, reference: refund.invoice, payload: { event, data } });
  }

  private saved(): SavedBitPaySimulator {
    return { version: 1, provider: 'bitpay', account: { ...this.options.account }, state: this.state.saved(), webhooks: this.dispatcher.pending() };
  }

  private move(invoice: InvoiceRecord, status: InvoiceStatus): void {
    invoice.status = status;
    this.runtime.changed();
    const event = EVENTS[status];
    if (event) this.dispatcher.enqueue({ type: event.name, reference: invoice.id, payload: { event, data: this.ipnData(invoice) } });
  }

  /** Invoices past their expiration time expire when next looked at. */
  private current(invoice: InvoiceRecord): InvoiceRecord {
    if (invoice.status === 'new' && this.options.now().getTime() >= invoice.expirationTime) this.move(invoice, 'expired');
    return invoice;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readRequest(req, res);
    if (request === null) return;
    const { method, url, body } = request;
    const page = PAGE.exec(url.pathname);
    if (page && method === 'GET') return this.hostedPage(page[1]!, page[2] !== undefined, url, res);

    const entry = { method, path: url.pathname, status: null as number | null };
    this.state.requests.push(entry);
    const send = (status: number, text: string): void => {
      entry.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    };
    const fault = this.faults.take(method, url.pathname);
    if (fault?.kind === 'http_error') return send(fault.status, errorBody(fault.status === 429 ? 'Rate limit exceeded.' : 'Internal server error.'));
    if (fault?.kind === 'hang') return this.runtime.pending.hold(res);
    const latency = this.latency.nextMs();
    if (latency > 0 && !(await this.runtime.pending.delay(latency))) return void res.destroy();

    let answer: { status: number; text: string };
    try {
      this.authenticate(req, url, method, body);
      answer = { status: 200, text: JSON.stringify(this.run(method, url, body)) };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      answer = { status: error.status, text: errorBody(error.text) };
    }
    this.runtime.changed();
    this.finish(fault, answer, send, res);
  }

  /** The SDK signs `fullUrl + body` with the merchant's key and sends the public key as X-Identity; the token rides in the body or query. */
  private authenticate(req: IncomingMessage, url: URL, method: string, body: string): void {
    const identity = firstHeader(req, 'x-identity');
    const signature = firstHeader(req, 'x-signature');
    if (identity === null || signature === null) throw new ApiError(401, 'This endpoint requires a signed request.');
    if (identity !== this.options.account.identity) throw new ApiError(401, 'Unauthorized sender.');
    const signed = `${this.runtime.baseUrl}${url.pathname}${url.search}${method === 'POST' || method === 'PUT' ? body : ''}`;
    let valid = false;
    try {
      valid = verify('sha256', Buffer.from(signed, 'utf8'), { key: this.identityKey, dsaEncoding: 'der' }, Buffer.from(signature, 'hex'));
    } catch {
      valid = false;
    }
    if (!valid) throw new ApiError(401, 'Invalid signature.');
    const token = method === 'POST' || method === 'PUT' ? (parseBody(body)['token'] as unknown) : url.searchParams.get('token');
    if (token !== this.options.account.merchantToken) throw new ApiError(401, 'Invalid token.');
  }

  private run(method: string, url: URL, text: string): unknown {
    const path = url.pathname;
    if (path === '/invoices' && method === 'POST') return envelope('merchant/invoice', this.view(this.createInvoice(parseBody(text))));
    const byGuid = INVOICE_BY_GUID.exec(path);
    if (byGuid && method === 'GET') return envelope('merchant/invoice', this.view(this.current(found(this.state.byGuid(decodeURIComponent(byGuid[1]!)), 'Invoice'))));
    const invoice = INVOICE.exec(path);
    if (invoice && method === 'GET') return envelope('merchant/invoice', this.view(this.current(found(this.state.invoices.get(invoice[1]!), 'Invoice'))));
    if (invoice && method === 'DELETE') return envelope('merchant/invoice', this.view(this.cancelInvoice(found(this.state.invoices.get(invoice[1]!), 'Invoice'))));
    if (path === '/refunds' && method === 'POST') return envelope('merchant/refund', this.createRefund(parseBody(text)));
    const refundByGuid = REFUND_BY_GUID.exec(path);
    if (refundByGuid && method === 'GET') return envelope('merchant/refund', found(this.state.refund((r) => r.guid === decodeURIComponent(refundByGuid[1]!)), 'Refund'));
    const refund = REFUND.exec(path);
    if (refund && method === 'GET') return envelope('merchant/refund', found(this.state.refund((r) => r.id === refund[1]), 'Refund'));
    throw new ApiError(404, 'Not found.');
  }

  private createInvoice(body: Record<string, unknown>): InvoiceRecord {
    const { price, currency } = body;
    if (typeof currency !== 'string' || !BITPAY_PRICE_CURRENCIES.includes(currency)) throw new ApiError(400, 'Invalid currency.');
    if (typeof price !== 'number' || !(price > 0)) throw new ApiError(400, 'Invalid price.');
    const wanted = Array.isArray(body['paymentCurrencies']) ? body['paymentCurrencies'] : COINS;
    if (!wanted.every(isCryptoCurrency)) throw new ApiError(400, 'Invalid paymentCurrencies.');
    const now = this.options.now().getTime();
    const rates: Record<string, Record<string, number>> = {};
    const subtotals: Record<string, number> = {};
    const totals: Record<string, number> = {};
    for (const coin of wanted as string[]) {
      const rate = USD_PER_COIN[coin]! / USD_PER_FIAT[currency]!;
      rates[coin] = { [currency]: Number(rate.toFixed(8)) };
      subtotals[coin] = Math.ceil((price / rate) * 1e8);
      totals[coin] = subtotals[coin] + NETWORK_FEE[coin]!;
    }
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : null);
    const invoice: InvoiceRecord = {
      id: newId(),
      guid: text('guid') ?? newId(),
      orderId: text('orderId'),
      posData: text('posData'),
      itemDesc: text('itemDesc'),
      price,
      currency,
      redirectURL: text('redirectURL'),
      closeURL: text('closeURL'),
      notificationURL: text('notificationURL'),
      paymentCurrencies: wanted as string[],
      status: 'new',
      exceptionStatus: false,
      invoiceTime: now,
      expirationTime: now + INVOICE_TTL_MS,
      transactionCurrency: null,
      amountPaid: 0,
      paymentSubtotals: subtotals,
      paymentTotals: totals,
      exchangeRates: rates,
      refunds: [],
    };
    this.state.invoices.set(invoice.id, invoice);
    return invoice;
  }

  /** Only an invoice nobody paid can be cancelled; it then shows as expired. */
  private cancelInvoice(invoice: InvoiceRecord): InvoiceRecord {
    this.current(invoice);
    if (invoice.status === 'new' && invoice.amountPaid === 0) this.move(invoice, 'expired');
    else if (invoice.status !== 'expired') throw new ApiError(400, `Invoice is ${invoice.status} and cannot be canceled.`);
    return invoice;
  }

  private createRefund(body: Record<string, unknown>): unknown {
    const invoice = found(this.state.invoices.get(String(body['invoiceId'])), 'Invoice');
    if (invoice.status !== 'confirmed' && invoice.status !== 'complete') throw new ApiError(400, 'Invoice is not paid.');
    const amount = body['amount'];
    const refunded = invoice.refunds.filter((r) => r.status !== 'canceled').reduce((s, r) => s + r.amount, 0);
    if (typeof amount !== 'number' || !(amount > 0) || amount > invoice.price - refunded + 1e-9) throw new ApiError(400, 'Invalid amount.');
    if (invoice.refunds.some((r) => r.status === 'created')) throw new ApiError(400, 'A refund request is already open for this invoice.');
    const guid = typeof body['guid'] === 'string' ? body['guid'] : newId();
    if (this.state.refund((r) => r.guid === guid)) throw new ApiError(400, 'Duplicate guid.');
    const refund = { id: newId(), guid, invoice: invoice.id, amount, currency: invoice.currency, status: 'created' as const, requestDate: this.options.now().toISOString() };
    invoice.refunds.push(refund);
    this.notifyRefund(refund);
    return refund;
  }

  /** An invoice as the API answers it. */
  private view(invoice: InvoiceRecord): Record<string, unknown> {
    return {
      id: invoice.id,
      guid: invoice.guid,
      url: `${this.runtime.baseUrl}/i/${invoice.id}`,
      status: invoice.status,
      exceptionStatus: invoice.exceptionStatus,
      price: invoice.price,
      currency: invoice.currency,
      orderId: invoice.orderId,
      posData: invoice.posData,
      itemDesc: invoice.itemDesc,
      invoiceTime: invoice.invoiceTime,
      expirationTime: invoice.expirationTime,
      currentTime: this.options.now().getTime(),
      redirectURL: invoice.redirectURL,
      closeURL: invoice.closeURL,
      transactionCurrency: invoice.transactionCurrency,
      amountPaid: invoice.amountPaid,
      paymentSubtotals: invoice.paymentSubtotals,
      paymentTotals: invoice.paymentTotals,
      exchangeRates: invoice.exchangeRates,
      transactionSpeed: 'medium',
    };
  }

  private ipnData(invoice: InvoiceRecord): Record<string, unknown> {
    const v = this.view(invoice);
    return { id: v['id'], url: v['url'], status: v['status'], price: v['price'], currency: v['currency'], invoiceTime: v['invoiceTime'], exceptionStatus: v['exceptionStatus'], orderId: v['orderId'], posData: v['posData'], paymentSubtotals: v['paymentSubtotals'], paymentTotals: v['paymentTotals'], exchangeRates: v['exchangeRates'], amountPaid: v['amountPaid'], transactionCurrency: v['transactionCurrency'] };
  }

  /**
   * The payer's checkout page (the invoice `url`). Its links pay with the invoice's first coin (or
   * `coin=`): `result=succeed` the amount due, `result=underpay` half of it, `result=overpay` a tenth
   * more; `result=fail` closes the page unpaid. A full payment is `paid`, then confirmed at once
   * unless confirmations are held (steering: a share fails to confirm, `invalid`); an underpayment keeps the invoice `new` with
   * `paidPartial` until it expires. The browser goes back to redirectURL (paid) or closeURL.
   */
  private hostedPage(id: string, paying: boolean, url: URL, res: ServerResponse): void {
    const page = (status: number, text: string, location?: string | null): void => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...(location ? { location } : {}) }).end(`<!doctype html><title>BitPay simulator</title><p>${text}</p>`);
    };
    const invoice = this.state.invoices.get(id);
    if (!invoice) return page(404, 'Unknown invoice.');
    this.current(invoice);
    const asked = url.searchParams.get('coin');
    if (asked !== null && !invoice.paymentCurrencies.includes(asked)) return page(400, 'This invoice is not payable in that coin.');
    const coin = asked ?? invoice.paymentCurrencies[0]!;
    if (!paying) {
      const action = `/i/${invoice.id}/pay?coin=${coin}`;
      const due = invoice.paymentTotals[coin];
      return page(200, `Pay ${invoice.price} ${invoice.currency} (${due} of the smallest unit of ${coin}). <a href="${action}&amp;result=succeed">Pay</a> <a href="${action}&amp;result=underpay">Pay too little</a> <a href="${action}&amp;result=overpay">Pay too much</a> <a href="${action}&amp;result=fail">Close</a>`);
    }
    if (invoice.status !== 'new') return page(409, `Already ${invoice.status}.`);
    const due = invoice.paymentTotals[coin]!;
    const result = url.searchParams.get('result');
    if (result === 'fail') return page(302, 'Closed.', invoice.closeURL);
    invoice.transactionCurrency = coin;
    if (result === 'underpay') {
      invoice.amountPaid = Math.floor(due / 2);
      invoice.exceptionStatus = 'paidPartial';
      this.runtime.changed();
      return page(302, 'Partly paid.', invoice.closeURL);
    }
    invoice.amountPaid = result === 'overpay' ? Math.ceil(due * 1.1) : due;
    invoice.exceptionStatus = result === 'overpay' ? 'paidOver' : false;
    this.move(invoice, 'paid');
    if (!this.holding) this.confirm(invoice.id);
    page(302, 'Paid.', invoice.redirectURL);
  }

  private finish(fault: RequestFault | null, response: { status: number; text: string }, send: (status: number, text: string) => void, res: ServerResponse): void {
    switch (fault?.kind) {
      case 'charge_then_hang':
        return this.runtime.pending.hold(res);
      case 'charge_then_500':
        return send(500, errorBody('Internal server error.'));
      case 'malformed_response':
        return send(response.status, response.text.slice(0, Math.ceil(response.text.length / 2)));
      default:
        return send(response.status, response.text);
    }
  }
}

function envelope(facade: string, data: unknown): unknown {
  return { facade, data };
}

function errorBody(message: string): string {
  return JSON.stringify({ status: 'error', code: null, data: null, error: message });
}

function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ApiError(404, `${what} not found.`);
  return value;
}

function parseBody(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new ApiError(400, 'Invalid JSON.');
}

/** A compressed secp256k1 public key (hex) as a KeyObject. */
function publicKeyOf(compressedHex: string) {
  const point = ECDH.convertKey(compressedHex, 'secp256k1', 'hex', undefined, 'uncompressed') as Buffer;
  return createPublicKey({ key: { kty: 'EC', crv: 'secp256k1', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
}
