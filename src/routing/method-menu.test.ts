import { describe, expect, it } from 'vitest';
import { seededRandom } from '../domain/random.js';
import { decide, type GatewayCandidate } from './decide.js';
import { SuccessRateLearner } from './learner/index.js';
import { menuProbes, methodMenu, type MenuQuery } from './method-menu.js';
import { CARD_CAPABILITIES, compileYaml } from './rules/test-helpers.js';
import { successModel } from './success-model.js';

const account = (name: string, provider: string, paymentMethods: GatewayCandidate['capabilities']['paymentMethods'], extra: Partial<GatewayCandidate['capabilities']> = {}): GatewayCandidate => ({
  accountId: `gwa_${name}`,
  name,
  provider,
  capabilities: { ...CARD_CAPABILITIES, paymentMethods, ...extra },
  health: 'closed',
  fees: null,
});

const BANK_DEBITS: readonly string[] = ['sepa_debit', 'ach_debit'];

const ACCOUNTS = [account('stripe', 'stripe', ['card', 'apple_pay']), account('adyen', 'adyen', ['card', 'apple_pay', 'google_pay'], { currencies: ['EUR'] }), account('braintree', 'braintree', ['card'])];

function menu(query: MenuQuery, rules: string | null = null, accounts = ACCOUNTS) {
  const probes = menuProbes(query, accounts);
  const ruleset = rules === null ? null : { version: 1, compiled: compileYaml(rules) };
  const model = successModel(new SuccessRateLearner());
  const decisions = probes.map((p) => decide({ tx: p.tx, candidates: accounts, ruleset, explicit: null, model, random: seededRandom(1), probe: { every: 10, counter: 1 }, explore: false }).explanation);
  return methodMenu(probes, decisions, accounts);
}

describe('the payment methods menu', () => {
  it('offers each method some account can take for this currency, with its gateways and, for Google Pay, the gateways a token may be made for', () => {
    const eur = menu({ amount: 1000, currency: 'EUR', country: 'DE' });
    expect(eur.available.map((m) => m.type)).toEqual(['card', 'apple_pay', 'google_pay']);
    expect(eur.available.find((m) => m.type === 'apple_pay')?.gateways.sort()).toEqual(['adyen', 'stripe']);
    expect(eur.available.find((m) => m.type === 'google_pay')).toMatchObject({ gateways: ['adyen'], tokenGateways: ['adyen'] });

    // Adyen's account takes only EUR: no gateway takes Google Pay in USD.
    const usd = menu({ amount: 1000, currency: 'USD', country: 'US' });
    expect(usd.available.map((m) => m.type)).toEqual(['card', 'apple_pay']);
    expect(usd.unavailable.filter((m) => !BANK_DEBITS.includes(m.type))).toEqual([
      { type: 'google_pay', reason: 'no_eligible_gateway', rule: null },
      { type: 'paypal', reason: 'no_eligible_gateway', rule: null },
      { type: 'crypto', reason: 'no_eligible_gateway', rule: null },
    ]);
  });

  it('offers PayPal, on no card network, where a PayPal account takes the currency', () => {
    const paypal = account('paypal', 'paypal', ['paypal'], { cardNetworks: [], currencies: ['USD', 'EUR'] });
    const usd = menu({ amount: 1000, currency: 'USD', country: 'US' }, null, [...ACCOUNTS, paypal]);
    expect(usd.available.find((m) => m.type === 'paypal')).toMatchObject({ networks: [], gateways: ['paypal'] });
    const gbp = menu({ amount: 1000, currency: 'GBP', country: 'GB' }, null, [...ACCOUNTS, paypal]);
    expect(gbp.unavailable).toContainEqual({ type: 'paypal', reason: 'no_eligible_gateway', rule: null });
  });

  it('offers crypto, on no card network, where a crypto account prices the currency', () => {
    const bitpay = account('bitpay', 'bitpay', ['crypto'], { cardNetworks: [], currencies: ['USD', 'EUR'], captureMethods: ['automatic'] });
    const usd = menu({ amount: 1000, currency: 'USD', country: 'US' }, null, [...ACCOUNTS, bitpay]);
    expect(usd.available.find((m) => m.type === 'crypto')).toMatchObject({ networks: [], gateways: ['bitpay'] });
    const sek = menu({ amount: 1000, currency: 'SEK', country: 'SE' }, null, [...ACCOUNTS, bitpay]);
    expect(sek.unavailable).toContainEqual({ type: 'crypto', reason: 'no_eligible_gateway', rule: null });
  });

  it('answers what the active rules answer: a rule blocking a method, or routing it only to gateways that cannot take it', () => {
    const blocked = menu({ amount: 1000, currency: 'EUR', country: 'DE' }, 'rules:\n  - id: no-apple-pay\n    when: { payment_method: apple_pay }\n    then: { block: { code: method_not_offered } }\ndefault: { optimize: { objective: expected_value } }\n');
    expect(blocked.available.map((m) => m.type)).toEqual(['card', 'google_pay']);
    expect(blocked.unavailable.filter((m) => !BANK_DEBITS.includes(m.type))).toEqual([
      { type: 'apple_pay', reason: 'blocked', rule: 'no-apple-pay' },
      { type: 'paypal', reason: 'no_eligible_gateway', rule: null },
      { type: 'crypto', reason: 'no_eligible_gateway', rule: null },
    ]);

    const routedAway = menu({ amount: 1000, currency: 'EUR', country: 'DE' }, 'rules:\n  - id: wallets-to-braintree\n    when: { payment_method: { in: [apple_pay, google_pay] } }\n    then: { route: [braintree] }\ndefault: { optimize: { objective: expected_value } }\n');
    expect(routedAway.available.map((m) => m.type)).toEqual(['card']);
    expect(routedAway.unavailable.filter((m) => !BANK_DEBITS.includes(m.type)).map((m) => m.type)).toEqual(['apple_pay', 'google_pay', 'paypal', 'crypto']);
    expect(routedAway.unavailable.filter((m) => !BANK_DEBITS.includes(m.type)).map((m) => m.reason)).toEqual(['no_eligible_gateway', 'no_eligible_gateway', 'no_eligible_gateway', 'no_eligible_gateway']);
  });

  it('leaves out an amount over every limit, and a shopper country no account serves', () => {
    expect(menu({ amount: CARD_CAPABILITIES.amountLimits.max + 1, currency: 'EUR', country: 'DE' }).available).toEqual([]);
    const onlyUs = ACCOUNTS.map((a) => ({ ...a, capabilities: { ...a.capabilities, countries: ['US'] } }));
    expect(menu({ amount: 1000, currency: 'EUR', country: 'DE' }, null, onlyUs).available).toEqual([]);
  });

  it('offers a bank debit where an account declares it, for its currency and the shopper\'s country, on no card network', () => {
    const debits = account('gocardless', 'gocardless', ['sepa_debit', 'ach_debit'], { cardNetworks: [], currencies: ['EUR', 'USD'], countries: ['DE', 'FR', 'US'] });
    const accounts = [...ACCOUNTS, debits];
    const de = menu({ amount: 1000, currency: 'EUR', country: 'DE' }, null, accounts);
    expect(de.available.filter((m) => BANK_DEBITS.includes(m.type))).toEqual([{ type: 'sepa_debit', networks: [], gateways: ['gocardless'] }]);
    // ACH collects only US dollars.
    expect(de.unavailable).toContainEqual({ type: 'ach_debit', reason: 'no_eligible_gateway', rule: null });
    const us = menu({ amount: 1000, currency: 'USD', country: 'US' }, null, accounts);
    expect(us.available.filter((m) => BANK_DEBITS.includes(m.type))).toEqual([{ type: 'ach_debit', networks: [], gateways: ['gocardless'] }]);
    // A bank in a country the account does not serve.
    const se = menu({ amount: 1000, currency: 'EUR', country: 'SE' }, null, accounts);
    expect(se.unavailable.filter((m) => BANK_DEBITS.includes(m.type)).map((m) => m.reason)).toEqual(['no_eligible_gateway', 'no_eligible_gateway']);
  });
});
