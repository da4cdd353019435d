import { completeChallenge } from '../../adapters/testkit/shopper.js';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerExport } from '../../adapters/testkit/simulator.js';
import { startWebhookSink, type WebhookSink } from '../../adapters/testkit/webhook-sink.js';
import { gatewayRegistry } from '../../src/runtime/gateways.js';
import { PROVIDERS } from '../../src/runtime/providers.js';
import { NODE_PROVIDERS } from '../../src/runtime/node/providers.js';
import { DEFAULT_SECRETS, startStandaloneSimulators, type StandaloneSimulators } from '../../src/runtime/node/simulators.js';
import type { GatewayAccount } from '../../src/store/merchants.js';
import { captureLogger } from '../support/capture-logger.js';
import { startSandbox, type Sandbox } from '../../src/runtime/node/sandbox.js';
import { fixedKey } from '../support/keys.js';
import { until } from '../support/until.js';

const FREE_PORTS = { control: 0, stripe: 0, adyen: 0, braintree: 0, checkout: 0, paypal: 0, gocardless: 0, bitpay: 0 };

async function control(sims: StandaloneSimulators, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${sims.controlUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

const card = (number = '4242424242424242') => ({ number, expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: '123', holderName: 'Ada Lovelace' });

describe('standalone simulators: the control endpoint', () => {
  let sims: StandaloneSimulators;
  let sink: WebhookSink;
  let stripe: Stripe;
  beforeAll(async () => {
    sink = await startWebhookSink();
    sims = await startStandaloneSimulators({ ports: FREE_PORTS, webhookRetryScale: 0.0001 });
    stripe = new Stripe(sims.stripe.account.secretKey, { host: sims.stripe.host, port: sims.stripe.port, protocol: 'http', maxNetworkRetries: 0, timeout: 5000 });
  });
  afterAll(async () => {
    await sims.close();
    await sink.close();
  });
  beforeEach(async () => {
    expect((await control(sims, 'POST', '/all/reset')).status).toBe(200);
    expect((await control(sims, 'PUT', '/all/webhook-url', { url: null })).status).toBe(200);
    sink.clear();
  });

  let sequence = 0;
  const pay = (number = '4242424242424242', id = `pay_control${++sequence}`) =>
    stripe.paymentIntents.create(
      {
        amount: 1500,
        currency: 'usd',
        confirm: true,
        allowed_payment_method_types: ['card'],
        payment_method_data: { type: 'card', card: { number, exp_month: 12, exp_year: 2031, cvc: '123' } } as never,
        metadata: { switchyard_payment: id },
      } as never,
      { idempotencyKey: `${id}:attempt:1` },
    );

  it('describes each simulator: its URL, its fixed sandbox credentials and the variables of an env: account', async () => {
    const { status, body } = await control(sims, 'GET', '/');
    expect(status).toBe(200);
    expect(body.simulators.stripe).toEqual({
      url: sims.stripe.url,
      account: { secretKey: 'sk_test_switchyard_simulator', webhookSecret: 'whsec_switchyard_simulator' },
      env: { STRIPE_SIM_SECRET_KEY: 'sk_test_switchyard_simulator', STRIPE_SIM_WEBHOOK_SECRET: 'whsec_switchyard_simulator', STRIPE_SIM_BASE_URL: sims.stripe.url },
    });
    expect(body.simulators.adyen.env).toMatchObject({ ADYEN_SIM_API_KEY: 'AQE_switchyard_simulator', ADYEN_SIM_BASE_URL: sims.adyen.url });
    expect(body.simulators.braintree.env).toMatchObject({ BRAINTREE_SIM_MERCHANT_ID: 'switchyard_simulator', BRAINTREE_SIM_BASE_URL: sims.braintree.url });
    expect(body.simulators.checkout.env).toMatchObject({ CHECKOUT_SIM_SECRET_KEY: 'sk_sbox_switchyardsimulatorkey2345', CHECKOUT_SIM_BASE_URL: sims.checkout.url });
    expect(body.simulators.gocardless.env).toEqual({
      GOCARDLESS_SIM_ACCESS_TOKEN: 'sandbox_switchyard_simulator_gocardless',
      GOCARDLESS_SIM_WEBHOOK_SECRET: 'switchyard_simulator_gocardless_webhook',
      GOCARDLESS_SIM_ENVIRONMENT: 'sandbox',
      GOCARDLESS_SIM_BASE_URL: sims.gocardless.url,
    });
    expect(body.simulators.bitpay.env).toEqual({
      BITPAY_SIM_PRIVATE_KEY: DEFAULT_SECRETS.bitpay.privateKey,
      BITPAY_SIM_MERCHANT_TOKEN: 'switchyard_simulator_bitpay_token',
      BITPAY_SIM_ENVIRONMENT: 'test',
      BITPAY_SIM_RETURN_URL: `${sims.bitpay.url}/return`,
      BITPAY_SIM_BASE_URL: sims.bitpay.url,
    });
    // Each provider's own env: parsing accepts what the control endpoint describes.
    const env = Object.assign({}, ...Object.values(body.simulators).map((d: any) => d.env)) as Record<string, string>;
    for (const provider of NODE_PROVIDERS) expect(provider.configFromEnv(`${provider.name.toUpperCase()}_SIM`, env), provider.name).not.toBeNull();
  });

  it('reads each ledger in full, with provider reference, our references and the amounts that moved', async () => {
    const intent = await pay('4242424242424242', 'pay_control1');
    await stripe.refunds.create({ payment_intent: intent.id, amount: 500 }, { idempotencyKey: 're_control1:refund' });
    const { body } = await control(sims, 'GET', '/ledger');
    const ledger = body.stripe as LedgerExport;
    expect(ledger.charges).toEqual([
      {
        reference: intent.id,
        orderReference: 'pay_control1:attempt:1',
        paymentId: 'pay_control1',
        amount: 1500,
        currency: 'USD',
        authorized: 1500,
        captured: 1500,
        refunded: 500,
        released: 0,
        status: 'succeeded',
        createdAt: expect.any(Number),
      },
    ]);
    expect(ledger.refunds).toEqual([{ reference: expect.stringMatching(/^re_/), chargeReference: intent.id, orderReference: 're_control1:refund', amount: 500, currency: 'USD', status: 'succeeded' }]);
    expect(ledger.totals).toEqual({ authorized: 1500, captured: 1500, refunded: 500 });
    expect(body.adyen).toMatchObject({ provider: 'adyen', charges: [], refunds: [] });
    expect((await control(sims, 'GET', '/stripe/ledger')).body).toEqual(ledger);
  });

  it('sets and clears request faults, approval rates and latency', async () => {
    expect((await control(sims, 'PUT', '/stripe/fault', { fault: { kind: 'http_error', status: 503 }, options: { times: 1 } })).status).toBe(200);
    await expect(pay()).rejects.toMatchObject({ statusCode: 503 });
    expect((await pay()).status).toBe('succeeded');

    await control(sims, 'PUT', '/stripe/fault', { fault: { kind: 'refuse_connections' } });
    await expect(pay()).rejects.toMatchObject({ type: 'StripeConnectionError' });
    await control(sims, 'DELETE', '/stripe/fault');

    await control(sims, 'PUT', '/all/approval-rates', { rules: [{ rate: 0 }], seed: 7 });
    await expect(pay('5555555555554444')).rejects.toMatchObject({ decline_code: 'do_not_honor' });
    await control(sims, 'PUT', '/all/approval-rates', { rules: [] });

    await control(sims, 'PUT', '/stripe/latency', { distribution: { kind: 'fixed', ms: 150 } });
    const started = Date.now();
    await pay();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await control(sims, 'PUT', '/stripe/latency', { distribution: null });
  });

  it('sends webhooks where it is told, with webhook faults, and shows each delivery', async () => {
    await control(sims, 'PUT', '/stripe/webhook-url', { url: sink.url });
    await control(sims, 'POST', '/stripe/webhook-faults', { fault: { kind: 'drop' }, options: { times: 1 } });
    await control(sims, 'POST', '/stripe/webhook-faults', { fault: { kind: 'duplicate' }, options: { times: 1 } });
    await pay();
    expect((await control(sims, 'POST', '/stripe/idle', { timeoutMs: 30_000 })).status).toBe(200);
    const deliveries = (await control(sims, 'GET', '/stripe/webhook-deliveries')).body;
    expect(deliveries).toEqual([
      expect.objectContaining({
        type: 'payment_intent.succeeded',
        state: 'delivered',
        attempts: [expect.objectContaining({ fault: 'drop', status: null }), expect.objectContaining({ fault: 'duplicate', status: 200 }), expect.objectContaining({ fault: 'duplicate', status: 200 })],
      }),
    ]);
    expect(sink.received).toHaveLength(2);
    expect((await control(sims, 'DELETE', '/stripe/webhook-faults')).status).toBe(200);
  });

  it('answers a clear error for what it cannot do, and changes nothing', async () => {
    expect(await control(sims, 'GET', '/worldpay/ledger')).toMatchObject({ status: 404, body: { error: expect.stringContaining('worldpay') } });
    expect(await control(sims, 'GET', '/nowhere')).toMatchObject({ status: 404 });
    expect(await control(sims, 'PUT', '/stripe/fault', { fault: { kind: 'explode' } })).toMatchObject({ status: 400 });
    expect(await control(sims, 'PUT', '/stripe/fault', { fault: { kind: 'http_error', status: 418 } })).toMatchObject({ status: 400 });
    expect(await control(sims, 'PUT', '/stripe/approval-rates', { rules: [{ rate: 2 }] })).toMatchObject({ status: 400 });
    expect(await control(sims, 'POST', '/stripe/webhook-faults', { fault: { kind: 'delay', ms: -5 } })).toMatchObject({ status: 400 });
    expect(await control(sims, 'PUT', '/stripe/webhook-url', { url: 'ftp://x' })).toMatchObject({ status: 400 });
    const raw = await fetch(`${sims.controlUrl}/stripe/fault`, { method: 'PUT', body: '{nope' });
    expect(raw.status).toBe(400);
    expect((await pay()).status).toBe('succeeded');
  });

  it('resets a simulator: payments, faults and webhook log', async () => {
    await pay();
    await control(sims, 'PUT', '/stripe/fault', { fault: { kind: 'hang' } });
    await control(sims, 'POST', '/stripe/reset');
    expect((await control(sims, 'GET', '/stripe/ledger')).body).toMatchObject({ charges: [], totals: { authorized: 0 } });
    expect((await pay()).status).toBe('succeeded');
  });
});

describe('the router against standalone simulators, through env: accounts', () => {
  let sims: StandaloneSimulators;
  let sandbox: Sandbox;
  beforeAll(async () => {
    sims = await startStandaloneSimulators({ ports: FREE_PORTS, webhookRetryScale: 0.0001 });
    sandbox = await startSandbox({
      host: '127.0.0.1',
      port: 0,
      sandboxKey: fixedKey('envAccounts'),
      fingerprintSecret: 'fp',
      gatewayTimeoutMs: 5000,
      routingRulesDir: 'routing-rules',
      routingSeed: 3,
      gateways: 'env',
      simulatorsControlUrl: sims.controlUrl,
      logger: captureLogger().logger,
    });
  });
  afterAll(async () => {
    await sandbox?.close();
    await sims?.close();
  });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${sandbox.apiKey}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as any;
  };

  it('any env: account reaches the simulator its <PREFIX>_BASE_URL names', async () => {
    const env = Object.assign({}, ...Object.values(sims.describe()).map((d) => d.env)) as Record<string, string>;
    const registry = gatewayRegistry({ providers: PROVIDERS, sandbox: {}, env, timeoutMs: 5000 });
    for (const provider of ['stripe', 'adyen', 'braintree', 'checkout'] as const) {
      const account = { id: `gwa_env_${provider}`, provider, credentialsRef: `env:${provider.toUpperCase()}_SIM` } as GatewayAccount;
      const adapter = registry.adapterFor(account);
      expect(adapter, provider).not.toBeNull();
      const outcome = await adapter!.authorize({
        paymentId: `pay_env_${provider}`,
        attemptNumber: 1,
        idempotencyKey: `pay_env_${provider}:attempt:1`,
        amount: 2500,
        currency: 'USD',
        captureMethod: 'automatic',
        method: { type: 'card', card: card() },
        description: null,
        customerEmail: null,
        returnUrl: null,
        threeDSecure: 'automatic',
      });
      expect(outcome, provider).toMatchObject({ kind: 'approved' });
      expect(sims[provider].ledger.export().charges.map((c) => c.orderReference)).toContain(`pay_env_${provider}:attempt:1`);
    }
  });

  it('pays, refunds and hears webhooks through each gateway, and every charge reconciles with the simulators’ ledgers', async () => {
    const payments = [];
    for (const provider of ['stripe', 'adyen', 'braintree', 'checkout']) {
      const payment = await api('POST', '/v1/payments', {
        amount: 2500,
        currency: 'USD',
        payment_method: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2031, cvc: '123' } },
        routing: { gateways: [provider] },
      });
      expect(payment, provider).toMatchObject({ status: 'succeeded', gateway: { provider } });
      payments.push(payment);
    }
    const declined = await api('POST', '/v1/payments', {
      amount: 2500,
      currency: 'USD',
      payment_method: { type: 'card', card: { number: '4000000000009995', exp_month: 12, exp_year: 2031, cvc: '123' } },
      routing: { gateways: ['braintree'] },
    });
    expect(declined).toMatchObject({ status: 'failed', failure: { code: 'insufficient_funds' } });
    for (const payment of payments) expect((await api('POST', `/v1/payments/${payment.id}/refunds`, { amount: 700 })).status).toMatch(/succeeded|pending/);

    expect((await control(sims, 'POST', '/all/idle', { timeoutMs: 30_000 })).status).toBe(200);
    for (const provider of ['stripe', 'adyen', 'braintree', 'checkout'] as const) {
      const deliveries = sims[provider].webhookDeliveries();
      expect(deliveries.length, provider).toBeGreaterThan(0);
      expect(deliveries.every((d) => d.state === 'delivered'), provider).toBe(true);
    }

    const ledgers = (await control(sims, 'GET', '/ledger')).body as Record<string, LedgerExport>;
    for (const payment of payments) {
      const ledger = ledgers[payment.gateway.provider]!;
      const charge = ledger.charges.find((c) => c.reference === payment.gateway_reference);
      expect(charge, payment.gateway.provider).toMatchObject({ amount: 2500, currency: 'USD', captured: 2500 });
      expect(charge!.orderReference).toMatch(new RegExp(`^${payment.id}:attempt:`));
      expect(ledger.refunds.filter((r) => r.chargeReference === payment.gateway_reference).map((r) => r.amount)).toEqual([700]);
    }
    // Adyen and Checkout.com confirm their refunds by webhook: once delivered, the router counts them.
    for (const webhookConfirmed of payments.filter((p) => ['adyen', 'checkout'].includes(p.gateway.provider))) {
      await until(async () => (await api('GET', `/v1/payments/${webhookConfirmed.id}`)).amount_refunded === 700);
      expect((await api('GET', `/v1/payments/${webhookConfirmed.id}`)).amount_refunded, webhookConfirmed.gateway.provider).toBe(700);
    }
  });

  it('collects a SEPA debit through GoCardless and hears its settlement by webhook', async () => {
    const payment = await api('POST', '/v1/payments', {
      amount: 2500,
      currency: 'EUR',
      routing: { gateways: ['gocardless'] },
      payment_method: {
        type: 'sepa_debit',
        sepa_debit: { iban: 'DE89 3704 0044 0532 0130 00', account_holder_name: 'Ada Lovelace', mandate_acceptance: { accepted_at: '2026-11-30T10:00:00Z', ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (test)' } },
      },
    });
    expect(payment).toMatchObject({ status: 'processing', gateway: { provider: 'gocardless' } });
    const reference = payment.attempts[0].gateway_reference as string;
    expect(sims.gocardless.payment(reference)).toMatchObject({ status: 'pending_submission', amount: 2500, currency: 'EUR' });
    // The bank's calendar, moved on through the control endpoint (as a chaos script does).
    for (const ms of [0, -1, 1.5, 'a day']) expect((await control(sims, 'POST', '/gocardless/advance', { ms })).status, String(ms)).toBe(400);
    expect(sims.gocardless.payment(reference)).toMatchObject({ status: 'pending_submission' });
    expect((await control(sims, 'POST', '/gocardless/advance', { ms: 4 * 24 * 60 * 60 * 1000 })).status).toBe(200);
    await until(async () => (await api('GET', `/v1/payments/${payment.id}`)).status === 'succeeded');
    expect(sims.gocardless.webhookDeliveries().every((d) => d.state === 'delivered')).toBe(true);
  });

  it('opens a BitPay invoice for a crypto payment, on the simulator the env: account names', async () => {
    const payment = await api('POST', '/v1/payments', {
      amount: 2500,
      currency: 'USD',
      routing: { gateways: ['bitpay'] },
      payment_method: { type: 'crypto', crypto: { currency: 'BTC' } },
      return_url: 'https://shop.example/back',
    });
    expect(payment).toMatchObject({ status: 'requires_action', gateway: { provider: 'bitpay' }, next_action: { type: 'redirect' } });
    expect(payment.next_action.url.startsWith(sims.bitpay.url)).toBe(true);
    expect(sims.bitpay.ledger.export().charges.map((c) => c.reference)).toContain(payment.attempts[0].gateway_reference);

    // Paid, refunded: the refund waits for the payer's refund address, which the control endpoint gives.
    await completeChallenge(payment.next_action.url, 'succeed');
    await until(async () => (await api('GET', `/v1/payments/${payment.id}`)).status === 'succeeded');
    const refund = await api('POST', `/v1/payments/${payment.id}/refunds`, { amount: 500 });
    expect(refund).toMatchObject({ status: 'pending' });
    expect((await control(sims, 'POST', '/bitpay/refund-addresses')).body).toEqual({ ok: true, refunds: 1 });
    await until(async () => (await api('GET', `/v1/payments/${payment.id}/refunds`)).data[0]?.status === 'succeeded');
    expect(sims.bitpay.ledger.export().refunds).toMatchObject([{ reference: refund.gateway_reference, status: 'success', amount: 500 }]);
    expect((await control(sims, 'POST', '/bitpay/refund-addresses')).body).toEqual({ ok: true, refunds: 0 });
  });
});

describe('standalone simulators with a state dir', () => {
  it('GoCardless and BitPay keep their payments across a restart, and no IBAN or private key is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-standalone-'));
    try {
      const first = await startStandaloneSimulators({ ports: FREE_PORTS, stateDir: dir });
      const env = Object.assign({}, ...Object.values(first.describe()).map((d) => d.env)) as Record<string, string>;
      const registry = gatewayRegistry({ providers: NODE_PROVIDERS, sandbox: {}, env, timeoutMs: 5000 });
      const adapter = registry.adapterFor({ id: 'gwa_env_bitpay', provider: 'bitpay', credentialsRef: 'env:BITPAY_SIM' } as GatewayAccount)!;
      const outcome = await adapter.authorize({
        paymentId: 'pay_standalone_bitpay',
        attemptNumber: 1,
        idempotencyKey: 'pay_standalone_bitpay:attempt:1',
        amount: 4200,
        currency: 'USD',
        captureMethod: 'automatic',
        method: { type: 'crypto', crypto: { currency: 'BTC' } },
        description: null,
        customerEmail: null,
        returnUrl: null,
        threeDSecure: 'automatic',
      });
      expect(outcome).toMatchObject({ kind: 'requires_action' });
      const debit = await registry.adapterFor({ id: 'gwa_env_gocardless', provider: 'gocardless', credentialsRef: 'env:GOCARDLESS_SIM' } as GatewayAccount)!.authorize({
        paymentId: 'pay_standalone_gocardless',
        attemptNumber: 1,
        idempotencyKey: 'pay_standalone_gocardless:attempt:1',
        amount: 3100,
        currency: 'EUR',
        captureMethod: 'automatic',
        method: {
          type: 'sepa_debit',
          sepaDebit: { iban: 'DE89370400440532013000', accountHolderName: 'Ada Lovelace', mandate: { kind: 'acceptance', acceptedAt: new Date('2026-11-30T10:00:00Z'), ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)' } },
        },
        description: null,
        customerEmail: null,
        returnUrl: null,
        threeDSecure: 'automatic',
      });
      expect(debit).toMatchObject({ kind: 'pending' });
      await first.close();

      const second = await startStandaloneSimulators({ ports: FREE_PORTS, stateDir: dir });
      try {
        expect(second.bitpay.ledger.export().charges).toEqual([expect.objectContaining({ orderReference: 'pay_standalone_bitpay:attempt:1', amount: 4200, currency: 'USD' })]);
        const reference = (debit as { reference: string }).reference;
        expect(second.gocardless.payment(reference)).toMatchObject({ status: 'pending_submission', amount: 3100, currency: 'EUR' });
        second.gocardless.advance(4 * 24 * 60 * 60 * 1000);
        expect(second.gocardless.payment(reference)?.status).toBe('confirmed');
        expect(await readdir(dir)).toEqual(expect.arrayContaining(['bitpay.json', 'gocardless.json']));
        expect(await readFile(join(dir, 'bitpay.json'), 'utf8')).not.toContain(DEFAULT_SECRETS.bitpay.privateKey);
        expect(await readFile(join(dir, 'gocardless.json'), 'utf8')).not.toMatch(/0532013000|DE89/);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the sandbox keeps its simulators across a restart', () => {
  it('refunds on every gateway a payment made before the restart, and hears the webhooks left over from it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-restart-'));
    const options = {
      host: '127.0.0.1',
      port: 0,
      sandboxKey: fixedKey('restart'),
      fingerprintSecret: 'fp',
      pgliteDir: join(dir, 'pglite'),
      simulatorStateDir: join(dir, 'simulators'),
      gatewayTimeoutMs: 5000,
      routingRulesDir: 'routing-rules',
      routingSeed: 5,
    };
    const api = async (sandbox: Sandbox, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${sandbox.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${sandbox.apiKey}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await res.json()) as any;
    };
    try {
      const first = await startSandbox({ ...options, logger: captureLogger().logger });
      // Every notification of this run is held back past its end, so the next run sends them.
      for (const sim of Object.values(first.simulators)) sim.setWebhookFault({ kind: 'delay', ms: 600_000 });
      const payments: any[] = [];
      for (const provider of ['stripe', 'adyen', 'braintree', 'checkout']) {
        payments.push(
          await api(first, 'POST', '/v1/payments', {
            amount: 1999,
            currency: 'USD',
            payment_method: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2031, cvc: '123' } },
            routing: { gateways: [provider] },
          }),
        );
      }
      const paypal = await api(first, 'POST', '/v1/payments', { amount: 1999, currency: 'USD', payment_method: { type: 'paypal' }, routing: { gateways: ['paypal'] } });
      const back = await completeChallenge(paypal.next_action.url, 'succeed');
      payments.push(await api(first, 'POST', `/v1/payments/${paypal.id}/confirm`, { return_params: back.returnParams }));
      await first.close();

      const second = await startSandbox({ ...options, logger: captureLogger().logger });
      try {
        for (const payment of payments) {
          const refund = await api(second, 'POST', `/v1/payments/${payment.id}/refunds`, { amount: 500 });
          expect(refund.status, payment.gateway.provider).toBe(['adyen', 'checkout'].includes(payment.gateway.provider) ? 'pending' : 'succeeded');
        }
        for (const sim of Object.values(second.simulators)) await sim.idle();
        // The gateways paid by card above (GoCardless takes bank debits only, and had nothing to send).
        for (const [provider, sim] of Object.entries(second.simulators).filter(([name]) => payments.some((p) => p.gateway.provider === name))) {
          const deliveries = sim.webhookDeliveries();
          expect(deliveries.length, provider).toBeGreaterThan(0);
          expect(deliveries.every((d) => d.state === 'delivered' && d.attempts.every((a) => a.status === 200)), provider).toBe(true);
        }
        for (const webhookConfirmed of payments.filter((p) => ['adyen', 'checkout'].includes(p.gateway.provider))) {
          await until(async () => (await api(second, 'GET', `/v1/payments/${webhookConfirmed.id}`)).amount_refunded === 500);
          expect((await api(second, 'GET', `/v1/payments/${webhookConfirmed.id}`)).amount_refunded, webhookConfirmed.gateway.provider).toBe(500);
        }
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('npm run simulators', () => {
  it('runs as its own process on the ports it is given, answers its control endpoint, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/runtime/node/simulators-main.ts'], {
      env: { ...process.env, SIMULATOR_CONTROL_PORT: '0', SIMULATOR_STRIPE_PORT: '0', SIMULATOR_ADYEN_PORT: '0', SIMULATOR_BRAINTREE_PORT: '0', SIMULATOR_CHECKOUT_PORT: '0', SIMULATOR_PAYPAL_PORT: '0', SIMULATOR_GOCARDLESS_PORT: '0', SIMULATOR_BITPAY_PORT: '0', SIMULATOR_STRIPE_WEBHOOK_SECRET: 'whsec_from_env' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let banner = '';
    const controlUrl = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        banner += chunk.toString();
        const url = /control listening on (http:\/\/\S+)/.exec(banner)?.[1];
        if (url && banner.includes('BITPAY_SIM_BASE_URL')) resolve(url);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${banner}`)));
    });
    child.stdout!.resume();
    const described = (await (await fetch(`${controlUrl}/`)).json()) as any;
    expect(described.simulators.stripe.account).toEqual({ secretKey: 'sk_test_switchyard_simulator', webhookSecret: 'whsec_from_env' });
    expect(banner).toContain(`export STRIPE_SIM_BASE_URL=${described.simulators.stripe.url}`);
    expect(banner).toContain(`export GOCARDLESS_SIM_BASE_URL=${described.simulators.gocardless.url}`);
    expect(banner).toContain(`export BITPAY_SIM_BASE_URL=${described.simulators.bitpay.url}`);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
