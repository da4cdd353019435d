import type { DeclineReason } from '../../src/domain/decline.js';
import type { CardInput } from '../testkit/contract.js';
import { walletScenarios, type ConformanceTarget, type ScenarioInput } from '../testkit/target.js';
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

export const adyenTarget: ConformanceTarget = {
  provider: 'adyen',
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
      webhooks: simulator.webhooks,
      close: () => simulator.close(),
    };
  },
};
