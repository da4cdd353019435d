import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/domain/api-keys.js';
import type { MerchantEventType } from '../../src/domain/events.js';
import { createJobEngine, type JobEngine } from '../../src/jobs/engine.js';
import { webhookJobKinds } from '../../src/jobs/webhook-delivery.js';
import { emit, FANOUT_JOB } from '../../src/orchestrator/events.js';
import { captureLogger } from '../support/capture-logger.js';
import { manualClock } from '../support/clock.js';
import { DRIVERS } from '../support/databases.js';
import { SECRETS_KEY, startHarness, type Harness } from '../support/harness.js';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * The merchant's side, as the README tells a merchant to write it: `t` and every `v1` from the
 * header, the HMAC of `<t>.<raw body>` compared in constant time, and at most 5 minutes of skew.
 */
function verifySwitchyardSignature(rawBody: string, header: string | undefined, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  if (!header) return false;
  const pairs = header.split(',').map((part) => part.split('='));
  const t = Number(pairs.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return pairs
    .filter(([k]) => k === 'v1')
    .some(([, hex]) => {
      const given = Buffer.from(hex ?? '', 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe.each(DRIVERS)('merchant webhook delivery on %s', (driver) => {
  const clock = manualClock();
  const start = clock.now();
  let h: Harness;
  let receiver: WebhookReceiver;
  let engine: JobEngine;
  let engineLogs: string[];
  let merchantId: string;
  let otherMerchantId: string;

  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const merchantOf = async (key: string) => (await h.repositories.merchants.keyForHash(await hashApiKey(key), new Date()))!.merchantId;
  function jobs(options: { timeoutMs?: number; fetch?: typeof fetch } = {}) {
    const { logger, lines } = captureLogger();
    engineLogs = lines;
    return createJobEngine({
      repositories: h.repositories,
      clock,
      logger,
      kinds: webhookJobKinds({ repositories: h.repositories, clock, logger, secretsKey: SECRETS_KEY, timeoutMs: options.timeoutMs ?? 5_000, fetch: options.fetch }),
    });
  }

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });
  beforeEach(async () => {
    await h.reset();
    clock.set(start);
    await receiver.start();
    receiver.mode = { status: 200 };
    receiver.requests.length = 0;
    engine = jobs();
    merchantId = await merchantOf(h.key);
    otherMerchantId = await merchantOf(h.otherKey);
  });

  async function createEndpoint(body: Record<string, unknown> = {}, key = h.key): Promise<{ id: string; secret: string; url: string }> {
    const res = await h.request('POST', '/v1/webhook_endpoints', { body: { url: receiver.url, enabled_events: ['*'], ...body }, key });
    expect(res.status).toBe(201);
    return res.json();
  }

  let paymentCounter = 0;
  /** What the orchestrator does on a payment's state change: record the event in its transaction. */
  async function emitEvent(type: MerchantEventType = 'payment.succeeded', options: { merchant?: string; paymentId?: string } = {}): Promise<string> {
    const merchant = options.merchant ?? merchantId;
    const paymentId = options.paymentId ?? `pay_01TEST${String(++paymentCounter).padStart(20, '0')}`;
    const status = type.split('.')[1];
    await h.repositories.transaction((tx) =>
      emit(tx, clock.now(), [{ type, merchantId: merchant, paymentId, data: { id: paymentId, object: 'payment', status, amount: 1999, currency: 'USD' } }]),
    );
    const [row] = await h.repositories.events.list(merchant, { limit: 1 });
    return row!.id;
  }

  async function getEvent(id: string, key = h.key) {
    const res = await h.request('GET', `/v1/events/${id}`, { key });
    expect(res.status).toBe(200);
    return res.json();
  }

  /** Moves the clock to the delivery's next attempt, checking nothing runs a millisecond before it. */
  async function untilNextAttempt(eventId: string) {
    const [delivery] = (await getEvent(eventId)).deliveries;
    const next = new Date(delivery.next_attempt_at).getTime();
    clock.set(new Date(next - 1));
    expect(await engine.runDue()).toBe(0);
    clock.set(new Date(next));
    return next;
  }

  it('delivers an event to its endpoint as the signed envelope, once', async () => {
    const endpoint = await createEndpoint();
    const eventId = await emitEvent('payment.succeeded');
    expect(receiver.requests).toHaveLength(0); // nothing is sent on the payment's path
    await engine.runDue();

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/hooks');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toBe('Switchyard-Webhooks/1');
    expect(request!.headers['switchyard-event-id']).toBe(eventId);
    const body = JSON.parse(request!.body);
    expect(body).toEqual({
      id: eventId,
      object: 'event',
      type: 'payment.succeeded',
      created_at: start.toISOString(),
      data: { object: expect.objectContaining({ object: 'payment', status: 'succeeded', amount: 1999 }) },
    });

    const header = request!.headers['switchyard-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(header.startsWith(`t=${nowSeconds()},`)).toBe(true);
    expect(verifySwitchyardSignature(request!.body, header, endpoint.secret, nowSeconds())).toBe(true);
    expect(verifySwitchyardSignature(request!.body.replace('1999', '1'), header, endpoint.secret, nowSeconds())).toBe(false);
    expect(verifySwitchyardSignature(request!.body, header, 'whsec_someone_else', nowSeconds())).toBe(false);
    expect(verifySwitchyardSignature(request!.body, header, endpoint.secret, nowSeconds() + 301)).toBe(false);

    const { deliveries, ...event } = await getEvent(eventId);
    expect(event).toEqual(body);
    expect(deliveries).toEqual([
      {
        object: 'webhook_delivery',
        event_id: eventId,
        endpoint_id: endpoint.id,
        url: receiver.url,
        state: 'delivered',
        attempts: 1,
        last_status: 200,
        last_error: null,
        next_attempt_at: null,
        delivered_at: start.toISOString(),
        created_at: start.toISOString(),
      },
    ]);

    clock.advance(4 * DAY);
    expect(await engine.runDue()).toBe(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it('delivers only to the endpoints subscribed to the type; a second fan-out changes nothing', async () => {
    const paymentsOnly = await createEndpoint({ url: `${receiver.url}?to=payments`, enabled_events: ['payment.succeeded', 'payment.failed'] });
    const everything = await createEndpoint({ url: `${receiver.url}?to=all` });
    await createEndpoint({ url: `${receiver.url}?to=refunds`, enabled_events: ['refund.succeeded'] });
    const eventId = await emitEvent('payment.succeeded');
    await engine.runDue();
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/hooks?to=all', '/hooks?to=payments']);
    const deliveries = (await getEvent(eventId)).deliveries;
    expect(deliveries.map((d: { endpoint_id: string }) => d.endpoint_id).sort()).toEqual([paymentsOnly.id, everything.id].sort());

    // The fan-out job runs again (a retry after a lost finish): no second delivery.
    await h.repositories.jobs.schedule({ kind: FANOUT_JOB, key: `event:${eventId}`, merchantId, payload: { event_id: eventId }, runAt: clock.now() }, clock.now());
    expect(await engine.runDue()).toBe(1);
    expect(receiver.requests).toHaveLength(2);
    expect((await getEvent(eventId)).deliveries).toEqual(deliveries);

    await emitEvent('refund.succeeded');
    await engine.runDue();
    expect(receiver.requests.slice(2).map((r) => r.path).sort()).toEqual(['/hooks?to=all', '/hooks?to=refunds']);
  });

  it('retries through an outage (500, then refused) on schedule, and delivers exactly once after recovery', async () => {
    const endpoint = await createEndpoint();
    receiver.mode = { status: 500 };
    const eventId = await emitEvent('payment.failed');
    await engine.runDue();
    expect(receiver.requests).toHaveLength(1);
    let [delivery] = (await getEvent(eventId)).deliveries;
    expect(delivery).toMatchObject({ state: 'pending', attempts: 1, last_status: 500, last_error: 'HTTP 500', next_attempt_at: new Date(start.getTime() + MINUTE).toISOString() });

    // The endpoint goes down altogether: connections are refused.
    await receiver.stop();
    expect(await untilNextAttempt(eventId)).toBe(start.getTime() + MINUTE);
    expect(await engine.runDue()).toBe(1);
    [delivery] = (await getEvent(eventId)).deliveries;
    expect(delivery).toMatchObject({ state: 'pending', attempts: 2, last_status: null, last_error: 'connection refused' });
    expect(delivery.next_attempt_at).toBe(new Date(start.getTime() + 6 * MINUTE).toISOString());

    // Still down at the third attempt (30 minutes later comes the fourth).
    await untilNextAttempt(eventId);
    await engine.runDue();
    [delivery] = (await getEvent(eventId)).deliveries;
    expect(delivery).toMatchObject({ attempts: 3, last_error: 'connection refused', next_attempt_at: new Date(start.getTime() + 36 * MINUTE).toISOString() });

    // It comes back; the next attempt, on schedule, delivers.
    await receiver.start();
    receiver.mode = { status: 204 };
    const delivered = await untilNextAttempt(eventId);
    await engine.runDue();
    [delivery] = (await getEvent(eventId)).deliveries;
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 4, last_status: 204, last_error: null, next_attempt_at: null, delivered_at: new Date(delivered).toISOString() });

    expect(receiver.requests.map((r) => r.answered)).toEqual([500, 204]);
    const arrived = receiver.requests.filter((r) => r.answered === 204);
    expect(arrived).toHaveLength(1);
    expect(arrived[0]!.body).toBe(receiver.requests[0]!.body);
    expect(verifySwitchyardSignature(arrived[0]!.body, arrived[0]!.headers['switchyard-signature'] as string, endpoint.secret, nowSeconds())).toBe(true);

    // Nothing more, ever.
    clock.advance(5 * DAY);
    expect(await engine.runDue()).toBe(0);
    expect(receiver.requests).toHaveLength(2);

    // The secret is in no answer, log line or row.
    const everything = [JSON.stringify(await getEvent(eventId)), engineLogs.join('\n'), h.logs.join('\n'), await h.database.dump()].join('\n');
    expect(everything).not.toContain(endpoint.secret);
    expect(engineLogs.some((line) => line.includes('webhook.attempt_failed'))).toBe(true);
  });

  /** Runs every attempt of the event's one delivery, each when it falls due, until it is no longer pending. */
  async function attemptUntilSettled(eventId: string): Promise<number[]> {
    await engine.runDue();
    const attemptTimes = [clock.now().getTime()];
    for (;;) {
      const [delivery] = (await getEvent(eventId)).deliveries;
      if (delivery.state !== 'pending') return attemptTimes;
      attemptTimes.push(await untilNextAttempt(eventId));
      expect(await engine.runDue()).toBe(1);
    }
  }

  it('gives up after 3 days of failures and marks the delivery failed', async () => {
    await createEndpoint();
    receiver.mode = { status: 503 };
    const eventId = await emitEvent('payment.canceled');
    const attemptTimes = await attemptUntilSettled(eventId);
    const gaps = attemptTimes.slice(1).map((t, i) => (t - attemptTimes[i]!) / MINUTE);
    expect(gaps).toEqual([1, 5, 30, 120, 300, 600, 720, 720, 720, 720, 720]);
    expect(attemptTimes.at(-2)! - start.getTime()).toBeLessThan(3 * DAY);
    expect(attemptTimes.at(-1)! - start.getTime()).toBeGreaterThanOrEqual(3 * DAY);

    const [delivery] = (await getEvent(eventId)).deliveries;
    expect(delivery).toMatchObject({ state: 'failed', attempts: 12, last_status: 503, last_error: 'HTTP 503', next_attempt_at: null, delivered_at: null });
    expect(receiver.requests).toHaveLength(12);
    expect(engineLogs.some((line) => line.includes('webhook.delivery_failed'))).toBe(true);
    clock.advance(30 * DAY);
    expect(await engine.runDue()).toBe(0);
    expect(receiver.requests).toHaveLength(12);
  });

  it('does not follow a redirect: it is a failed attempt', async () => {
    const elsewhere = await startReceiver('/elsewhere');
    try {
      await createEndpoint();
      receiver.mode = { status: 302, location: elsewhere.url };
      const eventId = await emitEvent();
      await engine.runDue();
      expect((await getEvent(eventId)).deliveries[0]).toMatchObject({ state: 'pending', last_status: 302, last_error: 'HTTP 302' });
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('counts an endpoint that does not answer in time as a failed attempt', async () => {
    engine = jobs({ timeoutMs: 200 });
    await createEndpoint();
    receiver.mode = { hang: true };
    const eventId = await emitEvent();
    await engine.runDue();
    expect((await getEvent(eventId)).deliveries[0]).toMatchObject({ state: 'pending', attempts: 1, last_status: null, last_error: 'no answer within 200 ms' });
    await receiver.stop(); // drops the hanging connection
  });

  it('redelivers a delivered event afresh, to every endpoint or to one', async () => {
    const a = await createEndpoint({ url: `${receiver.url}?to=a` });
    const b = await createEndpoint({ url: `${receiver.url}?to=b` });
    const eventId = await emitEvent();
    await engine.runDue();
    expect(receiver.requests).toHaveLength(2);
    clock.advance(HOUR);

    const res = await h.request('POST', `/v1/events/${eventId}/redeliver`, { body: { endpoint_id: b.id } });
    expect(res.status).toBe(202);
    const started = await res.json();
    expect(started).toEqual({
      object: 'list',
      has_more: false,
      data: [expect.objectContaining({ endpoint_id: b.id, state: 'pending', attempts: 0, last_status: null, next_attempt_at: clock.now().toISOString(), delivered_at: null })],
    });
    await engine.runDue();
    expect(receiver.requests.slice(2).map((r) => r.path)).toEqual(['/hooks?to=b']);
    const again = receiver.requests[2]!;
    expect(again.body).toBe(receiver.requests[0]!.body);
    expect(again.headers['switchyard-signature']).toMatch(new RegExp(`^t=${nowSeconds()},`));
    expect(verifySwitchyardSignature(again.body, again.headers['switchyard-signature'] as string, b.secret, nowSeconds())).toBe(true);
    const deliveries = (await getEvent(eventId)).deliveries;
    expect(deliveries.find((d: { endpoint_id: string }) => d.endpoint_id === b.id)).toMatchObject({ state: 'delivered', attempts: 1, delivered_at: clock.now().toISOString() });
    expect(deliveries.find((d: { endpoint_id: string }) => d.endpoint_id === a.id)).toMatchObject({ state: 'delivered', delivered_at: start.toISOString() });

    // Without a body: every endpoint it went to.
    const all = await h.request('POST', `/v1/events/${eventId}/redeliver`);
    expect(all.status).toBe(202);
    expect((await all.json()).data.map((d: { endpoint_id: string }) => d.endpoint_id).sort()).toEqual([a.id, b.id].sort());
    await engine.runDue();
    expect(receiver.requests).toHaveLength(5);
  });

  it('redelivers a failed delivery with the whole retry schedule ahead', async () => {
    const endpoint = await createEndpoint();
    receiver.mode = { status: 500 };
    const eventId = await emitEvent();
    await attemptUntilSettled(eventId);
    expect((await getEvent(eventId)).deliveries[0]).toMatchObject({ state: 'failed', attempts: 12 });

    clock.advance(DAY);
    const res = await h.request('POST', `/v1/events/${eventId}/redeliver`, { body: { endpoint_id: endpoint.id } });
    expect((await res.json()).data).toEqual([expect.objectContaining({ state: 'pending', attempts: 0, last_error: null })]);
    await engine.runDue();
    expect((await getEvent(eventId)).deliveries[0]).toMatchObject({ state: 'pending', attempts: 1, last_status: 500 });
    receiver.mode = { status: 200 };
    await untilNextAttempt(eventId);
    await engine.runDue();
    expect((await getEvent(eventId)).deliveries[0]).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(receiver.requests).toHaveLength(14);
  });

  it('never lets an answer in flight overwrite a redelivery made meanwhile: the redelivery runs', async () => {
    let redeliverDuringNextCall: string | null = null;
    engine = jobs({
      fetch: async (input, init) => {
        const eventId = redeliverDuringNextCall;
        redeliverDuringNextCall = null;
        if (eventId) expect((await h.request('POST', `/v1/events/${eventId}/redeliver`)).status).toBe(202);
        const res = await fetch(input, init);
        if (eventId) receiver.mode = { status: 200 };
        return res;
      },
    });
    await createEndpoint();
    receiver.mode = { status: 500 };
    const eventId = await emitEvent();
    redeliverDuringNextCall = eventId;
    await engine.runDue();
    expect(receiver.requests.map((r) => r.answered)).toEqual([500, 200]);
    expect((await getEvent(eventId)).deliveries[0]).toMatchObject({ state: 'delivered', attempts: 1, last_status: 200 });
  });

  it('redelivers to endpoints created after the event', async () => {
    const eventId = await emitEvent();
    await engine.runDue();
    expect((await getEvent(eventId)).deliveries).toEqual([]);
    const empty = await h.request('POST', `/v1/events/${eventId}/redeliver`, { body: {} });
    expect(await empty.json()).toEqual({ object: 'list', data: [], has_more: false });

    const endpoint = await createEndpoint({ enabled_events: ['payment.succeeded'] });
    expect((await h.request('POST', `/v1/events/${eventId}/redeliver`, { body: {} })).status).toBe(202);
    await engine.runDue();
    expect(receiver.requests).toHaveLength(1);
    expect((await getEvent(eventId)).deliveries).toEqual([expect.objectContaining({ endpoint_id: endpoint.id, state: 'delivered' })]);
  });

  it('stops pending deliveries when the endpoint is deleted', async () => {
    const endpoint = await createEndpoint();
    receiver.mode = { status: 500 };
    const eventId = await emitEvent();
    await engine.runDue();
    expect(receiver.requests).toHaveLength(1);
    expect((await h.request('DELETE', `/v1/webhook_endpoints/${endpoint.id}`)).status).toBe(200);
    expect((await getEvent(eventId)).deliveries[0]).toMatchObject({ state: 'canceled', next_attempt_at: null, attempts: 1 });
    receiver.mode = { status: 200 };
    clock.advance(4 * DAY);
    await engine.runDue();
    expect(receiver.requests).toHaveLength(1);
    // Later events skip it; it cannot be named for a redelivery.
    const later = await emitEvent();
    await engine.runDue();
    expect(receiver.requests).toHaveLength(1);
    const res = await h.request('POST', `/v1/events/${later}/redeliver`, { body: { endpoint_id: endpoint.id } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'resource_missing', param: 'endpoint_id' });
  });

  it("keeps each merchant's events and endpoints apart", async () => {
    const mine = await createEndpoint({ url: `${receiver.url}?merchant=one` });
    const theirs = await createEndpoint({ url: `${receiver.url}?merchant=two` }, h.otherKey);
    const theirEvent = await emitEvent('payment.succeeded', { merchant: otherMerchantId });
    const myEvent = await emitEvent('payment.succeeded');
    await engine.runDue();
    expect(receiver.requests.map((r) => [r.path, JSON.parse(r.body).id]).sort()).toEqual(
      [
        ['/hooks?merchant=one', myEvent],
        ['/hooks?merchant=two', theirEvent],
      ].sort(),
    );

    const listed = await (await h.request('GET', '/v1/events')).json();
    expect(listed.data.map((e: { id: string }) => e.id)).toEqual([myEvent]);
    for (const res of [
      await h.request('GET', `/v1/events/${theirEvent}`),
      await h.request('POST', `/v1/events/${theirEvent}/redeliver`),
      await h.request('POST', `/v1/events/${myEvent}/redeliver`, { body: { endpoint_id: theirs.id } }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await getEvent(myEvent)).deliveries.map((d: { endpoint_id: string }) => d.endpoint_id)).toEqual([mine.id]);
    expect((await getEvent(theirEvent, h.otherKey)).deliveries.map((d: { endpoint_id: string }) => d.endpoint_id)).toEqual([theirs.id]);
    expect(receiver.requests).toHaveLength(2);
  });

  it('lists events newest first, by page, by type or family, and by payment', async () => {
    const created: string[] = [];
    const types: MerchantEventType[] = ['payment.requires_capture', 'payment.succeeded', 'refund.pending', 'refund.succeeded'];
    for (const type of types) {
      created.push(await emitEvent(type, { paymentId: type.startsWith('payment') ? 'pay_01AAAA' : 'pay_01BBBB' }));
      clock.advance(1000);
    }
    const ids = async (query: string) => {
      const res = await h.request('GET', `/v1/events${query}`);
      expect(res.status).toBe(200);
      const page = await res.json();
      return { ids: page.data.map((e: { id: string }) => e.id), has_more: page.has_more };
    };
    expect(await ids('')).toEqual({ ids: [...created].reverse(), has_more: false });
    expect(await ids('?limit=3')).toEqual({ ids: [created[3], created[2], created[1]], has_more: true });
    expect(await ids(`?limit=3&starting_after=${created[1]}`)).toEqual({ ids: [created[0]], has_more: false });
    expect(await ids('?type=payment.succeeded')).toEqual({ ids: [created[1]], has_more: false });
    expect(await ids('?type=refund.*')).toEqual({ ids: [created[3], created[2]], has_more: false });
    expect(await ids('?type=payment.*&payment_id=pay_01AAAA')).toEqual({ ids: [created[1], created[0]], has_more: false });
    expect(await ids('?payment_id=pay_01BBBB')).toEqual({ ids: [created[3], created[2]], has_more: false });
    const first = (await (await h.request('GET', '/v1/events?limit=1')).json()).data[0];
    expect(first).toEqual({ id: created[3], object: 'event', type: 'refund.succeeded', created_at: expect.any(String), data: { object: expect.objectContaining({ id: 'pay_01BBBB' }) } });

    for (const [query, param] of [
      ['?type=payment.exploded', 'type'],
      ['?type=reconciler.checked', 'type'],
      ['?type=*', 'type'],
      ['?payment_id=re_1', 'payment_id'],
      ['?limit=101', 'limit'],
      ['?starting_after=pay_1', 'starting_after'],
    ] as const) {
      const res = await h.request('GET', `/v1/events${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'invalid_parameter', param });
    }
    for (const path of ['/v1/events/evt_nothere', '/v1/events/evt_nothere/redeliver']) {
      const res = await h.request(path.endsWith('redeliver') ? 'POST' : 'GET', path);
      expect(res.status).toBe(404);
    }
    const bad = await h.request('POST', `/v1/events/${created[0]}/redeliver`, { body: { endpoint_id: 'pay_1' } });
    expect(await bad.json()).toMatchObject({ status: 400, code: 'invalid_field', param: 'endpoint_id' });
    const unknown = await h.request('POST', `/v1/events/${created[0]}/redeliver`, { body: { to: 'all' } });
    expect(await unknown.json()).toMatchObject({ status: 400, code: 'unknown_field', param: 'to' });
  });
});
