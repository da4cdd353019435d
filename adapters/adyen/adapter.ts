import Adyen from '@adyen/api-library';
import {
  amountSteps,
  type AttemptIdentity,
  type AuthorizeRequest,
  type CancelRequest,
  type Capabilities,
  type CaptureRequest,
  type CompleteActionRequest,
  type GatewayAdapter,
  type PaymentMethod,
  type ModificationSyncRequest,
  type RefundRequest,
  type SyncRequest,
  type WebhookAck,
  type WebhookRequest,
  type WebhookVerification,
  accountRefused,
  methodRefused,
} from '../testkit/contract.js';
import { isWalletNonce, type BankDebitMethod, type WalletNonceMethod } from '../../src/domain/payment-method.js';
import type { AuthorizationOutcome, ModificationOutcome } from '../../src/domain/outcome.js';
import { toAdyenAmount } from './amounts.js';
import { createFetchClient } from './http-client.js';
import { authorizationFailure, authorizationOutcome, lookupFailure, modificationFailure, modificationOutcome, type ModificationResponse } from './outcomes.js';
import { hexToBytes, importHmacKey, parseNotification, voidReference } from './webhooks.js';

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
  paymentMethods: ['card', 'apple_pay', 'google_pay', 'sepa_debit', 'ach_debit'],
  cardNetworks: ['visa', 'mastercard', 'amex', 'discover', 'diners', 'jcb', 'unionpay', 'maestro'],
  currencies: '*',
  countries: '*',
  captureMethods: ['automatic', 'manual'],
  partialCapture: true,
  // Multiple partial captures need a setting on the Adyen merchant account that cannot be assumed;
  // the adapter treats a partial capture as final (the rest is released), as for the others.
  multipleCapture: false,
  voids: true,
  refunds: true,
  partialRefund: true,
  multipleRefunds: true,
  idempotency: true,
  // Checkout has no payment lookup, but a resend under the same Idempotency-Key answers the first
  // result while the card data is at hand; after that, the AUTHORISATION notification settles it.
  syncWithoutReference: true,
  asyncModifications: true,
  // RedirectShopper, completed through /payments/details with the redirectResult the shopper brings back.
  threeDSecure: true,
  // Adyen sets no ceiling of its own; the domain's per-currency maximum applies.
  amountLimits: { min: 1, max: Number.MAX_SAFE_INTEGER },
  // Whole escudos and rupiah: Adyen counts CVE and IDR in no decimals.
  amountSteps: amountSteps(toAdyenAmount),
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
    const value = toAdyenAmount(request.amount, request.currency);
    // Nothing was sent, so nothing can have been charged: another gateway may take it.
    if (!value.ok) return { kind: 'not_processed', reason: 'rejected', detail: value.detail };
    const method = request.method;
    if (method.type === 'sepa_debit' || method.type === 'ach_debit') return authorizeDebit(request, method, value.value);
    if ((method.type !== 'card' && method.type !== 'apple_pay' && method.type !== 'google_pay') || isWalletNonce(method)) return methodRefused('adyen', method);
    try {
      const response = await payments.payments(paymentRequest(request, method, value.value, merchantAccount, request.returnUrl ?? config.returnUrl), {
        idempotencyKey: request.idempotencyKey,
      });
      return authorizationOutcome(response, { captureMethod: request.captureMethod, merchantReference: request.idempotencyKey });
    } catch (error) {
      return authorizationFailure(error);
    }
  }

  /**
   * A SEPA or ACH debit: `/payments` with the account and the payer's IP address, which Adyen
   * answers `Received` (outcome `pending`); the AUTHORISATION notification settles it days later.
   */
  async function authorizeDebit(request: AuthorizeRequest, method: BankDebitMethod, value: number): Promise<AuthorizationOutcome> {
    if (request.captureMethod !== 'automatic') return { kind: 'not_processed', reason: 'rejected', detail: 'A bank debit cannot be captured later.' };
    const refused = accountRefused(method);
    if (refused) return refused;
    const acceptance = method.type === 'ach_debit' ? method.achDebit.acceptance : method.sepaDebit.mandate;
    if (acceptance.kind !== 'acceptance') return { kind: 'not_processed', reason: 'rejected', detail: 'Adyen debits an existing mandate only through its stored payment method: send the payer\'s acceptance.' };
    try {
      const response = await payments.payments(
        {
          merchantAccount,
          amount: { value, currency: request.currency },
          reference: request.idempotencyKey,
          merchantOrderReference: request.paymentId,
          paymentMethod: debitDetails(method),
          shopperInteraction: Types.checkout.PaymentRequest.ShopperInteractionEnum.Ecommerce,
          shopperIP: acceptance.ip,
          returnUrl: request.returnUrl ?? config.returnUrl,
          captureDelayHours: 0,
          ...(request.customerEmail === null ? {} : { shopperEmail: request.customerEmail }),
        },
        { idempotencyKey: request.idempotencyKey },
      );
      return authorizationOutcome(response, { captureMethod: 'automatic', merchantReference: request.idempotencyKey, debit: true });
    } catch (error) {
      return authorizationFailure(error);
    }
  }

  /**
   * Checkout cannot look a payment up, by pspReference or otherwise. While the request that made
   * the attempt still runs (`resend`), the resend under the original Idempotency-Key answers
   * Adyen's stored first result, or runs it now if the first never arrived. Without the card data
   * (the reconciler) nothing can be asked: the AUTHORISATION notification settles the attempt.
   */
  function sync(request: SyncRequest): Promise<AuthorizationOutcome> {
    if (request.resend !== null) return authorize(request.resend);
    return Promise.resolve({
      kind: 'unknown',
      reason: 'pending_at_gateway',
      detail: 'Adyen Checkout has no payment lookup: the AUTHORISATION notification for this attempt settles it.',
    });
  }

  /**
   * After 3-D Secure: `/payments/details` with the `redirectResult` the shopper's browser brought
   * back. Its Idempotency-Key is derived from the redirectResult, so asking again replays the
   * first answer. The answer must name this attempt (a browser can bring back any payment's
   * redirectResult). Without a redirectResult there is nothing to ask: the notification settles it.
   */
  async function completeAction(request: CompleteActionRequest): Promise<AuthorizationOutcome> {
    const redirectResult = request.returnParams['redirectResult'];
    if (!redirectResult) {
      return {
        kind: 'unknown',
        reason: 'pending_at_gateway',
        detail: 'No redirectResult came back from the shopper, and Adyen Checkout has no payment lookup: the AUTHORISATION notification settles this attempt.',
      };
    }
    try {
      const response = await payments.paymentsDetails({ details: { redirectResult } }, { idempotencyKey: await detailsKey(redirectResult) });
      if ((response.pspReference && response.pspReference !== request.reference) || (response.merchantReference && response.merchantReference !== request.attempt.idempotencyKey)) {
        return {
          kind: 'unknown',
          reason: 'pending_at_gateway',
          detail: `The redirectResult brought back belongs to another Adyen payment than ${request.reference}.`,
        };
      }
      return authorizationOutcome(response, { captureMethod: request.attempt.captureMethod, merchantReference: request.reference });
    } catch (error) {
      return lookupFailure(error);
    }
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
    const value = toAdyenAmount(request.amount, request.currency);
    if (!value.ok) return Promise.resolve(amountRefused(value.detail));
    return modification(request.amount, () =>
      modifications.captureAuthorisedPayment(
        request.reference,
        { merchantAccount, amount: { value: value.value, currency: request.currency }, reference: request.idempotencyKey },
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

  /**
   * Adyen's technical cancel: `/cancels` by the reference we sent the payment under, for an attempt
   * whose pspReference we never learned. Its result arrives as a TECHNICAL_CANCEL notification.
   */
  function voidAttempt(attempt: AttemptIdentity): Promise<ModificationOutcome> {
    const reference = voidReference(attempt.idempotencyKey);
    return modification(attempt.amount, () =>
      modifications.cancelAuthorisedPayment({ merchantAccount, paymentReference: attempt.idempotencyKey, reference }, { idempotencyKey: reference }),
    );
  }

  /**
   * Adyen keeps Idempotency-Keys (at least 31 days): the same modification resent under its key
   * answers the stored 201 `received` with the modification's pspReference, or is performed now if
   * the first never arrived. Either way the notification confirms it.
   */
  function resumeModification(request: ModificationSyncRequest): Promise<ModificationOutcome> {
    switch (request.operation) {
      case 'capture':
        return capture(request);
      case 'cancel':
        return cancel(request);
      case 'refund':
        return refund(request);
    }
  }

  function refund(request: RefundRequest): Promise<ModificationOutcome> {
    const value = toAdyenAmount(request.amount, request.currency);
    if (!value.ok) return Promise.resolve(amountRefused(value.detail));
    return modification(request.amount, () =>
      modifications.refundCapturedPayment(
        request.reference,
        { merchantAccount, amount: { value: value.value, currency: request.currency }, reference: request.idempotencyKey },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
  }

  // Adyen signs no timestamp, so `now` has nothing to check.
  async function parseWebhook(request: WebhookRequest): Promise<WebhookVerification> {
    notificationKey ??= importHmacKey(config.hmacKey);
    return parseNotification(request.rawBody, await notificationKey, merchantAccount);
  }

  return {
    provider: 'adyen',
    capabilities: ADYEN_CAPABILITIES,
    authorize,
    sync,
    completeAction,
    capture,
    cancel,
    refund,
    resumeModification,
    voidAttempt,
    parseWebhook,
    webhookAck: WEBHOOK_ACK,
  };
}

/** Adyen would refuse the amount (422), so it is not sent: a certain, definite refusal. */
function amountRefused(detail: string): ModificationOutcome {
  return { kind: 'rejected', code: 'amount_not_representable', detail };
}

/** `value`: the amount in Adyen's units (`amounts.ts`). */
function paymentRequest(request: AuthorizeRequest, method: AdyenMethod, value: number, merchantAccount: string, returnUrl: string): PaymentRequest {
  return {
    merchantAccount,
    amount: { value, currency: request.currency },
    // Unique per attempt; merchantOrderReference ties the attempts of one payment together.
    reference: request.idempotencyKey,
    merchantOrderReference: request.paymentId,
    paymentMethod: paymentMethodDetails(method),
    ...storedCredentialFields(request),
    returnUrl,
    // Required: 3-D Secure whatever Adyen's dynamic rules would decide; automatic: they decide.
    ...(request.threeDSecure === 'required' ? { authenticationData: { attemptAuthentication: Types.checkout.AuthenticationData.AttemptAuthenticationEnum.Always } } : {}),
    ...(request.customerEmail === null ? {} : { shopperEmail: request.customerEmail }),
    // Explicit either way, so the merchant account's default capture delay never decides.
    ...(request.captureMethod === 'automatic' ? { captureDelayHours: 0 } : {}),
    ...additionalData(request),
  };
}

/**
 * The method as Adyen's `paymentMethod` names it. Wallet tokens go as the wallet gave them, for
 * Adyen to decrypt: Apple Pay's `paymentData` JSON in base64 (`applePayToken`), Google Pay's
 * token string (`googlePayToken`).
 */
type AdyenMethod = Exclude<Extract<PaymentMethod, { type: 'card' | 'apple_pay' | 'google_pay' }>, WalletNonceMethod>;

function paymentMethodDetails(method: AdyenMethod): PaymentRequest['paymentMethod'] {
  switch (method.type) {
    case 'card': {
      const { card } = method;
      return {
        type: Types.checkout.CardDetails.TypeEnum.Scheme,
        number: card.number,
        expiryMonth: String(card.expMonth).padStart(2, '0'),
        expiryYear: String(card.expYear),
        ...(card.cvc === null ? {} : { cvc: card.cvc }),
        ...(card.holderName === null ? {} : { holderName: card.holderName }),
      };
    }
    case 'apple_pay':
      return { type: Types.checkout.ApplePayDetails.TypeEnum.Applepay, applePayToken: base64Utf8(JSON.stringify(method.applePay.paymentData)) };
    case 'google_pay':
      return { type: Types.checkout.GooglePayDetails.TypeEnum.Googlepay, googlePayToken: method.googlePay.token };
  }
}

/** A debit's account as the library's models name it: `iban` and `ownerName` for SEPA; routing number as `bankLocationId` for ACH. */
function debitDetails(method: BankDebitMethod): PaymentRequest['paymentMethod'] {
  if (method.type === 'sepa_debit') {
    return { type: Types.checkout.SepaDirectDebitDetails.TypeEnum.Sepadirectdebit, iban: method.sepaDebit.iban, ownerName: method.sepaDebit.accountHolderName };
  }
  const { achDebit } = method;
  return {
    type: Types.checkout.AchDetails.TypeEnum.Ach,
    bankAccountNumber: achDebit.accountNumber,
    bankLocationId: achDebit.routingNumber,
    bankAccountType: achDebit.accountType === 'savings' ? Types.checkout.AchDetails.BankAccountTypeEnum.Savings : Types.checkout.AchDetails.BankAccountTypeEnum.Checking,
    accountHolderType: achDebit.accountHolderType === 'company' ? Types.checkout.AchDetails.AccountHolderTypeEnum.Business : Types.checkout.AchDetails.AccountHolderTypeEnum.Personal,
    ownerName: achDebit.accountHolderName,
  };
}

function base64Utf8(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/**
 * Card on file from our own vault: the shopper's payments are Ecommerce with the CardOnFile model;
 * the merchant's run as ContAuth (no shopper) with the UnscheduledCardOnFile model and cite the
 * first consented payment's network transaction id (`additionalData.networkTxReference`).
 */
function storedCredentialFields(request: AuthorizeRequest): Pick<PaymentRequest, 'shopperInteraction' | 'recurringProcessingModel'> {
  const stored = request.storedCredential ?? null;
  if (stored === null) return { shopperInteraction: Types.checkout.PaymentRequest.ShopperInteractionEnum.Ecommerce };
  if (stored.initiator === 'customer') {
    return { shopperInteraction: Types.checkout.PaymentRequest.ShopperInteractionEnum.Ecommerce, recurringProcessingModel: Types.checkout.PaymentRequest.RecurringProcessingModelEnum.CardOnFile };
  }
  return { shopperInteraction: Types.checkout.PaymentRequest.ShopperInteractionEnum.ContAuth, recurringProcessingModel: Types.checkout.PaymentRequest.RecurringProcessingModelEnum.UnscheduledCardOnFile };
}

function additionalData(request: AuthorizeRequest): Pick<PaymentRequest, 'additionalData'> {
  const data: Record<string, string> = {};
  if (request.captureMethod === 'manual') data.manualCapture = 'true';
  const reference = request.storedCredential?.initiator === 'merchant' ? request.storedCredential.networkTransactionId : null;
  if (reference) data.networkTxReference = reference;
  return Object.keys(data).length === 0 ? {} : { additionalData: data };
}

/** An Idempotency-Key for `/payments/details` of one redirectResult: at most 64 characters, as Adyen allows. */
async function detailsKey(redirectResult: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(redirectResult)));
  const base64 = btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `details-${base64}`;
}
