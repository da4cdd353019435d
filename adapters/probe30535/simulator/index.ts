import type { SimulatorControl, WebhookSigner } from '../../testkit/simulator.js';

/**
 * The probe30535 simulator: an HTTP server on 127.0.0.1 that speaks the provider's wire protocol
 * as its SDK sends it, keeps a ledger, and takes the shared faults, approval rates and latency.
 */
export async function startProbe30535Simulator(): Promise<SimulatorControl> {
  throw new Error('probe30535: the simulator is not written yet (see adapters/README.md).');
}

export function probe30535WebhookSigner(): WebhookSigner {
  throw new Error('probe30535: the webhook signer is not written yet (see adapters/README.md).');
}
