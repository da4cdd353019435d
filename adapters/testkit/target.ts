import type { DeclineReason } from '../../src/domain/decline.js';
import type { CardInput, GatewayAdapter } from './contract.js';
import type { SimulatorControl, WebhookSigner } from './simulator.js';

/** The fields of an authorization that pick an outcome in a provider's sandbox (a test card, or an amount). */
export interface ScenarioInput {
  card: CardInput;
  amount: number;
  currency: string;
}

export interface Scenarios {
  approved: ScenarioInput;
  /** Every decline class the provider's sandbox can produce, by canonical reason. */
  declines: Partial<Record<DeclineReason, ScenarioInput>>;
  /**
   * A card that needs 3-D Secure, where the simulator models it; required when the adapter
   * declares `threeDSecure`. The simulator's page follows `testkit/shopper.ts`'s convention.
   */
  requiresAction?: ScenarioInput;
}

export interface ConformanceEnv {
  adapter: GatewayAdapter;
  simulator: SimulatorControl;
  scenarios: Scenarios;
  webhooks: WebhookSigner;
  close(): Promise<void>;
}

/**
 * One provider, as the shared conformance suite drives it: `start` runs its simulator on
 * 127.0.0.1 and an adapter (its real SDK) pointed at it, with this SDK timeout. The simulator
 * delivers its own notifications to `webhookUrl` when it has any to send.
 */
export interface ConformanceTarget {
  provider: string;
  start(options: { timeoutMs: number; webhookUrl: string }): Promise<ConformanceEnv>;
}
