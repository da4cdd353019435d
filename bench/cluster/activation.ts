import { decide, timeUntil } from './api.js';
import type { Instance } from './cluster.js';

export interface ActivationResult {
  version: number;
  /** Per instance, ms from the activation's answer until that instance decided with the new version (null: not within the wait). */
  visible_after_ms: (number | null)[];
  max_ms: number | null;
}

const WAIT_MS = 10_000;

/**
 * Stores `source` and activates it through the first instance, as an operator would, then asks
 * every instance for decisions until each routes with the new version.
 */
export async function activateEverywhere(options: { instances: readonly Instance[]; apiKey: string; operatorToken: string; merchantId: string; source?: string; version?: number }): Promise<ActivationResult> {
  const through = options.instances[0]!.url;
  let version = options.version;
  if (version === undefined) {
    const created = await fetch(`${through}/v1/routing/rules`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${options.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ source: options.source }),
    });
    if (created.status !== 201) throw new Error(`storing the ruleset: HTTP ${created.status} ${await created.text()}`);
    version = ((await created.json()) as { version: number }).version;
  }
  const activated = await fetch(`${through}/v1/routing/rules/${version}/activate?merchant_id=${options.merchantId}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${options.operatorToken}` },
  });
  if (activated.status !== 200) throw new Error(`activating v${version}: HTTP ${activated.status} ${await activated.text()}`);
  let counter = 9e10;
  const visible = await Promise.all(
    options.instances.map((instance) => timeUntil(WAIT_MS, async () => (await decide(instance.url, options.apiKey, counter++)).ruleset_version === version)),
  );
  const all = visible.every((ms) => ms !== null);
  return { version, visible_after_ms: visible.map((ms) => (ms === null ? null : Math.round(ms))), max_ms: all ? Math.round(Math.max(...(visible as number[]))) : null };
}

