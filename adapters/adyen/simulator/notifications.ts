import { notificationRequest, signedItem, type NotificationFields } from './webhook-signer.js';

export interface NotifierOptions {
  hmacKey: string;
  webhookUrl: string | null;
  /** Before a queued job runs, and the base of the backoff between delivery attempts. */
  delayMs: number;
  /** Delivery attempts after the first, on a non-2xx answer or a network error. */
  retries: number;
}

/** One notification and what became of its delivery. */
export interface NotificationDelivery {
  eventCode: string;
  success: boolean;
  pspReference: string;
  originalReference: string | null;
  attempts: number;
  delivered: boolean;
}

/**
 * Adyen's asynchronous side: jobs run after `delayMs` (a modification is decided then, not when it
 * is received), and the notifications they produce are POSTed to the webhook URL, retried on failure.
 */
export class Notifier {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly aborter = new AbortController();
  private readonly log: NotificationDelivery[] = [];

  constructor(private readonly options: NotifierOptions) {}

  set webhookUrl(url: string | null) {
    this.options.webhookUrl = url;
  }

  /** Runs `job` later; it changes the account's state and returns what to notify. */
  schedule(job: () => NotificationFields[], delayMs = this.options.delayMs): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(Promise.all(job().map((fields) => this.deliver(fields))).then(() => undefined));
    }, delayMs);
    this.timers.add(timer);
  }

  deliveries(): readonly NotificationDelivery[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  /** Resolves once no job is queued and no delivery is in flight. */
  async idle(): Promise<void> {
    while (this.timers.size > 0 || this.running.size > 0) {
      await Promise.allSettled(this.running);
      if (this.timers.size > 0) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    }
  }

  /** Drops queued jobs (they will never run) and forgets the delivery log. */
  reset(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.log.length = 0;
  }

  close(): void {
    this.reset();
    this.aborter.abort();
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  private async deliver(fields: NotificationFields): Promise<void> {
    const entry: NotificationDelivery = {
      eventCode: fields.eventCode,
      success: fields.success,
      pspReference: fields.pspReference,
      originalReference: fields.originalReference ?? null,
      attempts: 0,
      delivered: false,
    };
    this.log.push(entry);
    const url = this.options.webhookUrl;
    if (url === null) return;
    const request = notificationRequest([signedItem(fields, this.options.hmacKey)]);
    for (let attempt = 0; attempt <= this.options.retries && !this.aborter.signal.aborted; attempt += 1) {
      if (attempt > 0) await sleep(this.options.delayMs * attempt, this.aborter.signal);
      entry.attempts += 1;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: request.headers,
          body: request.rawBody,
          signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(5_000)]),
        });
        await response.arrayBuffer();
        if (response.ok) {
          entry.delivered = true;
          return;
        }
      } catch {
        // Unreachable or timed out: try again, as Adyen does.
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
