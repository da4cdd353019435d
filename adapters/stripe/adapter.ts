import Stripe from 'stripe';
import {
  accountRefused,
  type AttemptIdentity,
  type AuthorizeRequest,
  type CancelRequest,
  type CaptureRequest,
  type CompleteActionRequest,
  type GatewayAdapter,
  type ApplePayToken,
  type CardInput,
  methodRefused,
  type ModificationSyncRequest,
  type RefundRequest,
  type SyncRequest,
} from '../testkit/contract.js';
import type { AuthorizationOutcome, ModificationOutcome } from '../../src/domain/outcome.js';
import { isWalletNonce, type SepaDebitInput } from '../../src/domain/payment-method.js';
import { fromStripeAmount, toStripeAmount } from './amounts.js';
import { STRIPE_CAPABILITIES } from './capabilities.js';
import {
  authorizationFailure,
  intentOutcome,
  lookupFailure,
  modificationFailure,
  refundOutcome,
  unexpectedStatus,
} from './outcomes.js';
import { ATTEMPT_KEY_METADATA, REFUND_KEY_METADATA, STRIPE_WEBHOOK_ACK, verifyStripeWebhook } from './webhooks.js';

export interface StripeAdapterConfig {
  secretKey: string;
  /** The endpoint's signing secret (`whsec_...`) that `Stripe-Signature` is checked against. */
  webhookSecret: string;
  /** Defaults to api.stripe.com over https; the sandbox points it at the simulator. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  timeoutMs: number;
  /** Defaults to the SDK's fetch client (it runs on Workers); Node passes `stripeNodeHttpClient()`. */
  httpClient?: Stripe.HttpClient;
}

/** The PaymentIntent statuses Stripe lets `cancel` act on. */
const CANCELABLE: ReadonlySet<string> = new Set(['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing']);

export function createStripeAdapter(config: StripeAdapterConfig): GatewayAdapter {
  const stripe = new Stripe(config.secretKey, {
    host: config.host,
    port: config.port,
    protocol: config.protocol,
    timeout: config.timeoutMs,
    // Our own attempt loop decides about retries; a hidden SDK retry would hide ambiguity.
    maxNetworkRetries: 0,
    // Not the SDK's own Node client: it resends a request on a reset connection once even with retries
    // off, which can turn a charged-then-dropped request into a plain ECONNREFUSED (node-http-client.ts).
    httpClient: config.httpClient ?? Stripe.createFetchHttpClient(),
    telemetry: false,
  });

  async function authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    const amount = toStripeAmount(request.amount, request.currency);
    // Nothing was sent, so nothing can have been charged: another gateway may take it.
    if (!amount.ok) return { kind: 'not_processed', reason: 'rejected', detail: amount.detail };
    if (request.method.type === 'sepa_debit') return authorizeSepaDebit(request, request.method.sepaDebit, amount.value);
    if ((request.method.type !== 'card' && request.method.type !== 'apple_pay') || isWalletNonce(request.method)) return methodRefused('stripe', request.method);
    let card: Stripe.PaymentIntentCreateParams.PaymentMethodData;
    if (request.method.type === 'apple_pay') {
      const token = await applePayToken(request.method.applePay, request.idempotencyKey);
      if (!token.ok) return token.outcome;
      card = { type: 'card', card: { token: token.id } } as unknown as Stripe.PaymentIntentCreateParams.PaymentMethodData;
    } else {
      card = cardData(request.method.card, request.customerEmail);
    }
    try {
      const intent = await stripe.paymentIntents.create(
        {
          amount: amount.value,
          currency: request.currency.toLowerCase(),
          capture_method: request.captureMethod,
          confirm: true,
          // Cards only: no redirect-based method can be picked, so no return_url is required.
          allowed_payment_method_types: ['card'],
          payment_method_data: card,
          description: request.description ?? undefined,
          // Where the shopper comes back after 3-D Secure; without one Stripe uses the account's default.
          ...(request.returnUrl === null ? {} : { return_url: request.returnUrl }),
          ...storedCredentialParams(request),
          metadata: {
            switchyard_payment: request.paymentId,
            switchyard_attempt: String(request.attemptNumber),
            [ATTEMPT_KEY_METADATA]: request.idempotencyKey,
          },
          // The charge carries the card's funding and issuing country (payment_method_details.card), which routing remembers per BIN.
          expand: ['latest_charge'],
        },
        { idempotencyKey: request.idempotencyKey },
      );
      return intentOutcome(intent);
    } catch (error) {
      return authorizationFailure(error);
    }
  }

  /**
   * A SEPA Direct Debit: a PaymentIntent confirmed with the IBAN (`payment_method_data[sepa_debit]`)
   * and the payer's acceptance of the mandate (`mandate_data`), which Stripe answers `processing`:
   * the debit is accepted and settles days later (`payment_intent.succeeded` or `payment_failed`).
   */
  async function authorizeSepaDebit(request: AuthorizeRequest, debit: SepaDebitInput, amount: number): Promise<AuthorizationOutcome> {
    if (request.captureMethod !== 'automatic') return { kind: 'not_processed', reason: 'rejected', detail: 'A bank debit cannot be captured later.' };
    const refused = accountRefused(request.method);
    if (refused) return refused;
    // A mandate Stripe holds belongs to the PaymentMethod it was made with, which this router does not keep.
    if (debit.mandate.kind !== 'acceptance') return { kind: 'not_processed', reason: 'rejected', detail: 'Stripe debits an existing mandate only with its saved PaymentMethod: send the payer\'s acceptance.' };
    const { acceptedAt, ip, userAgent } = debit.mandate;
    try {
      const intent = await stripe.paymentIntents.create(
        {
          amount,
          currency: request.currency.toLowerCase(),
          capture_method: 'automatic',
          confirm: true,
          allowed_payment_method_types: ['sepa_debit'],
          payment_method_data: {
            type: 'sepa_debit',
            sepa_debit: { iban: debit.iban },
            billing_details: { name: debit.accountHolderName, ...(request.customerEmail ? { email: request.customerEmail } : {}) },
          },
          mandate_data: { customer_acceptance: { type: 'online', accepted_at: Math.floor(acceptedAt.getTime() / 1000), online: { ip_address: ip, user_agent: userAgent } } },
          description: request.description ?? undefined,
          metadata: {
            switchyard_payment: request.paymentId,
            switchyard_attempt: String(request.attemptNumber),
            [ATTEMPT_KEY_METADATA]: request.idempotencyKey,
          },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      return intentOutcome(intent);
    } catch (error) {
      return authorizationFailure(error);
    }
  }

  /**
   * An Apple Pay token as Stripe takes it: `POST /v1/tokens` with the PKPaymentToken's paymentData
   * (`pk_token*`, parameters the stripe SDK does not type), which Stripe decrypts with the
   * merchant's Apple Pay certificate and answers with a card token (`tok_…`) that pays once. No
   * token means nothing was charged: another gateway may take the payment.
   */
  async function applePayToken(token: ApplePayToken, attemptKey: string): Promise<{ ok: true; id: string } | { ok: false; outcome: AuthorizationOutcome }> {
    try {
      const created = await stripe.tokens.create(
        {
          pk_token: JSON.stringify(token.paymentData),
          pk_token_instrument_name: token.paymentMethod.displayName,
          pk_token_payment_network: token.paymentMethod.network,
          pk_token_transaction_id: token.transactionIdentifier,
        } as unknown as Stripe.TokenCreateParams,
        { idempotencyKey: `${attemptKey}:token` },
      );
      return { ok: true, id: created.id };
    } catch (error) {
      const failure = authorizationFailure(error);
      // Whatever the answer (a refusal, a timeout), no PaymentIntent exists yet: nothing was charged.
      const detail = 'detail' in failure ? failure.detail : failure.kind === 'declined' ? failure.decline.message : failure.kind;
      return { ok: false, outcome: { kind: 'not_processed', reason: failure.kind === 'not_processed' ? failure.reason : 'rejected', detail: `Stripe made no token of the Apple Pay token: ${detail}` } };
    }
  }

  /**
   * By reference: the PaymentIntent. Without one, while the request that made the attempt still
   * runs (`resend`): the same request again under the same idempotency key, which Stripe answers
   * with its stored first result (keys are kept 24 hours). For the reconciler, which has no card
   * data: a search by the attempt key in the PaymentIntent's metadata. Stripe's search index lags
   * behind writes (under a minute normally), so finding nothing is `not_found`, never proof.
   */
  async function sync(request: SyncRequest): Promise<AuthorizationOutcome> {
    if (request.reference !== null) return retrieveAttempt(request.reference, request.attempt);
    if (request.resend !== null) return authorize(request.resend);
    try {
      const found = await stripe.paymentIntents.search({ query: attemptQuery(request.attempt.idempotencyKey), limit: 10 });
      const [intent, ...others] = found.data;
      if (intent === undefined) {
        return { kind: 'unknown', reason: 'not_found', detail: `Stripe's search finds no payment intent for attempt ${request.attempt.idempotencyKey} yet.` };
      }
      if (others.length > 0) {
        return { kind: 'unknown', reason: 'pending_at_gateway', detail: `${found.data.length} Stripe payment intents carry attempt ${request.attempt.idempotencyKey}.` };
      }
      return ours(intent, request.attempt);
    } catch (error) {
      return lookupFailure(error);
    }
  }

  async function retrieveAttempt(reference: string, attempt: AttemptIdentity): Promise<AuthorizationOutcome> {
    try {
      return ours(await stripe.paymentIntents.retrieve(reference, { expand: ['latest_charge'] }), attempt);
    } catch (error) {
      return lookupFailure(error);
    }
  }

  /** After 3-D Secure the PaymentIntent says how it ended; still `requires_action` while the shopper has not finished. */
  function completeAction(request: CompleteActionRequest): Promise<AuthorizationOutcome> {
    return retrieveAttempt(request.reference, request.attempt);
  }

  async function capture(request: CaptureRequest): Promise<ModificationOutcome> {
    const amount = toStripeAmount(request.amount, request.currency);
    if (!amount.ok) return amountRefused(amount.detail);
    try {
      const intent = await stripe.paymentIntents.capture(
        request.reference,
        { amount_to_capture: amount.value },
        { idempotencyKey: request.idempotencyKey },
      );
      if (intent.status !== 'succeeded') return unexpectedStatus(intent.status);
      return succeededWith(intent, intent.amount_received);
    } catch (error) {
      return modificationFailure(error);
    }
  }

  async function cancel(request: CancelRequest): Promise<ModificationOutcome> {
    try {
      const intent = await stripe.paymentIntents.cancel(request.reference, {}, { idempotencyKey: request.idempotencyKey });
      if (intent.status !== 'canceled') return unexpectedStatus(intent.status);
      // What the void released: the whole authorization (a captured PaymentIntent cannot be canceled).
      return succeededWith(intent, intent.amount);
    } catch (error) {
      return modificationFailure(error);
    }
  }

  async function refund(request: RefundRequest): Promise<ModificationOutcome> {
    const amount = toStripeAmount(request.amount, request.currency);
    if (!amount.ok) return amountRefused(amount.detail);
    try {
      const refund = await stripe.refunds.create(
        // The key in metadata too: Stripe keeps idempotency keys only 24 hours, the refund's metadata for good.
        { payment_intent: request.reference, amount: amount.value, metadata: { [REFUND_KEY_METADATA]: request.idempotencyKey } },
        { idempotencyKey: request.idempotencyKey },
      );
      return refundOutcome(refund);
    } catch (error) {
      return modificationFailure(error);
    }
  }

  function resumeModification(request: ModificationSyncRequest): Promise<ModificationOutcome> {
    switch (request.operation) {
      case 'capture':
        return resumeCapture(request);
      case 'cancel':
        return resumeCancel(request);
      case 'refund':
        return resumeRefund(request);
    }
  }

  /** The PaymentIntent shows whether the capture happened; only an uncaptured one is captured (again under the same key). */
  async function resumeCapture(request: ModificationSyncRequest): Promise<ModificationOutcome> {
    try {
      const intent = await stripe.paymentIntents.retrieve(request.reference);
      switch (intent.status) {
        case 'succeeded':
          return succeededWith(intent, intent.amount_received);
        case 'requires_capture':
          return capture(request);
        case 'canceled':
          return { kind: 'rejected', code: 'payment_intent_canceled', detail: `Stripe payment intent ${intent.id} was canceled, so it cannot be captured.` };
        default:
          return unexpectedStatus(intent.status);
      }
    } catch (error) {
      return modificationFailure(error);
    }
  }

  async function resumeCancel(request: ModificationSyncRequest): Promise<ModificationOutcome> {
    try {
      const intent = await stripe.paymentIntents.retrieve(request.reference);
      if (intent.status === 'canceled') return succeededWith(intent, intent.amount);
      if (CANCELABLE.has(intent.status)) return cancel(request);
      if (intent.status === 'succeeded') {
        return { kind: 'rejected', code: 'payment_intent_unexpected_state', detail: `Stripe payment intent ${intent.id} is captured: refund it instead.` };
      }
      return unexpectedStatus(intent.status);
    } catch (error) {
      return modificationFailure(error);
    }
  }

  /**
   * By the refund's id when known, else among the PaymentIntent's refunds by the key in their
   * metadata; none found: it was never made, so it is made now (under the same key). Never a bare
   * resend: after 24 hours Stripe has forgotten the key and would refund again.
   */
  async function resumeRefund(request: ModificationSyncRequest): Promise<ModificationOutcome> {
    try {
      if (request.modificationReference !== null) return refundOutcome(await stripe.refunds.retrieve(request.modificationReference));
      for await (const found of stripe.refunds.list({ payment_intent: request.reference, limit: 100 })) {
        if (found.metadata?.[REFUND_KEY_METADATA] === request.idempotencyKey) return refundOutcome(found);
      }
    } catch (error) {
      return modificationFailure(error);
    }
    return refund(request);
  }

  return {
    provider: 'stripe',
    capabilities: STRIPE_CAPABILITIES,
    authorize,
    sync,
    completeAction,
    capture,
    cancel,
    refund,
    resumeModification,
    parseWebhook: (request, now) => verifyStripeWebhook(stripe, config.webhookSecret, request, now),
    webhookAck: STRIPE_WEBHOOK_ACK,
  };
}

/** Stripe's search query for our attempt key (quotes and backslashes escaped). */
export function attemptQuery(idempotencyKey: string): string {
  return `metadata['${ATTEMPT_KEY_METADATA}']:'${idempotencyKey.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** A PaymentIntent found for an attempt answers for it only if it is that attempt's. */
function ours(intent: Stripe.PaymentIntent, attempt: AttemptIdentity): AuthorizationOutcome {
  const key = intent.metadata?.[ATTEMPT_KEY_METADATA];
  if (
    (key !== undefined && key !== attempt.idempotencyKey) ||
    intent.currency !== attempt.currency.toLowerCase() ||
    fromStripeAmount(intent.amount, intent.currency) !== attempt.amount
  ) {
    return {
      kind: 'unknown',
      reason: 'pending_at_gateway',
      detail: `Stripe payment intent ${intent.id} does not match attempt ${attempt.idempotencyKey} (key, amount or currency differ): check it by hand.`,
    };
  }
  return intentOutcome(intent);
}

/** Stripe would reject the amount (400), so it is not sent: a certain, definite refusal. */
function amountRefused(detail: string): ModificationOutcome {
  return { kind: 'rejected', code: 'amount_not_representable', detail };
}

/** A capture or cancel that succeeded, with the PaymentIntent's amount (Stripe's units) in canonical minor units. */
function succeededWith(intent: Stripe.PaymentIntent, value: number): ModificationOutcome {
  const amount = fromStripeAmount(value, intent.currency);
  if (amount === null) {
    return { kind: 'unknown', reason: 'malformed_response', detail: `Stripe payment intent ${intent.id} reports ${value} ${intent.currency}, which is no whole number of minor units.` };
  }
  return { kind: 'succeeded', reference: intent.id, amount };
}

/**
 * 3-D Secure and card-on-file options. A saved card the shopper pays with is flagged for future
 * off-session use; a merchant-initiated payment runs off session and claims the MIT exemption
 * with the network transaction id of the first consented payment.
 */
function storedCredentialParams(request: AuthorizeRequest): Partial<Stripe.PaymentIntentCreateParams> {
  const card: Record<string, unknown> = request.threeDSecure === 'required' ? { request_three_d_secure: 'any' } : {};
  const stored = request.storedCredential ?? null;
  if (stored?.initiator === 'merchant') card.mit_exemption = { network_transaction_id: stored.networkTransactionId ?? undefined };
  const options = Object.keys(card).length === 0 ? {} : { payment_method_options: { card } as Stripe.PaymentIntentCreateParams.PaymentMethodOptions };
  if (stored === null) return options;
  return stored.initiator === 'merchant' ? { ...options, off_session: true } : { ...options, setup_future_usage: 'off_session' };
}

/** Raw card data: Stripe accepts it only for accounts allowed to send PANs. */
function cardData(card: CardInput, email: string | null): Stripe.PaymentIntentCreateParams.PaymentMethodData {
  return {
    type: 'card',
    card: {
      number: card.number,
      exp_month: card.expMonth,
      exp_year: card.expYear,
      ...(card.cvc === null ? {} : { cvc: card.cvc }),
    },
    billing_details: { name: card.holderName ?? undefined, email: email ?? undefined },
  } as unknown as Stripe.PaymentIntentCreateParams.PaymentMethodData;
}
