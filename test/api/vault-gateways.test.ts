import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS, testDatabase, type TestDatabase } from '../support/databases.js';
import { sandboxClient } from '../support/sandbox-client.js';

/** A card saved once pays on every gateway, customer-initiated first, then merchant-initiated with the network transaction id it earned. */
describe.each(DRIVERS)('saved cards on every gateway, on %s', (driver) => {
  let client: Awaited<ReturnType<typeof sandboxClient>>;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = driver === 'postgres' ? await testDatabase('postgres') : undefined;
    client = await sandboxClient({ gatewayTimeoutMs: 3000, databaseUrl: database?.url });
  });
  afterAll(async () => {
    await client.close();
    await database?.close();
  });

  const cards = { stripe: '4242424242424242', adyen: '4111111145551142', braintree: '4111111111111111', checkout: '4000056655665556' } as const;

  it.each(Object.keys(cards) as (keyof typeof cards)[])('%s', async (provider) => {
    const saved = await client.api('POST', '/v1/payment_methods', { type: 'card', card: { number: cards[provider], exp_month: 3, exp_year: 2030 } });
    expect(saved.status).toBe(201);
    const customer = await client.api('POST', '/v1/customers', { email: `${provider}@example.com`, payment_method: saved.body.id });
    const routing = { gateways: [provider] };
    const refused = await client.api('POST', '/v1/payments', { amount: 1200, currency: 'USD', customer: customer.body.id, initiator: 'merchant', routing });
    expect(refused).toMatchObject({ status: 422, body: { code: 'stored_credential_missing' } });

    const first = await client.api('POST', '/v1/payments', { amount: 1200, currency: 'USD', customer: customer.body.id, payment_method: saved.body.id, routing });
    expect(first.body).toMatchObject({ status: 'succeeded', gateway: { provider }, payment_method: { card: { last4: cards[provider].slice(-4) } } });
    const stored = await client.sandbox.repositories.vault.get(client.sandbox.merchantId, saved.body.id);
    expect(stored?.networkTransactionId).toMatch(/^\d{15}$/);

    const renewal = await client.api('POST', '/v1/payments', { amount: 900, currency: 'USD', customer: customer.body.id, initiator: 'merchant', routing });
    expect(renewal.body).toMatchObject({ status: 'succeeded', gateway: { provider } });
    expect(client.sandbox.simulators[provider]!.ledger.totals()).toMatchObject({ captured: 2100 });
  });
});
