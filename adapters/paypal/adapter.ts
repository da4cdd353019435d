import {
  ApiError,
  AuthorizationStatus,
  CaptureStatus,
  CheckoutPaymentIntent,
  Client,
  Environment,
  OrdersController,
  PaymentsController,
  PaypalExperienceUserAction,
  PaypalWalletContextShippingPreference,
  type Order,
} from '@paypal/paypal-server-sdk';
import {
  amountSteps,
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
  type WebhookRequest,
  type WebhookVerification,
} from '../testkit/contract.js';
import type { AuthorizationOutcome, ModificationOutcome } from '../../src/domain/outcome.js';
import type { WebhookEvent } from '../../src/domain/webhook.js';
import { PAYPAL_CURRENCIES, toPayPalAmount, toPayPalValue } from './amounts.js';
import { paypalDecline } from './declines.js';
import { fetchAdapter } from './http-client.js';
import { authorizationFailure, lookupFailure, modificationFailure, orderOutcome, payerOf, paymentOutcome } from './outcomes.js';
import { canonicalEvents, isObject, PAYPAL_WEBHOOK_ACK, readDelivery } from './webhooks.js';

export interface PayPalAdapterConfig {
  /** The REST app's client id and secret (OAuth2 client credentials). */
  clientId: string;
  clientSecret: string;
  /** The id PayPal gave the webhook this account listens on: `verify-webhook-signature` checks a delivery was made for it. */
  webhookId: string;
  /** PayPal's sandbox or live environment. */
  environment: 'sandbox' | 'live';
  /** Another base URL for the API (the simulator's), or null for the environment's own. */
  baseUrl: string | null;
  /** Where the payer comes back from PayPal when the payment names no return URL. */
  returnUrl: string;
  timeoutMs: number;
}

export const PAYPAL_CAPABILITIES: Capabilities = {
  paymentMethods: ['paypal'],
  // The payer pays with their PayPal account: no card network is involved on our side.
  cardNetworks: [],
  currencies: PAYPAL_CURRENCIES,
  countries: '*',
  // intent CAPTURE (captured on completion) or AUTHORIZE (captured later through /v2/payments/authorizations).
  captureMethods: ['automatic', 'manual'],
  partialCapture: true,
  // Each capture is sent `final_capture: true`: the rest of the authorization is released, as at the other gateways.
  multipleCapture: false,
  voids: true,
  refunds: true,
  partialRefund: true,
  multipleRefunds: true,
  // PayPal-Request-Id on every POST.
  idempotency: true,
  // Only a resend under the same PayPal-Request-Id finds an order without its id (Orders v2 has no search).
  syncWithoutReference: false,
  // Captures, voids and refunds answer their result (a PENDING capture or refund is confirmed by webhook).
  asyncModifications: false,
  // No card: the payer's approval at PayPal is the redirect.
  threeDSecure: false,
  amountLimits: { min: 1, max: Number.MAX_SAFE_INTEGER },
  // HUF and TWD in whole units (PayPal takes no decimals for them).
  amountSteps: amountSteps(toPayPalAmount),
};

/** PayPal-Request-Id of the call that completes (captures or authorizes) an approved order. */
export function completionKey(idempotencyKey: string): string {
  return `${idempotencyKey}:complete`;
}

export function createPayPalAdapter(config: PayPalAdapterConfig): GatewayAdapter {
  // A client whose token request failed keeps failing (see fetchAdapter): the next call gets a new one.
  const newSdk = () => {
    const client = new Client({
      environment: config.environment === 'live' ? Environment.Production : Environment.Sandbox,
      timeout: config.timeoutMs,
      clientCredentialsAuthCredentials: { oAuthClientId: config.clientId, oAuthClientSecret: config.clientSecret },
      unstable_httpClientOptions: { adapter: fetchAdapter({ baseUrl: config.baseUrl, timeoutMs: config.timeoutMs, onTokenFailure: () => (sdk = newSdk()) }) },
    });
    return { client, orders: new OrdersController(client), payments: new PaymentsController(client) };
  };
  let sdk = newSdk();
  const apiBase = (config.baseUrl ?? (config.environment === 'live' ? 'https://api.paypal.com' : 'https://api.sandbox.paypal.com')).replace(/\/+$/, '');
  const certUrlPrefix = `${apiBase}/v1/notifications/certs/`;

  async function authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    const value = toPayPalValue(request.amount, request.currency);
    if (!value.ok) return { kind: 'not_processed', reason: 'rejected', detail: value.detail };
    const { method } = request;
    if (method.type !== 'paypal') return methodRefused('paypal', method);
    const returnUrl = request.returnUrl ?? config.returnUrl;
    try {
      const { result } = await sdk.orders.createOrder({
        paypalRequestId: request.idempotencyKey,
        prefer: 'return=representation',
        body: {
          intent: request.captureMethod === 'automatic' ? CheckoutPaymentIntent.Capture : CheckoutPaymentIntent.Authorize,
          purchaseUnits: [
            {
              referenceId: 'default',
              // PayPal copies invoice_id onto the capture or authorization (webhooks echo it) and refuses a duplicate.
              invoiceId: request.idempotencyKey,
              customId: request.paymentId,
              amount: { currencyCode: request.currency, value: value.value },
              ...(request.description === null ? {} : { description: request.description.slice(0, 127) }),
            },
          ],
          paymentSource: {
            paypal: {
              ...((method.paypal.emailHint ?? request.customerEmail) ? { emailAddress: (method.paypal.emailHint ?? request.customerEmail)! } : {}),
              experienceContext: {
                returnUrl,
                // The payer who cancels comes back to the same page, with `token` and no `PayerID`.
                cancelUrl: returnUrl,
                userAction: PaypalExperienceUserAction.PayNow,
                shippingPreference: method.paypal.shippingPreference === 'get_from_file' ? PaypalWalletContextShippingPreference.GetFromFile : PaypalWalletContextShippingPreference.NoShipping,
                ...(method.paypal.brandName === null ? {} : { brandName: method.paypal.brandName }),
                ...(method.paypal.locale === null ? {} : { locale: method.paypal.locale }),
              },
            },
          },
        },
      });
      return orderOutcome(result);
    } catch (error) {
      return authorizationFailure(error, null);
    }
  }

  async function getOrder(id: string): Promise<Order> {
    return (await sdk.orders.getOrder({ id })).result;
  }

  /**
   * By the order id; without it, only the request that made the attempt may resend the order's
   * creation under the same PayPal-Request-Id (a replay, or the order made now: an order charges
   * nothing until its payer approves it). The reconciler cannot: Orders v2 has no search. An order
   * whose creation answer was lost never reached its payer, so nothing under it can be charged.
   */
  async function sync(request: SyncRequest): Promise<AuthorizationOutcome> {
    if (request.reference !== null) {
      try {
        return orderOutcome(await getOrder(request.reference));
      } catch (error) {
        return lookupFailure(error);
      }
    }
    if (request.resend !== null) return authorize(request.resend);
    return { kind: 'unknown', reason: 'not_found', detail: 'PayPal orders cannot be looked up without their id; one whose creation answer was lost was never shown to a payer, so nothing under it is charged.' };
  }

  /**
   * After the payer's return (with `token` = the order id, and `PayerID` when they approved) or on
   * the router's own check: an approved order is captured (intent CAPTURE) or authorized, under a
   * PayPal-Request-Id derived from the attempt, so asking again replays the first answer. A payer who
   * came back without approving declined; one who has not come back is still awaited.
   */
  async function completeAction(request: CompleteActionRequest): Promise<AuthorizationOutcome> {
    const token = request.returnParams['token'];
    if (token !== undefined && token !== request.reference) {
      return { kind: 'unknown', reason: 'pending_at_gateway', detail: `The token brought back names another PayPal order than ${request.reference}.` };
    }
    let order: Order;
    try {
      order = await getOrder(request.reference);
    } catch (error) {
      return lookupFailure(error);
    }
    if (order.status === 'APPROVED') return completeOrder(request.reference, request.attempt.captureMethod, request.attempt.idempotencyKey);
    const outcome = orderOutcome(order);
    if (outcome.kind === 'requires_action' && token !== undefined && !request.returnParams['PayerID']) {
      return { kind: 'declined', reference: request.reference, decline: paypalDecline('ORDER_NOT_APPROVED') };
    }
    return outcome;
  }

  async function completeOrder(id: string, captureMethod: 'automatic' | 'manual', idempotencyKey: string): Promise<AuthorizationOutcome> {
    const args = { id, paypalRequestId: completionKey(idempotencyKey), prefer: 'return=representation' };
    try {
      const answer = captureMethod === 'automatic' ? await sdk.orders.captureOrder(args) : await sdk.orders.authorizeOrder(args);
      return orderOutcome(answer.result as Order);
    } catch (error) {
      const outcome = authorizationFailure(error, id);
      if (outcome.kind !== 'not_processed') return outcome;
      // Nothing was done, but the order stays approved: a later check completes it.
      return { kind: 'unknown', reason: 'pending_at_gateway', detail: `Completing PayPal order ${id} was refused: ${outcome.detail}` };
    }
  }

  /** The order's first authorization or capture id, read from the order (the payment's reference is the order id). */
  async function orderPayments(orderId: string): Promise<{ ok: true; order: Order } | { ok: false; outcome: ModificationOutcome }> {
    try {
      return { ok: true, order: await getOrder(orderId) };
    } catch (error) {
      // A failed read did nothing: the modification was not sent.
      return { ok: false, outcome: modificationFailure(error) };
    }
  }

  const collection = (order: Order) => order.purchaseUnits?.[0]?.payments;

  async function capture(request: CaptureRequest): Promise<ModificationOutcome> {
    const value = toPayPalValue(request.amount, request.currency);
    if (!value.ok) return { kind: 'rejected', code: 'amount_not_representable', detail: value.detail };
    const found = await orderPayments(request.reference);
    if (!found.ok) return found.outcome;
    const authorization = collection(found.order)?.authorizations?.[0];
    if (!authorization?.id) return { kind: 'rejected', code: 'paypal_no_authorization', detail: `PayPal order ${request.reference} holds no authorization to capture.` };
    try {
      const { result } = await sdk.payments.captureAuthorizedPayment({
        authorizationId: authorization.id,
        paypalRequestId: request.idempotencyKey,
        prefer: 'return=representation',
        body: { amount: { currencyCode: request.currency, value: value.value }, invoiceId: request.idempotencyKey, finalCapture: true },
      });
      return paymentOutcome(result, request.currency, 'capture');
    } catch (error) {
      return modificationFailure(error);
    }
  }

  async function cancel(request: CancelRequest): Promise<ModificationOutcome> {
    const found = await orderPayments(request.reference);
    if (!found.ok) return found.outcome;
    const authorization = collection(found.order)?.authorizations?.[0];
    if (!authorization?.id) return { kind: 'rejected', code: 'paypal_no_authorization', detail: `PayPal order ${request.reference} holds no authorization to void.` };
    try {
      await sdk.payments.voidPayment({ authorizationId: authorization.id, paypalRequestId: request.idempotencyKey, prefer: 'return=minimal' });
      return { kind: 'succeeded', reference: authorization.id, amount: request.amount };
    } catch (error) {
      return modificationFailure(error);
    }
  }

  async function refund(request: RefundRequest): Promise<ModificationOutcome> {
    const value = toPayPalValue(request.amount, request.currency);
    if (!value.ok) return { kind: 'rejected', code: 'amount_not_representable', detail: value.detail };
    const found = await orderPayments(request.reference);
    if (!found.ok) return found.outcome;
    const captured = collection(found.order)?.captures?.find((c) => c.status !== CaptureStatus.Declined && c.status !== CaptureStatus.Failed);
    if (!captured?.id) return { kind: 'rejected', code: 'paypal_no_capture', detail: `PayPal order ${request.reference} holds no capture to refund.` };
    try {
      const { result } = await sdk.payments.refundCapturedPayment({
        captureId: captured.id,
        paypalRequestId: request.idempotencyKey,
        prefer: 'return=representation',
        // custom_id: the order, so the refund's webhook names the payment; invoice_id: this refund's key.
        body: { amount: { currencyCode: request.currency, value: value.value }, customId: request.reference, invoiceId: request.idempotencyKey },
      });
      return paymentOutcome(result, request.currency, 'refund');
    } catch (error) {
      return modificationFailure(error);
    }
  }

  /**
   * The order lists its captures, refunds and authorizations; a capture or refund carries the key it
   * was sent under as `invoice_id`, so one that was made is found whether or not PayPal still keeps
   * the PayPal-Request-Id. One not there was never made: it is sent now, under its key.
   */
  async function resumeModification(request: ModificationSyncRequest): Promise<ModificationOutcome> {
    const found = await orderPayments(request.reference);
    if (!found.ok) return found.outcome;
    const held = collection(found.order);
    switch (request.operation) {
      case 'capture': {
        const done = held?.captures?.find((c) => c.invoiceId === request.idempotencyKey);
        return done ? paymentOutcome(done, request.currency, 'capture') : capture(request);
      }
      case 'refund': {
        const done = held?.refunds?.find((r) => r.invoiceId === request.idempotencyKey);
        return done ? paymentOutcome(done, request.currency, 'refund') : refund(request);
      }
      case 'cancel': {
        const authorization = held?.authorizations?.[0];
        if (authorization?.status === AuthorizationStatus.Voided && authorization.id) return { kind: 'succeeded', reference: authorization.id, amount: request.amount };
        return cancel(request);
      }
    }
  }

  /**
   * PayPal's own check: `POST /v1/notifications/verify-webhook-signature` with the delivery's
   * headers, our webhook id and the event. PayPal fetches the certificate and checks the
   * SHA256withRSA signature over `transmission_id|transmission_time|webhook_id|crc32(body)`. When
   * PayPal cannot be asked, the delivery is refused as unverified, and PayPal delivers it again.
   */
  async function parseWebhook(request: WebhookRequest, now: Date): Promise<WebhookVerification> {
    const delivery = readDelivery(request, now, certUrlPrefix);
    if (!delivery.ok) return delivery;
    try {
      const call = sdk.client.getRequestBuilderFactory()('POST', '/v1/notifications/verify-webhook-signature');
      call.header('Content-Type', 'application/json');
      call.json({ ...delivery.verification, webhook_id: config.webhookId });
      call.authenticate([{ oauth2: true }]);
      call.defaultToError(ApiError);
      const { result } = await call.callAsText();
      const answer: unknown = JSON.parse(result);
      if (!isObject(answer) || answer['verification_status'] !== 'SUCCESS') return { ok: false, reason: 'invalid_signature' };
    } catch {
      return { ok: false, reason: 'invalid_signature' };
    }
    const verified = canonicalEvents(delivery.event);
    return verified.ok ? { ok: true, events: await Promise.all(verified.events.map(withPayer)) } : verified;
  }

  /**
   * PAYMENT.CAPTURE.COMPLETED and PAYMENT.AUTHORIZATION.CREATED carry the capture or authorization,
   * which names no payer: an approval reads its order back for them, as the confirm call's answer
   * has them. It may arrive before that answer, and then is the one that records the payer. A failed
   * read leaves the payer out: the approval itself needs nothing from the order.
   */
  async function withPayer(event: WebhookEvent): Promise<WebhookEvent> {
    if (event.type !== 'authorization.succeeded') return event;
    try {
      const payer = payerOf(await getOrder(event.reference));
      return payer ? { ...event, payer } : event;
    } catch {
      return event;
    }
  }

  return {
    provider: 'paypal',
    capabilities: PAYPAL_CAPABILITIES,
    authorize,
    sync,
    completeAction,
    capture,
    cancel,
    refund,
    resumeModification,
    parseWebhook,
    webhookAck: PAYPAL_WEBHOOK_ACK,
  };
}
