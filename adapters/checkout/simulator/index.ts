import type { SimulatorControl, WebhookSigner } from '../../testkit/simulator.js';

/**
 * The checkout simulator: an HTTP server on 127.0.0.1 that speaks the provider's wire protocol
 * as its SDK sends it, keeps a ledger, and takes the shared faults, approval rates and latency.
 */
export async function startCheckoutSimulator(): Promise<SimulatorControl> {
  throw new Error('checkout: the simulator is not written yet (see adapters/README.md).');
}

export function checkoutWebhookSigner(): WebhookSigner {
  throw new Error('checkout: the webhook signer is not written yet (see adapters/README.md).');
}
