import type { ChaosConfig } from './config.js';
import { PROVIDERS, type Provider, type SimulatorsControl } from './control.js';
import type { Random } from './random.js';

/** The request faults switched on in windows, each simulator on its own schedule. */
export const REQUEST_FAULT_KINDS = ['latency_past_timeout', 'charge_then_hang', 'charge_then_500', 'http_5xx', 'http_429', 'refuse_connections'] as const;
export type RequestFaultKind = (typeof REQUEST_FAULT_KINDS)[number];

export interface FaultCounts {
  /** Windows per request fault kind, summed over simulators. */
  request_windows: Record<RequestFaultKind, number>;
  /** Seconds a request fault was on, per simulator. */
  request_seconds: Record<Provider, number>;
  /** Windows with webhook faults on (drop, drop forever, duplicate, delay, reorder on every simulator). */
  webhook_windows: number;
  webhook_seconds: number;
  /** Control calls that failed (the fault may not have been set). */
  control_errors: number;
}

/**
 * Switches faults on and off while the load runs (durations from the config): per simulator, a
 * random request fault on, then off; on every simulator together, the webhook faults on, then
 * off. `stop()` ends the loops and clears everything.
 */
export class FaultSchedule {
  readonly counts: FaultCounts = {
    request_windows: Object.fromEntries(REQUEST_FAULT_KINDS.map((k) => [k, 0])) as Record<RequestFaultKind, number>,
    request_seconds: Object.fromEntries(PROVIDERS.map((p) => [p, 0])) as Record<Provider, number>,
    webhook_windows: 0,
    webhook_seconds: 0,
    control_errors: 0,
  };
  private running = false;
  private loops: Promise<void>[] = [];
  private wake: (() => void)[] = [];

  constructor(
    private readonly control: SimulatorsControl,
    private readonly config: ChaosConfig,
    private readonly rng: Random,
  ) {}

  start(): void {
    this.running = true;
    this.loops = [...PROVIDERS.map((p) => this.requestLoop(p, this.rng.fork())), this.webhookLoop(this.rng.fork())];
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const wake of [...this.wake]) wake();
    await Promise.all(this.loops);
    await this.control.clearAll();
  }

  /** Waits `ms`, or less if the schedule stops meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = this.wake.filter((wake) => wake !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.push(done);
    });
  }

  private async safely(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch {
      this.counts.control_errors += 1;
    }
  }

  private async requestLoop(provider: Provider, rng: Random): Promise<void> {
    const { requestOnMs, requestOffMs } = this.config.faults;
    while (this.running) {
      await this.pause(rng.int(...requestOffMs));
      if (!this.running) break;
      const kind = rng.pick(REQUEST_FAULT_KINDS);
      const on = rng.int(...requestOnMs);
      await this.safely(() => this.apply(provider, kind, rng));
      this.counts.request_windows[kind] += 1;
      const started = Date.now();
      await this.pause(on);
      await this.safely(() => this.clear(provider, kind));
      this.counts.request_seconds[provider] += (Date.now() - started) / 1000;
    }
  }

  private apply(provider: Provider, kind: RequestFaultKind, rng: Random): Promise<unknown> {
    const put = (fault: unknown) => this.control.must('PUT', `/${provider}/fault`, { fault });
    switch (kind) {
      case 'latency_past_timeout':
        return this.control.must('PUT', `/${provider}/latency`, { distribution: { kind: 'fixed', ms: this.config.router.gatewayTimeoutMs + 1000 } });
      case 'charge_then_hang':
      case 'charge_then_500':
      case 'refuse_connections':
        return put({ kind });
      case 'http_5xx':
        return put({ kind: 'http_error', status: rng.pick([500, 502, 503]) });
      case 'http_429':
        return put({ kind: 'http_error', status: 429 });
    }
  }

  private clear(provider: Provider, kind: RequestFaultKind): Promise<unknown> {
    return kind === 'latency_past_timeout' ? this.control.must('PUT', `/${provider}/latency`, { distribution: null }) : this.control.must('DELETE', `/${provider}/fault`);
  }

  private async webhookLoop(rng: Random): Promise<void> {
    const { webhookOnMs, webhookOffMs, webhookRates: rates, webhookDelayMs } = this.config.faults;
    while (this.running) {
      await this.pause(rng.int(...webhookOffMs));
      if (!this.running) break;
      const seed = () => rng.int(1, 2 ** 31 - 1);
      // The first fault that hits an attempt applies, in this order.
      const faults = [
        { fault: { kind: 'drop', forever: true }, options: { rate: rates.dropForever, seed: seed() } },
        { fault: { kind: 'drop' }, options: { rate: rates.drop, seed: seed() } },
        { fault: { kind: 'duplicate' }, options: { rate: rates.duplicate, seed: seed() } },
        { fault: { kind: 'delay', ms: webhookDelayMs }, options: { rate: rates.delay, seed: seed() } },
        { fault: { kind: 'reorder', after: 2, maxHoldMs: 1000 }, options: { rate: rates.reorder, seed: seed() } },
      ];
      const started = Date.now();
      for (const fault of faults) await this.safely(() => this.control.must('POST', '/all/webhook-faults', fault));
      this.counts.webhook_windows += 1;
      await this.pause(rng.int(...webhookOnMs));
      await this.safely(() => this.control.must('DELETE', '/all/webhook-faults'));
      this.counts.webhook_seconds += (Date.now() - started) / 1000;
    }
  }
}
