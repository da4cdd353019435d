import { sleep } from './processes.js';

/** What the merchant client counted: every retry it made and every answer it got. */
export interface ClientStats {
  requests: number;
  /** Answers by `<status>` or `<status> <code>`. */
  answers: Record<string, number>;
  retries: {
    /** The router refused the connection (down or restarting): the request never reached it. */
    refused: number;
    /** The request was cut off (reset, closed, timed out): it may have run; resent under the same key. */
    cut_off: number;
    /** 409 idempotency_key_in_use: the first request (or one that died) still holds the key. */
    key_in_use: number;
    /** 429 or 503 from the router itself: resent after Retry-After. */
    throttled: number;
    /** A capture or cancel answered 502 gateway_outcome_unknown or gateway_unavailable, resent under the same key. */
    operation_unknown_or_unavailable: number;
    /** 409 payment_operation_in_progress: waited for the operation under way, then looked again. */
    operation_in_progress: number;
    /** A refund the gateway could not be reached for (`failed`, gateway_unavailable), asked again under a new key. */
    refund_new_key: number;
    /** Deliberate resends of a request that was answered (a client that lost the answer). */
    deliberate_replays: number;
  };
  /** POSTs cut off at least once and then answered under their key. */
  cut_off_then_answered: number;
  /** Deliberate replays that answered another resource than the first answer, or without Idempotent-Replayed. */
  replay_mismatches: { key: string; first: string; replay: string; replayed_header: boolean }[];
  /** Requests given up after `callDeadlineMs` of retrying. */
  gave_up: { method: string; path: string; key: string | null; last: string }[];
}

export function newClientStats(): ClientStats {
  return {
    requests: 0,
    answers: {},
    retries: { refused: 0, cut_off: 0, key_in_use: 0, throttled: 0, operation_unknown_or_unavailable: 0, operation_in_progress: 0, refund_new_key: 0, deliberate_replays: 0 },
    cut_off_then_answered: 0,
    replay_mismatches: [],
    gave_up: [],
  };
}

export interface Answer {
  status: number;
  body: any;
  replayed: boolean;
}

export class GaveUp extends Error {}

/**
 * A merchant's HTTP client, as a careful merchant writes one: every POST carries an
 * Idempotency-Key, and whatever may not have been answered (connection refused or cut off, a
 * timeout, the key still held by the first request, throttling) is resent under the same key
 * with back-off until it is answered. Everything else is returned to the caller.
 */
export class MerchantClient {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  /** `maxInFlight`: HTTP requests at once, across every order this client runs (waits and back-offs hold none). */
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    readonly stats: ClientStats,
    private readonly options: { requestTimeoutMs: number; callDeadlineMs: number; maxInFlight?: number },
  ) {}

  private async slot(): Promise<() => void> {
    const max = this.options.maxInFlight ?? Number.POSITIVE_INFINITY;
    if (this.inFlight >= max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight += 1;
    return () => {
      this.inFlight -= 1;
      this.waiting.shift()?.();
    };
  }

  async call(method: 'GET' | 'POST', path: string, body?: unknown, key?: string): Promise<Answer> {
    const started = Date.now();
    const text = body === undefined ? undefined : JSON.stringify(body);
    let backoff = 100;
    let cutOff = false;
    let last = '';
    for (;;) {
      if (Date.now() - started > this.options.callDeadlineMs) {
        this.stats.gave_up.push({ method, path, key: key ?? null, last });
        throw new GaveUp(`${method} ${path} (${key ?? 'no key'}) unanswered after ${this.options.callDeadlineMs} ms: ${last}`);
      }
      this.stats.requests += 1;
      const release = await this.slot();
      let response: Response;
      let parsed: any = null;
      let unreadable = false;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${this.apiKey}`,
            ...(text === undefined ? {} : { 'content-type': 'application/json' }),
            ...(key === undefined ? {} : { 'idempotency-key': key }),
          },
          body: text,
          signal: AbortSignal.timeout(this.options.requestTimeoutMs),
        });
        try {
          parsed = await response.json();
        } catch {
          unreadable = true;
        }
      } catch (error) {
        release();
        const reason = networkReason(error);
        last = reason;
        if (reason === 'ECONNREFUSED') this.stats.retries.refused += 1;
        else {
          this.stats.retries.cut_off += 1;
          if (method === 'POST') cutOff = true;
        }
        await sleep(jitter(backoff));
        backoff = Math.min(backoff * 2, 2000);
        continue;
      }
      release();
      if (unreadable) {
        // A body cut off mid-way: the answer is lost, ask again.
        this.stats.retries.cut_off += 1;
        if (method === 'POST') cutOff = true;
        last = `${response.status} with an unreadable body`;
        await sleep(jitter(backoff));
        continue;
      }
      const code = typeof parsed?.code === 'string' ? parsed.code : null;
      const label = code ? `${response.status} ${code}` : String(response.status);
      this.stats.answers[label] = (this.stats.answers[label] ?? 0) + 1;
      last = label;
      if (response.status === 409 && code === 'idempotency_key_in_use') {
        this.stats.retries.key_in_use += 1;
        await sleep(retryAfterMs(response, 1000, 31_000));
        continue;
      }
      if (response.status === 429 || (response.status === 503 && code === null)) {
        this.stats.retries.throttled += 1;
        await sleep(retryAfterMs(response, 1000, 10_000));
        continue;
      }
      if (method === 'GET' && response.status >= 500) {
        await sleep(jitter(backoff));
        backoff = Math.min(backoff * 2, 2000);
        continue;
      }
      if (cutOff) this.stats.cut_off_then_answered += 1;
      return { status: response.status, body: parsed, replayed: response.headers.get('idempotent-replayed') === 'true' };
    }
  }

  /** Sends an answered request again under its key and checks the replay names the same resource. */
  async replay(path: string, body: unknown, key: string, first: { id: string }): Promise<void> {
    this.stats.retries.deliberate_replays += 1;
    const again = await this.call('POST', path, body, key);
    const id = again.body?.id;
    if (id !== first.id || !again.replayed) {
      this.stats.replay_mismatches.push({ key, first: first.id, replay: `${again.status} ${String(id ?? again.body?.code)}`, replayed_header: again.replayed });
    }
  }
}

function jitter(ms: number): number {
  return Math.round(ms * (0.75 + Math.random() * 0.5));
}

function retryAfterMs(response: Response, fallback: number, max: number): number {
  const seconds = Number(response.headers.get('retry-after'));
  return Math.min(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallback, max) + Math.round(Math.random() * 200);
}

/** ECONNREFUSED (never sent) or how a request was cut off. */
function networkReason(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; name?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  return e?.cause?.code ?? e?.cause?.name ?? e?.message ?? String(error);
}
