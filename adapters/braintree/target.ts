import type { DeclineReason } from '../../src/domain/decline.js';
import type { WalletType } from '../../src/domain/payment-method.js';
import type { ConformanceTarget, MethodScenario, ScenarioInput, WalletScenarios } from '../testkit/target.js';
import { createBraintreeAdapter } from './adapter.js';
import { CVV_NO_MATCH, FRAUD_CARD, startBraintreeSimulator } from './simulator/index.js';

const card = { number: '4111111111111111', expMonth: 12, expYear: 2030, cvc: '123', holderName: 'Ada Lovelace' };

/** The sandbox picks the processor response by amount (major units): 2000.00–2999.99 decline with that code, 3000.00 fails. */
const byAmount = (major: number): ScenarioInput => ({ card, amount: major * 100, currency: 'USD' });

const declines: Partial<Record<DeclineReason, ScenarioInput>> = {
  do_not_honor: byAmount(2000),
  insufficient_funds: byAmount(2001),
  velocity_exceeded: byAmount(2002),
  expired_card: byAmount(2004),
  invalid_number: byAmount(2005),
  invalid_cvc: { card: { ...card, cvc: CVV_NO_MATCH }, amount: 1000, currency: 'USD' },
  lost_or_stolen: byAmount(2012),
  suspected_fraud: { card: { ...card, number: FRAUD_CARD }, amount: 1000, currency: 'USD' },
  restricted_card: byAmount(2015),
  generic_decline: byAmount(2038),
  authentication_required: byAmount(2099),
  processing_error: byAmount(3000),
  unknown: byAmount(2016),
};

/** Braintree's sandbox wallet nonces; the amount steers them as it does cards (2038.00: generic decline). */
const walletNonce = (type: WalletType, nonce: string, cardNetwork: string, amount: number): MethodScenario => {
  const walletNonce = { gateway: 'braintree', nonce, cardNetwork, last4: null } as const;
  return { method: type === 'apple_pay' ? { type, walletNonce } : { type, walletNonce }, amount, currency: 'USD' };
};
const wallets: WalletScenarios = {
  apple_pay: { approved: walletNonce('apple_pay', 'fake-apple-pay-visa-nonce', 'Visa', 1000), declined: walletNonce('apple_pay', 'fake-apple-pay-visa-nonce', 'Visa', 203_800) },
  google_pay: { approved: walletNonce('google_pay', 'fake-android-pay-visa-nonce', 'VISA', 1000), declined: walletNonce('google_pay', 'fake-android-pay-visa-nonce', 'VISA', 203_800) },
};

export const braintreeTarget: ConformanceTarget = {
  provider: 'braintree',
  async start({ timeoutMs, webhookUrl }) {
    const keys = { merchantId: 'conformance_merchant', publicKey: 'conformance_public_key', privateKey: 'conformance_private_key' };
    const simulator = await startBraintreeSimulator({ ...keys, webhookUrl });
    const adapter = createBraintreeAdapter({ ...keys, host: simulator.host, port: simulator.port, ssl: false, timeoutMs });
    return {
      adapter,
      simulator,
      scenarios: { approved: { card, amount: 1000, currency: 'USD' }, declines, wallets },
      webhooks: simulator.webhooks,
      close: () => simulator.close(),
    };
  },
};
