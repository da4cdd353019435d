import type { LedgerExport, WebhookDelivery } from '../../adapters/testkit/simulator.js';

export const PROVIDERS = ['stripe', 'adyen', 'braintree', 'checkout', 'paypal', 'gocardless', 'bitpay'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** The standalone simulators' control endpoint (README "Standalone simulators"). */
export class SimulatorsControl {
  constructor(readonly url: string) {}

  async call<T = unknown>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  /** A call that must succeed. */
  async must<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.status !== 200) throw new Error(`simulators control ${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  ledger(): Promise<Record<Provider, LedgerExport>> {
    return this.must('GET', '/ledger');
  }

  deliveries(): Promise<Record<Provider, WebhookDelivery[]>> {
    return this.must('GET', '/all/webhook-deliveries');
  }

  /** Whether every simulator is idle now or within `timeoutMs` (nothing to decide, settle, send or retry). */
  async idle(timeoutMs: number): Promise<boolean> {
    const answer = await this.call('POST', '/all/idle', { timeoutMs }, timeoutMs + 10_000);
    return answer.status === 200;
  }

  /**
   * The payers' side of the slow methods, one bank day: GoCardless' calendar moves on a day (debits
   * and refunds falling due settle), and every BitPay refund waiting for its payer gets a refund address.
   */
  async bankDay(): Promise<void> {
    await this.must('POST', '/gocardless/advance', { ms: 86_400_000 });
    await this.must('POST', '/bitpay/refund-addresses');
  }

  /** Ends every request fault, latency and webhook fault. */
  async clearAll(): Promise<void> {
    await this.must('DELETE', '/all/fault');
    await this.must('PUT', '/all/latency', { distribution: null });
    await this.must('DELETE', '/all/webhook-faults');
  }
}
