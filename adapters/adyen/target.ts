import type { DeclineReason } from '../../src/domain/decline.js';
import type { CardInput } from '../testkit/contract.js';
import { walletScenarios, type ConformanceTarget, type MethodScenario, type ScenarioInput } from '../testkit/target.js';
import { createAdyenAdapter } from './adapter.js';
import { startAdyenSimulator } from './simulator/index.js';

/** Test-only credentials: the simulator accepts exactly these. */
const API_KEY = 'AQE_switchyard_simulator_key';
const MERCHANT_ACCOUNT = 'SwitchyardTest';
const HMAC_KEY = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';

/** Adyen's test cards take expiry 03/2030 and CVC 737; the holder name picks a refusal. */
function card(number: string, holderName = 'Jane Shopper'): CardInput {
  return { number, expMonth: 3, expYear: 2030, cvc: '737', holderName };
}

const scenario = (input: CardInput): ScenarioInput => ({ card: input, amount: 1000, currency: 'EUR' });

const VISA = '4111111145551142';
const MASTERCARD = '5555341244441115';

/** One of Adyen's test holder names per canonical reason it can produce. */
const DECLINES: Partial<Record<DeclineReason, ScenarioInput>> = {
  do_not_honor: scenario(card(VISA, 'DECLINED')),
  generic_decline: scenario(card(MASTERCARD, 'DECLINED_NON_GENERIC')),
  insufficient_funds: scenario(card(VISA, 'NOT_ENOUGH_BALANCE')),
  expired_card: scenario(card(MASTERCARD, 'CARD_EXPIRED')),
  invalid_number: scenario(card(VISA, 'INVALID_CARD_NUMBER')),
  invalid_cvc: scenario(card(VISA, 'CVC_DECLINED')),
  lost_or_stolen: scenario(card(MASTERCARD, 'BLOCK_CARD')),
  suspected_fraud: scenario(card(VISA, 'FRAUD')),
  authentication_required: scenario(card(VISA, 'NOT_3D_AUTHENTICATED')),
  issuer_unavailable: scenario(card(MASTERCARD, 'ISSUER_UNAVAILABLE')),
  velocity_exceeded: scenario(card(VISA, 'WITHDRAWAL_COUNT_EXCEEDED')),
  restricted_card: scenario(card(VISA, 'RESTRICTED_CARD')),
  processing_error: scenario(card(MASTERCARD, 'ERROR')),
};

const acceptance = { kind: 'acceptance', acceptedAt: new Date('2026-11-30T10:00:00Z'), ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (conformance)' } as const;

/** A SEPA debit; the owner name takes the holder-name triggers (NOT_ENOUGH_BALANCE fails at settlement). */
function sepa(iban: string, owner = 'Ada Lovelace'): MethodScenario {
  return { method: { type: 'sepa_debit', sepaDebit: { iban, accountHolderName: owner, mandate: acceptance } }, amount: 2500, currency: 'EUR' };
}

/** An ACH debit from Adyen's test account (routing 011000138). */
function ach(routingNumber: string, accountNumber: string, owner = 'Grace Hopper'): MethodScenario {
  return {
    method: { type: 'ach_debit', achDebit: { routingNumber, accountNumber, accountType: 'checking', accountHolderName: owner, accountHolderType: 'individual', acceptance } },
    amount: 5000,
    currency: 'USD',
  };
}

export const adyenTarget: ConformanceTarget = {
  provider: 'adyen',
  paymentMethods: ['card', 'apple_pay', 'google_pay', 'sepa_debit', 'ach_debit'],
  async start({ timeoutMs, webhookUrl }) {
    const simulator = await startAdyenSimulator({ hmacKey: HMAC_KEY, apiKey: API_KEY, merchantAccount: MERCHANT_ACCOUNT, webhookUrl });
    const adapter = createAdyenAdapter({ apiKey: API_KEY, merchantAccount: MERCHANT_ACCOUNT, baseUrl: simulator.url, hmacKey: HMAC_KEY, returnUrl: 'https://shop.example/return', timeoutMs });
    return {
      adapter,
      simulator,
      scenarios: {
        approved: scenario(card(VISA)),
        declines: DECLINES,
        requiresAction: scenario(card('4212345678910006')),
        wallets: walletScenarios(['apple_pay', 'google_pay'], { amount: 2500, currency: 'EUR' }, 'adyen'),
      },
      debits: {
        scenarios: {
          sepa_debit: { settles: sepa('DE87123456781234567890'), fails: sepa('DE87123456781234567890', 'NOT_ENOUGH_BALANCE'), reason: 'insufficient_funds', bad: sepa('DE87123456781234567891') },
          ach_debit: { settles: ach('011000138', '1234567890'), fails: ach('011000138', '1234567890', 'NOT_ENOUGH_BALANCE'), reason: 'insufficient_funds', bad: ach('011000139', '1234567890') },
        },
        bank: {
          settlesAfterMs: simulator.debitSettlementMs,
          advance: (ms) => simulator.advanceBank(ms),
          returnDebit: (reference, code) => {
            simulator.returnDebit(reference, code);
            return code;
          },
        },
      },
      webhooks: simulator.webhooks,
      close: () => simulator.close(),
    };
  },
};
