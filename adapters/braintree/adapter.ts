import braintree from 'braintree';
import type {
  AuthorizeRequest,
  CancelRequest,
  CaptureRequest,
  CompleteActionRequest,
  GatewayAdapter,
  ModificationSyncRequest,
  RefundRequest,
  SyncRequest,
  WebhookRequest,
} from '../testkit/contract.js';
import { methodRefused, type CardInput } from '../testkit/contract.js';
import { isWalletNonce } from '../../src/domain/payment-method.js';
import type { AuthorizationOutcome, ModificationOutcome } from '../../src/domain/outcome.js';
import { fromBraintreeAmount, toBraintreeAmount } from './amounts.js';
import { BRAINTREE_CAPABILITIES } from './capabilities.js';
import {
  authorizationFailure,
  CAPTURED_STATUSES,
  lookupFailure,
  modificationFailure,
  modificationRejected,
  modificationSucceeded,
  saleOutcome,
  transactionOutcome,
  validationCodes,
  type BraintreeResult,
  type TransactionFields,
} from './outcomes.js';
import { parseNotification } from './webhooks.js';

export interface BraintreeAdapterConfig {
  merchantId: string;
  publicKey: string;
  privateKey: string;
  host: string;
  port: number;
  ssl: boolean;
  timeoutMs: number;
  /**
   * Braintree fixes one currency per merchant account: the merchant account to charge for each
   * currency this gateway takes. Omitted: USD only, on the gateway's default merchant account.
   */
  merchantAccounts?: Readonly<Record<string, string>>;
}

/** A sale in one of these states can never be captured. */
const UNCAPTURABLE_STATUSES: ReadonlySet<string> = new Set([
  'voided',
  'failed',
  'processor_declined',
  'gateway_rejected',
  'settlement_declined',
  'authorization_expired',
]);

/** A refund's credit transaction as the outcome of the refund. */
function creditOutcome(credit: TransactionFields): ModificationOutcome {
  if (CAPTURED_STATUSES.has(credit.status)) return modificationSucceeded(credit);
  if (UNCAPTURABLE_STATUSES.has(credit.status)) {
    return { kind: 'rejected', code: credit.status, detail: `Braintree refund ${credit.id} is ${credit.status}.` };
  }
  return { kind: 'unknown', reason: 'pending_at_gateway', detail: `Braintree refund ${credit.id} is ${credit.status}.` };
}

function cardParams(card: CardInput): Record<string, string> {
  return {
    number: card.number,
    expirationMonth: String(card.expMonth).padStart(2, '0'),
    expirationYear: String(card.expYear),
    ...(card.cvc ? { cvv: card.cvc } : {}),
    ...(card.holderName ? { cardholderName: card.holderName } : {}),
  };
}

/** Validation errors that a resend of an already performed modification gets. */
const CANNOT_SUBMIT_FOR_SETTLEMENT = '91507';
const CANNOT_BE_VOIDED = '91504';

/** The SDK's refund takes `{ amount, orderId }`; @types/braintree only knows an amount. */
type RefundWithOptions = (transactionId: string, options: { amount: string; orderId: string }) => Promise<BraintreeResult>;

export function createBraintreeAdapter(config: BraintreeAdapterConfig): GatewayAdapter {
  const gateway = new braintree.BraintreeGateway({
    // The auth and GraphQL hosts are unused by the transaction API.
    environment: new braintree.Environment(config.host, String(config.port), '', config.ssl, config.host, String(config.port)),
    merchantId: config.merchantId,
    publicKey: config.publicKey,
    privateKey: config.privateKey,
  });
  // The SDK never retries; its only knob is this per-request socket timeout (default 60 s).
  gateway.config.timeout = config.timeoutMs;
  const transactions = gateway.transaction;
  const merchantAccounts: Readonly<Record<string, string | null>> = config.merchantAccounts ?? { USD: null };

  async function authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    const merchantAccountId = merchantAccounts[request.currency];
    if (merchantAccountId === undefined) {
      return { kind: 'not_processed', reason: 'rejected', detail: `No Braintree merchant account is configured for ${request.currency}.` };
    }
    const { method } = request;
    let instrument: Record<string, unknown>;
    // A wallet only as the nonce Braintree's client SDK made of it in the app: the server SDK cannot take the wallet's token.
    if (isWalletNonce(method) && method.walletNonce.gateway === 'braintree') instrument = { paymentMethodNonce: method.walletNonce.nonce };
    else if (method.type === 'card') instrument = { creditCard: cardParams(method.card) };
    else return methodRefused('braintree', method);
    try {
      const result = await transactions.sale({
        amount: toBraintreeAmount(request.amount, request.currency),
        // Braintree has no idempotency key: the order id carries ours, so sync can find the attempt.
        orderId: request.idempotencyKey,
        ...(merchantAccountId === null ? {} : { merchantAccountId }),
        ...instrument,
        ...(request.customerEmail ? { customer: { email: request.customerEmail } } : {}),
        ...storedCredentialFields(request),
        options: { submitForSettlement: request.captureMethod === 'automatic' },
      });
      return saleOutcome(result, request.currency);
    } catch (error) {
      return authorizationFailure(error);
    }
  }

  /**
   * Never resends the sale (Braintree would charge again), so `resend` is not used. Without a
   * reference the attempt is looked up by its order id. Finding none is `not_found`, not proof it
   * was never made: the sale may still be in flight at Braintree (its gateway waits up to 60 s on
   * the processor), or not yet in its search index, so only the caller, who knows how old the
   * attempt is, may conclude it was never made.
   */
  async function sync({ reference, attempt }: SyncRequest): Promise<AuthorizationOutcome> {
    try {
      if (reference !== null) return transactionOutcome(await transactions.find(reference), attempt.currency);
      const found = await findByOrderId(attempt.idempotencyKey, 'sale');
      if (found.length === 1) return transactionOutcome(found[0]!, attempt.currency);
      if (found.length === 0) {
        return { kind: 'unknown', reason: 'not_found', detail: `No Braintree transaction carries order id ${attempt.idempotencyKey} yet.` };
      }
      return { kind: 'unknown', reason: 'pending_at_gateway', detail: `${found.length} Braintree transactions carry order id ${attempt.idempotencyKey}.` };
    } catch (error) {
      return lookupFailure(error);
    }
  }

  /** 3-D Secure is not run through this adapter (`threeDSecure: false`): an attempt is read as it stands. */
  function completeAction(request: CompleteActionRequest): Promise<AuthorizationOutcome> {
    return sync({ reference: request.reference, attempt: request.attempt, resend: null });
  }

  /** Transactions of one type (a sale, or a refund's credit) whose order id is ours. */
  function findByOrderId(orderId: string, type: 'sale' | 'credit'): Promise<TransactionFields[]> {
    return new Promise((resolve, reject) => {
      const found: TransactionFields[] = [];
      transactions
        .search((search) => {
          search.orderId().is(orderId);
          search.type().is(type);
        })
        .on('data', (transaction: TransactionFields) => found.push(transaction))
        .on('error', reject)
        .on('end', () => resolve(found));
    });
  }

  /**
   * A resend after an unknown outcome finds the work done and gets a validation error: the
   * transaction then shows whether it is in the state the modification was to produce.
   */
  async function alreadyDone(result: BraintreeResult, conflictCode: string, reference: string, done: (found: TransactionFields) => boolean, action: string): Promise<ModificationOutcome> {
    if (!validationCodes(result).includes(conflictCode)) return modificationRejected(result, action);
    const found: TransactionFields = await transactions.find(reference);
    return done(found) ? modificationSucceeded(found) : modificationRejected(result, action);
  }

  async function capture(request: CaptureRequest): Promise<ModificationOutcome> {
    try {
      const result: BraintreeResult = await transactions.submitForSettlement(request.reference, toBraintreeAmount(request.amount, request.currency));
      if (result.success && result.transaction) return modificationSucceeded(result.transaction);
      const captured = (found: TransactionFields) =>
        CAPTURED_STATUSES.has(found.status) && fromBraintreeAmount(found.amount, found.currencyIsoCode) === request.amount;
      return await alreadyDone(result, CANNOT_SUBMIT_FOR_SETTLEMENT, request.reference, captured, 'submit for settlement');
    } catch (error) {
      return modificationFailure(error);
    }
  }

  async function cancel(request: CancelRequest): Promise<ModificationOutcome> {
    try {
      const result: BraintreeResult = await transactions.void(request.reference);
      if (result.success && result.transaction) return modificationSucceeded(result.transaction);
      return await alreadyDone(result, CANNOT_BE_VOIDED, request.reference, (found) => found.status === 'voided', 'void');
    } catch (error) {
      return modificationFailure(error);
    }
  }

  /**
   * A refund is a new credit transaction; its order id carries our key for reconciliation.
   * Braintree refunds only settled sales (91506 before that) and keeps no key, so a resend
   * after an unknown outcome would refund twice: `resumeModification` looks the credit up by
   * its order id first.
   */
  async function refund(request: RefundRequest): Promise<ModificationOutcome> {
    const refundWithOptions = transactions.refund.bind(transactions) as unknown as RefundWithOptions;
    try {
      const result = await refundWithOptions(request.reference, {
        amount: toBraintreeAmount(request.amount, request.currency),
        orderId: request.idempotencyKey,
      });
      if (result.success && result.transaction) return modificationSucceeded(result.transaction);
      return modificationRejected(result, 'refund');
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

  /** The sale shows whether it was submitted for settlement; only an authorized one is submitted now. */
  async function resumeCapture(request: ModificationSyncRequest): Promise<ModificationOutcome> {
    try {
      const found: TransactionFields = await transactions.find(request.reference);
      if (CAPTURED_STATUSES.has(found.status)) {
        const captured = fromBraintreeAmount(found.amount, found.currencyIsoCode);
        if (captured === request.amount) return modificationSucceeded(found);
        return {
          kind: 'unknown',
          reason: 'pending_at_gateway',
          detail: `Braintree transaction ${found.id} was submitted for settlement for ${found.amount}, not the amount asked: check it by hand.`,
        };
      }
      if (found.status === 'authorized') return capture(request);
      if (UNCAPTURABLE_STATUSES.has(found.status)) {
        return { kind: 'rejected', code: found.status, detail: `Braintree transaction ${found.id} is ${found.status}, so it cannot be captured.` };
      }
      return { kind: 'unknown', reason: 'pending_at_gateway', detail: `Braintree transaction ${found.id} is ${found.status}.` };
    } catch (error) {
      return modificationFailure(error);
    }
  }

  async function resumeCancel(request: ModificationSyncRequest): Promise<ModificationOutcome> {
    try {
      const found: TransactionFields = await transactions.find(request.reference);
      if (found.status === 'voided') return modificationSucceeded(found);
      if (found.status === 'authorized') return cancel(request);
      return { kind: 'rejected', code: found.status, detail: `Braintree transaction ${found.id} is ${found.status}, so it cannot be voided.` };
    } catch (error) {
      return modificationFailure(error);
    }
  }

  /**
   * A refund is a credit transaction whose order id is our key: by its id when known, else by a
   * search for credits with that order id; none found: it was never made, so it is made now.
   * Braintree's search index can lag behind a refund just made, so this runs for the reconciler,
   * after the refund's own request is long gone, never as an immediate retry.
   */
  async function resumeRefund(request: ModificationSyncRequest): Promise<ModificationOutcome> {
    try {
      if (request.modificationReference !== null) return creditOutcome(await transactions.find(request.modificationReference));
      const found = await findByOrderId(request.idempotencyKey, 'credit');
      if (found.length === 1) return creditOutcome(found[0]!);
      if (found.length > 1) {
        return { kind: 'unknown', reason: 'pending_at_gateway', detail: `${found.length} Braintree credits carry order id ${request.idempotencyKey}: check them by hand.` };
      }
    } catch (error) {
      return modificationFailure(error);
    }
    return refund(request);
  }

  return {
    provider: 'braintree',
    capabilities: { ...BRAINTREE_CAPABILITIES, currencies: Object.keys(merchantAccounts) },
    authorize,
    sync,
    completeAction,
    capture,
    cancel,
    refund,
    resumeModification,
    parseWebhook: (request: WebhookRequest) => parseNotification(request, config),
    // Braintree only needs a 2xx within 30 s; it ignores the body.
    webhookAck: { status: 200, contentType: 'text/plain', body: 'OK' },
  };
}

/**
 * Card details from our own vault (Braintree's external vault): the shopper's sales say the card
 * will be or is vaulted; the merchant's run as `unscheduled` and cite the first consented sale's
 * network transaction id.
 */
function storedCredentialFields(request: AuthorizeRequest): Pick<braintree.TransactionRequest, 'transactionSource' | 'externalVault'> {
  const stored = request.storedCredential ?? null;
  if (stored === null) return {};
  if (stored.initiator === 'customer') return { externalVault: { status: stored.networkTransactionId === null ? 'will_vault' : 'vaulted' } };
  return { transactionSource: 'unscheduled', externalVault: { status: 'vaulted', previousNetworkTransactionId: stored.networkTransactionId ?? undefined } };
}
