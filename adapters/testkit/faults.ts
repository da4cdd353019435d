import type { FaultOptions, SimulatorFault } from './simulator.js';

/** The faults applied per request; `refuse_connections` is the server's listening state instead. */
export type RequestFault = Exclude<SimulatorFault, { kind: 'refuse_connections' }>;

const HTTP_ERROR_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 429]);

/** Throws a RangeError for a fault or options no simulator can apply. */
export function validateFault(fault: { kind: string; status?: number }, options: FaultOptions = {}): void {
  if (fault.kind === 'http_error' && !HTTP_ERROR_STATUSES.has(fault.status ?? Number.NaN)) {
    throw new RangeError(`unsupported http_error status ${String(fault.status)}`);
  }
  if (options.times !== undefined && !(Number.isInteger(options.times) && options.times > 0)) {
    throw new RangeError(`times must be a positive integer, got ${String(options.times)}`);
  }
  if (fault.kind === 'refuse_connections' && (options.times ?? options.method ?? options.pathPrefix) !== undefined) {
    // A refused connection never shows its method or path, and is not a request that can be counted.
    throw new RangeError('refuse_connections closes the port: it takes no times, method or pathPrefix');
  }
}

/** The per-request fault in force, matched by method and path prefix, used up after `times` requests. */
export class RequestFaults<F extends { kind: string } = RequestFault> {
  private fault: F | null = null;
  private options: FaultOptions = {};
  private left: number | null = null;

  set(fault: F, options: FaultOptions = {}): void {
    validateFault(fault, options);
    this.fault = { ...fault };
    this.options = { ...options };
    this.left = options.times ?? null;
  }

  clear(): void {
    this.fault = null;
    this.options = {};
    this.left = null;
  }

  /** The fault in force, or null. */
  get active(): F | null {
    return this.fault;
  }

  /** How many more requests the fault applies to (null = unlimited, 0 when none is set). */
  get remaining(): number | null {
    return this.fault ? this.left : 0;
  }

  /** The fault for this request (method upper-case), if it matches; consumes one of its `times`. */
  take(method: string, path: string): F | null {
    const { fault, options } = this;
    if (fault === null) return null;
    if (options.method !== undefined && options.method.toUpperCase() !== method) return null;
    if (options.pathPrefix !== undefined && !path.startsWith(options.pathPrefix)) return null;
    if (this.left !== null && --this.left <= 0) this.clear();
    return fault;
  }
}
