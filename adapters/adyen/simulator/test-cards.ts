import type { CardFunding } from '../../../src/domain/card.js';
import { sandboxTestCard, type SandboxOutcome } from '../../testkit/test-cards.js';
import { REFUSAL_REASONS } from '../declines.js';

/** Adyen's public test cards the simulator knows by number; any other Luhn-valid number is approved too. */
export interface TestCard {
  number: string;
  /** Issuing country, where Adyen's list gives one; 'US' otherwise. */
  country: string;
  /** Answers RedirectShopper: 3-D Secure by redirect to the simulator's page. */
  threeDSecure: boolean;
}

export const TEST_CARDS: readonly TestCard[] = [
  { number: '4111111145551142', country: 'US', threeDSecure: false },
  { number: '4111111111111111', country: 'NL', threeDSecure: false },
  { number: '4400000000000008', country: 'US', threeDSecure: false },
  { number: '5555341244441115', country: 'US', threeDSecure: false },
  { number: '5555555555554444', country: 'GB', threeDSecure: false },
  { number: '5500000000000004', country: 'US', threeDSecure: false },
  { number: '370000000000002', country: 'NL', threeDSecure: false },
  { number: '6011601160116611', country: 'US', threeDSecure: false },
  { number: '4212345678910006', country: 'US', threeDSecure: true },
  { number: '5454545454545454', country: 'US', threeDSecure: true },
];

export type ResultCode = 'Authorised' | 'Refused' | 'Error' | 'Cancelled' | 'Received';

export interface Outcome {
  resultCode: ResultCode;
  /** For Refused, Error and Cancelled. */
  refusal: { code: string; text: string } | null;
}

/**
 * Adyen's test triggers (docs.adyen.com/development-resources/testing/result-codes): the card's
 * `holderName`, or `additionalData.RequestedTestAcquirerResponseCode`, picks the answer.
 * [holderName, RequestedTestAcquirerResponseCode, resultCode]
 */
const TRIGGERS: ReadonlyArray<readonly [string, string, ResultCode]> = [
  ['UNKNOWN', '0', 'Error'],
  ['APPROVED', '1', 'Authorised'],
  ['DECLINED', '2', 'Refused'],
  ['REFERRAL', '3', 'Refused'],
  ['ERROR', '4', 'Error'],
  ['BLOCK_CARD', '5', 'Refused'],
  ['CARD_EXPIRED', '6', 'Refused'],
  ['INVALID_AMOUNT', '7', 'Refused'],
  ['INVALID_CARD_NUMBER', '8', 'Refused'],
  ['ISSUER_UNAVAILABLE', '9', 'Refused'],
  ['NOT_SUPPORTED', '10', 'Refused'],
  ['NOT_3D_AUTHENTICATED', '11', 'Refused'],
  ['NOT_ENOUGH_BALANCE', '12', 'Refused'],
  ['PENDING', '13', 'Received'],
  ['ACQUIRER_FRAUD', '14', 'Refused'],
  ['CANCELLED', '15', 'Refused'],
  ['SHOPPER_CANCELLED', '16', 'Refused'],
  ['INVALID_PIN', '17', 'Refused'],
  ['PIN_TRIES_EXCEEDED', '18', 'Refused'],
  ['PIN_VALIDATION_NOT_POSSIBLE', '19', 'Refused'],
  ['FRAUD', '20', 'Refused'],
  ['NOT_SUBMITTED', '21', 'Refused'],
  ['FRAUD_CANCELLED', '22', 'Cancelled'],
  ['TRANSACTION_NOT_PERMITTED', '23', 'Refused'],
  ['CVC_DECLINED', '24', 'Refused'],
  ['RESTRICTED_CARD', '25', 'Refused'],
  ['REVOCATION_OF_AUTH', '26', 'Refused'],
  ['DECLINED_NON_GENERIC', '27', 'Refused'],
  ['WITHDRAWAL_AMOUNT_EXCEEDED', '28', 'Refused'],
  ['WITHDRAWAL_COUNT_EXCEEDED', '29', 'Refused'],
  ['ISSUER_SUSPECTED_FRAUD', '31', 'Refused'],
  ['AVS_DECLINED', '32', 'Refused'],
  ['CARD_REQUIRES_ONLINE_PIN', '33', 'Refused'],
  ['NO_CHECKING_ACCOUNT_AVAILABLE_ON_CARD', '34', 'Refused'],
  ['NO_SAVINGS_ACCOUNT_AVAILABLE_ON_CARD', '35', 'Refused'],
  ['MOBILE_PIN_REQUIRED', '36', 'Refused'],
  ['CONTACTLESS_FALLBACK', '37', 'Refused'],
  ['AUTHENTICATION_REQUIRED', '38', 'Refused'],
];

export const HOLDER_NAME_TRIGGERS: ReadonlyMap<string, Outcome> = new Map(TRIGGERS.map(([name, code, resultCode]) => [name, outcome(code, resultCode)]));
const CODE_TRIGGERS: ReadonlyMap<string, Outcome> = new Map(TRIGGERS.map(([, code, resultCode]) => [code, outcome(code, resultCode)]));

/** Adyen's "Test failed modifications": the payment is authorised, then that modification fails after succeeding. */
export type FailingModification = 'capture' | 'refund';
const FAILING_MODIFICATIONS: ReadonlyMap<string, FailingModification> = new Map([
  ['capture failed', 'capture'],
  ['refund failed', 'refund'],
]);

export const SOFT_DECLINE: Outcome = outcome('2', 'Refused');
export const AUTHENTICATION_FAILED: Outcome = outcome('11', 'Refused');

function outcome(code: string, resultCode: ResultCode): Outcome {
  const text = REFUSAL_REASONS[code]?.text;
  const refused = resultCode === 'Refused' || resultCode === 'Error' || resultCode === 'Cancelled';
  return { resultCode, refusal: refused && text !== undefined ? { code, text } : null };
}

export interface Trigger {
  /** Null: no trigger, the card decides. */
  outcome: Outcome | null;
  failing: FailingModification | null;
}

export function triggerFor(holderName: string | undefined, requestedCode: string | undefined): Trigger {
  const name = holderName?.trim() ?? '';
  const failing = FAILING_MODIFICATIONS.get(name.toLowerCase()) ?? null;
  const byCode = requestedCode === undefined ? undefined : CODE_TRIGGERS.get(requestedCode.trim());
  return { outcome: byCode ?? HOLDER_NAME_TRIGGERS.get(name.toUpperCase()) ?? null, failing };
}

export function testCard(number: string): TestCard | undefined {
  return TEST_CARDS.find((card) => card.number === number);
}

/**
 * The shared sandbox test cards (`testkit/test-cards.ts`, Stripe's numbers), answered with Adyen's
 * own refusal for each outcome, so they decline here as they do on Stripe. Holder-name and
 * RequestedTestAcquirerResponseCode triggers win over them; 3-D Secure cards take the
 * RedirectShopper flow.
 */
const SHARED_REFUSALS: Readonly<Record<Exclude<SandboxOutcome, 'approve' | 'three_d_secure'>, string>> = {
  generic_decline: '27', // Declined Non Generic: the canonical generic decline
  insufficient_funds: '12', // Not enough balance
  lost_card: '5', // Blocked Card
  stolen_card: '5',
  expired_card: '6', // Expired Card
  incorrect_cvc: '24', // CVC Declined
  processing_error: '4', // Acquirer Error (resultCode Error)
  fraudulent: '20', // FRAUD
  velocity_exceeded: '29', // Withdrawal count exceeded
};

export interface SharedCard {
  country: string;
  funding: CardFunding;
  /** Null: approved (unless steering declines it). */
  outcome: Outcome | null;
  threeDSecure: boolean;
}

/** What a shared sandbox test card does on Adyen, or undefined for any other number. */
export function sharedCard(number: string): SharedCard | undefined {
  const card = sandboxTestCard(number);
  if (card === undefined) return undefined;
  if (card.outcome === 'approve' || card.outcome === 'three_d_secure') {
    return { country: card.country, funding: card.funding, outcome: null, threeDSecure: card.outcome === 'three_d_secure' };
  }
  return { country: card.country, funding: card.funding, outcome: CODE_TRIGGERS.get(SHARED_REFUSALS[card.outcome])!, threeDSecure: false };
}
