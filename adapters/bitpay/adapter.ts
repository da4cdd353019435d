import { Client, Facade, KeyUtils, TokenContainer } from 'bitpay-sdk';
import {
  type AuthorizeRequest,
  type CancelRequest,
  type Capabilities,
  type CaptureRequest,
  type CompleteActionRequest,
  type GatewayAdapter,
  methodRefused,
  type ModificationSyncRequest,
  type RefundRequest,
  type SyncRequest,
  type WebhookAck,
  type WebhookRequest,
  type WebhookVerification,
} from '../testkit/contract.js';
import type { AuthorizationOutcome, ModificationOutcome } from '../../src/domain/outcome.js';
import { BITPAY_PRICE_CURRENCIES, fromBitPayPrice, toBitPayPrice } from './amounts.js';
import { invoiceOutcome, malformed, type InvoiceAnswer } from './invoices.js';
import { callFailure, lookupFailure, modificationFailure, refundOutcome, type RefundAnswer } from './outcomes.js';
import { FetchBitPayClient } from './transport.js';
import { invoiceEvents, readNotification, refundEvents, type RefundRecordAnswer } from './webhooks.js';

export interface BitPayAdapterConfig {
  /** The API key pair's private key (hex, secp256k1) the merchant token was paired with: it signs every request. */
  privateKey: string;
  /** The merchant facade token paired with that key. */
  merchantToken: string;
  /** BitPay's test (test.bitpay.com) or production environment. */
  environment: 'test' | 'prod';
  /** Another base URL for the API (the simulator's), or null for the environment's own. */
  baseUrl: string | null;
  /** Where BitPay posts this account's invoice notifications (the router's webhook URL for the account). */
  notificationUrl: string | null;
  /** Where the payer goes back after paying, when the payment names no return URL. */
  returnUrl: string;
  timeoutMs: number;
}

export const BITPAY_CAPABILITIES: Capabilities = {
  paymentMethods: ['crypto'],
  // The payer pays from a crypto wallet: no card network.
  cardNetworks: [],
  currencies: BITPAY_PRICE_CURRENCIES,
  countries: '*',
  // A confirmed invoice is final: there is no authorization to capture later.
  captureMethods: ['automatic'],
  partialCapture: false,
  multipleCapture: false,
  // An unpaid invoice can be cancelled (DELETE /invoices/{id}); a paid one only refunded.
  voids: false,
  refunds: true,
  partialRefund: true,
  // One refund request at a time per invoice: BitPay refuses another while one is open.
  multipleRefunds: false,
  // No idempotency header: the attempt's key goes as the invoice's `guid` and `orderId`, and sync finds it by guid.
  idempotency: false,
  syncWithoutReference: true,
  // A refund request waits for the payer's refund address: it is `created`/`pending`, then `success`.
  asyncModifications: true,
  threeDSecure: false,
  amountLimits: { min: 1, max: Number.MAX_SAFE_INTEGER },
  // `price` is a decimal in the currency's own ISO 4217 exponent: every canonical amount is exact.
  amountSteps: {},
};

/** BitPay posts its IPNs and retries until it gets a 200; the body is not read. */
export const BITPAY_WEBHOOK_ACK: WebhookAck = { status: 200, contentType: 'text/plain', body: 'OK' };

const API_URLS = { test: 'https://test.bitpay.com/', prod: 'https://bitpay.com/' } as const;

export function createBitPayAdapter(config: BitPayAdapterConfig): GatewayAdapter {
  const keys = new KeyUtils();
  const ecKey = keys.load_keypair(Buffer.from(config.privateKey, 'hex'));
  const transport = new FetchBitPayClient(config.baseUrl ?? API_URLS[config.environment], ecKey, keys.getPublicKeyFromPrivateKey(ecKey), config.timeoutMs);
  const tokens = new TokenContainer();
  tokens.addMerchant(config.merchantToken);
  // The SDK's seventh argument replaces its own transport (and with it its base URL).
  const client = new Client(null, null, tokens, null, undefined, undefined, transport);

  async function authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    const { method } = request;
    if (method.type !== 'crypto') return methodRefused('bitpay', method);
    if (request.captureMethod !== 'automatic') return { kind: 'not_processed', reason: 'rejected', detail: 'A BitPay invoice is final once paid: it cannot be authorized now and captured later.' };
    const price = toBitPayPrice(request.amount, request.currency);
    if (!price.ok) return { kind: 'not_processed', reason: 'rejected', detail: price.detail };
    try {
      const invoice = await client.createInvoice(
        {
          price: price.value,
          currency: request.currency,
          // Both carry the attempt's key: guid finds the invoice without its id, orderId shows it in BitPay's dashboard and IPNs.
          guid: request.idempotencyKey,
          orderId: request.idempotencyKey,
          posData: JSON.stringify({ payment: request.paymentId }),
          ...(request.description === null ? {} : { itemDesc: request.description.slice(0, 100) }),
          redirectURL: request.returnUrl ?? config.returnUrl,
          closeURL: request.returnUrl ?? config.returnUrl,
          ...(config.notificationUrl === null ? {} : { notificationURL: config.notificationUrl }),
          extendedNotifications: true,
          transactionSpeed: 'medium',
          ...(method.crypto.currency === null ? {} : { paymentCurrencies: [method.crypto.currency] }),
          ...(request.customerEmail === null ? {} : { buyer: { email: request.customerEmail, notify: true } }),
        } as Parameters<Client['createInvoice']>[0],
        Facade.Merchant,
        true,
      );
      return invoiceOutcome(invoice as InvoiceAnswer);
    } catch (error) {
      return callFailure(error);
    }
  }

  async function getInvoice(id: string): Promise<InvoiceAnswer> {
    return (await client.getInvoice(id, Facade.Merchant, true)) as InvoiceAnswer;
  }

  /** By the invoice id; without it, by the guid the attempt's key was sent as (BitPay's "retrieve an invoice by guid"). */
  async function sync(request: SyncRequest): Promise<AuthorizationOutcome> {
    try {
      const invoice = request.reference !== null ? await getInvoice(request.reference) : ((await client.getInvoiceByGuid(request.attempt.idempotencyKey, Facade.Merchant, true)) as InvoiceAnswer);
      return checked(invoice, request.attempt.idempotencyKey);
    } catch (error) {
      return lookupFailure(error);
    }
  }

  /** An invoice is ours only when it carries the attempt's key (a reference mixed up must not settle another payment). */
  function checked(invoice: InvoiceAnswer, idempotencyKey: string): AuthorizationOutcome {
    if (invoice.orderId !== idempotencyKey) return malformed(`BitPay answered an invoice for another order than ${idempotencyKey}.`);
    return invoiceOutcome(invoice);
  }

  /** The payer's return says nothing BitPay did not: the invoice itself is read. */
  async function completeAction(request: CompleteActionRequest): Promise<AuthorizationOutcome> {
    try {
      return checked(await getInvoice(request.reference), request.attempt.idempotencyKey);
    } catch (error) {
      return lookupFailure(error);
    }
  }

  async function capture(request: CaptureRequest): Promise<ModificationOutcome> {
    return { kind: 'rejected', code: 'bitpay_no_capture', detail: `BitPay invoice ${request.reference} was final when paid: there is nothing to capture.` };
  }

  /**
   * An invoice the payer has not paid is cancelled (`DELETE /invoices/{id}`), so a late payment
   * cannot land on it; one already paid cannot be: it is refunded instead.
   */
  async function cancel(request: CancelRequest): Promise<ModificationOutcome> {
    try {
      const invoice = (await client.cancelInvoice(request.reference, true)) as InvoiceAnswer;
      if (invoice.status === 'expired') return { kind: 'succeeded', reference: request.reference, amount: request.amount };
      return { kind: 'rejected', code: `bitpay_invoice_${String(invoice.status)}`, detail: `BitPay invoice ${request.reference} is ${String(invoice.status)}: it cannot be cancelled.` };
    } catch (error) {
      return modificationFailure(error);
    }
  }

  async function refund(request: RefundRequest): Promise<ModificationOutcome> {
    const price = toBitPayPrice(request.amount, request.currency);
    if (!price.ok) return { kind: 'rejected', code: 'amount_not_representable', detail: price.detail };
    try {
      const answer = await client.createRefund({ invoice: request.reference, amount: price.value, currency: request.currency, guid: request.idempotencyKey, preview: false, immediate: false, buyerPaysRefundFee: false } as Parameters<Client['createRefund']>[0]);
      return refundOutcome(answer as RefundAnswer, request.currency);
    } catch (error) {
      return modificationFailure(error);
    }
  }

  /** A refund is found by the guid it was sent under; one not there was never made and is requested now. */
  async function resumeModification(request: ModificationSyncRequest): Promise<ModificationOutcome> {
    if (request.operation === 'capture') return capture(request);
    if (request.operation === 'cancel') {
      try {
        const invoice = await getInvoice(request.reference);
        if (invoice.status === 'expired') return { kind: 'succeeded', reference: request.reference, amount: request.amount };
      } catch (error) {
        return modificationFailure(error);
      }
      return cancel(request);
    }
    try {
      const found = (await client.getRefundByGuid(request.idempotencyKey)) as RefundAnswer;
      return refundOutcome(found, request.currency);
    } catch (error) {
      const failure = modificationFailure(error);
      if (failure.kind === 'rejected' && failure.code === 'bitpay_not_found') return refund(request);
      return failure;
    }
  }

  /**
   * BitPay does not sign its IPNs: anyone can post one. The body only names the invoice or refund;
   * that is then read from BitPay through the SDK (signed with our key), and only what BitPay answers
   * becomes an event. A delivery naming a resource BitPay does not hold for us is refused; when
   * BitPay cannot be asked, the delivery is refused too, and BitPay posts it again.
   */
  async function parseWebhook(request: WebhookRequest, now: Date): Promise<WebhookVerification> {
    const notification = readNotification(request.rawBody);
    if (!notification.ok) return notification;
    if (notification.resource === 'refund') {
      let refund: RefundRecordAnswer;
      try {
        refund = (await client.getRefund(notification.id)) as RefundRecordAnswer;
      } catch {
        return { ok: false, reason: 'invalid_signature' };
      }
      if (refund.id !== notification.id) return { ok: false, reason: 'invalid_signature' };
      return { ok: true, events: refundEvents(refund, now) };
    }
    let invoice: InvoiceAnswer;
    try {
      invoice = await getInvoice(notification.id);
    } catch {
      return { ok: false, reason: 'invalid_signature' };
    }
    if (invoice.id !== notification.id) return { ok: false, reason: 'invalid_signature' };
    return { ok: true, events: invoiceEvents(invoice, fromBitPayPrice(invoice.price, String(invoice.currency)), now) };
  }

  return {
    provider: 'bitpay',
    capabilities: BITPAY_CAPABILITIES,
    authorize,
    sync,
    completeAction,
    capture,
    cancel,
    refund,
    resumeModification,
    parseWebhook,
    webhookAck: BITPAY_WEBHOOK_ACK,
  };
}
