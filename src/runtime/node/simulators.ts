import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startAdyenSimulator, type AdyenSimulator } from '../../../adapters/adyen/simulator/index.js';
import { startBraintreeSimulator, type BraintreeSimulator } from '../../../adapters/braintree/simulator/index.js';
import { startBitPaySimulator, type BitPaySimulator } from '../../../adapters/bitpay/simulator/index.js';
import { startCheckoutSimulator, type CheckoutSimulator } from '../../../adapters/checkout/simulator/index.js';
import { startGoCardlessSimulator, type GoCardlessSimulator } from '../../../adapters/gocardless/simulator/index.js';
import { startPayPalSimulator, type PayPalSimulator } from '../../../adapters/paypal/simulator/index.js';
import type { SimulatorControl } from '../../../adapters/testkit/simulator.js';
import { startStripeSimulator, type StripeSimulator } from '../../../adapters/stripe/simulator/index.js';

/**
 * The seven provider simulators as one standalone process, with a control endpoint (loopback
 * JSON over HTTP) a chaos benchmark or a newcomer drives them through. `npm run simulators`
 * (simulators-main.ts) starts it from environment variables.
 */

export const PROVIDER_NAMES = ['stripe', 'adyen', 'braintree', 'checkout', 'paypal', 'gocardless', 'bitpay'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** The fixed, documented sandbox secrets: public on purpose, never a real provider's. */
export const DEFAULT_SECRETS = {
  stripe: { secretKey: 'sk_test_switchyard_simulator', webhookSecret: 'whsec_switchyard_simulator' },
  adyen: { apiKey: 'AQE_switchyard_simulator', merchantAccount: 'SwitchyardSimulator', hmacKey: '5357495443485941524453494D554C41544F525F484D41435F4B45595F303031' },
  braintree: { merchantId: 'switchyard_simulator', publicKey: 'switchyard_simulator_public', privateKey: 'switchyard_simulator_private' },
  // Shaped as a Checkout.com sandbox key, so the SDK sends it as a Bearer token as it does a real one.
  checkout: { secretKey: 'sk_sbox_switchyardsimulatorkey2345', publicKey: 'pk_sbox_switchyardsimulatorkey2345', webhookSecret: 'switchyard_simulator_checkout_webhook', returnUrl: null },
  paypal: { clientId: 'switchyard_simulator_paypal_client', clientSecret: 'switchyard_simulator_paypal_secret', webhookId: 'SWITCHYARDSIMWH01' },
  gocardless: { accessToken: 'sandbox_switchyard_simulator_gocardless', webhookSecret: 'switchyard_simulator_gocardless_webhook' },
  // BitPay's API key is a secp256k1 private key: sha256("switchyard-simulator-bitpay"), public like the rest.
  bitpay: { privateKey: '5c979be6d8f233dbb7173a88ff237de0f2018e6291789b44bbbc4978171e571b', merchantToken: 'switchyard_simulator_bitpay_token' },
} as const;

export const DEFAULT_PORTS = { control: 12110, stripe: 12111, adyen: 12112, braintree: 12113, checkout: 12114, paypal: 12115, gocardless: 12116, bitpay: 12117 } as const;

/** Braintree fixes one currency per merchant account. */
export const DEFAULT_BRAINTREE_MERCHANT_ACCOUNTS: Readonly<Record<string, string>> = { USD: 'switchyard_usd', EUR: 'switchyard_eur', GBP: 'switchyard_gbp' };

export interface StandaloneOptions {
  /** Where the simulators listen. Default 127.0.0.1. The control endpoint always listens on 127.0.0.1. */
  host?: string;
  ports?: Partial<Record<'control' | ProviderName, number>>;
  stripe?: { secretKey?: string; webhookSecret?: string; webhookUrl?: string };
  adyen?: { apiKey?: string; merchantAccount?: string; hmacKey?: string; webhookUrl?: string; notificationDelayMs?: number };
  braintree?: { merchantId?: string; publicKey?: string; privateKey?: string; webhookUrl?: string; merchantAccounts?: Readonly<Record<string, string>>; settlementDelayMs?: number | null };
  checkout?: { secretKey?: string; publicKey?: string; webhookSecret?: string; webhookUrl?: string };
  paypal?: { clientId?: string; clientSecret?: string; webhookId?: string; webhookUrl?: string };
  gocardless?: { accessToken?: string; webhookSecret?: string; webhookUrl?: string };
  bitpay?: { privateKey?: string; merchantToken?: string; webhookUrl?: string };
  /** Multiplies the providers' webhook retry schedules (0.001: a day in 86 s). Default 1. */
  webhookRetryScale?: number;
  /** Where each simulator keeps its state (`<dir>/<provider>.json`); omitted: in memory. */
  stateDir?: string;
}

export interface StandaloneSimulators {
  stripe: StripeSimulator;
  adyen: AdyenSimulator;
  braintree: BraintreeSimulator;
  checkout: CheckoutSimulator;
  paypal: PayPalSimulator;
  gocardless: GoCardlessSimulator;
  bitpay: BitPaySimulator;
  /** `http://127.0.0.1:<port>` of the control endpoint. */
  controlUrl: string;
  /** What `GET /` answers: each simulator's URL, credentials and the variables of an `env:` account for it. */
  describe(): Record<ProviderName, SimulatorDescription>;
  close(): Promise<void>;
}

export interface SimulatorDescription {
  url: string;
  account: Record<string, unknown>;
  /** The variables an `env:<PREFIX>` gateway account reads, for the prefix `<PROVIDER>_SIM`. */
  env: Record<string, string>;
}

export async function startStandaloneSimulators(options: StandaloneOptions = {}): Promise<StandaloneSimulators> {
  const host = options.host ?? '127.0.0.1';
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const webhookRetry = { scale: options.webhookRetryScale ?? 1 };
  const statePath = (provider: ProviderName) => (options.stateDir === undefined ? {} : { statePath: join(options.stateDir, `${provider}.json`) });
  const braintreeAccounts = options.braintree?.merchantAccounts ?? DEFAULT_BRAINTREE_MERCHANT_ACCOUNTS;

  const started: SimulatorControl[] = [];
  try {
    const stripe = await startStripeSimulator({
      host,
      port: ports.stripe,
      secretKey: options.stripe?.secretKey ?? DEFAULT_SECRETS.stripe.secretKey,
      webhookSecret: options.stripe?.webhookSecret ?? DEFAULT_SECRETS.stripe.webhookSecret,
      ...(options.stripe?.webhookUrl ? { webhookUrl: options.stripe.webhookUrl } : {}),
      webhookRetry,
      ...statePath('stripe'),
    });
    started.push(stripe);
    const adyen = await startAdyenSimulator({
      host,
      port: ports.adyen,
      apiKey: options.adyen?.apiKey ?? DEFAULT_SECRETS.adyen.apiKey,
      merchantAccount: options.adyen?.merchantAccount ?? DEFAULT_SECRETS.adyen.merchantAccount,
      hmacKey: options.adyen?.hmacKey ?? DEFAULT_SECRETS.adyen.hmacKey,
      ...(options.adyen?.webhookUrl ? { webhookUrl: options.adyen.webhookUrl } : {}),
      ...(options.adyen?.notificationDelayMs === undefined ? {} : { notificationDelayMs: options.adyen.notificationDelayMs }),
      webhookRetry,
      ...statePath('adyen'),
    });
    started.push(adyen);
    const braintree = await startBraintreeSimulator({
      host,
      port: ports.braintree,
      merchantId: options.braintree?.merchantId ?? DEFAULT_SECRETS.braintree.merchantId,
      publicKey: options.braintree?.publicKey ?? DEFAULT_SECRETS.braintree.publicKey,
      privateKey: options.braintree?.privateKey ?? DEFAULT_SECRETS.braintree.privateKey,
      merchantAccounts: Object.fromEntries(Object.entries(braintreeAccounts).map(([currency, id]) => [id, currency])),
      ...(options.braintree?.webhookUrl ? { webhookUrl: options.braintree.webhookUrl } : {}),
      ...(options.braintree?.settlementDelayMs === undefined ? {} : { settlementDelayMs: options.braintree.settlementDelayMs }),
      webhookRetry,
      ...statePath('braintree'),
    });
    started.push(braintree);
    const checkout = await startCheckoutSimulator({
      host,
      port: ports.checkout,
      secretKey: options.checkout?.secretKey ?? DEFAULT_SECRETS.checkout.secretKey,
      publicKey: options.checkout?.publicKey ?? DEFAULT_SECRETS.checkout.publicKey,
      webhookSecret: options.checkout?.webhookSecret ?? DEFAULT_SECRETS.checkout.webhookSecret,
      ...(options.checkout?.webhookUrl ? { webhookUrl: options.checkout.webhookUrl } : {}),
      webhookRetry,
      ...statePath('checkout'),
    });
    started.push(checkout);
    const paypal = await startPayPalSimulator({
      host,
      port: ports.paypal,
      clientId: options.paypal?.clientId ?? DEFAULT_SECRETS.paypal.clientId,
      clientSecret: options.paypal?.clientSecret ?? DEFAULT_SECRETS.paypal.clientSecret,
      webhookId: options.paypal?.webhookId ?? DEFAULT_SECRETS.paypal.webhookId,
      ...(options.paypal?.webhookUrl ? { webhookUrl: options.paypal.webhookUrl } : {}),
      webhookRetry,
      ...statePath('paypal'),
    });
    started.push(paypal);
    const gocardless = await startGoCardlessSimulator({
      host,
      port: ports.gocardless,
      accessToken: options.gocardless?.accessToken ?? DEFAULT_SECRETS.gocardless.accessToken,
      webhookSecret: options.gocardless?.webhookSecret ?? DEFAULT_SECRETS.gocardless.webhookSecret,
      ...(options.gocardless?.webhookUrl ? { webhookUrl: options.gocardless.webhookUrl } : {}),
      webhookRetry,
      ...statePath('gocardless'),
    });
    started.push(gocardless);
    const bitpay = await startBitPaySimulator({
      host,
      port: ports.bitpay,
      privateKey: options.bitpay?.privateKey ?? DEFAULT_SECRETS.bitpay.privateKey,
      merchantToken: options.bitpay?.merchantToken ?? DEFAULT_SECRETS.bitpay.merchantToken,
      ...(options.bitpay?.webhookUrl ? { webhookUrl: options.bitpay.webhookUrl } : {}),
      webhookRetry,
      ...statePath('bitpay'),
    });
    started.push(bitpay);

    const simulators = { stripe, adyen, braintree, checkout, paypal, gocardless, bitpay };
    const describe = (): Record<ProviderName, SimulatorDescription> => ({
      stripe: {
        url: stripe.url,
        account: { ...stripe.account },
        env: { STRIPE_SIM_SECRET_KEY: stripe.account.secretKey, STRIPE_SIM_WEBHOOK_SECRET: stripe.account.webhookSecret, STRIPE_SIM_BASE_URL: stripe.url },
      },
      adyen: {
        url: adyen.url,
        account: { ...adyen.account },
        env: {
          ADYEN_SIM_API_KEY: adyen.account.apiKey ?? '',
          ADYEN_SIM_MERCHANT_ACCOUNT: adyen.account.merchantAccount ?? '',
          ADYEN_SIM_HMAC_KEY: adyen.account.hmacKey,
          ADYEN_SIM_RETURN_URL: `${adyen.url}/return`,
          ADYEN_SIM_BASE_URL: adyen.url,
        },
      },
      braintree: {
        url: braintree.url,
        account: { ...braintree.account, merchantAccounts: { ...braintreeAccounts } },
        env: {
          BRAINTREE_SIM_MERCHANT_ID: braintree.account.merchantId,
          BRAINTREE_SIM_PUBLIC_KEY: braintree.account.publicKey,
          BRAINTREE_SIM_PRIVATE_KEY: braintree.account.privateKey,
          BRAINTREE_SIM_MERCHANT_ACCOUNTS: Object.entries(braintreeAccounts).map(([currency, id]) => `${currency}=${id}`).join(','),
          BRAINTREE_SIM_BASE_URL: braintree.url,
        },
      },
      checkout: {
        url: checkout.url,
        account: { ...checkout.account },
        env: {
          CHECKOUT_SIM_SECRET_KEY: checkout.account.secretKey ?? '',
          CHECKOUT_SIM_PUBLIC_KEY: checkout.account.publicKey ?? '',
          CHECKOUT_SIM_WEBHOOK_SECRET: checkout.account.webhookSecret,
          // No shop stands behind the simulators: a 3-D Secure redirect returns to the simulator.
          CHECKOUT_SIM_RETURN_URL: `${checkout.url}/return`,
          CHECKOUT_SIM_BASE_URL: checkout.url,
        },
      },
      paypal: {
        url: paypal.url,
        account: { ...paypal.account },
        env: {
          PAYPAL_SIM_CLIENT_ID: paypal.account.clientId,
          PAYPAL_SIM_CLIENT_SECRET: paypal.account.clientSecret,
          PAYPAL_SIM_WEBHOOK_ID: paypal.account.webhookId,
          PAYPAL_SIM_ENVIRONMENT: 'sandbox',
          // No shop stands behind the simulators: the payer's approval returns to the simulator.
          PAYPAL_SIM_RETURN_URL: `${paypal.url}/return`,
          PAYPAL_SIM_BASE_URL: paypal.url,
        },
      },
      gocardless: {
        url: gocardless.url,
        account: { ...gocardless.account },
        env: {
          GOCARDLESS_SIM_ACCESS_TOKEN: gocardless.account.accessToken ?? '',
          GOCARDLESS_SIM_WEBHOOK_SECRET: gocardless.account.webhookSecret,
          GOCARDLESS_SIM_ENVIRONMENT: 'sandbox',
          GOCARDLESS_SIM_BASE_URL: gocardless.url,
        },
      },
      bitpay: {
        url: bitpay.url,
        account: { ...bitpay.credentials },
        env: {
          BITPAY_SIM_PRIVATE_KEY: bitpay.credentials.privateKey,
          BITPAY_SIM_MERCHANT_TOKEN: bitpay.credentials.merchantToken,
          BITPAY_SIM_ENVIRONMENT: 'test',
          // No shop stands behind the simulators: the payer returns to the simulator.
          BITPAY_SIM_RETURN_URL: `${bitpay.url}/return`,
          BITPAY_SIM_BASE_URL: bitpay.url,
        },
      },
    });
    const control = await listenControl(ports.control, simulators, describe);
    return {
      ...simulators,
      controlUrl: control.url,
      describe,
      async close() {
        await new Promise<void>((resolve) => {
          control.server.close(() => resolve());
          control.server.closeAllConnections();
        });
        await Promise.all(Object.values(simulators).map((sim) => sim.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((sim) => sim.close()));
    throw error;
  }
}

// ---- the control endpoint ----

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Simulators = Record<ProviderName, SimulatorControl> & Pick<StandaloneSimulators, 'gocardless' | 'bitpay'>;

/**
 * Routes of the control endpoint; `:provider` is `stripe`, `adyen`, `braintree`, `checkout`, `paypal`, `gocardless`, `bitpay` or `all`.
 *
 *   GET    /                                 each simulator's URL, credentials and env: variables
 *   GET    /ledger                           every simulator's full ledger
 *   GET    /:provider/ledger                 one simulator's ledger (charges, refunds, totals)
 *   PUT    /:provider/fault                  {fault, options?}: a request fault (replaces the one in force)
 *   DELETE /:provider/fault
 *   POST   /:provider/webhook-faults         {fault, options?}: adds a webhook fault
 *   DELETE /:provider/webhook-faults
 *   GET    /:provider/webhook-deliveries     every notification and its attempts
 *   PUT    /:provider/webhook-url            {url}: where notifications go (null: nowhere)
 *   PUT    /:provider/webhook-retry-scale    {scale}
 *   PUT    /:provider/approval-rates         {rules, seed?}
 *   PUT    /:provider/latency                {distribution, seed?} (distribution null: none)
 *   POST   /:provider/idle                   {timeoutMs?}: answers once nothing is pending (504 if it takes longer)
 *   POST   /:provider/reset                  forgets payments and notifications; ends faults, rates and latency
 *   POST   /:provider/save                   writes state files now (with a state dir)
 *   POST   /gocardless/advance               {ms}: moves the bank calendar on
 *   POST   /bitpay/refund-addresses          every refund waiting for its payer gets an address (BitPay sends it)
 */
async function handleControl(sims: Simulators, describe: () => unknown, method: string, path: string, body: unknown): Promise<unknown> {
  if (method === 'GET' && path === '/') return { simulators: describe() };
  if (method === 'GET' && path === '/ledger') return Object.fromEntries(PROVIDER_NAMES.map((name) => [name, sims[name].ledger.export()]));

  const match = /^\/([a-z]+)\/([a-z-]+)$/.exec(path);
  if (!match) throw new ControlError(404, `no such control route: ${method} ${path}`);
  const [, name, action] = match as unknown as [string, string, string];
  const payers = payersControl(sims, method, name, action, body);
  if (payers !== null) return payers;
  const targets = name === 'all' ? PROVIDER_NAMES.map((n) => sims[n]) : PROVIDER_NAMES.includes(name as ProviderName) ? [sims[name as ProviderName]] : null;
  if (targets === null) throw new ControlError(404, `no simulator named ${name} (${PROVIDER_NAMES.join(', ')} or all)`);
  const each = async (fn: (sim: SimulatorControl) => unknown) => {
    for (const sim of targets) await fn(sim);
    return { ok: true };
  };
  const read = (fn: (sim: SimulatorControl) => unknown) =>
    name === 'all' ? Object.fromEntries(PROVIDER_NAMES.map((n) => [n, fn(sims[n])])) : fn(targets[0]!);
  const input = (body ?? {}) as Record<string, unknown>;

  switch (`${method} ${action}`) {
    case 'GET ledger':
      return read((sim) => sim.ledger.export());
    case 'GET webhook-deliveries':
      return read((sim) => sim.webhookDeliveries());
    case 'PUT fault': {
      const fault = required(input, 'fault') as { kind?: unknown };
      if (!REQUEST_FAULTS.includes(String(fault.kind))) throw new ControlError(400, `fault.kind must be one of ${REQUEST_FAULTS.join(', ')}`);
      return each((sim) => sim.setFault(fault as never, (input['options'] ?? {}) as never));
    }
    case 'DELETE fault':
      return each((sim) => sim.clearFault());
    case 'POST webhook-faults':
      return each((sim) => sim.setWebhookFault(required(input, 'fault') as never, (input['options'] ?? {}) as never));
    case 'DELETE webhook-faults':
      return each((sim) => sim.clearWebhookFaults());
    case 'PUT webhook-url': {
      const url = input['url'];
      if (url !== null && (typeof url !== 'string' || !/^https?:\/\//.test(url))) throw new ControlError(400, 'url must be an http(s) URL or null');
      return each((sim) => sim.setWebhookUrl(url));
    }
    case 'PUT webhook-retry-scale':
      return each((sim) => sim.setWebhookRetryScale(required(input, 'scale') as number));
    case 'PUT approval-rates': {
      const rules = required(input, 'rules');
      if (!Array.isArray(rules)) throw new ControlError(400, 'rules must be a list');
      return each((sim) => sim.setApprovalRates(rules, optionalSeed(input)));
    }
    case 'PUT latency':
      if (!('distribution' in input)) throw new ControlError(400, 'distribution is required (null ends it)');
      return each((sim) => sim.setLatency(input['distribution'] as never, optionalSeed(input)));
    case 'POST idle': {
      const timeoutMs = input['timeoutMs'] === undefined ? 60_000 : Number(input['timeoutMs']);
      if (!(timeoutMs > 0)) throw new ControlError(400, 'timeoutMs must be a positive number');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const result = await Promise.race([Promise.all(targets.map((sim) => sim.idle())), timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') throw new ControlError(504, `still busy after ${timeoutMs} ms`);
      return { ok: true };
    }
    case 'POST reset':
      return each(async (sim) => {
        await sim.clearFault();
        sim.clearWebhookFaults();
        sim.setApprovalRates([]);
        sim.setLatency(null);
        sim.ledger.reset();
      });
    case 'POST save':
      return each((sim) => sim.save());
    default:
      throw new ControlError(404, `no such control route: ${method} ${path}`);
  }
}

/**
 * The payers' side of the slow methods, for a chaos script: GoCardless' bank calendar moved on
 * (`POST /gocardless/advance {ms}`: debits and refunds falling due settle and notify), and every
 * BitPay refund request still waiting for its payer given a refund address (`POST /bitpay/refund-addresses`:
 * BitPay sends them). Null for any other route.
 */
function payersControl(sims: Simulators, method: string, name: string, action: string, body: unknown): unknown {
  if (method === 'POST' && name === 'gocardless' && action === 'advance') {
    const ms = (body as { ms?: unknown } | null)?.ms;
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms <= 0 || ms > 366 * 86_400_000) throw new ControlError(400, 'ms must be a whole number of milliseconds, up to a year');
    sims.gocardless.advance(ms);
    return { ok: true };
  }
  if (method === 'POST' && name === 'bitpay' && action === 'refund-addresses') {
    const waiting = sims.bitpay.ledger.export().refunds.filter((r) => r.status === 'created');
    for (const refund of waiting) sims.bitpay.settleRefund(refund.reference);
    return { ok: true, refunds: waiting.length };
  }
  return null;
}

const REQUEST_FAULTS = ['refuse_connections', 'hang', 'http_error', 'charge_then_hang', 'charge_then_500', 'malformed_response'];

function required(input: Record<string, unknown>, field: string): unknown {
  if (input[field] === undefined) throw new ControlError(400, `${field} is required`);
  return input[field];
}

function optionalSeed(input: Record<string, unknown>): number | undefined {
  const seed = input['seed'];
  if (seed === undefined) return undefined;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new ControlError(400, 'seed must be a number');
  return seed;
}

async function listenControl(port: number, sims: Simulators, describe: () => unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => void serveControl(req, res, sims, describe));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function serveControl(req: IncomingMessage, res: ServerResponse, sims: Simulators, describe: () => unknown): Promise<void> {
  const answer = (status: number, body: unknown) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text.trim() === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ControlError(400, 'the body is not JSON');
    }
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw new ControlError(400, 'the body must be a JSON object');
    const path = new URL(req.url ?? '/', 'http://control.invalid').pathname;
    answer(200, await handleControl(sims, describe, (req.method ?? 'GET').toUpperCase(), path, body));
  } catch (error) {
    if (error instanceof ControlError) answer(error.status, { error: error.message });
    else if (error instanceof RangeError || error instanceof TypeError) answer(400, { error: error.message });
    else answer(500, { error: error instanceof Error ? error.message : String(error) });
  }
}
