import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/domain/api-keys.js';
import { DRIVERS } from '../support/databases.js';
import { paymentBody, startHarness, type Harness } from '../support/harness.js';

const RULES = `rules:
  - id: eur-to-b
    when: { currency: EUR }
    then: { route: [stripe-b] }
default: { route: [stripe] }
`;

describe.each(DRIVERS)('a ruleset whose account is disabled after activation, on %s', (driver) => {
  let h: Harness;
  let merchantId: string;
  let accountB: string;
  beforeAll(async () => {
    h = await startHarness(driver);
    merchantId = (await h.repositories.merchants.keyForHash(await hashApiKey(h.key), new Date()))!.merchantId;
    accountB = (await h.repositories.merchants.addGatewayAccount({ merchantId, provider: 'stripe', name: 'stripe-b', label: 'Stripe B', credentialsRef: 'sandbox:stripe' })).id;
  });
  afterAll(() => h.close());

  const json = async (method: string, path: string, body?: unknown) => {
    const res = await h.request(method, path, { body });
    return { status: res.status, body: await res.json() };
  };
  const pay = async (currency: string) => (await json('POST', '/v1/payments', paymentBody({ currency }))).body;

  it('routes by it while it fits; then falls back to default routing, saying why in the decision and the health view; refuses to store it again', async () => {
    const stored = await json('POST', '/v1/routing/rules', { source: RULES });
    expect(stored.status).toBe(201);
    await h.repositories.routing.activate(merchantId, stored.body.version, { type: 'system', id: 'test', name: 'test' });

    const before = await pay('EUR');
    expect(before).toMatchObject({ status: 'succeeded', gateway: { account_id: accountB } });
    expect(before.decision).toMatchObject({ source: 'rules', rule: 'eur-to-b', fallback: null });
    expect((await json('GET', '/v1/gateways/health')).body.routing).toEqual({ active_version: stored.body.version, fallback: null });

    await h.repositories.merchants.disableGatewayAccount(accountB, new Date());
    const fallback = { reason: 'ruleset_unusable', ruleset_version: stored.body.version, errors: ["4:21: rule 'eur-to-b': gateway account 'stripe-b' is disabled"] };
    const after = await pay('EUR');
    expect(after).toMatchObject({ status: 'succeeded', gateway: { account_id: expect.not.stringMatching(accountB) } });
    expect(after.decision).toMatchObject({ source: 'default', ruleset_version: null, rule: null, fallback });
    expect((await json('GET', '/v1/payments/' + after.id)).body.decision.fallback).toEqual(fallback);
    expect((await json('GET', '/v1/gateways/health')).body.routing).toEqual({ active_version: stored.body.version, fallback });
    expect(h.logs.some((line) => line.includes('routing.active_ruleset_invalid'))).toBe(true);

    const versions = (await json('GET', '/v1/routing/rules')).body.versions.length;
    const again = await json('POST', '/v1/routing/rules', { source: RULES });
    expect(again.status).toBe(422);
    expect(again.body.errors).toEqual([{ line: 4, column: 21, path: 'rules[0].then.route[0]', rule: 'eur-to-b', message: "rule 'eur-to-b': gateway account 'stripe-b' is disabled" }]);
    expect((await json('GET', '/v1/routing/rules')).body.versions).toHaveLength(versions);
  });
});
