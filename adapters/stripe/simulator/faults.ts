import { RequestFaults, type RequestFault } from '../../testkit/faults.js';

/**
 * Request faults tests can switch on and off while the simulator runs: the shared ones but
 * `refuse_connections` (which is about the port, not a request: see `SimulatorRuntime` in testkit), plus
 * `latency`.
 *
 * - `http_error`: answer 5xx (type api_error) or 429 (rate limit) without doing the operation.
 * - `hang`: take the request and never answer it, nor do the operation (until `clear()`/`close()`
 *   drops the connection); the client's own timeout fires.
 * - `charge_then_hang`: do the operation (ledger and idempotency record it), then never answer.
 * - `charge_then_500`: do the operation, then answer 500 api_error.
 * - `malformed_response`: do the operation, then answer 200 with the first half of the JSON.
 * - `latency`: wait `ms` before doing the operation and answering.
 *
 * Faults apply to `/v1/...` API requests only.
 */
export type StripeFault = RequestFault | { kind: 'latency'; ms: number };

export interface StripeFaultOptions {
  /** Apply to this many matching requests, then clear itself. Default: until cleared. */
  times?: number;
  /** Only requests with this method (`GET`, `POST`). */
  method?: string;
  /** Only requests whose path starts with this, e.g. `/v1/refunds` or `/v1/payment_intents`. */
  pathPrefix?: string;
}

export interface StripeFaults {
  set(fault: StripeFault, options?: StripeFaultOptions): void;
  /**
   * Stop faulting; connections held by `hang`/`charge_then_hang` are dropped. A closed port
   * (`refuse_connections`, set through `setFault`) opens again only through `clearFault()`.
   */
  clear(): void;
  /** The fault in force, or null. */
  readonly active: StripeFault | null;
  /** How many more requests the fault applies to (null = unlimited, 0 when none is set). */
  readonly remaining: number | null;
  /** Requests a fault was applied to since start or `reset()`. */
  readonly applied: number;
}

export class FaultController implements StripeFaults {
  private readonly faults = new RequestFaults<StripeFault>();
  private count = 0;

  constructor(private readonly onClear: () => void) {}

  set(fault: StripeFault, options: StripeFaultOptions = {}): void {
    if (fault.kind === 'latency' && !(Number.isFinite(fault.ms) && fault.ms >= 0)) {
      throw new RangeError(`latency needs ms >= 0, got ${String(fault.ms)}`);
    }
    this.faults.set(fault, options);
  }

  clear(): void {
    this.faults.clear();
    this.onClear();
  }

  get active(): StripeFault | null {
    return this.faults.active;
  }

  get remaining(): number | null {
    return this.faults.remaining;
  }

  get applied(): number {
    return this.count;
  }

  /** The fault for this `/v1/` request, consuming one of its `times` (requests already hung stay so). */
  take(method: string, path: string): StripeFault | null {
    if (!path.startsWith('/v1/')) return null;
    const fault = this.faults.take(method, path);
    if (fault !== null) this.count += 1;
    return fault;
  }

  reset(): void {
    this.count = 0;
  }
}
