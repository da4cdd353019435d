import type { ProviderModule } from '../../../adapters/testkit/contract.js';
import { bitpayProvider } from '../../../adapters/bitpay/index.js';
import { gocardlessProvider } from '../../../adapters/gocardless/index.js';
import { stripeNodeProvider } from '../../../adapters/stripe/node.js';
import { PROVIDERS } from '../providers.js';

/**
 * The providers of the Node runtime: every edge-ready one (Stripe over node:http, cheaper per call
 * than its fetch client), then those whose SDK needs Node itself (GoCardless: got over Node's https;
 * BitPay: bitpay-sdk loads Node's fs, querystring and crypto), which the worker cannot bundle.
 */
export const NODE_PROVIDERS: readonly ProviderModule<any>[] = [
  ...PROVIDERS.map((provider) => (provider.name === stripeNodeProvider.name ? stripeNodeProvider : provider)),
  gocardlessProvider,
  bitpayProvider,
];
