import { describe, expect, it } from 'vitest';
import type { Capabilities } from '../../../adapters/testkit/contract.js';
import { parseRuleset } from './parse.js';
import type { Ruleset } from './ruleset.js';
import { CARD_CAPABILITIES } from './test-helpers.js';
import { accountErrors, usabilityErrors, type RulesAccount } from './usability.js';

const ANY: Capabilities = { ...CARD_CAPABILITIES, amountLimits: { min: 50, max: 1_000_000 } };

function account(name: string, overrides: Partial<RulesAccount> = {}, caps: Partial<Capabilities> = {}): RulesAccount {
  return { name, provider: name, unusable: null, capabilities: { ...ANY, ...caps }, priced: true, ...overrides };
}

/** stripe takes anything; eu only EUR and German or French cards; manual-less no manual capture and has no fee schedule. */
const ACCOUNTS: RulesAccount[] = [
  account('stripe'),
  account('eu', {}, { currencies: ['EUR'], countries: ['DE', 'FR'] }),
  account('manual-less', { priced: false }, { captureMethods: ['automatic'] }),
  account('old', { unusable: 'disabled' }),
  account('ghost', { provider: 'paypal', unusable: 'no_adapter', capabilities: null }),
];

function ruleset(yaml: string): Ruleset {
  const parsed = parseRuleset(yaml, 'r.yaml', ACCOUNTS.map((a) => a.name));
  if ('errors' in parsed) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.ruleset;
}

const errorsOf = (yaml: string) => usabilityErrors(ruleset(yaml), ACCOUNTS).map(({ line, path, message }) => ({ line, path, message }));

describe('what routing could not use, found before a ruleset is stored or activated', () => {
  it('passes a ruleset every gateway of which can serve what its rule matches', () => {
    expect(
      errorsOf(`rules:
  - id: eur
    when: { currency: EUR }
    then: { split: { eu: 60, stripe: 40 } }
  - id: de-or-us
    when: { country.issuer: { in: [DE, US] } }
    then: { route: [eu] }
  - id: manual
    when: { capture_method: manual }
    then: { optimize: { objective: cost, among: [stripe, eu] } }
default: { route: [stripe, manual-less] }
`),
    ).toEqual([]);
  });

  it('names a disabled gateway and one without a working adapter, wherever they are used', () => {
    const errors = errorsOf(`rules:
  - id: legacy
    when: { currency: USD }
    then: { route: [old, stripe] }
default: { split: { stripe: 50, ghost: 50 } }
`);
    expect(errors).toEqual([
      { line: 4, path: 'rules[0].then.route[0]', message: "rule 'legacy': gateway account 'old' is disabled" },
      { line: 5, path: 'default.split.ghost', message: expect.stringMatching(/^the default: gateway account 'ghost' \(provider 'paypal'\) has no working adapter here/) },
    ]);
  });

  it('refuses a rule whose every gateway can never take a payment it matches, naming each reason', () => {
    const [jpy, ...rest] = errorsOf(`rules:
  - id: jpy-to-eu
    when: { currency: JPY }
    then: { route: [eu] }
  - id: big-eur
    when: { amount: { gte: 2000000, currency: EUR } }
    then: { optimize: { objective: success_rate, among: [eu, stripe] } }
  - id: manual-us
    when: { capture_method: manual, country.issuer: US }
    then: { route: [manual-less, eu] }
default: { route: [stripe] }
`);
    expect(jpy).toEqual({ line: 4, path: 'rules[0].then.route', message: "rule 'jpy-to-eu': no gateway of its `route` can take a payment the rule matches: 'eu' (currency JPY not supported)" });
    expect(rest.map((e) => e.message)).toEqual([
      "rule 'big-eur': no gateway of its `optimize` can take a payment the rule matches: 'eu' (amounts 50–1000000 only), 'stripe' (amounts 50–1000000 only)",
      "rule 'manual-us': no gateway of its `route` can take a payment the rule matches: 'manual-less' (capture_method manual not supported), 'eu' (issuer country US not served)",
    ]);
  });

  it('lets a route through when one of its gateways can serve, and an unknown issuer country always can', () => {
    expect(errorsOf('rules:\n  - id: jpy\n    when: { currency: JPY }\n    then: { route: [eu, stripe] }\ndefault: { route: [stripe] }\n')).toEqual([]);
    expect(errorsOf('rules:\n  - id: us\n    when: { country.issuer: { not_in: [DE, FR] } }\n    then: { route: [eu] }\ndefault: { route: [stripe] }\n')).toEqual([]);
  });

  it('refuses a split arm that could never get its share', () => {
    expect(errorsOf('rules:\n  - id: ab\n    when: { currency: GBP }\n    then: { split: { stripe: 70, eu: 30 } }\ndefault: { route: [stripe] }\n')).toEqual([
      { line: 4, path: 'rules[0].then.split.eu', message: "rule 'ab': split arm 'eu' can never take a payment the rule matches (currency GBP not supported), so the split could not keep its weights" },
    ]);
  });

  it('refuses the cost objective over a gateway without a fee schedule, listed or implied', () => {
    expect(errorsOf('rules:\n  - id: cheap\n    then: { optimize: { objective: cost, among: [stripe, manual-less] } }\ndefault: { route: [stripe] }\n').map((e) => e.message)).toEqual([
      "rule 'cheap': objective `cost` compares fees, but 'manual-less' has no fee schedule (fees.yaml) and would look free",
    ]);
    expect(errorsOf('default: { optimize: { objective: cost } }\n').map((e) => e.path)).toEqual(['default.optimize']);
    expect(errorsOf('default: { optimize: { objective: success_rate } }\n')).toEqual([]);
  });

  it('the runtime check sees only disabled gateways and missing adapters, not capabilities', () => {
    const rules = ruleset('rules:\n  - id: jpy\n    when: { currency: JPY }\n    then: { route: [eu] }\ndefault: { route: [old, stripe] }\n');
    expect(accountErrors(rules, ACCOUNTS).map((e) => e.message)).toEqual(["the default: gateway account 'old' is disabled"]);
  });
});
