import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxClient } from '../support/sandbox-client.js';

describe('routing rules, as ops store, test and activate them', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  beforeAll(async () => {
    t = await sandboxClient();
  });
  afterAll(() => t.close());

  it('starts from the shipped files as version 1, active', async () => {
    const { body } = await t.api('GET', '/v1/routing/rules');
    expect(body).toMatchObject({ object: 'routing_rules', active_version: 1 });
    expect(body.versions[0]).toMatchObject({ version: 1, active: true, created_by: 'seed:routing-rules/rules.yaml' });
    expect(body.audit.map((a: { action: string }) => a.action)).toEqual(['activate', 'create']);
  });

  it('routes exactly as the active rules say, and records the rule and version on the payment', async () => {
    const version = await t.activate(`rules:
  - id: eur-to-adyen
    when: { currency: EUR }
    then: { route: [adyen] }
  - id: big-usd-to-braintree
    when: { amount: { gte: 100000, currency: USD } }
    then: { route: [braintree, stripe] }
default: { route: [stripe] }
`);
    const eur = await t.pay({ currency: 'EUR' });
    expect(eur).toMatchObject({ status: 'succeeded', gateway: { provider: 'adyen' } });
    expect(eur.decision).toMatchObject({ source: 'rules', ruleset_version: version, rule: 'eur-to-adyen', action: 'route', order: ['adyen'] });
    const big = await t.pay({ amount: 150_000 });
    expect(big).toMatchObject({ gateway: { provider: 'braintree' } });
    expect(big.decision).toMatchObject({ rule: 'big-usd-to-braintree', order: ['braintree', 'stripe'] });
    const small = await t.pay();
    expect(small).toMatchObject({ gateway: { provider: 'stripe' } });
    expect(small.decision).toMatchObject({ rule: 'default' });
    const candidate = small.decision.candidates.find((c: { gateway: string }) => c.gateway === 'stripe');
    expect(candidate).toMatchObject({ eligible: true, reason: null, health: 'closed', estimate_level: expect.any(String) });
    expect(typeof candidate.probability).toBe('number');
    expect(typeof candidate.samples).toBe('number');
  });

  it('changes routing for the very next request when a new version is activated, without a restart', async () => {
    await t.activate('default: { route: [stripe] }\n');
    expect((await t.pay()).gateway.provider).toBe('stripe');
    const version = await t.activate('default: { route: [braintree] }\n');
    const next = await t.pay();
    expect(next.gateway.provider).toBe('braintree');
    expect(next.decision.ruleset_version).toBe(version);
  });

  it('refuses an invalid ruleset with every error located, and stores nothing', async () => {
    const before = (await t.api('GET', '/v1/routing/rules')).body;
    const res = await t.api('POST', '/v1/routing/rules', {
      source: `rules:
  - id: split
    when: { currency: USD }
    then: { split: { stripe: 60, worldpay: 30 } }
default: { optimize: { objective: cheapest } }
`,
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'invalid_ruleset', param: 'source' });
    const lines = res.body.errors.map((e: { line: number }) => e.line);
    expect(lines).toContain(4);
    expect(lines).toContain(5);
    for (const error of res.body.errors) {
      expect(error.column).toBeGreaterThan(0);
      expect(error.message.length).toBeGreaterThan(5);
    }
    expect(JSON.stringify(res.body.errors)).toMatch(/worldpay/);
    expect((await t.api('GET', '/v1/routing/rules')).body.versions).toHaveLength(before.versions.length);
  });

  it('refuses bad requests to the rules API', async () => {
    expect((await t.api('POST', '/v1/routing/rules', { source: '' })).status).toBe(400);
    expect((await t.api('POST', '/v1/routing/rules', { yaml: 'x' })).body).toMatchObject({ code: 'missing_field', param: 'source' });
    expect((await t.api('POST', '/v1/routing/rules', { source: 'default: { route: [stripe] }', yaml: 'x' })).body).toMatchObject({ code: 'unknown_field', param: 'yaml' });
    expect((await t.asOperator('POST', '/v1/routing/rules/999/activate')).status).toBe(404);
    expect((await t.asOperator('POST', '/v1/routing/rules/0/activate')).status).toBe(400);
    expect((await t.asOperator('POST', '/v1/routing/rules/abc/activate')).status).toBe(400);
  });

  it('refuses bad input to decide and an oversized ruleset, changing nothing', async () => {
    const bad = await t.api('POST', '/v1/routing/decide', { amount: -1, currency: 'USD', payment_method: { type: 'card', card: { number: '4111111111111111', exp_month: 12, exp_year: 2030, cvc: '123' } } });
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_amount', param: 'amount' } });
    const versions = (await t.api('GET', '/v1/routing/rules')).body.versions.length;
    const huge = await t.api('POST', '/v1/routing/rules', { source: `# ${'x'.repeat(40_000)}\ndefault: { route: [stripe] }\n` });
    expect(huge).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
    expect((await t.api('GET', '/v1/routing/rules')).body.versions).toHaveLength(versions);
  });

  it('refuses to activate with an API key: that needs an operator with a TOTP code', async () => {
    const created = await t.api('POST', '/v1/routing/rules', { source: 'default: { route: [adyen] }\n' });
    const before = (await t.api('GET', '/v1/routing/rules')).body.active_version;
    const refused = await t.api('POST', `/v1/routing/rules/${created.body.version}/activate?merchant_id=${t.sandbox.merchantId}`);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'operator_required' });
    expect(refused.body.detail).toMatch(/operator/);
    expect(refused.body.detail).toMatch(/TOTP/);
    expect((await t.api('GET', '/v1/routing/rules')).body.active_version).toBe(before);
  });

  it('audits who stored and activated each version: keys store, people activate', async () => {
    const { body } = await t.api('GET', '/v1/routing/rules');
    const api = body.audit.filter((a: { actor: string }) => a.actor.startsWith('api_key:key_'));
    expect(api.length).toBeGreaterThanOrEqual(3);
    expect(new Set(api.map((a: { action: string }) => a.action))).toEqual(new Set(['create']));
    expect(new Set(api.map((a: { actor_name: string }) => a.actor_name))).toEqual(new Set(['sandbox']));
    const people = body.audit.filter((a: { actor: string }) => a.actor.startsWith('operator:op_'));
    expect(people.length).toBeGreaterThanOrEqual(3);
    expect(new Set(people.map((a: { action: string }) => a.action))).toEqual(new Set(['activate']));
    expect(new Set(people.map((a: { actor_name: string }) => a.actor_name))).toEqual(new Set(['Demo Operator']));
    expect(body.audit.at(-1)).toMatchObject({ action: 'create', version: 1, actor: 'system:seed:routing-rules/rules.yaml' });
  });

  it('decides without charging or storing anything', async () => {
    const payments = (await t.api('GET', '/v1/payments?limit=100')).body.data.length;
    const calls = Object.values(t.sandbox.simulators).map((s) => s.ledger.requestCount());
    const res = await t.api('POST', '/v1/routing/decide', {
      amount: 2500,
      currency: 'USD',
      payment_method: { type: 'card', card: { number: '4111111111111111', exp_month: 12, exp_year: 2030, cvc: '123' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'routing_decision', source: 'rules', order: ['braintree'] });
    expect(res.body.candidates).toHaveLength(7);
    expect((await t.api('GET', '/v1/payments?limit=100')).body.data.length).toBe(payments);
    expect(Object.values(t.sandbox.simulators).map((s) => s.ledger.requestCount())).toEqual(calls);
  });

  it('skips a gateway that cannot carry the amount exactly in its own units, before calling it', async () => {
    const calls = Object.values(t.sandbox.simulators).map((s) => s.ledger.requestCount());
    const decide = async (currency: string, amount: number) =>
      (
        await t.api('POST', '/v1/routing/decide', {
          amount,
          currency,
          payment_method: { type: 'card', card: { number: '4111111111111111', exp_month: 12, exp_year: 2030, cvc: '123' } },
          routing: { gateways: ['adyen', 'stripe'] },
        })
      ).body;
    // Stripe counts MGA in whole ariary; Adyen counts CVE in whole escudos.
    const mga = await decide('MGA', 12345);
    expect(mga.order).toEqual(['adyen']);
    expect(mga.candidates.find((c: { gateway: string }) => c.gateway === 'stripe')).toMatchObject({ eligible: false, reason: 'amount_not_representable' });
    expect((await decide('MGA', 12300)).order).toEqual(['adyen', 'stripe']);
    const cve = await decide('CVE', 12345);
    expect(cve.order).toEqual(['stripe']);
    expect(cve.candidates.find((c: { gateway: string }) => c.gateway === 'adyen')).toMatchObject({ eligible: false, reason: 'amount_not_representable' });
    expect(Object.values(t.sandbox.simulators).map((s) => s.ledger.requestCount())).toEqual(calls);
  });

  it('takes an explicit gateway list instead of the rules, still subject to eligibility', async () => {
    const named = await t.pay({ routing: { gateways: ['adyen', 'stripe'] } });
    expect(named).toMatchObject({ gateway: { provider: 'adyen' } });
    expect(named.decision).toMatchObject({ source: 'explicit', rule: null, order: ['adyen', 'stripe'] });
    const jpy = await t.pay({ currency: 'JPY', amount: 5000, routing: { gateways: ['braintree', 'stripe'] } });
    expect(jpy.decision.order).toEqual(['stripe']);
    expect(jpy.decision.candidates.find((c: { gateway: string }) => c.gateway === 'braintree')).toMatchObject({ eligible: false, reason: 'currency_not_supported' });
    const unknown = await t.api('POST', '/v1/payments', {
      amount: 2500,
      currency: 'USD',
      payment_method: { type: 'card', card: { number: '4111111111111111', exp_month: 12, exp_year: 2030, cvc: '123' } },
      routing: { gateways: ['worldpay'] },
    });
    expect(unknown).toMatchObject({ status: 400, body: { code: 'unknown_gateway', param: 'routing.gateways' } });
  });

  it('blocks what a rule blocks, as a failed payment that reached no gateway', async () => {
    await t.activate("rules:\n  - id: no-kp\n    when: { country.billing: KP }\n    then: { block: { code: country_not_supported } }\ndefault: { route: [stripe] }\n");
    const blocked = await t.pay({ customer: { country: 'KP' } });
    expect(blocked).toMatchObject({ status: 'failed', failure: { code: 'country_not_supported' }, attempts: [] });
    expect(blocked.decision).toMatchObject({ rule: 'no-kp', action: 'block', blocked: { code: 'country_not_supported' }, order: [] });
    // Naming the gateways in the request does not get around a block rule.
    const before = t.sandbox.simulators.stripe!.ledger.requestCount();
    const named = await t.pay({ customer: { country: 'KP' }, routing: { gateways: ['stripe'] } });
    expect(named).toMatchObject({ status: 'failed', failure: { code: 'country_not_supported' }, attempts: [] });
    expect(named.decision).toMatchObject({ source: 'rules', rule: 'no-kp', action: 'block', order: [] });
    expect(t.sandbox.simulators.stripe!.ledger.requestCount()).toBe(before);
  });
});
