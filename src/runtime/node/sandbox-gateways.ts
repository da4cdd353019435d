import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newPrivateKey, startBitPaySimulator } from '../../../adapters/bitpay/simulator/index.js';
import { startAdyenSimulator } from '../../../adapters/adyen/simulator/index.js';
import { startBraintreeSimulator } from '../../../adapters/braintree/simulator/index.js';
import { startCheckoutSimulator } from '../../../adapters/checkout/simulator/index.js';
import { startPayPalSimulator } from '../../../adapters/paypal/simulator/index.js';
import { startGoCardlessSimulator } from '../../../adapters/gocardless/simulator/index.js';
import { startStripeSimulator } from '../../../adapters/stripe/simulator/index.js';
import type { SimulatorControl } from '../../../adapters/testkit/simulator.js';
import { NODE_PROVIDERS } from './providers.js';

export interface SandboxGateways {
  /** Per provider, the adapter config that points at its simulator. */
  configs: Record<string, unknown>;
  simulators: Record<string, SimulatorControl>;
  /**
   * Tells the simulators where the router's webhook endpoints are. Call it once the router can
   * verify their notifications (the configs are in its registry): undelivered notifications
   * saved by the last run wait until then.
   */
  connectWebhooks(): Promise<void>;
  close(): Promise<void>;
}

export interface SandboxGatewayOptions {
  /**
   * Where the simulators keep their state (`<dir>/<provider>.json`) and the sandbox its gateway
   * secrets (`<dir>/secrets.json`), so payments, keys and webhooks outlive a restart. Omitted:
   * everything in memory, with fresh secrets.
   */
  stateDir?: string;
  /** Multiplies the providers' webhook retry schedules. Default 1. */
  webhookRetryScale?: number;
}

/** The sandbox accounts' credentials: generated once, then kept with the simulators' state. */
interface SandboxSecrets {
  stripe: { secretKey: string; webhookSecret: string };
  adyen: { apiKey: string; hmacKey: string };
  braintree: { publicKey: string; privateKey: string };
  /** Absent from a secrets file written before the sandbox had Checkout.com: made then, and kept. */
  checkout?: { secretKey: string; webhookSecret: string };
  /** Absent from a secrets file written before the sandbox had PayPal: derived from the file's own. */
  paypal?: { clientId: string; clientSecret: string; webhookId: string };
  /** Absent from a secrets file written before GoCardless's were kept: derived from the file's own. */
  gocardless?: { accessToken: string; webhookSecret: string };
  /** Absent from a secrets file written before the sandbox had BitPay: derived from the file's own. */
  bitpay?: { privateKey: string; merchantToken: string };
}

const MERCHANT_ACCOUNT = 'SwitchyardSandbox';
const BRAINTREE_MERCHANT = 'switchyard_sandbox';
// Braintree fixes one currency per merchant account: the sandbox has one per currency it offers.
const BRAINTREE_MERCHANT_ACCOUNTS = { USD: 'switchyard_usd', EUR: 'switchyard_eur', GBP: 'switchyard_gbp' };

/**
 * Starts every provider's simulator on a free port; once connected, they deliver their
 * notifications to `webhookUrl(provider)` (the router's endpoint for the sandbox account). With
 * a `stateDir` they resume the state and secrets of the last run.
 */
export async function startSandboxGateways(webhookUrl: (provider: string) => string, options: SandboxGatewayOptions = {}): Promise<SandboxGateways> {
  const { stateDir } = options;
  const secrets = await sandboxSecrets(stateDir);
  const statePath = (provider: string) => (stateDir === undefined ? {} : { statePath: join(stateDir, `${provider}.json`) });
  const webhookRetry = { scale: options.webhookRetryScale ?? 1 };

  const stripe = await startStripeSimulator({ ...secrets.stripe, webhookRetry, ...statePath('stripe') });
  const adyenAccount = { ...secrets.adyen, merchantAccount: MERCHANT_ACCOUNT };
  const adyen = await startAdyenSimulator({ ...adyenAccount, webhookRetry, ...statePath('adyen') });
  const braintreeAccount = { merchantId: BRAINTREE_MERCHANT, ...secrets.braintree, merchantAccounts: BRAINTREE_MERCHANT_ACCOUNTS };
  const braintree = await startBraintreeSimulator({
    ...braintreeAccount,
    merchantAccounts: Object.fromEntries(Object.entries(BRAINTREE_MERCHANT_ACCOUNTS).map(([currency, id]) => [id, currency])),
    webhookRetry,
    ...statePath('braintree'),
  });

  const checkoutSecrets = withCheckoutPublicKey(secrets.checkout ?? derivedCheckoutSecrets(secrets));
  const checkout = await startCheckoutSimulator({ ...checkoutSecrets, webhookRetry, ...statePath('checkout') });

  const paypalSecrets = secrets.paypal ?? derivedPayPalSecrets(secrets);
  const paypal = await startPayPalSimulator({ ...paypalSecrets, webhookRetry, ...statePath('paypal') });

  const gocardlessSecrets = secrets.gocardless ?? derivedGoCardlessSecrets(secrets);
  const gocardless = await startGoCardlessSimulator({ ...gocardlessSecrets, webhookRetry, ...statePath('gocardless') });

  const bitpaySecrets = secrets.bitpay ?? derivedBitPaySecrets(secrets);
  const bitpay = await startBitPaySimulator({ ...bitpaySecrets, webhookRetry, ...statePath('bitpay') });

  const simulators: Record<string, SimulatorControl> = { stripe, adyen, braintree, checkout, paypal, gocardless, bitpay };
  return {
    configs: {
      stripe: { ...secrets.stripe, host: stripe.host, port: stripe.port, protocol: 'http' },
      // No shop stands behind the sandbox: a 3-D Secure redirect returns to the simulator.
      adyen: { ...adyenAccount, baseUrl: adyen.url, returnUrl: `${adyen.url}/return` },
      braintree: { ...braintreeAccount, host: braintree.host, port: braintree.port, ssl: false },
      checkout: { ...checkoutSecrets, baseUrl: checkout.url, subdomain: null, returnUrl: `${checkout.url}/return` },
      paypal: { ...paypalSecrets, environment: 'sandbox', baseUrl: paypal.url, returnUrl: `${paypal.url}/return` },
      gocardless: { ...gocardlessSecrets, environment: 'sandbox', local: { host: gocardless.host, port: gocardless.port } },
      bitpay: { ...bitpaySecrets, environment: 'test', baseUrl: bitpay.url, notificationUrl: webhookUrl('bitpay'), returnUrl: `${bitpay.url}/return` },
    },
    simulators,
    connectWebhooks: async () => {
      for (const [provider, simulator] of Object.entries(simulators)) simulator.setWebhookUrl(webhookUrl(provider));
    },
    close: async () => {
      await Promise.all(Object.values(simulators).map((s) => s.close()));
    },
  };
}

/** The secrets kept in `<stateDir>/secrets.json` (made on first use, readable by the owner only), or fresh ones. */
async function sandboxSecrets(stateDir: string | undefined): Promise<SandboxSecrets> {
  const file = stateDir === undefined ? null : join(stateDir, 'secrets.json');
  if (file !== null) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as SandboxSecrets;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const secret = () => Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('hex');
  const secrets: SandboxSecrets = {
    stripe: { secretKey: `sk_test_${secret()}`, webhookSecret: `whsec_${secret()}` },
    adyen: { apiKey: `AQE_${secret()}`, hmacKey: secret() },
    braintree: { publicKey: secret(), privateKey: secret() },
    checkout: { secretKey: checkoutKey(crypto.getRandomValues(new Uint8Array(27))), webhookSecret: secret() },
    paypal: { clientId: `A${secret()}`, clientSecret: `E${secret()}`, webhookId: secret().slice(0, 17).toUpperCase() },
    gocardless: { accessToken: `sandbox_${secret()}`, webhookSecret: secret() },
    bitpay: { privateKey: newPrivateKey(), merchantToken: secret() },
  };
  if (file !== null) {
    await mkdir(stateDir!, { recursive: true });
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
      // Another process made it first: use its secrets.
      if (error.code !== 'EEXIST') throw error;
    });
    return JSON.parse(await readFile(file, 'utf8')) as SandboxSecrets;
  }
  return secrets;
}

/** A Checkout.com sandbox-shaped key (`sk_sbox_` or `pk_sbox_` and 27 base-32 characters); the SDK sends a secret one as a Bearer token. */
function checkoutKey(bytes: Uint8Array, kind: 'sk' | 'pk' = 'sk'): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `${kind}_sbox_${Array.from(bytes.subarray(0, 27), (byte) => alphabet[byte & 31]).join('')}`;
}

/** The account's public key (POST /tokens, for wallets), derived from its secret key: every secrets file, old or new, has one. */
function withCheckoutPublicKey(secrets: { secretKey: string; webhookSecret: string }): { secretKey: string; publicKey: string; webhookSecret: string } {
  return { ...secrets, publicKey: checkoutKey(createHash('sha256').update(`checkout-public-key:${secrets.secretKey}`).digest(), 'pk') };
}

/**
 * For a secrets file written before the sandbox had Checkout.com: its secrets derived from the
 * file's own (so every process reading the file agrees, and nothing is rewritten).
 */
function derivedCheckoutSecrets(secrets: SandboxSecrets): { secretKey: string; webhookSecret: string } {
  const digest = (label: string) => createHash('sha256').update(`${label}:${secrets.stripe.secretKey}:${secrets.braintree.privateKey}`).digest();
  return { secretKey: checkoutKey(digest('checkout-secret-key')), webhookSecret: digest('checkout-webhook-secret').toString('hex') };
}

/** For a secrets file written before the sandbox had PayPal: its credentials derived from the file's own. */
function derivedPayPalSecrets(secrets: SandboxSecrets): { clientId: string; clientSecret: string; webhookId: string } {
  const digest = (label: string) => createHash('sha256').update(`${label}:${secrets.stripe.secretKey}:${secrets.braintree.privateKey}`).digest('hex');
  return { clientId: `A${digest('paypal-client-id')}`, clientSecret: `E${digest('paypal-client-secret')}`, webhookId: digest('paypal-webhook-id').slice(0, 17).toUpperCase() };
}

/**
 * For a secrets file written before GoCardless's were kept in it: the token and webhook secret the
 * sandbox has always derived from the file's own (so an older file's GoCardless account keeps them).
 */
function derivedGoCardlessSecrets(secrets: SandboxSecrets): { accessToken: string; webhookSecret: string } {
  return {
    accessToken: `sandbox_${secrets.stripe.secretKey.slice(8, 40)}`,
    webhookSecret: createHash('sha256').update(`gocardless-webhook:${secrets.stripe.webhookSecret}`).digest('hex'),
  };
}

/** For a secrets file written before the sandbox had BitPay: its key and token derived from the file's own. */
function derivedBitPaySecrets(secrets: SandboxSecrets): { privateKey: string; merchantToken: string } {
  const digest = (label: string) => createHash('sha256').update(`${label}:${secrets.stripe.secretKey}:${secrets.braintree.privateKey}`).digest('hex');
  // A SHA-256 digest is a valid secp256k1 private key but for a chance of about 2^-128.
  return { privateKey: digest('bitpay-private-key'), merchantToken: digest('bitpay-merchant-token') };
}

export interface EnvGatewayOptions {
  env: Readonly<Record<string, string | undefined>>;
  /**
   * The control endpoint of standalone simulators (`npm run simulators`): it supplies the
   * `<PROVIDER>_SIM_*` variables not set in `env`, and is told where to send each provider's
   * notifications.
   */
  controlUrl?: string | undefined;
}

/**
 * The sandbox's gateways as `env:` accounts: each provider's config read from `<PROVIDER>_SIM_*`
 * variables (`STRIPE_SIM_SECRET_KEY`, `STRIPE_SIM_BASE_URL`, ...) exactly as an
 * `env:<PROVIDER>_SIM` gateway account reads them, so the router talks to simulators in another
 * process (or to any gateway those variables name). No simulator runs in this process.
 */
export async function connectEnvGateways(webhookUrl: (provider: string) => string, options: EnvGatewayOptions): Promise<SandboxGateways> {
  let env = options.env;
  const control = options.controlUrl?.replace(/\/+$/, '');
  if (control) {
    const described = (await controlCall(control, 'GET', '/')) as { simulators: Record<string, { env: Record<string, string> }> };
    const fromControl = Object.assign({}, ...Object.values(described.simulators).map((simulator) => simulator.env)) as Record<string, string>;
    env = { ...fromControl, ...Object.fromEntries(Object.entries(options.env).filter(([, value]) => value !== undefined && value !== '')) };
  }
  const configs: Record<string, unknown> = {};
  for (const provider of NODE_PROVIDERS) {
    const prefix = `${provider.name.toUpperCase()}_SIM`;
    const config = provider.configFromEnv(prefix, env);
    if (config === null) throw new Error(`the sandbox's ${provider.name} account needs its ${prefix}_* variables (npm run simulators prints them), or SWITCHYARD_SIMULATORS_CONTROL_URL`);
    configs[provider.name] = config;
  }
  return {
    configs,
    simulators: {},
    connectWebhooks: async () => {
      if (!control) return;
      for (const provider of NODE_PROVIDERS) await controlCall(control, 'PUT', `/${provider.name}/webhook-url`, { url: webhookUrl(provider.name) });
    },
    close: async () => {},
  };
}

async function controlCall(control: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${control}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`simulators control ${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}
