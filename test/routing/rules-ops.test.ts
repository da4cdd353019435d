import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxClient } from '../support/sandbox-client.js';

const CARD = { type: 'card', card: { number: '4111111111111111', exp_month: 12, exp_year: 2030, cvc: '123' } };

describe('rulesets ops can trust: refused when routing could not use them, and a fallback that says so', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  beforeAll(async () => {
    t = await sandboxClient();
  });
  afterAll(() => t.close());

  const rules = async () => (await t.api('GET', '/v1/routing/rules')).body;
  const store = (source: string) => t.api('POST', '/v1/routing/rules', { source });
  const health = async () => (await t.api('GET', '/v1/gateways/health')).body;
  const decide = async (overrides: Record<string, unknown> = {}) => (await t.api('POST', '/v1/routing/decide', { amount: 2500, currency: 'USD', payment_method: CARD, ...overrides })).body;

  /** Stores `source`, expects the refusal, and that nothing was stored; answers the errors. */
  async function refused(source: string) {
    const before = await rules();
    const res = await store(source);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'invalid_ruleset', param: 'source' });
    expect(await rules()).toEqual(before);
    return res.body.errors as Array<{ line: number; column: number; path: string; rule: string | null; message: string }>;
  }

  it('refuses a rule none of whose gateways can take a payment it matches, naming the rule and field', async () => {
    // The sandbox's Braintree account has merchant accounts in USD and EUR only.
    const errors = await refused(`rules:
  - id: jpy-to-braintree
    when: { currency: JPY }
    then: { route: [braintree] }
default: { route: [stripe] }
`);
    expect(errors).toEqual([
      { line: 4, column: 20, path: 'rules[0].then.route', rule: 'jpy-to-braintree', message: "rule 'jpy-to-braintree': no gateway of its `route` can take a payment the rule matches: 'braintree' (currency JPY not supported)" },
    ]);
  });

  it('refuses a split arm that could never receive its share', async () => {
    const errors = await refused(`rules:
  - id: maestro-ab
    when: { card.network: maestro }
    then: { split: { adyen: 50, stripe: 50 } }
default: { route: [stripe] }
`);
    expect(errors).toEqual([expect.objectContaining({ path: 'rules[0].then.split.stripe', rule: 'maestro-ab', message: expect.stringContaining('card.network maestro not supported') })]);
  });

  it('refuses a gateway account without a working adapter (credentials not configured here)', async () => {
    const created = await t.asOperator('POST', `/v1/admin/merchants/${t.sandbox.merchantId}/gateway_accounts`, {
      provider: 'stripe',
      name: 'stripe-live',
      label: 'Stripe (live, not configured here)',
      credentials_ref: 'env:RULES_OPS_UNCONFIGURED',
    });
    expect(created.status).toBe(201);
    const errors = await refused('default: { route: [stripe-live, stripe] }\n');
    expect(errors).toEqual([expect.objectContaining({ path: 'default.route[0]', rule: 'default', message: expect.stringContaining("gateway account 'stripe-live' (provider 'stripe') has no working adapter here") })]);
    // Parse errors still name their rule when the rule has an id.
    const typo = await refused('rules:\n  - id: eur\n    when: { currency: EUR }\n    then: { route: [stirpe] }\ndefault: { route: [stripe] }\n');
    expect(typo).toEqual([
      expect.objectContaining({ path: 'rules[0].then.route', rule: 'eur', message: '`route` has no known gateway left to choose from' }),
      expect.objectContaining({ path: 'rules[0].then.route[0]', rule: 'eur', message: expect.stringMatching(/unknown gateway 'stirpe' \(did you mean 'stripe'\?\)/) }),
    ]);
  });

  it('while an account a version names is disabled: refuses to store or activate it, and routing falls back visibly', async () => {
    const version = await t.activate(`rules:
  - id: no-kp
    when: { country.billing: KP }
    then: { block: { code: country_not_supported } }
  - id: eur-to-adyen
    when: { currency: EUR }
    then: { route: [adyen, stripe] }
default: { route: [stripe, braintree] }
`);
    const eur = await t.pay({ currency: 'EUR' });
    expect(eur).toMatchObject({ gateway: { provider: 'adyen' } });
    expect(eur.decision).toMatchObject({ source: 'rules', rule: 'eur-to-adyen', fallback: null });
    expect((await health()).routing).toEqual({ active_version: version, fallback: null });
    const later = await store('default: { route: [adyen] }\n');
    expect(later.status).toBe(201);

    const disabled = await t.asOperator('POST', `/v1/admin/gateway_accounts/${t.sandbox.accounts.adyen}/disable`);
    expect(disabled.status).toBe(200);

    const fallback = { reason: 'ruleset_unusable', ruleset_version: version, errors: ["7:21: rule 'eur-to-adyen': gateway account 'adyen' is disabled"] };
    // The account list reaches routing through a cache that the disabling notifies.
    const decision = await t.eventually(() => decide({ currency: 'EUR' }), (d) => d.fallback !== null);
    expect(decision).toMatchObject({ source: 'default', ruleset_version: null, rule: null, fallback });
    const paid = await t.pay({ currency: 'EUR' });
    expect(paid.status).toBe('succeeded');
    expect(paid.decision).toMatchObject({ source: 'default', fallback });
    expect(paid.gateway.provider).not.toBe('adyen');
    expect((await health()).routing).toEqual({ active_version: version, fallback });

    const activation = await t.asOperator('POST', `/v1/routing/rules/${later.body.version}/activate`);
    expect(activation.status).toBe(422);
    expect(activation.body.errors).toEqual([expect.objectContaining({ path: 'default.route[0]', rule: 'default', message: "the default: gateway account 'adyen' is disabled" })]);
    expect((await rules()).active_version).toBe(version);
    await refused('default: { route: [adyen, stripe] }\n');

    // A version that fits the accounts left ends the fallback.
    const fixed = await t.activate('default: { route: [braintree, stripe] }\n');
    expect((await health()).routing).toEqual({ active_version: fixed, fallback: null });
    expect(await t.pay()).toMatchObject({ gateway: { provider: 'braintree' }, decision: { source: 'rules', ruleset_version: fixed, fallback: null } });
  });
});
