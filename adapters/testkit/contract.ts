import { bankAccountProblem } from '../../src/domain/bank-account.js';
import type { CardBrand } from '../../src/domain/card.js';
import { CURRENCY_EXPONENTS } from '../../src/domain/currency.js';
import { decline } from '../../src/domain/decline.js';
import type { AuthorizationOutcome, ModificationOutcome } from '../../src/domain/outcome.js';
import type { CaptureMethod } from '../../src/domain/payment.js';
import type { CardInput, PaymentMethod, PaymentMethodType } from '../../src/domain/payment-method.js';
import { isWalletNonce } from '../../src/domain/payment-method.js';

export type { ApplePayToken, CardInput, GooglePayToken, PaymentMethod, PaymentMethodType } from '../../src/domain/payment-method.js';
import type { WebhookEvent } from '../../src/domain/webhook.js';

/**
 * A payment with a saved card (card on file), as the networks' stored-credential rules want it
 * told: who starts it, and for a merchant-initiated one the network transaction id of the first
 * payment the shopper consented to.
 */
export interface StoredCredential {
  /** `customer`: the shopper is there (checkout, one-click); `merchant`: the merchant charges without them (a renewal). */
  initiator: 'customer' | 'merchant';
  /** Required when the merchant initiates; null before the card's first consented payment. */
  networkTransactionId: string | null;
}

export interface AuthorizeRequest {
  paymentId: string;
  attemptNumber: number;
  /** Derived from payment id and attempt number; also the provider's order reference where it has no idempotency header. */
  idempotencyKey: string;
  amount: number;
  currency: string;
  captureMethod: CaptureMethod;
  /** What pays: a card (typed in or opened from the vault) or a wallet's one-time token. Never stored, never logged. */
  method: PaymentMethod;
  description: string | null;
  customerEmail: string | null;
  /** Where the shopper comes back after a redirect (3-D Secure); null: the account's configured default. */
  returnUrl: string | null;
  /** 'required': ask the issuer for 3-D Secure on this payment; 'automatic': the provider and issuer decide. */
  threeDSecure: 'automatic' | 'required';
  /** Set when the card is a saved one (card on file); absent or null for a card the shopper just typed in and nobody keeps. */
  storedCredential?: StoredCredential | null;
}

/** An attempt as stored: everything but the payment method's data (card or wallet token), which is never kept. */
export interface AttemptIdentity {
  paymentId: string;
  attemptNumber: number;
  idempotencyKey: string;
  amount: number;
  currency: string;
  captureMethod: CaptureMethod;
}

/** The attempt an authorization request makes, without its payment method's data. */
export function attemptIdentity(request: AuthorizeRequest): AttemptIdentity {
  const { paymentId, attemptNumber, idempotencyKey, amount, currency, captureMethod } = request;
  return { paymentId, attemptNumber, idempotencyKey, amount, currency, captureMethod };
}

/**
 * A method the adapter does not declare: refused before any call, so certainly not charged
 * (routing never sends one; this guards a direct caller).
 */
export function methodRefused(provider: string, method: PaymentMethod): AuthorizationOutcome {
  if (isWalletNonce(method)) return { kind: 'not_processed', reason: 'rejected', detail: `The ${provider} adapter cannot use a ${method.type} nonce made by ${method.walletNonce.gateway}'s client SDK.` };
  return { kind: 'not_processed', reason: 'rejected', detail: `The ${provider} adapter does not take ${method.type} payments.` };
}

/**
 * A bank debit whose account details are malformed (a direct caller's: the API edge refuses them
 * first): declined `invalid_account` before any call, so nothing was debited and the payer's data
 * is at fault; null for any other method or a well-formed account.
 */
export function accountRefused(method: PaymentMethod): AuthorizationOutcome | null {
  if (method.type !== 'sepa_debit' && method.type !== 'ach_debit') return null;
  const problem = bankAccountProblem(method);
  return problem === null ? null : { kind: 'declined', reference: null, decline: decline('invalid_account', problem) };
}

export interface CaptureRequest {
  reference: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
}

export interface CancelRequest {
  reference: string;
  /** The authorized amount and currency (Adyen's reversal and some voids name it). */
  amount: number;
  currency: string;
  idempotencyKey: string;
}

export interface RefundRequest {
  reference: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
}

/**
 * Resolve an attempt whose outcome is unknown: by the gateway's reference when we have one,
 * else by our idempotency key (a resend under the same key where the provider keeps keys and
 * the card data is still at hand, a search by metadata or order reference where the provider
 * can search).
 */
export interface SyncRequest {
  reference: string | null;
  attempt: AttemptIdentity;
  /**
   * The original request with its card data, given only while the request that made the
   * attempt still runs, so a provider that keeps idempotency keys can resend it. Null for the
   * reconciler: then look the attempt up without card data, or answer unknown.
   */
  resend: AuthorizeRequest | null;
}

/** Finish an attempt that answered `requires_action` (3-D Secure), after the shopper's redirect or on the router's own check. */
export interface CompleteActionRequest {
  reference: string;
  attempt: AttemptIdentity;
  /** The query parameters the shopper's browser brought back to return_url (Adyen: redirectResult). Empty when the router checks on its own. */
  returnParams: Record<string, string>;
}

/** A capture, cancel or refund sent earlier whose answer was lost or is still pending. */
export interface ModificationSyncRequest {
  operation: 'capture' | 'cancel' | 'refund';
  /** The payment's gateway reference. */
  reference: string;
  /** The provider's id of the modification when known (a Stripe re_…, an Adyen modification pspReference, a Braintree credit transaction id). */
  modificationReference: string | null;
  amount: number;
  currency: string;
  idempotencyKey: string;
}

/** An inbound webhook as received: lower-case header names, the body byte for byte. */
export interface WebhookRequest {
  headers: Record<string, string>;
  rawBody: string;
}

/** `wrong_account`: the notification verifies but names another merchant account than the adapter's (Adyen). */
export type WebhookRejection = 'missing_signature' | 'invalid_signature' | 'stale' | 'malformed' | 'wrong_account';

export type WebhookVerification =
  | { ok: true; events: WebhookEvent[] }
  | { ok: false; reason: WebhookRejection };

/** What a provider expects back for an accepted webhook (Adyen wants `[accepted]`). */
export interface WebhookAck {
  status: 200;
  contentType: string;
  body: string;
}

/**
 * A canonical amount (ISO 4217 minor units) in a provider's own units, or why the provider cannot
 * carry it exactly (each provider's `amounts.ts`). A refusal is answered before any call: the
 * provider would reject the amount, or charge another one.
 */
export type ProviderAmount = { ok: true; value: number } | { ok: false; detail: string };

/**
 * A provider's `amountSteps` from its conversion: per ISO 4217 currency, the smallest power of ten
 * of canonical minor units it carries exactly, where that is more than 1.
 */
export function amountSteps(convert: (minor: number, currency: string) => ProviderAmount): Readonly<Record<string, number>> {
  const steps: Record<string, number> = {};
  for (const currency of CURRENCY_EXPONENTS.keys()) {
    let step = 1;
    while (!convert(step, currency).ok) step *= 10;
    if (step > 1) steps[currency] = step;
  }
  return steps;
}

export interface Capabilities {
  /** The payment methods the adapter can send; conformance runs each one's flows. */
  paymentMethods: readonly PaymentMethodType[];
  cardNetworks: readonly CardBrand[];
  /** Upper-case ISO 4217 codes, or '*' for any. */
  currencies: readonly string[] | '*';
  /** ISO 3166-1 alpha-2 codes of the card issuers served, or '*' for any. */
  countries: readonly string[] | '*';
  captureMethods: readonly CaptureMethod[];
  partialCapture: boolean;
  multipleCapture: boolean;
  voids: boolean;
  refunds: boolean;
  partialRefund: boolean;
  multipleRefunds: boolean;
  /** The provider honours our idempotency key, so a resend can never charge twice. */
  idempotency: boolean;
  /** An attempt can be found without the provider's reference (by idempotency key or order reference). */
  syncWithoutReference: boolean;
  /** Captures, voids and refunds are accepted first and confirmed later by webhook. */
  asyncModifications: boolean;
  /** The adapter can run 3-D Secure (a redirect the shopper completes); false: routing never sends it a payment that requires it. */
  threeDSecure: boolean;
  /** Per transaction, in minor units of the payment's currency. */
  amountLimits: { min: number; max: number };
  /**
   * Per currency, the canonical amount (ISO 4217 minor units) must be a multiple of this for the
   * provider to carry it exactly in its own units (Stripe's MGA: 100, whole ariary); a currency not
   * named takes any amount. Built with `amountSteps` from the adapter's conversion.
   */
  amountSteps: Readonly<Record<string, number>>;
}

/**
 * What every gateway adapter implements. Adapters are stateless and configured per gateway
 * account, talk to their provider through its official SDK, and return canonical outcomes
 * only: they never throw for something the provider answered, and no provider type crosses
 * this boundary.
 */
export interface GatewayAdapter {
  readonly provider: string;
  readonly capabilities: Capabilities;
  authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome>;
  /**
   * An attempt whose outcome is unknown, now. Never charges anew without the card data of the
   * running request (`resend`), and then only under the original idempotency key.
   */
  sync(request: SyncRequest): Promise<AuthorizationOutcome>;
  /**
   * For a provider that cannot look an attempt up without its card data (Adyen): voids whatever it
   * may hold under the attempt's reference (a technical cancel), so an answer lost for good still
   * ends in a certainty. `pending`: the provider answers by webhook, `authorization.voided` when
   * nothing under the reference is authorized any more; a failure (it was captured meanwhile) sends
   * no event, as the authorization's own notification settles that. Absent where lookups suffice.
   */
  voidAttempt?(attempt: AttemptIdentity): Promise<ModificationOutcome>;
  /** After a redirect (3-D Secure): the attempt's outcome now. Never charges anew. */
  completeAction(request: CompleteActionRequest): Promise<AuthorizationOutcome>;
  capture(request: CaptureRequest): Promise<ModificationOutcome>;
  cancel(request: CancelRequest): Promise<ModificationOutcome>;
  refund(request: RefundRequest): Promise<ModificationOutcome>;
  /**
   * Settles a capture, cancel or refund sent earlier whose answer was lost or is still pending:
   * looks it up, or resends it under the same key where the provider keeps keys. Never performs
   * it twice; if it was never performed, performing it now is fine.
   */
  resumeModification(request: ModificationSyncRequest): Promise<ModificationOutcome>;
  /** Verifies with this account's webhook secret and answers canonical events; `now` checks timestamps. */
  parseWebhook(request: WebhookRequest, now: Date): Promise<WebhookVerification>;
  readonly webhookAck: WebhookAck;
}

/**
 * A provider as the runtime sees it: its folder's `index.ts` exports one, and the runtime's
 * provider list is the only place that names it.
 */
export interface ProviderModule<Config> {
  readonly name: string;
  /** The same declaration its adapters carry; the README's table of flows is generated from it. */
  readonly capabilities: Capabilities;
  /** Credentials of an `env:<PREFIX>` account, from `<PREFIX>_*` variables; null when any is missing. */
  configFromEnv(prefix: string, env: Readonly<Record<string, string | undefined>>): Config | null;
  create(config: Config, options: { timeoutMs: number }): GatewayAdapter;
}
