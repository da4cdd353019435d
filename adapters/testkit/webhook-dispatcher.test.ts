import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebhookRequest } from './contract.js';
import { WebhookDispatcher, type WebhookDispatcherOptions } from './webhook-dispatcher.js';
import {
  ADYEN_RETRY_SCHEDULE,
  BRAINTREE_RETRY_SCHEDULE,
  BRAINTREE_SANDBOX_RETRY_SCHEDULE,
  retryWindowMs,
  STRIPE_RETRY_SCHEDULE,
  type RetrySchedule,
} from './webhook-schedules.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Three retries: after 1 s, 10 s and 100 s. */
const SCHEDULE: RetrySchedule = { delaysMs: [SECOND, 10 * SECOND, 100 * SECOND], timeoutMs: 5 * SECOND };

interface Post {
  at: number;
  body: string;
}

/** A receiver that answers from a list of statuses (then 200), or throws for `null` (unreachable). */
function receiver() {
  const posts: Post[] = [];
  const answers: (number | null)[] = [];
  return {
    posts,
    answer: (...statuses: (number | null)[]) => answers.push(...statuses),
    bodies: () => posts.map((p) => p.body),
    post: async (_url: string, request: WebhookRequest): Promise<number> => {
      posts.push({ at: Date.now(), body: request.rawBody });
      const status = answers.length > 0 ? answers.shift()! : 200;
      if (status === null) throw new Error('connect ECONNREFUSED');
      return status;
    },
  };
}

function dispatcher(rx: ReturnType<typeof receiver>, options: Partial<WebhookDispatcherOptions> = {}) {
  return new WebhookDispatcher({
    schedule: SCHEDULE,
    url: 'http://receiver.invalid/hook',
    render: (payload) => ({ headers: {}, rawBody: String((payload as { name: string }).name) }),
    post: rx.post,
    ...options,
  });
}

const event = (name: string, type = 'payment.done', reference: string | null = `ref_${name}`) => ({ type, reference, payload: { name } });

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('webhook dispatcher: delivery and retries', () => {
  it('delivers each event once, in the order they happened', async () => {
    const rx = receiver();
    const d = dispatcher(rx, { concurrency: 1 });
    for (const name of ['a', 'b', 'c']) d.enqueue(event(name));
    await d.idle();
    expect(rx.bodies()).toEqual(['a', 'b', 'c']);
    expect(d.deliveries().map((x) => [x.type, x.reference, x.state, x.attempts.length])).toEqual([
      ['payment.done', 'ref_a', 'delivered', 1],
      ['payment.done', 'ref_b', 'delivered', 1],
      ['payment.done', 'ref_c', 'delivered', 1],
    ]);
  });

  it('retries a non-2xx answer or an unreachable receiver after each delay of the schedule', async () => {
    const rx = receiver();
    rx.answer(500, null, 503);
    const d = dispatcher(rx);
    const start = Date.now();
    d.enqueue(event('a'));
    await vi.advanceTimersByTimeAsync(0);
    expect(rx.posts).toHaveLength(1);
    expect(d.deliveries()[0]).toMatchObject({ state: 'pending', nextAttemptAt: start + SECOND });
    await vi.advanceTimersByTimeAsync(SECOND - 1);
    expect(rx.posts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(rx.posts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10 * SECOND);
    expect(rx.posts).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(100 * SECOND);
    expect(rx.posts.map((p) => p.at - start)).toEqual([0, SECOND, 11 * SECOND, 111 * SECOND]);
    expect(d.deliveries()[0]).toMatchObject({
      state: 'delivered',
      nextAttemptAt: null,
      attempts: [{ status: 500 }, { status: null, error: 'connect ECONNREFUSED' }, { status: 503 }, { status: 200 }],
    });
  });

  it('gives up after the last retry, and says so', async () => {
    const rx = receiver();
    rx.answer(500, 500, 500, 500, 500);
    const settled: string[] = [];
    const d = dispatcher(rx, { onSettled: (delivery) => settled.push(delivery.state) });
    d.enqueue(event('a'));
    await vi.advanceTimersByTimeAsync(DAY);
    expect(rx.posts).toHaveLength(4);
    expect(d.deliveries()[0]).toMatchObject({ state: 'failed', nextAttemptAt: null });
    expect(settled).toEqual(['failed']);
  });

  it('compresses the schedule by the retry scale', async () => {
    const rx = receiver();
    rx.answer(500, 500);
    const d = dispatcher(rx, { schedule: BRAINTREE_RETRY_SCHEDULE, retryScale: 0.001 });
    const start = Date.now();
    d.enqueue(event('a'));
    await vi.advanceTimersByTimeAsync(2 * 3600);
    expect(rx.posts.map((p) => p.at - start)).toEqual([0, 3600, 7200]);
    d.setRetryScale(1);
    expect(() => d.setRetryScale(-1)).toThrow(RangeError);
  });

  it('logs an event it has no URL for as never sent, and sends later ones once a URL is set', async () => {
    const rx = receiver();
    const d = dispatcher(rx, { url: null });
    d.enqueue(event('a'));
    d.setUrl('http://receiver.invalid/other');
    d.enqueue(event('b'));
    await d.idle();
    expect(d.deliveries().map((x) => [x.reference, x.state])).toEqual([
      ['ref_a', 'no_endpoint'],
      ['ref_b', 'delivered'],
    ]);
    expect(rx.bodies()).toEqual(['b']);
  });

  it('saves undelivered events and resumes them when due, in another dispatcher', async () => {
    const rx = receiver();
    rx.answer(500);
    const first = dispatcher(rx);
    first.enqueue(event('a'));
    await vi.advanceTimersByTimeAsync(0);
    const saved = JSON.parse(JSON.stringify(first.pending()));
    first.close();
    expect(saved).toEqual([expect.objectContaining({ type: 'payment.done', reference: 'ref_a', tries: 1, payload: { name: 'a' } })]);

    const second = dispatcher(rx);
    second.restore(saved);
    await vi.advanceTimersByTimeAsync(SECOND - 1);
    expect(rx.posts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await second.idle();
    expect(second.deliveries()[0]).toMatchObject({ id: saved[0].id, state: 'delivered', attempts: [{ status: 500 }, { status: 200 }] });
  });

  it('holds saved events resumed before a URL is known until one is set, counting no attempt', async () => {
    const rx = receiver();
    rx.answer(500);
    const first = dispatcher(rx);
    first.enqueue(event('a'));
    await vi.advanceTimersByTimeAsync(0);
    const saved = first.pending();
    first.close();

    const second = dispatcher(rx, { url: null });
    second.restore(saved);
    await vi.advanceTimersByTimeAsync(DAY);
    expect(rx.posts).toHaveLength(1);
    expect(second.deliveries()[0]).toMatchObject({ state: 'pending', attempts: [{ status: 500 }] });
    second.setUrl('http://receiver.invalid/later');
    await second.idle();
    expect(second.deliveries()[0]).toMatchObject({ state: 'delivered', attempts: [{ status: 500 }, { status: 200 }] });
  });

  it('forgets everything on reset, an attempt in flight included, and idle() resolves', async () => {
    const rx = receiver();
    rx.answer(500);
    const d = dispatcher(rx);
    d.enqueue(event('a'));
    const idle = d.idle();
    d.reset();
    await idle;
    await vi.advanceTimersByTimeAsync(DAY);
    expect(rx.posts).toHaveLength(1);
    expect(d.deliveries()).toEqual([]);
  });
});

describe('webhook dispatcher: faults', () => {
  it('drop: the attempt is lost and retried on the schedule; the receiver sees only the retry', async () => {
    const rx = receiver();
    const d = dispatcher(rx);
    d.setFault({ kind: 'drop' }, { times: 1 });
    d.enqueue(event('a'));
    d.enqueue(event('b'));
    await vi.advanceTimersByTimeAsync(SECOND);
    await d.idle();
    expect(rx.bodies()).toEqual(['b', 'a']);
    expect(d.deliveries()[0]).toMatchObject({ state: 'delivered', attempts: [{ status: null, fault: 'drop' }, { status: 200 }] });
  });

  it('drop forever: the event is never delivered', async () => {
    const rx = receiver();
    const d = dispatcher(rx);
    d.setFault({ kind: 'drop', forever: true }, { types: ['refund.created'] });
    d.enqueue(event('a', 'refund.created'));
    d.enqueue(event('b', 'payment.done'));
    await vi.advanceTimersByTimeAsync(DAY);
    expect(rx.bodies()).toEqual(['b']);
    expect(d.deliveries().map((x) => x.state)).toEqual(['dropped', 'delivered']);
  });

  it('duplicate: the attempt is delivered twice', async () => {
    const rx = receiver();
    const d = dispatcher(rx);
    d.setFault({ kind: 'duplicate' }, { reference: 'ref_b' });
    for (const name of ['a', 'b']) d.enqueue(event(name));
    await d.idle();
    expect(rx.bodies().sort()).toEqual(['a', 'b', 'b']);
    expect(d.deliveries()[1]).toMatchObject({ state: 'delivered', attempts: [{ status: 200, fault: 'duplicate' }, { status: 200, fault: 'duplicate' }] });
  });

  it('delay: the attempt is sent that many (unscaled) milliseconds later', async () => {
    const rx = receiver();
    const d = dispatcher(rx, { retryScale: 0.001 });
    d.setFault({ kind: 'delay', ms: 5000 }, { times: 1 });
    const start = Date.now();
    d.enqueue(event('a'));
    d.enqueue(event('b'));
    await vi.advanceTimersByTimeAsync(4999);
    expect(rx.bodies()).toEqual(['b']);
    await vi.advanceTimersByTimeAsync(1);
    expect(rx.posts.map((p) => [p.body, p.at - start])).toEqual([
      ['b', 0],
      ['a', 5000],
    ]);
    expect(d.deliveries()[0]!.attempts).toEqual([expect.objectContaining({ status: 200, fault: 'delay' })]);
  });

  it('reorder: the event is held back until later events were sent', async () => {
    const rx = receiver();
    const d = dispatcher(rx, { concurrency: 1 });
    d.setFault({ kind: 'reorder', after: 2 }, { times: 1 });
    for (const name of ['a', 'b', 'c', 'd']) d.enqueue(event(name));
    await d.idle();
    expect(rx.bodies()).toEqual(['b', 'c', 'a', 'd']);
  });

  it('reorder: an event held with nothing after it goes after maxHoldMs', async () => {
    const rx = receiver();
    const d = dispatcher(rx);
    d.setFault({ kind: 'reorder', maxHoldMs: 300 });
    d.enqueue(event('a'));
    await vi.advanceTimersByTimeAsync(299);
    expect(rx.posts).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(rx.bodies()).toEqual(['a']);
  });

  it('rate: hits that share of attempts, the same ones again for the same seed', async () => {
    const run = async (seed: number) => {
      const rx = receiver();
      const d = dispatcher(rx, { retryScale: 0 });
      d.setFault({ kind: 'drop', forever: true }, { rate: 0.3, seed });
      for (let i = 0; i < 200; i++) d.enqueue(event(String(i)));
      await d.idle();
      return d.deliveries().map((x) => x.state === 'dropped');
    };
    const first = await run(42);
    expect(first.filter(Boolean).length).toBeGreaterThan(40);
    expect(first.filter(Boolean).length).toBeLessThan(80);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
  });

  it('faults apply in the order set, one per attempt, until their times are used up or they are cleared', async () => {
    const rx = receiver();
    const d = dispatcher(rx, { retryScale: 0 });
    d.setFault({ kind: 'drop', forever: true }, { times: 1 });
    d.setFault({ kind: 'duplicate' }, { times: 2 });
    for (const name of ['a', 'b', 'c', 'd']) d.enqueue(event(name));
    await d.idle();
    expect(d.deliveries().map((x) => [x.state, x.attempts.map((a) => a.fault ?? 'none')])).toEqual([
      ['dropped', ['drop']],
      ['delivered', ['duplicate', 'duplicate']],
      ['delivered', ['duplicate', 'duplicate']],
      ['delivered', ['none']],
    ]);
    d.setFault({ kind: 'drop', forever: true });
    d.clearFaults();
    d.enqueue(event('e'));
    await d.idle();
    expect(d.deliveries().at(-1)).toMatchObject({ state: 'delivered' });
  });

  it('refuses faults it cannot apply', () => {
    const d = dispatcher(receiver());
    expect(() => d.setFault({ kind: 'delay', ms: -1 })).toThrow(RangeError);
    expect(() => d.setFault({ kind: 'reorder', after: 0 })).toThrow(RangeError);
    expect(() => d.setFault({ kind: 'drop' }, { rate: 1.5 })).toThrow(RangeError);
    expect(() => d.setFault({ kind: 'drop' }, { times: 0 })).toThrow(RangeError);
    expect(() => d.setFault({ kind: 'explode' } as never)).toThrow(RangeError);
  });
});

describe('provider retry schedules', () => {
  it('Stripe: exponential back-off, the last retry three days after the first attempt', () => {
    const delays = STRIPE_RETRY_SCHEDULE.delaysMs;
    expect(retryWindowMs(STRIPE_RETRY_SCHEDULE)).toBe(3 * DAY);
    expect(delays[0]).toBe(5 * MINUTE);
    for (let i = 1; i < delays.length - 1; i++) expect(delays[i]).toBe(2 * delays[i - 1]!);
  });

  it('Adyen: three quick retries, then 2 minutes growing to 8 hours, for up to 30 days', () => {
    const delays = ADYEN_RETRY_SCHEDULE.delaysMs;
    expect(delays.slice(0, 12)).toEqual([9 * SECOND, 9 * SECOND, 9 * SECOND, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR]);
    expect(new Set(delays.slice(11))).toEqual(new Set([8 * HOUR]));
    expect(retryWindowMs(ADYEN_RETRY_SCHEDULE)).toBeLessThanOrEqual(30 * DAY);
    expect(retryWindowMs(ADYEN_RETRY_SCHEDULE)).toBeGreaterThan(30 * DAY - 8 * HOUR);
  });

  it('Braintree: every hour, for 24 hours in production and 3 in the sandbox', () => {
    expect(BRAINTREE_RETRY_SCHEDULE.delaysMs).toEqual(Array(24).fill(HOUR));
    expect(BRAINTREE_SANDBOX_RETRY_SCHEDULE.delaysMs).toEqual(Array(3).fill(HOUR));
    expect(BRAINTREE_RETRY_SCHEDULE.timeoutMs).toBe(30 * SECOND);
  });
});
