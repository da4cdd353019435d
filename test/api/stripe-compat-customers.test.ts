import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../support/capture-logger.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../support/databases.js';
import { sandboxClient } from '../support/sandbox-client.js';

const PAN = '4111111111111111';

/**
 * Customers and saved cards through the official stripe SDK pointed at the facade: a card saved
 * as a `pm_` pays one-click and off-session on whichever gateway routing picks, Stripe's or not.
 */
describe.each(DRIVERS)('Customers and PaymentMethods on the Stripe-compatible API, on %s', (driver) => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  let database: TestDatabase | undefined;
  let stripe: Stripe;
  const { logger, lines } = captureLogger();

  beforeAll(async () => {
    database = driver === 'postgres' ? await testDatabase('postgres') : undefined;
    t = await sandboxClient({ stripePort: 0, logger, databaseUrl: database?.url });
    const { hostname, port } = new URL(t.sandbox.stripeUrl!);
    stripe = new Stripe(t.sandbox.apiKey, { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0, timeout: 20_000 });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  /** Raw card data is not in the SDK's types for PaymentMethod creation from a server. */
  const newCard = (number: string, extra: Record<string, unknown> = {}) =>
    stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: 2031, cvc: '123' }, ...extra } as never);
  const canonical = async (paymentId: string) => (await t.api('GET', `/v1/payments/${paymentId}`)).body;
  /** Who started the payment, as stored (and sent to the gateway with its stored-credential fields). */
  const initiator = async (paymentId: string) => (await t.sandbox.repositories.payments.byId(paymentId))?.payment.initiator;
  const route = (gateway: string) => t.activate(`default: { route: [${gateway}] }\n`);
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${t.sandbox.stripeUrl}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${t.sandbox.apiKey}`, 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body });

  it('creates, retrieves, updates (metadata merges, "" unsets), lists page by page and deletes customers', async () => {
    const first = await stripe.customers.create({ email: 'ada@example.com', name: 'Ada', metadata: { plan: 'gold', team: 'a' } });
    expect(first).toMatchObject({ object: 'customer', email: 'ada@example.com', name: 'Ada', metadata: { plan: 'gold', team: 'a' }, invoice_settings: { default_payment_method: null }, livemode: false });
    expect(first.id).toMatch(/^cus_/);
    const updated = await stripe.customers.update(first.id, { name: '', metadata: { team: '', tier: '2' } });
    expect(updated).toMatchObject({ name: null, email: 'ada@example.com', metadata: { plan: 'gold', tier: '2' } });
    expect(updated.metadata).not.toHaveProperty('team');
    expect(await stripe.customers.retrieve(first.id)).toMatchObject({ id: first.id, metadata: { plan: 'gold', tier: '2' } });

    const second = await stripe.customers.create({ email: 'bob@example.com' });
    const page = await stripe.customers.list({ limit: 1 });
    expect(page).toMatchObject({ object: 'list', has_more: true, data: [{ id: second.id }] });
    const next = await stripe.customers.list({ limit: 1, starting_after: second.id });
    expect(next.data[0]!.id).toBe(first.id);
    expect((await stripe.customers.list({ email: 'bob@example.com' })).data.map((c) => c.id)).toEqual([second.id]);
    // The SDK pages on with starting_after until has_more is false.
    const all: string[] = [];
    for await (const customer of stripe.customers.list({ limit: 1 })) all.push(customer.id);
    expect(all.slice(0, 2)).toEqual([second.id, first.id]);

    expect(await stripe.customers.del(second.id)).toEqual(expect.objectContaining({ id: second.id, object: 'customer', deleted: true }));
    await expect(stripe.customers.retrieve(second.id)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404, code: 'resource_missing', param: 'id' });
  });

  it('saves a card as a pm_ (never answering its number), attaches it, makes it the default and detaches it', async () => {
    const customer = await stripe.customers.create({ email: 'cards@example.com' });
    const pm = await newCard('5555555555554444');
    expect(pm).toMatchObject({ object: 'payment_method', type: 'card', customer: null, card: { brand: 'mastercard', last4: '4444', exp_month: 12, exp_year: 2031 } });
    expect(JSON.stringify(pm)).not.toContain('5555555555554444');
    expect(await stripe.paymentMethods.attach(pm.id, { customer: customer.id })).toMatchObject({ id: pm.id, customer: customer.id });
    const withDefault = await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    expect(withDefault.invoice_settings.default_payment_method).toBe(pm.id);
    expect((await stripe.customers.listPaymentMethods(customer.id, { type: 'card' })).data.map((p) => p.id)).toEqual([pm.id]);
    expect((await stripe.paymentMethods.list({ customer: customer.id, type: 'card' })).data.map((p) => p.id)).toEqual([pm.id]);
    expect(await stripe.paymentMethods.retrieve(pm.id)).toMatchObject({ id: pm.id, customer: customer.id });

    const other = await stripe.customers.create({});
    await expect(stripe.paymentMethods.attach(pm.id, { customer: other.id })).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'payment_method_attached_elsewhere' });
    expect(await stripe.paymentMethods.detach(pm.id)).toMatchObject({ id: pm.id, customer: null });
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ invoice_settings: { default_payment_method: null } });
    await expect(stripe.paymentMethods.detach(pm.id)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'payment_method_unexpected_state' });
  });

  it.each(['braintree', 'adyen', 'checkout'])('a saved card pays on-session, then off-session citing its network transaction id, on %s', async (gateway) => {
    await route(gateway);
    const customer = await stripe.customers.create({ email: `${gateway}@example.com` });
    const number = { braintree: PAN, adyen: '4111111145551142', checkout: '4000056655665556' }[gateway]!;
    const pm = await newCard(number, { customer: customer.id });
    expect(pm.customer).toBe(customer.id);
    // Off-session before any consented payment: no network transaction id to cite.
    await expect(stripe.paymentIntents.create({ amount: 900, currency: 'usd', customer: customer.id, payment_method: pm.id, confirm: true, off_session: true })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'stored_credential_missing',
    });

    const first = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', customer: customer.id, payment_method: pm.id, confirm: true });
    expect(first).toMatchObject({ status: 'succeeded', customer: customer.id, payment_method: pm.id, amount_received: 1500 });
    expect(await canonical(first.latest_charge as string)).toMatchObject({ gateway: { provider: gateway }, payment_method: { card: { last4: number.slice(-4) } } });
    expect(await initiator(first.latest_charge as string)).toBe('customer');
    expect((await t.sandbox.repositories.vault.get(t.sandbox.merchantId, pm.id))?.networkTransactionId).toMatch(/^\d{15}$/);

    const renewal = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', customer: customer.id, payment_method: pm.id, confirm: true, off_session: true });
    expect(renewal).toMatchObject({ status: 'succeeded', customer: customer.id, payment_method: pm.id });
    expect(await canonical(renewal.latest_charge as string)).toMatchObject({ gateway: { provider: gateway } });
    expect(await initiator(renewal.latest_charge as string)).toBe('merchant');
  });

  it('setup_future_usage saves the card typed in for the customer with the consented payment, and the next one goes off-session', async () => {
    await route('adyen');
    const customer = await stripe.customers.create({ email: 'setup@example.com' });
    const intent = await stripe.paymentIntents.create({
      amount: 2000,
      currency: 'eur',
      customer: customer.id,
      setup_future_usage: 'off_session',
      confirm: true,
      payment_method_data: { type: 'card', card: { number: '4000002500000003', exp_month: 3, exp_year: 2031, cvc: '737' } },
    } as never);
    expect(intent).toMatchObject({ status: 'succeeded', customer: customer.id, setup_future_usage: 'off_session' });
    expect(intent.payment_method).toMatch(/^pm_/);
    const saved = await stripe.customers.listPaymentMethods(customer.id);
    expect(saved.data.map((p) => p.id)).toEqual([intent.payment_method]);
    expect((await t.sandbox.repositories.vault.get(t.sandbox.merchantId, intent.payment_method as string))?.networkTransactionId).toMatch(/^\d{15}$/);

    await route('braintree');
    const renewal = await stripe.paymentIntents.create({ amount: 500, currency: 'eur', customer: customer.id, payment_method: intent.payment_method as string, confirm: true, off_session: true });
    expect(renewal.status).toBe('succeeded');
    expect(await canonical(renewal.latest_charge as string)).toMatchObject({ gateway: { provider: 'braintree' } });
    expect(await initiator(renewal.latest_charge as string)).toBe('merchant');
  });

  it('a declined saved card is a StripeCardError with its decline_code; one declined as expired is refused afterwards', async () => {
    await route('braintree');
    const customer = await stripe.customers.create({});
    const pm = await newCard('4000000000000069', { customer: customer.id });
    const error = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', customer: customer.id, payment_method: pm.id, confirm: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ code: 'expired_card', decline_code: 'expired_card' });
    await expect(stripe.paymentIntents.create({ amount: 700, currency: 'usd', customer: customer.id, payment_method: pm.id, confirm: true })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'payment_method_flagged',
    });
  });

  describe('bad input', () => {
    const customers = async () => (await stripe.customers.list({ limit: 100 })).data.length;
    const cards = async () => (await stripe.paymentMethods.list({ limit: 100 })).data.length;

    it.each([
      ['a number that fails the Luhn check', { number: '4242424242424241', exp_month: 12, exp_year: 2031, cvc: '123' }, 'card[number]', 'incorrect_number', Stripe.errors.StripeCardError],
      ['an expired card', { number: PAN, exp_month: 1, exp_year: 2020, cvc: '123' }, 'card[exp_year]', 'expired_card', Stripe.errors.StripeCardError],
      ['a CVC of the wrong length', { number: PAN, exp_month: 12, exp_year: 2031, cvc: '12' }, 'card[cvc]', 'invalid_cvc', Stripe.errors.StripeCardError],
      ['a missing number', { exp_month: 12, exp_year: 2031, cvc: '123' }, 'card[number]', 'parameter_missing', Stripe.errors.StripeInvalidRequestError],
      ['an oversized number', { number: '4'.repeat(40), exp_month: 12, exp_year: 2031, cvc: '123' }, 'card[number]', 'parameter_invalid', Stripe.errors.StripeInvalidRequestError],
      ['a month that is no month', { number: PAN, exp_month: 13, exp_year: 2031, cvc: '123' }, 'card[exp_month]', 'parameter_invalid', Stripe.errors.StripeInvalidRequestError],
    ])('a PaymentMethod with %s saves nothing', async (_name, card, param, code, type) => {
      const before = await cards();
      const error = await stripe.paymentMethods.create({ type: 'card', card } as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(type);
      expect(error).toMatchObject({ param, code });
      expect(JSON.stringify(error)).not.toContain(PAN);
      expect(await cards()).toBe(before);
    });

    it.each([
      ['an unknown parameter', { email: 'x@example.com', colour: 'red' }, 'colour', 'parameter_unknown'],
      ['a malformed email', { email: 'not-an-email' }, 'email', 'parameter_invalid'],
      ['an oversized name', { name: 'n'.repeat(201) }, 'name', 'parameter_invalid'],
      ['an oversized metadata value', { metadata: { note: 'v'.repeat(501) } }, 'metadata[note]', 'parameter_invalid'],
      ['a control character in the description', { description: 'a\u0000b' }, 'description', 'invalid_text'],
      ['an unknown payment method', { payment_method: 'pm_doesnotexist' }, 'payment_method', 'resource_missing'],
      ['a default card that is not attached', { invoice_settings: { default_payment_method: 'pm_doesnotexist' } }, 'invoice_settings[default_payment_method]', 'payment_method_not_attached'],
    ])('a customer with %s creates nothing', async (_name, params, param, code) => {
      const before = await customers();
      const error = await stripe.customers.create(params as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ param, code });
      expect(await customers()).toBe(before);
    });

    it('unknown or malformed ids are resource_missing naming the parameter', async () => {
      await expect(stripe.customers.retrieve('cus_doesnotexist')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' });
      await expect(stripe.customers.retrieve('../../v1/payments')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
      await expect(stripe.paymentMethods.retrieve('pm_doesnotexist')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' });
      const pm = await newCard('6011111111111117');
      await expect(stripe.paymentMethods.attach(pm.id, { customer: 'cus_doesnotexist' })).rejects.toMatchObject({ code: 'resource_missing', param: 'customer' });
      await expect(stripe.paymentIntents.create({ amount: 100, currency: 'usd', customer: 'cus_doesnotexist' })).rejects.toMatchObject({ code: 'resource_missing', param: 'customer' });
      await expect(stripe.paymentIntents.create({ amount: 100, currency: 'usd', payment_method: 'pm_doesnotexist', confirm: true })).rejects.toMatchObject({ code: 'resource_missing', param: 'payment_method' });
      await expect(stripe.customers.list({ limit: 101 })).rejects.toMatchObject({ code: 'parameter_invalid', param: 'limit' });
    });

    it('hostile raw form posts: a reserved name, a card number as a parameter name, JSON instead of a form', async () => {
      const proto = await post('/v1/payment_methods', `type=card&card[__proto__][number]=${PAN}`);
      expect(proto.status).toBe(400);
      expect(await proto.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'parameter_reserved', param: 'card[__proto__]' } });
      const named = await post('/v1/customers', `${PAN}=1`);
      const namedBody = await named.text();
      expect(named.status).toBe(400);
      expect(JSON.parse(namedBody)).toMatchObject({ error: { code: 'parameter_unknown' } });
      expect(namedBody).not.toContain(PAN);
      const json = await post('/v1/customers', JSON.stringify({ email: 'a@example.com' }), { 'Content-Type': 'application/json' });
      expect(await json.json()).toMatchObject({ error: { code: 'invalid_content_type' } });
      const deep = await post('/v1/customers', 'metadata[a][b][c][d][e]=1');
      expect(deep.status).toBe(400);
    });

    it('a key without the customers scopes may not read or change customers (StripePermissionError)', async () => {
      const { body: key } = await t.asOperator('POST', `/v1/admin/merchants/${t.sandbox.merchantId}/keys`, { mode: 'test', label: 'payer', scopes: ['payments:read', 'payments:write'] });
      const { hostname, port } = new URL(t.sandbox.stripeUrl!);
      const payer = new Stripe(key.secret, { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0 });
      await expect(payer.customers.create({})).rejects.toBeInstanceOf(Stripe.errors.StripePermissionError);
      await expect(payer.paymentMethods.list()).rejects.toBeInstanceOf(Stripe.errors.StripePermissionError);
    });
  });

  it('an Idempotency-Key replays a saved card; what is kept of the request and the logs hold no card number', async () => {
    const body = `type=card&card[number]=${PAN}&card[exp_month]=12&card[exp_year]=2031&card[cvc]=123`;
    const first = await post('/v1/payment_methods', body, { 'Idempotency-Key': 'save-card-1' });
    const again = await post('/v1/payment_methods', body, { 'Idempotency-Key': 'save-card-1' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await again.json()).id).toBe((await first.json()).id);
    const other = await post('/v1/payment_methods', body.replace('exp_month]=12', 'exp_month]=11'), { 'Idempotency-Key': 'save-card-1' });
    expect(await other.json()).toMatchObject({ error: { type: 'idempotency_error' } });
    expect(lines.join('\n')).not.toContain(PAN);
    // On PostgreSQL, everything stored (the idempotency record, the vault) as pg_dump shows it.
    if (database) {
      const dump = await database.dump();
      expect(dump).toContain('save-card-1');
      expect(dump).not.toContain(PAN);
    }
  });
});
