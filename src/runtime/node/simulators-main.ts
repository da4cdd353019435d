/**
 * `npm run simulators`: the Stripe, Adyen, Braintree, Checkout.com, PayPal, GoCardless and BitPay simulators as one standalone process,
 * on fixed ports with fixed sandbox secrets (each overridable by environment), and a control
 * endpoint on 127.0.0.1 (see README "Standalone simulators").
 */
import { DEFAULT_PORTS, PROVIDER_NAMES, startStandaloneSimulators, type StandaloneOptions } from './simulators.js';

const env = process.env;

function port(name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number (0-65535), got ${text}`);
  return value;
}

function number(name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0, got ${text}`);
  return value;
}

function merchantAccounts(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const pairs = text.split(',').map((pair) => /^\s*([A-Z]{3})\s*=\s*(\S+)\s*$/.exec(pair));
  if (pairs.some((pair) => pair === null)) throw new Error(`SIMULATOR_BRAINTREE_MERCHANT_ACCOUNTS must look like USD=acme_usd,EUR=acme_eur, got ${text}`);
  return Object.fromEntries(pairs.map((pair) => [pair![1]!, pair![2]!]));
}

/** The options whose variables are set (non-empty), by option name. */
const pick = <K extends string>(entries: [K, string][]): Partial<Record<K, string>> =>
  Object.fromEntries(entries.flatMap(([key, name]) => (env[name] ? [[key, env[name]]] : []))) as Partial<Record<K, string>>;

const settlementDelayMs = number('SIMULATOR_BRAINTREE_SETTLEMENT_DELAY_MS');
const braintreeAccounts = merchantAccounts(env.SIMULATOR_BRAINTREE_MERCHANT_ACCOUNTS);
const notificationDelayMs = number('SIMULATOR_ADYEN_NOTIFICATION_DELAY_MS');
const options: StandaloneOptions = {
  host: env.SIMULATOR_HOST || '127.0.0.1',
  ports: {
    control: port('SIMULATOR_CONTROL_PORT', DEFAULT_PORTS.control),
    stripe: port('SIMULATOR_STRIPE_PORT', DEFAULT_PORTS.stripe),
    adyen: port('SIMULATOR_ADYEN_PORT', DEFAULT_PORTS.adyen),
    braintree: port('SIMULATOR_BRAINTREE_PORT', DEFAULT_PORTS.braintree),
    checkout: port('SIMULATOR_CHECKOUT_PORT', DEFAULT_PORTS.checkout),
    paypal: port('SIMULATOR_PAYPAL_PORT', DEFAULT_PORTS.paypal),
    gocardless: port('SIMULATOR_GOCARDLESS_PORT', DEFAULT_PORTS.gocardless),
    bitpay: port('SIMULATOR_BITPAY_PORT', DEFAULT_PORTS.bitpay),
  },
  stripe: pick([
    ['secretKey', 'SIMULATOR_STRIPE_SECRET_KEY'],
    ['webhookSecret', 'SIMULATOR_STRIPE_WEBHOOK_SECRET'],
    ['webhookUrl', 'SIMULATOR_STRIPE_WEBHOOK_URL'],
  ]),
  adyen: {
    ...pick([
      ['apiKey', 'SIMULATOR_ADYEN_API_KEY'],
      ['merchantAccount', 'SIMULATOR_ADYEN_MERCHANT_ACCOUNT'],
      ['hmacKey', 'SIMULATOR_ADYEN_HMAC_KEY'],
      ['webhookUrl', 'SIMULATOR_ADYEN_WEBHOOK_URL'],
    ]),
    ...(notificationDelayMs === undefined ? {} : { notificationDelayMs }),
  },
  braintree: {
    ...pick([
      ['merchantId', 'SIMULATOR_BRAINTREE_MERCHANT_ID'],
      ['publicKey', 'SIMULATOR_BRAINTREE_PUBLIC_KEY'],
      ['privateKey', 'SIMULATOR_BRAINTREE_PRIVATE_KEY'],
      ['webhookUrl', 'SIMULATOR_BRAINTREE_WEBHOOK_URL'],
    ]),
    ...(braintreeAccounts === undefined ? {} : { merchantAccounts: braintreeAccounts }),
    ...(settlementDelayMs === undefined ? {} : { settlementDelayMs }),
  },
  checkout: pick([
    ['secretKey', 'SIMULATOR_CHECKOUT_SECRET_KEY'],
    ['publicKey', 'SIMULATOR_CHECKOUT_PUBLIC_KEY'],
    ['webhookSecret', 'SIMULATOR_CHECKOUT_WEBHOOK_SECRET'],
    ['webhookUrl', 'SIMULATOR_CHECKOUT_WEBHOOK_URL'],
  ]),
  paypal: pick([
    ['clientId', 'SIMULATOR_PAYPAL_CLIENT_ID'],
    ['clientSecret', 'SIMULATOR_PAYPAL_CLIENT_SECRET'],
    ['webhookId', 'SIMULATOR_PAYPAL_WEBHOOK_ID'],
    ['webhookUrl', 'SIMULATOR_PAYPAL_WEBHOOK_URL'],
  ]),
  gocardless: pick([
    ['accessToken', 'SIMULATOR_GOCARDLESS_ACCESS_TOKEN'],
    ['webhookSecret', 'SIMULATOR_GOCARDLESS_WEBHOOK_SECRET'],
    ['webhookUrl', 'SIMULATOR_GOCARDLESS_WEBHOOK_URL'],
  ]),
  bitpay: pick([
    ['privateKey', 'SIMULATOR_BITPAY_PRIVATE_KEY'],
    ['merchantToken', 'SIMULATOR_BITPAY_MERCHANT_TOKEN'],
    ['webhookUrl', 'SIMULATOR_BITPAY_WEBHOOK_URL'],
  ]),
  webhookRetryScale: number('SIMULATOR_WEBHOOK_RETRY_SCALE') ?? 1,
  ...(env.SIMULATOR_STATE_DIR ? { stateDir: env.SIMULATOR_STATE_DIR } : {}),
};

const simulators = await startStandaloneSimulators(options);
const described = simulators.describe();
process.stderr.write(
  [
    '',
    'Switchyard simulators',
    ...PROVIDER_NAMES.map((name) => `  ${`${name}:`.padEnd(12)}${described[name].url}`),
    `  control listening on ${simulators.controlUrl} (GET / for credentials, GET /ledger, README "Standalone simulators")`,
    `  webhook retries: the providers' schedules × ${options.webhookRetryScale}; state: ${options.stateDir ?? 'in memory'}`,
    '',
    '  For the router (SWITCHYARD_SANDBOX_GATEWAYS=env npm start), or any env:<PREFIX> gateway account:',
    ...Object.values(described).flatMap((d) => Object.entries(d.env).map(([name, value]) => `  export ${name}=${value}`)),
    '',
  ].join('\n') + '\n',
);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    simulators.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
