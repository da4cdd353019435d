import { paymentRequest, visaNumber } from '../load/payment-request.js';

/** A routing decision for a fresh card, without charging: the ruleset version and gateway order it used. */
export async function decide(url: string, apiKey: string, counter: number): Promise<{ ruleset_version: number | null; order: string[] }> {
  const res = await fetch(`${url}/v1/routing/decide`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(paymentRequest(visaNumber(counter))),
  });
  if (res.status !== 200) throw new Error(`decide at ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { ruleset_version: number | null; order: string[] };
}

export interface GatewayHealth {
  gateway: string;
  breaker: { state: string };
  success_rate: { probability: number; samples: number };
}

/** The instance's view of each gateway: breaker state and learned success rate. */
export async function health(url: string, apiKey: string): Promise<Map<string, GatewayHealth>> {
  const res = await fetch(`${url}/v1/gateways/health`, { headers: { Authorization: `Bearer ${apiKey}` } });
  if (res.status !== 200) throw new Error(`health at ${url}: HTTP ${res.status}`);
  const { data } = (await res.json()) as { data: GatewayHealth[] };
  return new Map(data.map((row) => [row.gateway, row]));
}

/** Polls `probe` until it holds or `ms` pass; answers how long it took, or null. */
export async function timeUntil(ms: number, probe: () => Promise<boolean>): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (await probe()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return null;
}
