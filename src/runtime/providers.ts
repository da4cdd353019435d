import type { ProviderModule } from '../../adapters/testkit/contract.js';
import { adyenProvider } from '../../adapters/adyen/index.js';
import { braintreeProvider } from '../../adapters/braintree/index.js';
import { stripeProvider } from '../../adapters/stripe/index.js';

/** Every provider the router can use: the one list that names concrete adapters. */
export const PROVIDERS: readonly ProviderModule<any>[] = [stripeProvider, adyenProvider, braintreeProvider];
