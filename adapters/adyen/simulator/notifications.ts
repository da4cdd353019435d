import { WebhookDispatcher, type PendingWebhook } from '../../testkit/webhook-dispatcher.js';
import type { RetrySchedule } from '../../testkit/webhook-schedules.js';
import type { TechnicalCancel } from './technical-cancel.js';
import { notificationRequest, signedItem, type NotificationFields } from './webhook-signer.js';

export interface NotifierOptions {
  hmacKey: string;
  webhookUrl: string | null;
  /** Before a queued job runs (a modification is decided then, not when it is received). */
  delayMs: number;
  retry: { schedule: RetrySchedule; scale: number; concurrency?: number | undefined };
  /** After anything worth saving changed. */
  onChange?: () => void;
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
 * Work the account has still to do, saved with its state so a restart finishes it: an
 * authorisation to announce, a modification to decide, a modification to report failed later.
 */
export type PendingJob =
  | { kind: 'authorisation'; pspReference: string }
  | { kind: 'modification'; pspReference: string }
  | { kind: 'failed_modification'; pspReference: string; eventCode: string }
  | ({ kind: 'technical_cancel' } & TechnicalCancel);

/** The notification fields as saved (JSON: the date as ISO text). */
type SavedFields = Omit<NotificationFields, 'eventDate'> & { eventDate: string };

/**
 * Adyen's asynchronous side: jobs run after `delayMs` (a modification is decided then, not when
 * it is received), and the notifications they produce go to the shared webhook dispatcher, which
 * signs nothing anew (an Adyen notification is signed once, in its item), retries on Adyen's
 * schedule and applies webhook faults.
 */
export class Notifier {
  readonly dispatcher: WebhookDispatcher;
  private readonly timers = new Map<NodeJS.Timeout, PendingJob | null>();
  private closed = false;

  constructor(private readonly options: NotifierOptions) {
    this.dispatcher = new WebhookDispatcher({
      schedule: options.retry.schedule,
      retryScale: options.retry.scale,
      concurrency: options.retry.concurrency,
      url: options.webhookUrl,
      render: (payload) => notificationRequest([signedItem(revive(payload as SavedFields), this.options.hmacKey)]),
      onChange: () => this.options.onChange?.(),
    });
  }

  set webhookUrl(url: string | null) {
    this.dispatcher.setUrl(url);
  }

  /**
   * Runs `job` later; it changes the account's state and returns what to notify. `saved`
   * describes the job so it survives a restart (a job without one is lost if the process stops).
   */
  schedule(job: () => NotificationFields[], delayMs = this.options.delayMs, saved?: PendingJob): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      for (const fields of job()) this.notify(fields);
      this.options.onChange?.();
    }, delayMs);
    this.timers.set(timer, saved ?? null);
    this.options.onChange?.();
  }

  /** Sends a notification now (through the dispatcher). */
  notify(fields: NotificationFields): void {
    const payload: SavedFields = { ...fields, eventDate: fields.eventDate.toISOString() };
    // A technical cancel of a payment Adyen never had names it only by the merchant's reference.
    const reference = fields.originalReference ?? (fields.eventCode === 'TECHNICAL_CANCEL' ? fields.merchantReference : fields.pspReference);
    this.dispatcher.enqueue({ type: fields.eventCode, reference, payload });
  }

  deliveries(): readonly NotificationDelivery[] {
    return this.dispatcher.records().map(({ payload, attempts, state }) => {
      const fields = payload as SavedFields;
      return {
        eventCode: fields.eventCode,
        success: fields.success,
        pspReference: fields.pspReference,
        originalReference: fields.originalReference ?? null,
        attempts: attempts.length,
        delivered: state === 'delivered',
      };
    });
  }

  /** Jobs not run yet, to save. */
  pendingJobs(): PendingJob[] {
    return [...this.timers.values()].filter((job): job is PendingJob => job !== null);
  }

  /** Schedules saved jobs again; `resolve` turns each back into its work (null: nothing left to do). */
  restore(jobs: readonly PendingJob[], webhooks: readonly PendingWebhook[], resolve: (job: PendingJob) => (() => NotificationFields[]) | null): void {
    for (const saved of jobs) {
      const job = resolve(saved);
      if (job !== null) this.schedule(job, this.options.delayMs, saved);
    }
    this.dispatcher.restore(webhooks);
  }

  /** Resolves once no job is queued and no notification waits to be sent or retried. */
  async idle(): Promise<void> {
    while (!this.closed && (this.timers.size > 0 || !this.dispatcher.isIdle())) {
      await this.dispatcher.idle();
      if (this.timers.size > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(1, this.options.delayMs)));
    }
  }

  /** Drops queued jobs (they will never run) and forgets every notification, pending ones too. */
  reset(): void {
    for (const timer of this.timers.keys()) clearTimeout(timer);
    this.timers.clear();
    this.dispatcher.reset();
  }

  /** Stops: jobs stay listed (to save) but do not run; deliveries stop. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers.keys()) clearTimeout(timer);
    this.dispatcher.close();
  }
}

function revive(saved: SavedFields): NotificationFields {
  return { ...saved, eventDate: new Date(saved.eventDate) };
}
