import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/runtime/node/sandbox.js';
import { captureLogger } from '../support/capture-logger.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../support/databases.js';
import { fixedKey } from '../support/keys.js';

/** Stripe's Visa debit test card: its BIN (400005) is in no table; the gateways report it as a US debit card. */
const STRIPE_DEBIT = '4000056655665556';

describe.each(DRIVERS)('card facts a gateway reported survive a restart, on %s', (driver) => {
  let dir: string;
  let postgresDatabase: TestDatabase | null = null;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-bins-'));
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
      sandboxKey: fixedKey('observedBins'),
      fingerprintSecret: 'fp',
      gatewayTimeoutMs: 5000,
      routingRulesDir: 'routing-rules',
      routingSeed: 3,
      logger: captureLogger().logger,
    });

  async function pay(sandbox: Sandbox) {
    const res = await fetch(`${sandbox.url}/v1/payments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandbox.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: 2500, currency: 'EUR', payment_method: { type: 'card', card: { number: STRIPE_DEBIT, exp_month: 12, exp_year: 2030, cvc: '123' } } }),
    });
    return (await res.json()) as { status: string; payment_method: { card: { funding: string | null; issuer_country: string | null } } };
  }

  it('routes the first payment after a restart with what was reported before it, and keeps one row per BIN', async () => {
    const first = await start();
    try {
      expect((await pay(first)).payment_method.card).toMatchObject({ funding: null, issuer_country: null });
      expect((await pay(first)).payment_method.card).toMatchObject({ funding: 'debit', issuer_country: 'US' });
    } finally {
      await first.close();
    }
    const second = await start();
    try {
      const rows = await second.repositories.observedBins.loadAll();
      expect(rows).toEqual([{ merchantId: second.merchantId, bin: '400005', type: 'debit', issuerCountry: 'US' }]);
      const payment = await pay(second);
      expect(payment.status).toBe('succeeded');
      expect(payment.payment_method.card).toMatchObject({ funding: 'debit', issuer_country: 'US' });
    } finally {
      await second.close();
    }
  }, 120_000);
});
