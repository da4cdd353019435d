import { cardBrand, luhnValid } from '../../../src/domain/card.js';
import { currencyExponent } from '../../../src/domain/currency.js';
import { settleAuthorisation, variant, type AccountContext } from './account.js';
import { createDebitPayment, isDebitType, type DebitType } from './bank-debits.js';
import { errors, type ApiResponse } from './errors.js';
import { newPspReference } from './ids.js';
import type { PaymentRecord } from './state.js';
import { sharedCard, SOFT_DECLINE, testCard, triggerFor, type Outcome } from './test-cards.js';
import { openApplePayPaymentData, openGooglePayToken, type OpenResult } from '../../testkit/wallet-tokens.js';

type Json = Record<string, unknown>;

interface CardFields {
  number: string;
  holderName: string | undefined;
  /** `scheme` for a card; the wallet whose token carried the device number otherwise. */
  type: 'scheme' | 'applepay' | 'googlepay';
}

/**
 * POST /v72/payments with a raw card (`paymentMethod.type: scheme`), or a wallet token
 * (`applepay` with `applePayToken`, `googlepay` with `googlePayToken`) that Adyen decrypts. The card
 * or device number and CVC are read to pick the outcome and are then dropped: the payment keeps
 * network, issuer country, BIN and last four only. A wallet's cryptogram is its authentication:
 * no 3-D Secure redirect follows.
 */
export function createPayment(ctx: AccountContext, body: Json): ApiResponse {
  const method = body['paymentMethod'];
  if (isRecord(method) && isDebitType(method['type'])) return createDebitPayment(ctx, body, method as Json & { type: DebitType });
  const merchantAccount = nonEmptyString(body['merchantAccount']) ?? fail(errors.merchantAccountMissing());
  const amount = readAmount(body['amount']);
  const reference = nonEmptyString(body['reference']) ?? fail(errors.referenceMissing());
  const card = readCard(method);
  const returnUrl = nonEmptyString(body['returnUrl']) ?? fail(errors.returnUrlMissing());
  const additionalData = isRecord(body['additionalData']) ? body['additionalData'] : {};
  const manualCapture = additionalData['manualCapture'] === 'true' || captureDelayHours(body['captureDelayHours']) > 0;

  const known = testCard(card.number);
  // Adyen's own test cards first; then the shared sandbox cards every simulator answers.
  const shared = known === undefined ? sharedCard(card.number) : undefined;
  const network = cardBrand(card.number);
  const issuerCountry = known?.country ?? shared?.country ?? 'US';
  const requestedCode = additionalData['RequestedTestAcquirerResponseCode'];
  const trigger = triggerFor(card.holderName, requestedCode === undefined ? undefined : String(requestedCode));
  // `authenticationData.attemptAuthentication: always` asks for 3-D Secure whatever the card.
  const authentication = isRecord(body['authenticationData']) ? body['authenticationData']['attemptAuthentication'] : undefined;
  if (authentication !== undefined && authentication !== 'always' && authentication !== 'never') fail(errors.attemptAuthenticationInvalid());
  const merchantOrderReference = nonEmptyString(body['merchantOrderReference']) ?? null;
  checkStoredCredential(body, additionalData);

  const payment: PaymentRecord = {
    pspReference: newPspReference(),
    merchantAccount,
    merchantReference: reference,
    merchantOrderReference,
    createdAt: Date.now(),
    amount: amount.value,
    currency: amount.currency,
    network,
    issuerCountry,
    card: {
      bin: card.number.slice(0, 6),
      summary: card.number.slice(-4),
      issuingCountry: known?.country ?? shared?.country ?? null,
      fundingSource: shared ? (shared.funding.toUpperCase() as 'CREDIT' | 'DEBIT' | 'PREPAID') : null,
    },
    resultCode: 'RedirectShopper',
    refusal: null,
    manualCapture,
    failing: trigger.failing,
    returnUrl,
    redirectResult: null,
    networkTxReference: networkTransactionId(),
    authorized: 0,
    captured: 0,
    refunded: 0,
    released: 0,
  };
  ctx.state.payments.set(payment.pspReference, payment);

  const common = {
    pspReference: payment.pspReference,
    merchantReference: reference,
    amount: { currency: amount.currency, value: amount.value },
    paymentMethod: { brand: card.type === 'scheme' ? variant(network) : `${variant(network)}_${card.type}`, type: card.type },
    additionalData: cardAdditionalData(payment),
  };
  if (card.type === 'scheme' && trigger.outcome === null && (known?.threeDSecure || shared?.threeDSecure || authentication === 'always')) {
    return {
      status: 200,
      body: {
        ...common,
        resultCode: 'RedirectShopper',
        action: { paymentMethodType: 'scheme', url: `${ctx.baseUrl}/_sim/3ds/${payment.pspReference}`, method: 'GET', type: 'redirect' },
      },
    };
  }

  let outcome: Outcome = trigger.outcome ?? shared?.outcome ?? { resultCode: 'Authorised', refusal: null };
  if (outcome.resultCode === 'Authorised' && !ctx.approval.approves({ network, currency: amount.currency, country: issuerCountry })) {
    outcome = SOFT_DECLINE;
  }
  payment.resultCode = outcome.resultCode;
  payment.refusal = outcome.refusal;
  // A Received (pending) payment gets its result later, which the test trigger never gives.
  if (outcome.resultCode !== 'Received') settleAuthorisation(ctx, payment);
  return {
    status: 200,
    body: {
      ...common,
      resultCode: outcome.resultCode,
      ...(outcome.refusal ? { refusalReason: outcome.refusal.text, refusalReasonCode: outcome.refusal.code } : {}),
      ...(outcome.resultCode === 'Authorised' ? { additionalData: { ...common.additionalData, networkTxReference: payment.networkTxReference! } } : {}),
    },
  };
}

const SHOPPER_INTERACTIONS = ['Ecommerce', 'ContAuth', 'Moto', 'POS'];
const RECURRING_MODELS = ['CardOnFile', 'Subscription', 'UnscheduledCardOnFile'];

/**
 * Stored-credential fields with a card from the merchant's own vault: a ContAuth payment (no
 * shopper) needs its recurringProcessingModel and the network transaction id of the first
 * payment the shopper consented to (`additionalData.networkTxReference`), or the networks would
 * see an unauthenticated card-not-present payment.
 */
function checkStoredCredential(body: Json, additionalData: Json): void {
  const interaction = body['shopperInteraction'] ?? 'Ecommerce';
  if (typeof interaction !== 'string' || !SHOPPER_INTERACTIONS.includes(interaction)) fail(errors.shopperInteractionInvalid());
  const model = body['recurringProcessingModel'];
  if (model !== undefined && (typeof model !== 'string' || !RECURRING_MODELS.includes(model))) fail(errors.recurringProcessingModelInvalid());
  if (interaction !== 'ContAuth') return;
  if (model === undefined) fail(errors.recurringProcessingModelInvalid());
  const reference = additionalData['networkTxReference'];
  if (typeof reference !== 'string' || !/^[0-9A-Za-z]{9,32}$/.test(reference)) fail(errors.networkTxReferenceMissing());
}

/** A network transaction id as the card networks issue them (Visa: 15 digits). */
export function networkTransactionId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(15)), (b) => String(b % 10)).join('');
}

/**
 * The card fields of a payment response's `additionalData`, as Adyen returns them once they are
 * enabled under Developers > Additional data: `cardBin`, `cardSummary`, `cardIssuingCountry` and
 * `fundingSource` (these two only where the card's BIN is known).
 */
export function cardAdditionalData(payment: PaymentRecord): Record<string, string> {
  const card = payment.card;
  if (!card) return {};
  return {
    cardBin: card.bin,
    cardSummary: card.summary,
    ...(card.issuingCountry ? { cardIssuingCountry: card.issuingCountry } : {}),
    ...(card.fundingSource ? { fundingSource: card.fundingSource } : {}),
  };
}

export function readAmount(value: unknown): { value: number; currency: string } {
  if (!isRecord(value)) fail(errors.amountMissing());
  const { value: minor, currency } = value;
  if (typeof minor !== 'number' || !Number.isSafeInteger(minor) || minor < 0) fail(errors.amountInvalid());
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency) || currencyExponent(currency) === undefined) {
    fail(errors.currencyUnsupported());
  }
  return { value: minor, currency };
}

function readCard(value: unknown): CardFields {
  if (!isRecord(value)) fail(errors.paymentMethodMissing());
  if (value['type'] === 'applepay' || value['type'] === 'googlepay') return readWallet(value);
  if (value['type'] !== 'scheme') fail(errors.paymentMethodUnsupported());
  const number = value['number'];
  if (typeof number !== 'string' || !/^\d{12,19}$/.test(number) || !luhnValid(number)) fail(errors.cardNumberInvalid());
  const month = Number(value['expiryMonth']);
  const year = Number(value['expiryYear']);
  const now = new Date();
  if (
    !Number.isInteger(month) || month < 1 || month > 12 ||
    !Number.isInteger(year) || year < 2000 || year > 9999 ||
    year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1
  ) {
    fail(errors.expiryInvalid());
  }
  const cvc = value['cvc'];
  const cvcLength = cardBrand(number) === 'amex' ? 4 : 3;
  if (cvc !== undefined && (typeof cvc !== 'string' || !new RegExp(`^\\d{${cvcLength}}$`).test(cvc))) fail(errors.cvcLength());
  const holderName = value['holderName'];
  return { number, holderName: typeof holderName === 'string' ? holderName : undefined, type: 'scheme' };
}

function readWallet(value: Json): CardFields {
  const type = value['type'] as 'applepay' | 'googlepay';
  const token = type === 'applepay' ? value['applePayToken'] : value['googlePayToken'];
  if (typeof token !== 'string' || token.length === 0) fail(errors.walletTokenInvalid(`${type === 'applepay' ? 'applePayToken' : 'googlePayToken'} is required.`));
  let opened: OpenResult;
  if (type === 'applepay') {
    let paymentData: unknown;
    try {
      // Adyen takes Apple Pay's paymentData JSON, base64-encoded.
      paymentData = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(token), (c) => c.charCodeAt(0))));
    } catch {
      fail(errors.walletTokenInvalid('applePayToken is not base64 of the paymentData JSON.'));
    }
    opened = openApplePayPaymentData(paymentData);
  } else {
    opened = openGooglePayToken(token);
  }
  if (!opened.ok) fail(errors.walletTokenInvalid(opened.reason));
  return { number: opened.token.pan, holderName: undefined, type };
}

function captureDelayHours(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(errors.captureDelayInvalid());
  return value;
}

export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function fail(error: Error): never {
  throw error;
}
