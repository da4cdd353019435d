import type { Capabilities } from '../../../adapters/testkit/contract.js';
import { compile, type CompiledRuleset } from './compile.js';
import { parseRuleset } from './parse.js';
import { formatError } from './source.js';
import type { RoutingTransaction } from './transaction.js';

export const GATEWAYS = ['stripe', 'adyen', 'braintree'];

/** A card gateway that takes any currency, country and capture method, for tests to narrow. */
export const CARD_CAPABILITIES: Capabilities = {
  paymentMethods: ['card'],
  cardNetworks: ['visa', 'mastercard', 'amex'],
  currencies: '*',
  countries: '*',
  captureMethods: ['automatic', 'manual'],
  partialCapture: true,
  multipleCapture: false,
  voids: true,
  refunds: true,
  partialRefund: true,
  multipleRefunds: true,
  idempotency: true,
  syncWithoutReference: true,
  asyncModifications: false,
  threeDSecure: true,
  amountLimits: { min: 1, max: 10_000_000 },
  amountSteps: {},
};

/** Compiles YAML in tests; throws with the located errors if it does not parse. */
export function compileYaml(yaml: string): CompiledRuleset {
  const parsed = parseRuleset(yaml, 'test.yaml', GATEWAYS);
  if ('errors' in parsed) throw new Error(parsed.errors.map(formatError).join('\n'));
  return compile(parsed.ruleset, GATEWAYS);
}

type Overrides = Partial<Omit<RoutingTransaction, 'card'>> & { card?: Partial<RoutingTransaction['card']> };

/** A 10.00 USD customer payment with a US Visa credit card, changed by `overrides`. */
export function tx(overrides: Overrides = {}): RoutingTransaction {
  const { card, ...rest } = overrides;
  return {
    paymentId: 'pay_1',
    amount: 1000,
    currency: 'USD',
    paymentMethod: 'card',
    billingCountry: 'US',
    captureMethod: 'automatic',
    initiator: 'customer',
    metadata: {},
    ...rest,
    card: { network: 'visa', type: 'credit', bin: '424242', issuerCountry: 'US', ...card },
  };
}
