import { randomBytes } from 'node:crypto';
import { seededRandom } from '../../src/domain/random.js';
import type { WebhookRequest } from './contract.js';
import type { WebhookAttempt, WebhookDelivery, WebhookFault, WebhookFaultOptions } from './simulator.js';
import type { RetrySchedule } from './webhook-schedules.js';

/** How many finished deliveries the log keeps (pending ones are always kept). */
const LOG_LIMIT = 10_000;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_REORDER_HOLD_MS = 1000;

export interface WebhookEventInput {
  /** The provider's event type: Stripe event type, Adyen eventCode, Braintree kind. */
  type: string;
  /** The payment the event is about (for fault filters and the log). */
  reference: string | null;
  /** What `render` turns into the request; JSON-safe, as it is saved with the simulator's state. */
  payload: unknown;
}

/** An undelivered event as saved with the simulator's state, so retries go on after a restart. */
export interface PendingWebhook {
  id: string;
  type: string;
  reference: string | null;
  payload: unknown;
  createdAt: number;
  tries: number;
  attempts: WebhookAttempt[];
  nextAttemptAt: number | null;
}

export interface WebhookDispatcherOptions {
  schedule: RetrySchedule;
  /** Multiplies the schedule's delays. Default 1. */
  retryScale?: number;
  url: string | null;
  /** Builds the request for an attempt at `at` (providers that sign a timestamp sign it then). */
  render(payload: unknown, at: Date): WebhookRequest | Promise<WebhookRequest>;
  /** Attempts in flight at once; first attempts start in the order the events happened. Default 4. */
  concurrency?: number;
  /** Clock in ms. Default Date.now. */
  now?: () => number;
  /** Sends one request and answers the receiver's HTTP status (throws when it cannot be reached). Default: fetch. */
  post?: (url: string, request: WebhookRequest, signal: AbortSignal) => Promise<number>;
  /** After anything worth saving changed (a new event, an attempt, a retry scheduled). */
  onChange?: () => void;
  /** Keep finished events' payloads for `records()` (default true); false frees them once settled. */
  keepPayloads?: boolean;
  /** When an event was delivered, given up or dropped for good. */
  onSettled?: (delivery: WebhookDelivery, payload: unknown) => void;
}

interface Entry extends PendingWebhook {
  state: WebhookDelivery['state'];
  timer: NodeJS.Timeout | null;
  /** This attempt's fault was already applied (a delay or reorder hold): send it as it is. */
  faultApplied: WebhookFault['kind'] | null;
  /** While held back by `reorder`: how many later events must still be sent first. */
  holdFor: number;
}

interface ActiveFault {
  fault: WebhookFault;
  options: WebhookFaultOptions;
  left: number | null;
  random: () => number;
}

/**
 * A simulator's outbound notifications: delivered signed to the webhook URL, retried on the
 * provider's schedule (scaled by `retryScale`) after a non-2xx answer, a network error or a
 * timeout, given up after the last retry. Webhook faults drop, duplicate, delay or reorder
 * attempts, seeded so a run repeats. Undelivered events can be saved and resumed.
 *
 * Timers are the global ones, so vitest's fake timers drive them too; `idle()` resolves once
 * nothing is pending.
 */
export class WebhookDispatcher {
  private readonly entries: Entry[] = [];
  private readonly ready: Entry[] = [];
  private readonly held = new Set<Entry>();
  /** Due while no URL was set: they wait for one (no attempt is counted). */
  private readonly parked = new Set<Entry>();
  private readonly faults: ActiveFault[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly aborter = new AbortController();
  private url: string | null;
  private retryScale: number;
  private inFlight = 0;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.url = options.url;
    this.retryScale = validScale(options.retryScale ?? 1);
    this.now = options.now ?? Date.now;
  }

  /** Where attempts go from now on; events that came due while there was none are sent now. */
  setUrl(url: string | null): void {
    this.url = url;
    if (url === null) return;
    const waiting = [...this.parked];
    this.parked.clear();
    for (const entry of waiting) this.makeReady(entry);
  }

  setRetryScale(scale: number): void {
    this.retryScale = validScale(scale);
  }

  setFault(fault: WebhookFault, options: WebhookFaultOptions = {}): void {
    validateWebhookFault(fault, options);
    this.faults.push({ fault: { ...fault }, options: { ...options }, left: options.times ?? null, random: seededRandom(options.seed ?? 1) });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Queues an event: sent now (in order), or logged as `no_endpoint` when no URL is set. */
  enqueue(event: WebhookEventInput): void {
    if (this.closed) return;
    const entry = this.entry({
      id: newDeliveryId(),
      type: event.type,
      reference: event.reference,
      payload: event.payload,
      createdAt: this.now(),
      tries: 0,
      attempts: [],
      nextAttemptAt: null,
    });
    if (this.url === null) {
      entry.state = 'no_endpoint';
      if (this.options.keepPayloads === false) entry.payload = null;
      this.log(entry);
      return;
    }
    this.log(entry);
    this.options.onChange?.();
    this.makeReady(entry);
  }

  deliveries(): WebhookDelivery[] {
    return this.entries.map(publicView);
  }

  /** The log with each event's payload, for a simulator's own views of it. */
  records(): (WebhookDelivery & { payload: unknown })[] {
    return this.entries.map((entry) => ({ ...publicView(entry), payload: entry.payload }));
  }

  /** Whether nothing is pending (see `idle`). */
  isIdle(): boolean {
    return !this.busy();
  }

  /** The undelivered events, to save. */
  pending(): PendingWebhook[] {
    return this.entries
      .filter((entry) => entry.state === 'pending')
      .map(({ id, type, reference, payload, createdAt, tries, attempts, nextAttemptAt }) => ({
        id, type, reference, payload, createdAt, tries, attempts: attempts.map((a) => ({ ...a })), nextAttemptAt,
      }));
  }

  /** Takes up saved undelivered events: each is tried when its retry is due (at once if overdue). */
  restore(saved: readonly PendingWebhook[]): void {
    for (const item of saved) {
      if (this.closed) return;
      const entry = this.entry({ ...item, attempts: item.attempts.map((a) => ({ ...a })) });
      this.log(entry);
      const wait = entry.nextAttemptAt === null ? 0 : Math.max(0, entry.nextAttemptAt - this.now());
      if (wait === 0) this.makeReady(entry);
      else this.wake(entry, wait);
    }
  }

  /** Resolves once no event is waiting for an attempt, in flight, held or due for a retry. */
  idle(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.busy()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  /** Forgets every event, pending ones included; faults stay as set. */
  reset(): void {
    for (const entry of this.entries) this.stop(entry);
    this.entries.length = 0;
    this.ready.length = 0;
    this.held.clear();
    this.parked.clear();
    this.notifyWaiters();
  }

  /** Stops sending: timers end, attempts in flight are aborted; pending events stay pending (to save). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.aborter.abort();
    for (const entry of this.entries) {
      if (entry.timer !== null) clearTimeout(entry.timer);
      entry.timer = null;
    }
    this.ready.length = 0;
    this.held.clear();
    this.parked.clear();
    for (const wake of [...this.waiters]) wake();
    this.waiters.clear();
  }

  // ---- internals ----

  private entry(fields: PendingWebhook): Entry {
    return { ...fields, state: 'pending', timer: null, faultApplied: null, holdFor: 0 };
  }

  private log(entry: Entry): void {
    this.entries.push(entry);
    if (this.entries.length <= LOG_LIMIT) return;
    const index = this.entries.findIndex((candidate) => candidate.state !== 'pending');
    if (index >= 0) this.entries.splice(index, 1);
  }

  private busy(): boolean {
    return !this.closed && this.entries.some((entry) => entry.state === 'pending');
  }

  private notifyWaiters(): void {
    for (const check of [...this.waiters]) check();
  }

  /** Ends an event's life without a trace (reset): an attempt in flight for it finds it no longer pending. */
  private stop(entry: Entry): void {
    if (entry.timer !== null) clearTimeout(entry.timer);
    entry.timer = null;
    if (entry.state === 'pending') entry.state = 'failed';
  }

  /** Queues an attempt; `first`: ahead of those waiting (an event released from a reorder hold goes next). */
  private makeReady(entry: Entry, first = false): void {
    if (this.closed || entry.state !== 'pending') return;
    if (first) this.ready.unshift(entry);
    else this.ready.push(entry);
    this.pump();
  }

  private wake(entry: Entry, afterMs: number): void {
    entry.timer = setTimeout(() => {
      entry.timer = null;
      this.makeReady(entry);
    }, afterMs);
    entry.timer.unref?.();
  }

  private pump(): void {
    const limit = this.options.concurrency ?? DEFAULT_CONCURRENCY;
    while (!this.closed && this.inFlight < limit && this.ready.length > 0) {
      const entry = this.ready.shift()!;
      if (entry.state !== 'pending') continue;
      void this.attempt(entry);
    }
  }

  private draw(entry: Entry): WebhookFault | null {
    for (let i = 0; i < this.faults.length; i += 1) {
      const active = this.faults[i]!;
      const { types, reference, rate } = active.options;
      if (types !== undefined && !types.includes(entry.type)) continue;
      if (reference !== undefined && entry.reference !== reference) continue;
      if (rate !== undefined && !(active.random() < rate)) continue;
      if (active.left !== null && --active.left <= 0) this.faults.splice(i, 1);
      return active.fault;
    }
    return null;
  }

  private async attempt(entry: Entry): Promise<void> {
    if (this.url === null) {
      // A saved event resumed before its endpoint is known: it waits for `setUrl`.
      this.parked.add(entry);
      return;
    }
    const applied = entry.faultApplied;
    entry.faultApplied = null;
    const fault = applied === null ? this.draw(entry) : null;
    entry.nextAttemptAt = null;

    if (fault?.kind === 'delay') {
      entry.faultApplied = 'delay';
      this.wake(entry, fault.ms);
      return;
    }
    if (fault?.kind === 'reorder') {
      entry.faultApplied = 'reorder';
      entry.holdFor = fault.after ?? 1;
      this.held.add(entry);
      entry.timer = setTimeout(() => this.release(entry), fault.maxHoldMs ?? DEFAULT_REORDER_HOLD_MS);
      entry.timer.unref?.();
      return;
    }

    entry.tries += 1;
    if (fault?.kind === 'drop') {
      entry.attempts.push({ at: this.now(), status: null, error: 'dropped', fault: 'drop' });
      if (fault.forever) this.settle(entry, 'dropped');
      else this.retryLater(entry);
      return;
    }

    this.inFlight += 1;
    const faultKind = fault?.kind ?? applied ?? undefined;
    let delivered = false;
    try {
      const sends = fault?.kind === 'duplicate' ? 2 : 1;
      for (let i = 0; i < sends && !this.closed; i += 1) {
        const attempt = await this.send(entry.payload);
        if (this.closed || entry.state !== 'pending') return;
        entry.attempts.push({ ...attempt, ...(faultKind === undefined ? {} : { fault: faultKind }) });
        delivered ||= attempt.status !== null && attempt.status >= 200 && attempt.status < 300;
      }
    } finally {
      this.inFlight -= 1;
    }
    if (this.closed || entry.state !== 'pending') return;
    this.releaseHeldAfter(entry);
    if (delivered) this.settle(entry, 'delivered');
    else this.retryLater(entry);
    this.pump();
  }

  private async send(payload: unknown): Promise<Omit<WebhookAttempt, 'fault'>> {
    const at = this.now();
    const url = this.url;
    if (url === null) return { at, status: null, error: 'no webhook URL' };
    try {
      const request = await this.options.render(payload, new Date(at));
      const signal = AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.options.schedule.timeoutMs)]);
      return { at, status: await (this.options.post ?? post)(url, request, signal) };
    } catch (error) {
      return { at, status: null, error: describe(error) };
    }
  }

  /** Another event was sent: events held back by `reorder` waiting for it may go now. */
  private releaseHeldAfter(sent: Entry): void {
    for (const entry of [...this.held]) {
      if (entry === sent) continue;
      entry.holdFor -= 1;
      if (entry.holdFor <= 0) this.release(entry);
    }
  }

  private release(entry: Entry): void {
    if (!this.held.delete(entry)) return;
    if (entry.timer !== null) clearTimeout(entry.timer);
    entry.timer = null;
    this.makeReady(entry, true);
  }

  private retryLater(entry: Entry): void {
    const delays = this.options.schedule.delaysMs;
    if (entry.tries > delays.length) {
      this.settle(entry, 'failed');
      return;
    }
    const wait = delays[entry.tries - 1]! * this.retryScale;
    entry.nextAttemptAt = this.now() + wait;
    this.wake(entry, wait);
    this.options.onChange?.();
    this.pump();
  }

  private settle(entry: Entry, state: 'delivered' | 'failed' | 'dropped'): void {
    entry.state = state;
    entry.nextAttemptAt = null;
    this.options.onSettled?.(publicView(entry), entry.payload);
    if (this.options.keepPayloads === false) entry.payload = null;
    this.options.onChange?.();
    this.notifyWaiters();
    this.pump();
  }
}

/** Throws a RangeError for a webhook fault or options no dispatcher can apply. */
export function validateWebhookFault(fault: WebhookFault, options: WebhookFaultOptions = {}): void {
  const kinds = ['drop', 'duplicate', 'delay', 'reorder'];
  if (!kinds.includes((fault as { kind: string }).kind)) throw new RangeError(`unknown webhook fault ${String((fault as { kind: unknown }).kind)}`);
  if (fault.kind === 'delay' && !(Number.isFinite(fault.ms) && fault.ms >= 0)) throw new RangeError(`delay needs ms >= 0, got ${String(fault.ms)}`);
  if (fault.kind === 'reorder') {
    if (fault.after !== undefined && !(Number.isInteger(fault.after) && fault.after > 0)) throw new RangeError(`reorder.after must be a positive integer, got ${String(fault.after)}`);
    if (fault.maxHoldMs !== undefined && !(Number.isFinite(fault.maxHoldMs) && fault.maxHoldMs >= 0)) throw new RangeError(`reorder.maxHoldMs must be >= 0, got ${String(fault.maxHoldMs)}`);
  }
  if (options.times !== undefined && !(Number.isInteger(options.times) && options.times > 0)) throw new RangeError(`times must be a positive integer, got ${String(options.times)}`);
  if (options.rate !== undefined && !(options.rate >= 0 && options.rate <= 1)) throw new RangeError(`rate must be within 0..1, got ${String(options.rate)}`);
  if (options.seed !== undefined && !Number.isFinite(options.seed)) throw new RangeError(`seed must be a number, got ${String(options.seed)}`);
  if (options.types !== undefined && !(Array.isArray(options.types) && options.types.every((type) => typeof type === 'string'))) throw new RangeError('types must be a list of event types');
}

function validScale(scale: number): number {
  if (!(Number.isFinite(scale) && scale >= 0)) throw new RangeError(`retryScale must be a number >= 0, got ${String(scale)}`);
  return scale;
}

function publicView(entry: Entry): WebhookDelivery {
  return {
    id: entry.id,
    type: entry.type,
    reference: entry.reference,
    state: entry.state,
    createdAt: entry.createdAt,
    attempts: entry.attempts.map((attempt) => ({ ...attempt })),
    nextAttemptAt: entry.nextAttemptAt,
  };
}

async function post(url: string, request: WebhookRequest, signal: AbortSignal): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.rawBody, signal });
  await response.arrayBuffer().catch(() => undefined);
  return response.status;
}

function newDeliveryId(): string {
  return `whd_${randomBytes(9).toString('base64url')}`;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause;
    if (error.name === 'TimeoutError') return 'timeout';
    return cause?.code ?? error.message;
  }
  return String(error);
}
