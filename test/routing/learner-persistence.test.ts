import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, keyHint, SCOPES } from '../../src/domain/api-keys.js';
import { startSandbox } from '../../src/runtime/node/sandbox.js';
import { captureLogger } from '../support/capture-logger.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../support/databases.js';
import { CARDS } from '../support/harness.js';
import { fixedKey } from '../support/keys.js';

const DEMO_KEY = fixedKey('learner');
const SECOND_KEY = fixedKey('learnerSecondMerchant');

describe.each(DRIVERS)('what routing learned survives a restart, on %s', (driver) => {
  let dir: string;
  let postgresDatabase: TestDatabase | null = null;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-learner-'));
    if (driver === 'postgres') postgresDatabase = await testDatabase('postgres');
  });
  afterAll(async () => {
    await postgresDatabase?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = () =>
    startSandbox({
      host: '127.0.0.1',
      port: 0,
      ...(postgresDatabase ? { databaseUrl: postgresDatabase.url } : { pgliteDir: join(dir, 'pglite') }),
      sandboxKey: DEMO_KEY,
      fingerprintSecret: 'fp',
      // A payment that times out is learned twice (the timeout, then the settled outcome), so a
      // loaded machine must not turn a slow sandbox answer into a timeout: the counts below are exact.
      gatewayTimeoutMs: 30_000,
      routingRulesDir: 'routing-rules',
      routingSeed: 3,
      logger: captureLogger().logger,
    });

  /** Each of the merchant's accounts: its success estimate (breakers start afresh in a new process). */
  async function learned(url: string, key: string) {
    const res = await fetch(`${url}/v1/gateways/health`, { headers: { Authorization: `Bearer ${key}` } });
    const { data } = await res.json();
    return Object.fromEntries(data.map((g: { account_id: string; success_rate: unknown }) => [g.account_id, g.success_rate]));
  }

  async function pay(url: string, key: string, number: string) {
    await fetch(`${url}/v1/payments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        amount: 2500,
        currency: 'USD',
        payment_method: { type: 'card', card: { number, exp_month: 12, exp_year: 2030, cvc: '123' } },
        routing: { gateways: ['stripe'] },
      }),
    });
  }

  it("restores each merchant's learner from its own saved state", async () => {
    const first = await start();
    // A second merchant with its own `stripe` account, whose payments the gateway keeps declining.
    const second = await first.repositories.merchants.create('second');
    await first.repositories.merchants.addApiKey({ merchantId: second, keyHash: await hashApiKey(SECOND_KEY), hint: keyHint(SECOND_KEY), label: 'test', scopes: SCOPES });
    const secondStripe = await first.repositories.merchants.addGatewayAccount({ merchantId: second, provider: 'stripe', name: 'stripe', label: 'Stripe', credentialsRef: 'sandbox:stripe' });
    for (let i = 0; i < 5; i++) {
      await pay(first.url, DEMO_KEY, CARDS.visa);
      await pay(first.url, SECOND_KEY, CARDS.genericDecline);
    }
    const demo = await learned(first.url, DEMO_KEY);
    // Five discounted outcomes each weigh (1 − 0.998⁵) / 0.002 ≈ 4.98: each merchant's own five, nothing of the other's.
    const other = await learned(first.url, SECOND_KEY);
    expect(demo[first.accounts.stripe!]).toMatchObject({ samples: expect.closeTo(4.98, 2) });
    expect(other).toEqual({ [secondStripe.id]: expect.objectContaining({ samples: expect.closeTo(4.98, 2) }) });
    expect(other[secondStripe.id].probability).toBeLessThan(demo[first.accounts.stripe!].probability);
    await first.close();

    const again = await start();
    expect(await learned(again.url, DEMO_KEY)).toEqual(demo);
    expect(await learned(again.url, SECOND_KEY)).toEqual(other);
    await again.close();
    // Two starts on a PGlite data directory (created, then opened; migrations each time): up to
    // 31 s seen in the whole suite with another process keeping both cores busy. Nothing waits
    // for time to pass: the limit only stops a run that hangs.
  }, 120_000);
});
