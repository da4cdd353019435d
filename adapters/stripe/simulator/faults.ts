/**
 * Network and provider faults tests can switch on and off while the simulator runs.
 *
 * - `http_error`: answer 5xx (type api_error) or 429 (rate limit) without doing the operation.
 * - `hang`: take the request and never answer it, nor do the operation (until `clear()`/`close()`
 *   drops the connection); the client's own timeout fires.
 * - `charge_then_hang`: do the operation (ledger and idempotency record it), then never answer.
 * - `charge_then_500`: do the operation, then answer 500 api_error.
 * - `latency`: wait `ms` before doing the operation and answering.
 *
 * Faults apply to `/v1/...` API requests only.
 */
export type StripeFault =
  | { kind: 'http_error'; status: 500 | 502 | 503 | 429 }
  | { kind: 'hang' }
  | { kind: 'charge_then_hang' }
  | { kind: 'charge_then_500' }
  | { kind: 'latency'; ms: number };

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
  /** Stop faulting; connections held by `hang`/`charge_then_hang` are dropped. */
  clear(): void;
  /** The fault in force, or null. */
  readonly active: StripeFault | null;
  /** How many more requests the fault applies to (null = unlimited, 0 when none is set). */
  readonly remaining: number | null;
  /** Requests a fault was applied to since start or `reset()`. */
  readonly applied: number;
}

function validate(fault: StripeFault): void {
  switch (fault.kind) {
    case 'http_error':
      if (![500, 502, 503, 429].includes(fault.status)) throw new Error(`unsupported http_error status ${String(fault.status)}`);
      return;
    case 'latency':
      if (!(Number.isFinite(fault.ms) && fault.ms >= 0)) throw new Error(`latency needs ms >= 0, got ${String(fault.ms)}`);
      return;
    case 'hang':
    case 'charge_then_hang':
    case 'charge_then_500':
      return;
    default: {
      const unknown: never = fault;
      throw new Error(`unknown fault ${JSON.stringify(unknown)}`);
    }
  }
}

export class FaultController implements StripeFaults {
  private fault: StripeFault | null = null;
  private options: StripeFaultOptions = {};
  private left: number | null = null;
  private count = 0;

  constructor(private readonly onClear: () => void) {}

  set(fault: StripeFault, options: StripeFaultOptions = {}): void {
    validate(fault);
    if (options.times !== undefined && !(Number.isInteger(options.times) && options.times > 0)) {
      throw new Error(`times must be a positive integer, got ${String(options.times)}`);
    }
    this.fault = { ...fault };
    this.options = { ...options };
    this.left = options.times ?? null;
  }

  clear(): void {
    this.fault = null;
    this.options = {};
    this.left = null;
    this.onClear();
  }

  get active(): StripeFault | null {
    return this.fault;
  }

  get remaining(): number | null {
    return this.fault ? this.left : 0;
  }

  get applied(): number {
    return this.count;
  }

  /** The fault for this request, consuming one of its `times`. */
  take(method: string, path: string): StripeFault | null {
    const fault = this.fault;
    if (!fault || !path.startsWith('/v1/')) return null;
    if (this.options.method && this.options.method.toUpperCase() !== method) return null;
    if (this.options.pathPrefix && !path.startsWith(this.options.pathPrefix)) return null;
    this.count += 1;
    if (this.left !== null) {
      this.left -= 1;
      if (this.left <= 0) {
        // Used up: stop faulting new requests, but leave requests already hung alone.
        this.fault = null;
        this.options = {};
        this.left = null;
      }
    }
    return fault;
  }

  reset(): void {
    this.count = 0;
  }
}
