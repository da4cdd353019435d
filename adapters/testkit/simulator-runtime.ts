import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultSwitch, PendingRequests, SimulatorHttpServer } from './http-server.js';
import type { RequestFault } from './faults.js';
import type { FaultOptions, SimulatorControl, SimulatorFault } from './simulator.js';
import { StateFile } from './state-file.js';
import type { ApprovalRates, Latency } from './steering.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';
import type { RetrySchedule } from './webhook-schedules.js';

export interface SimulatorAddress {
  host: string;
  port: number;
  url: string;
}

/** What every saved simulator state starts with: the format and whose state it is. */
export interface SavedSimulatorHeader {
  version: 1;
  provider: string;
}

export interface SimulatorRuntimeOptions<Saved> {
  host: string;
  port: number;
  statePath: string | null;
  /** The state as saved (read lazily, at each write). */
  serialize: () => Saved;
  /** The provider's request handling; a throw answers `internalError`. */
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** The per-request faults `setFault` arms (all but `refuse_connections`). */
  faults: { set(fault: RequestFault, options: FaultOptions): void; clear(): void };
  /** The 500 a handler that throws answers, in the provider's error shape. Default: an empty body. */
  internalError?: () => { headers: Record<string, string>; body: string };
  /** Stops what the simulator sends on its own (webhooks): first thing at close, before the port closes. */
  stopSending: () => void;
}

/**
 * What every provider simulator does the same way around its own request handling: the port
 * (with a 500 for a handler that throws), the shared fault switch over it, held requests and
 * latency waits, the state file, and listen, save and close.
 */
export class SimulatorRuntime<Saved> {
  readonly pending = new PendingRequests();
  private readonly stateFile: StateFile<Saved>;
  private readonly http: SimulatorHttpServer;
  private readonly faultSwitch: FaultSwitch;
  private listening: SimulatorAddress | null = null;

  constructor(private readonly options: SimulatorRuntimeOptions<Saved>) {
    this.stateFile = new StateFile(options.statePath, options.serialize);
    this.http = new SimulatorHttpServer(options.host, options.port, (req, res) => {
      options.handle(req, res).catch(() => {
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return;
        }
        const answer = options.internalError?.();
        res.writeHead(500, answer?.headers).end(answer?.body);
      });
    });
    this.faultSwitch = new FaultSwitch(options.faults, this.http, this.pending);
  }

  /** The simulator's URL; empty until it listens. */
  get baseUrl(): string {
    return this.listening?.url ?? '';
  }

  get address(): SimulatorAddress {
    if (this.listening === null) throw new Error('the simulator is not listening yet');
    return this.listening;
  }

  async listen(): Promise<SimulatorAddress> {
    this.listening = await this.http.listen();
    return this.listening;
  }

  setFault(fault: SimulatorFault, options?: FaultOptions): Promise<void> {
    return this.faultSwitch.set(fault, options);
  }

  clearFault(): Promise<void> {
    return this.faultSwitch.clear();
  }

  /** The state changed: the state file is written soon. */
  changed(): void {
    this.stateFile.changed();
  }

  /** Writes the state file now (a no-op without one). */
  save(): Promise<void> {
    return this.stateFile.flush();
  }

  /** Stops sending and answering (held requests and latency waits dropped), then saves a last time. */
  async close(): Promise<void> {
    this.options.stopSending();
    this.pending.close();
    await this.http.close();
    await this.stateFile.close();
  }
}

/** The saved state at `statePath` (null without one), refused when it is another provider's. */
export async function readSavedSimulator<Saved extends SavedSimulatorHeader>(statePath: string | null, provider: Saved['provider'], providerName: string): Promise<Saved | null> {
  const saved = await StateFile.read<Saved>(statePath);
  if (saved !== null && saved.provider !== provider) throw new Error(`${statePath} holds a ${String(saved.provider)} simulator's state, not ${providerName}'s`);
  return saved;
}

/** A simulator's webhook retry options with the provider's schedule and scale 1 as defaults. */
export function webhookRetryOptions(
  given: { scale?: number; schedule?: RetrySchedule; concurrency?: number } | undefined,
  schedule: RetrySchedule,
): { schedule: RetrySchedule; scale: number; concurrency: number | undefined } {
  return { schedule: given?.schedule ?? schedule, scale: given?.scale ?? 1, concurrency: given?.concurrency };
}

/**
 * The `SimulatorControl` every simulator answers the same way, from its runtime (listening), its
 * steering and its webhook dispatcher. A provider adds its own controls and replaces any that
 * differ (spread this first).
 */
export function simulatorControl(
  runtime: SimulatorRuntime<unknown>,
  parts: { approval: ApprovalRates; latency: Latency; dispatcher: WebhookDispatcher },
): Omit<SimulatorControl, 'ledger'> {
  const { approval, latency, dispatcher } = parts;
  const { host, port, url } = runtime.address;
  return {
    host,
    port,
    url,
    setFault: (fault, options) => runtime.setFault(fault, options),
    clearFault: () => runtime.clearFault(),
    setApprovalRates: (rules, seed) => approval.set(rules, seed),
    setLatency: (distribution, seed) => latency.set(distribution, seed),
    setWebhookUrl: (webhookUrl) => dispatcher.setUrl(webhookUrl),
    setWebhookFault: (fault, options) => dispatcher.setFault(fault, options),
    clearWebhookFaults: () => dispatcher.clearFaults(),
    setWebhookRetryScale: (scale) => dispatcher.setRetryScale(scale),
    webhookDeliveries: () => dispatcher.deliveries(),
    idle: () => dispatcher.idle(),
    save: () => runtime.save(),
    close: () => runtime.close(),
  };
}
