import { Checkout } from 'checkout-sdk-node';
import {
  amountSteps,
  type AuthorizeRequest,
  type CancelRequest,
  type Capabilities,
  type CaptureRequest,
  type CardInput,
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
import { isWalletNonce, type WalletTokenMethod } from '../../src/domain/payment-method.js';
import { CardTokenCache } from './card-tokens.js';
import { CHECKOUT_CURRENCIES, fromCheckoutAmount, isCheckoutCurrency, toCheckoutAmount } from './amounts.js';
import { authorizationFailure, authorizationOutcome, isObject, lookupFailure, malformed, modificationFailure, modificationOutcome } from './outcomes.js';
import { CHECKOUT_WEBHOOK_ACK, importSignatureKey, verifyCheckoutWebhook } from './webhooks.js';

export interface CheckoutAdapterConfig {
  /** The account's secret key (`sk_sbox_…` in Checkout.com's sandbox, `sk_…` live). */
  secretKey: string;
  /**
   * The account's public key (`pk_sbox_…` in the sandbox, `pk_…` live): POST /tokens, which turns an
   * Apple Pay or Google Pay token into a card token, takes only it. Null: the account takes cards only.
   */
  publicKey: string | null;
  /** The secret key of the account's webhook endpoint: `Cko-Signature` is signed with it. */
  webhookSecret: string;
  /** The API's base URL: the simulator's in tests and the sandbox; null: Checkout.com's own, for `subdomain`. */
  baseUrl: string | null;
  /** The account's merchant-specific subdomain (the first 8 characters of its client id), required by the SDK for Checkout.com's own API. */
  subdomain: string | null;
  /** Where the shopper returns after 3-D Secure when the payment names no return URL. */
  returnUrl: string;
  timeoutMs: number;
}

/** The Checkout.com metadata key holding our payment id, so a payment in Checkout.com's dashboard names ours. */
export const PAYMENT_ID_METADATA = 'switchyard_payment';

export const CHECKOUT_CAPABILITIES: Capabilities = {
  // Wallets need the account's public key (CheckoutAdapterConfig.publicKey).
  paymentMethods: ['card', 'apple_pay', 'google_pay'],
  cardNetworks: ['visa', 'mastercard', 'amex', 'discover', 'diners', 'jcb'],
  currencies: CHECKOUT_CURRENCIES,
  countries: '*',
  captureMethods: ['automatic', 'manual'],
  partialCapture: true,
  // A capture is sent as `Final`: the rest of the authorization is released, as at the other gateways.
  multipleCapture: false,
  voids: true,
  refunds: true,
  partialRefund: true,
  multipleRefunds: true,
  // Cko-Idempotency-Key on every POST.
  idempotency: true,
  // GET /payments?reference= finds an attempt by the idempotency key it was sent under.
  syncWithoutReference: true,
  // Captures, voids and refunds answer 202 Accepted with an action id; payment_captured (…) confirms them.
  asyncModifications: true,
  // `3ds.enabled`: a challenge answers 202 Pending with `_links.redirect`.
  threeDSecure: true,
  // At most nine digits in Checkout.com's units (amounts.ts refuses more before any call).
  amountLimits: { min: 1, max: 999_999_999 },
  // Whole pesos of CLF hundredths, and BHD, IQD, JOD, KWD, LYD, OMR, TND amounts ending in 0.
  amountSteps: amountSteps(toCheckoutAmount),
};

/** An account without a public key cannot exchange wallet tokens. */
const CARD_ONLY_CAPABILITIES: Capabilities = { ...CHECKOUT_CAPABILITIES, paymentMethods: ['card'] };

type PaymentsApi = InstanceType<typeof Checkout>['payments'];
type TokensApi = InstanceType<typeof Checkout>['tokens'];

/** `now`: the clock a kept card token's expiry is read against (tests inject one). */
export function createCheckoutAdapter(config: CheckoutAdapterConfig, options: { now?: () => number } = {}): GatewayAdapter {
  // Axios honours the timeout (the SDK's fetch client ignores it) and reports a refused connection by name.
  const sdkOptions = { timeout: config.timeoutMs, httpClient: 'axios', ...(config.publicKey === null ? {} : { pk: config.publicKey }) };
  const sdk =
    config.baseUrl !== null
      ? new Checkout(config.secretKey, { ...sdkOptions, host: config.baseUrl.replace(/\/+$/, '') })
      : new Checkout(config.secretKey, { ...sdkOptions, ...(config.subdomain ? { subdomain: config.subdomain } : {}) });
  const payments: PaymentsApi = sdk.payments;
  const tokens: TokensApi = sdk.tokens;
  const capabilities = config.publicKey === null ? CARD_ONLY_CAPABILITIES : CHECKOUT_CAPABILITIES;
  const cardTokens = new CardTokenCache(options.now ?? Date.now);
  let signatureKey: Promise<CryptoKey> | undefined;

  async function authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    if (!isCheckoutCurrency(request.currency)) return { kind: 'not_processed', reason: 'rejected', detail: `Checkout.com does not take ${request.currency}.` };
    const value = toCheckoutAmount(request.amount, request.currency);
    if (!value.ok) return { kind: 'not_processed', reason: 'rejected', detail: value.detail };
    const { method } = request;
    if (!capabilities.paymentMethods.includes(method.type) || isWalletNonce(method)) return methodRefused('checkout', method);
    let source: Record<string, unknown>;
    if (method.type === 'card') source = cardSource(request, method.card);
    else if (method.type === 'apple_pay' || method.type === 'google_pay') {
      const token = await walletToken(request.idempotencyKey, method);
      if (!token.ok) return token.outcome;
      source = { type: 'token', token: token.id };
    } else return methodRefused('checkout', method);
    const outcome = await pay(request, source, value.value);
    if (outcome.kind !== 'unknown') cardTokens.forget(request.idempotencyKey);
    return outcome;
  }

  async function pay(request: AuthorizeRequest, source: Record<string, unknown>, value: number): Promise<AuthorizationOutcome> {
    try {
      return authorizationOutcome(await payments.request(paymentRequest(request, source, value, request.returnUrl ?? config.returnUrl), request.idempotencyKey), request.captureMethod);
    } catch (error) {
      return authorizationFailure(error);
    }
  }

  /**
   * POST /tokens (with the public key): Checkout.com decrypts the wallet's token and answers a card
   * token (`tok_…`) that pays once. Apple Pay's `paymentData` goes as it is; Google Pay's token
   * string as the object it encodes. No card token means nothing was charged (the exchange takes no
   * idempotency key, and needs none): another gateway may take the payment. A resend of the attempt
   * takes the token its first try got (card-tokens.ts), while Checkout.com still takes it.
   */
  async function walletToken(idempotencyKey: string, method: WalletTokenMethod): Promise<{ ok: true; id: string } | { ok: false; outcome: AuthorizationOutcome }> {
    const kept = cardTokens.get(idempotencyKey);
    if (kept !== null) return { ok: true, id: kept };
    const body = method.type === 'apple_pay' ? { type: 'applepay', token_data: method.applePay.paymentData } : { type: 'googlepay', token_data: googlePayTokenData(method.googlePay.token) };
    if (body.token_data === null) return { ok: false, outcome: { kind: 'not_processed', reason: 'rejected', detail: 'The Google Pay token is not a JSON object.' } };
    try {
      const answer = await tokens.request(body);
      const id = isObject(answer) ? answer['token'] : undefined;
      if (typeof id === 'string' && id.startsWith('tok_')) {
        cardTokens.set(idempotencyKey, id, isObject(answer) ? answer['expires_on'] : undefined);
        return { ok: true, id };
      }
      return { ok: false, outcome: { kind: 'not_processed', reason: 'rejected', detail: 'Checkout.com answered the wallet token exchange without a card token.' } };
    } catch (error) {
      const failure = authorizationFailure(error);
      const detail = 'detail' in failure ? failure.detail : failure.kind === 'declined' ? failure.decline.message : failure.kind;
      return { ok: false, outcome: { kind: 'not_processed', reason: failure.kind === 'not_processed' ? failure.reason : 'rejected', detail: `Checkout.com made no card token of the ${method.type === 'apple_pay' ? 'Apple Pay' : 'Google Pay'} token: ${detail}` } };
    }
  }

  async function get(id: string): Promise<unknown> {
    return payments.get(encodeURIComponent(id));
  }

  /**
   * By the payment's id when we have it; else by the reference the attempt was sent under (our
   * idempotency key). Found nowhere while the request that made it still runs: resent under the
   * same Cko-Idempotency-Key, which answers the first result or makes the attempt now, once.
   */
  async function sync(request: SyncRequest): Promise<AuthorizationOutcome> {
    const { attempt } = request;
    try {
      if (request.reference !== null) return authorizationOutcome(await get(request.reference), attempt.captureMethod);
      const found = await payments.getPaymentList({ reference: encodeURIComponent(attempt.idempotencyKey), limit: 2 });
      const list = isObject(found) && Array.isArray(found['data']) ? (found['data'] as unknown[]) : null;
      if (list === null) return malformed('Checkout.com answered the payment search without a list.');
      if (list.length === 1) return authorizationOutcome(list[0], attempt.captureMethod);
      if (list.length > 1) return { kind: 'unknown', reason: 'pending_at_gateway', detail: `Checkout.com holds several payments with reference ${attempt.idempotencyKey}.` };
    } catch (error) {
      return lookupFailure(error);
    }
    if (request.resend !== null) return authorize(request.resend);
    return { kind: 'unknown', reason: 'not_found', detail: `Checkout.com has no payment with reference ${attempt.idempotencyKey} (yet).` };
  }

  /**
   * After 3-D Secure the shopper comes back with `cko-session-id`; Checkout.com answers the payment
   * for it as for its id. It must be this attempt's payment (a browser can bring back any session).
   * Without one, the payment is read by its id: a challenge not finished is still Pending.
   */
  async function completeAction(request: CompleteActionRequest): Promise<AuthorizationOutcome> {
    const session = request.returnParams['cko-session-id'];
    try {
      const answer = await get(session || request.reference);
      const outcome = authorizationOutcome(answer, request.attempt.captureMethod);
      if ('reference' in outcome && outcome.reference !== null && outcome.reference !== request.reference) {
        return { kind: 'unknown', reason: 'pending_at_gateway', detail: `The cko-session-id brought back belongs to another Checkout.com payment than ${request.reference}.` };
      }
      return outcome;
    } catch (error) {
      return lookupFailure(error);
    }
  }

  async function modification(amount: number, call: () => Promise<unknown>): Promise<ModificationOutcome> {
    try {
      return modificationOutcome(await call(), amount);
    } catch (error) {
      return modificationFailure(error);
    }
  }

  function capture(request: CaptureRequest): Promise<ModificationOutcome> {
    const value = toCheckoutAmount(request.amount, request.currency);
    if (!value.ok) return Promise.resolve(amountRefused(value.detail));
    return modification(request.amount, () =>
      payments.capture(request.reference, { amount: value.value, reference: request.idempotencyKey, capture_type: 'Final' }, request.idempotencyKey),
    );
  }

  function cancel(request: CancelRequest): Promise<ModificationOutcome> {
    return modification(request.amount, () => payments.void(request.reference, { reference: request.idempotencyKey }, request.idempotencyKey));
  }

  function refund(request: RefundRequest): Promise<ModificationOutcome> {
    const value = toCheckoutAmount(request.amount, request.currency);
    if (!value.ok) return Promise.resolve(amountRefused(value.detail));
    return modification(request.amount, () => payments.refund(request.reference, { amount: value.value, reference: request.idempotencyKey }, request.idempotencyKey));
  }

  /**
   * The payment's actions name the key each was sent under (its `reference`), so a capture, void or
   * refund that was processed is found whether or not Checkout.com still keeps the idempotency key.
   * One not listed was never processed: it is sent again under its key (a replay if it is in flight).
   */
  async function resumeModification(request: ModificationSyncRequest): Promise<ModificationOutcome> {
    let actions: unknown;
    try {
      actions = await payments.getActions(encodeURIComponent(request.reference));
    } catch (error) {
      const failure = modificationFailure(error);
      return failure.kind === 'unknown' ? failure : { kind: 'unknown', reason: 'pending_at_gateway', detail: 'The lookup of the payment\'s actions at Checkout.com failed.' };
    }
    if (!Array.isArray(actions)) return malformed('Checkout.com answered the payment\'s actions without a list.');
    const type = ACTION_TYPES[request.operation];
    const done = actions.find((a: unknown) => isObject(a) && a['type'] === type && a['reference'] === request.idempotencyKey) as Record<string, unknown> | undefined;
    if (done === undefined) {
      switch (request.operation) {
        case 'capture':
          return capture(request);
        case 'cancel':
          return cancel(request);
        case 'refund':
          return refund(request);
      }
    }
    const id = done['id'];
    if (typeof id !== 'string' || !id) return malformed('Checkout.com listed an action without an id.');
    if (done['approved'] !== true) {
      return { kind: 'rejected', code: `checkout_${String(done['response_code'] ?? 'declined')}`, detail: `Checkout.com declined the ${request.operation} (${String(done['response_summary'] ?? 'no summary')}).` };
    }
    const amount = typeof done['amount'] === 'number' ? fromCheckoutAmount(done['amount'], request.currency) : request.operation === 'cancel' ? request.amount : null;
    if (amount === null) return malformed(`Checkout.com listed the ${request.operation} without an amount canonical units can hold.`);
    return { kind: 'succeeded', reference: id, amount };
  }

  async function parseWebhook(request: WebhookRequest): Promise<WebhookVerification> {
    signatureKey ??= importSignatureKey(config.webhookSecret);
    return verifyCheckoutWebhook(await signatureKey, request);
  }

  return {
    provider: 'checkout',
    capabilities,
    authorize,
    sync,
    completeAction,
    capture,
    cancel,
    refund,
    resumeModification,
    parseWebhook,
    webhookAck: CHECKOUT_WEBHOOK_ACK,
  };
}

const ACTION_TYPES = { capture: 'Capture', cancel: 'Void', refund: 'Refund' } as const;

/** Checkout.com would refuse the amount (422 amount_invalid), so it is not sent. */
function amountRefused(detail: string): ModificationOutcome {
  return { kind: 'rejected', code: 'amount_not_representable', detail };
}

/** Google Pay's token string as the object Checkout.com takes in `token_data`; null if it is none. */
function googlePayTokenData(token: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(token);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function cardSource(request: AuthorizeRequest, card: CardInput): Record<string, unknown> {
  return {
    type: 'card',
    number: card.number,
    expiry_month: card.expMonth,
    expiry_year: card.expYear,
    ...(card.cvc === null ? {} : { cvv: card.cvc }),
    ...(card.holderName === null ? {} : { name: card.holderName }),
    ...storedCredentialFields(request).source,
  };
}

/** `value`: the amount in Checkout.com's units (`amounts.ts`). `source`: a card, or a card token made of a wallet token. */
function paymentRequest(request: AuthorizeRequest, source: Record<string, unknown>, value: number, returnUrl: string): Record<string, unknown> {
  const wallet = source['type'] === 'token';
  return {
    source,
    amount: value,
    currency: request.currency,
    ...storedCredentialFields(request).payment,
    // Unique per attempt: GET /payments?reference= finds the attempt by it.
    reference: request.idempotencyKey,
    // Explicit either way, so the account's default never decides.
    capture: request.captureMethod === 'automatic',
    // A wallet's token carries the device's cryptogram: the shopper authenticated on the device.
    ...(wallet ? {} : threeDSecureFields(request)),
    success_url: returnUrl,
    failure_url: returnUrl,
    ...(request.description === null ? {} : { description: request.description }),
    ...(request.customerEmail === null ? {} : { customer: { email: request.customerEmail } }),
    metadata: { [PAYMENT_ID_METADATA]: request.paymentId },
  };
}

/**
 * Card-on-file flags, as Checkout.com's stored-card guide asks for them. A saved card's first
 * payment the shopper makes asks Checkout.com to keep it for later (`store_for_future_use`); once it
 * has a network transaction id it is sent as stored. A merchant-initiated payment is `Unscheduled`,
 * cites the first consented payment's scheme transaction id as `previous_payment_id` (Checkout.com
 * accepts one from any acquirer there) and is flagged stored.
 */
function storedCredentialFields(request: AuthorizeRequest): { source: Record<string, unknown>; payment: Record<string, unknown> } {
  const stored = request.storedCredential ?? null;
  if (stored === null) return { source: {}, payment: { payment_type: 'Regular' } };
  if (stored.initiator === 'merchant') {
    return {
      source: { stored: true },
      payment: { payment_type: 'Unscheduled', merchant_initiated: true, ...(stored.networkTransactionId === null ? {} : { previous_payment_id: stored.networkTransactionId }) },
    };
  }
  return {
    source: stored.networkTransactionId === null ? { store_for_future_use: true } : { stored: true },
    payment: { payment_type: 'Regular', merchant_initiated: false },
  };
}

/**
 * A merchant-initiated payment is out of scope for Strong Customer Authentication: no shopper is
 * there to answer a challenge, so 3-D Secure is not asked for. Otherwise: 'automatic' lets the
 * issuer decide between frictionless and a challenge; 'required' asks for a challenge.
 */
function threeDSecureFields(request: AuthorizeRequest): Record<string, unknown> {
  if (request.storedCredential?.initiator === 'merchant') return {};
  return { '3ds': { enabled: true, challenge_indicator: request.threeDSecure === 'required' ? 'challenge_requested_mandate' : 'no_preference' } };
}
