import type { ProviderModule } from '../../adapters/testkit/contract.js';
import { adyenProvider } from '../../adapters/adyen/index.js';
import { braintreeProvider } from '../../adapters/braintree/index.js';
import { checkoutProvider } from '../../adapters/checkout/index.js';
import { paypalProvider } from '../../adapters/paypal/index.js';
import { stripeProvider } from '../../adapters/stripe/index.js';

/**
 * Every provider the router can use: the one list that names concrete adapters. Each module's
 * config type is its own (`any` here); the registry only ever hands a module a config that
 * module produced (`configFromEnv`) or the sandbox built for it.
 */
export const PROVIDERS: readonly ProviderModule<any>[] = [stripeProvider, adyenProvider, braintreeProvider, checkoutProvider, paypalProvider];
