import Adyen from '@adyen/api-library';
import type {
  AuthorizeRequest,
  CancelRequest,
  Capabilities,
  CaptureRequest,
  GatewayAdapter,
  RefundRequest,
  SyncRequest,
  WebhookAck,
  WebhookRequest,
  WebhookVerification,
} from '../testkit/contract.js';
import type { AuthorizationOutcome, ModificationOutcome } from '../../src/domain/outcome.js';
import { createFetchClient } from './http-client.js';
import { authorizationFailure, authorizationOutcome, modificationFailure, modificationOutcome, type ModificationResponse } from './outcomes.js';
import { hexToBytes, importHmacKey, parseNotification } from './webhooks.js';

const { CheckoutAPI, Client, EnvironmentEnum, Types } = Adyen;
type PaymentRequest = InstanceType<typeof Types.checkout.PaymentRequest>;

export interface AdyenAdapterConfig {
  apiKey: string;
  merchantAccount: string;
  /** Prefix of Adyen's Checkout paths (`/v72/...`): `http://127.0.0.1:PORT` for the simulator, `https://checkout-test.adyen.com` for Adyen's test environment. */
  baseUrl: string;
  /** Hex HMAC key of the account's standard notifications. */
  hmacKey: string;
  timeoutMs: number;
  /** Where the shopper returns after a 3-D Secure redirect (the merchant's page); Adyen requires one on every payment. */
  returnUrl: string;
}

export const ADYEN_CAPABILITIES: Capabilities = {
  paymentMethods: ['card'],
  cardNetworks: ['visa', 'mastercard', 'amex', 'discover', 'diners', 'jcb', 'unionpay', 'maestro'],
  currencies: '*',
  countries: '*',
  captureMethods: ['automatic', 'manual'],
  partialCapture: true,
  // Multiple partial captures must be enabled on the Adyen merchant account.
  multipleCapture: true,
  voids: true,
  refunds: true,
  partialRefund: true,
  multipleRefunds: true,
  idempotency: true,
  // Checkout has no payment lookup, but a resend under the same Idempotency-Key answers the first result.
  syncWithoutReference: true,
  asyncModifications: true,
  // Adyen sets no ceiling of its own; the domain's per-currency maximum applies.
  amountLimits: { min: 1, max: Number.MAX_SAFE_INTEGER },
};

const WEBHOOK_ACK: WebhookAck = { status: 200, contentType: 'text/plain', body: '[accepted]' };

export function createAdyenAdapter(config: AdyenAdapterConfig): GatewayAdapter {
  // A key that is not hex fails here, at configuration, not at the first notification.
  hexToBytes(config.hmacKey);
  // The environment only shapes the URL the library builds; the fetch client moves its path under baseUrl.
  const client = new Client(
    { apiKey: config.apiKey, environment: EnvironmentEnum.TEST },
    createFetchClient({ baseUrl: config.baseUrl, timeoutMs: config.timeoutMs }),
  );
  const checkout = new CheckoutAPI(client);
  const payments = checkout.PaymentsApi;
  const modifications = checkout.ModificationsApi;
  const merchantAccount = config.merchantAccount;
  let notificationKey: Promise<CryptoKey> | undefined;

  async function authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    try {
      const response = await payments.payments(paymentRequest(request, merchantAccount, config.returnUrl), {
        idempotencyKey: request.idempotencyKey,
      });
      return authorizationOutcome(response, { captureMethod: request.captureMethod, merchantReference: request.idempotencyKey });
    } catch (error) {
      return authorizationFailure(error);
    }
  }

  // Checkout cannot look a payment up, by pspReference or otherwise: the resend under the original
  // Idempotency-Key answers Adyen's stored first result, or runs it now if the first never arrived.
  function sync(request: SyncRequest): Promise<AuthorizationOutcome> {
    return authorize(request.original);
  }

  /** Adyen answers every modification alike: 201 `received`, the result following by notification. */
  async function modification(amount: number, call: () => Promise<ModificationResponse>): Promise<ModificationOutcome> {
    try {
      return modificationOutcome(await call(), amount);
    } catch (error) {
      return modificationFailure(error);
    }
  }

  function capture(request: CaptureRequest): Promise<ModificationOutcome> {
    return modification(request.amount, () =>
      modifications.captureAuthorisedPayment(
        request.reference,
        { merchantAccount, amount: { value: request.amount, currency: request.currency }, reference: request.idempotencyKey },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
  }

  // /cancels, not /reversals: a reversal refunds a payment that was captured meanwhile, whereas a void
  // must fail then (CANCELLATION success=false) and leave the refund to an explicit request.
  function cancel(request: CancelRequest): Promise<ModificationOutcome> {
    return modification(request.amount, () =>
      modifications.cancelAuthorisedPaymentByPspReference(
        request.reference,
        { merchantAccount, reference: request.idempotencyKey },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
  }

  function refund(request: RefundRequest): Promise<ModificationOutcome> {
    return modification(request.amount, () =>
      modifications.refundCapturedPayment(
        request.reference,
        { merchantAccount, amount: { value: request.amount, currency: request.currency }, reference: request.idempotencyKey },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
  }

  // Adyen signs no timestamp, so `now` has nothing to check.
  async function parseWebhook(request: WebhookRequest): Promise<WebhookVerification> {
    notificationKey ??= importHmacKey(config.hmacKey);
    return parseNotification(request.rawBody, await notificationKey);
  }

  return {
    provider: 'adyen',
    capabilities: ADYEN_CAPABILITIES,
    authorize,
    sync,
    capture,
    cancel,
    refund,
    parseWebhook,
    webhookAck: WEBHOOK_ACK,
  };
}

function paymentRequest(request: AuthorizeRequest, merchantAccount: string, returnUrl: string): PaymentRequest {
  const { card } = request;
  return {
    merchantAccount,
    amount: { value: request.amount, currency: request.currency },
    // Unique per attempt; merchantOrderReference ties the attempts of one payment together.
    reference: request.idempotencyKey,
    merchantOrderReference: request.paymentId,
    paymentMethod: {
      type: Types.checkout.CardDetails.TypeEnum.Scheme,
      number: card.number,
      expiryMonth: String(card.expMonth).padStart(2, '0'),
      expiryYear: String(card.expYear),
      cvc: card.cvc,
      ...(card.holderName === null ? {} : { holderName: card.holderName }),
    },
    shopperInteraction: Types.checkout.PaymentRequest.ShopperInteractionEnum.Ecommerce,
    returnUrl,
    ...(request.customerEmail === null ? {} : { shopperEmail: request.customerEmail }),
    // Explicit either way, so the merchant account's default capture delay never decides.
    ...(request.captureMethod === 'automatic' ? { captureDelayHours: 0 } : { additionalData: { manualCapture: 'true' } }),
  };
}
