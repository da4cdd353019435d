import type { Capabilities, GatewayAdapter } from '../testkit/contract.js';

export interface Probe30535AdapterConfig {
  apiKey: string;
  webhookSecret: string;
  /** null: the provider's own API; the simulator's URL in tests and the sandbox. */
  baseUrl: string | null;
  timeoutMs?: number;
}

function notWritten(operation: string): never {
  throw new Error(`probe30535: ${operation} is not written yet: call the provider's SDK and map its answer (see adapters/README.md).`);
}

/** Declare what the provider really does: routing and the README's table of flows read it. */
export const probe30535Capabilities: Capabilities = {
  paymentMethods: ['card'],
  cardNetworks: ['visa', 'mastercard'],
  currencies: '*',
  countries: '*',
  captureMethods: ['automatic', 'manual'],
  partialCapture: false,
  multipleCapture: false,
  voids: true,
  refunds: true,
  partialRefund: false,
  multipleRefunds: false,
  idempotency: false,
  syncWithoutReference: false,
  asyncModifications: false,
  threeDSecure: false,
  amountLimits: { min: 1, max: 99_999_999 },
  // Where the provider counts a currency in fewer decimals than ISO 4217: amountSteps(toProviderAmount).
  amountSteps: {},
};

/** Replace every notWritten() with the real SDK call. */
export function createProbe30535Adapter(config: Probe30535AdapterConfig & { timeoutMs: number }): GatewayAdapter {
  void config;
  return {
    provider: 'probe30535',
    capabilities: probe30535Capabilities,
    authorize: async () => notWritten('authorize'),
    sync: async () => notWritten('sync'),
    completeAction: async () => notWritten('completeAction'),
    capture: async () => notWritten('capture'),
    cancel: async () => notWritten('cancel'),
    refund: async () => notWritten('refund'),
    resumeModification: async () => notWritten('resumeModification'),
    parseWebhook: async () => notWritten('parseWebhook'),
    webhookAck: { status: 200, contentType: 'text/plain', body: 'ok' },
  };
}
