import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock, type ManualClock } from '../support/clock.js';
import { DRIVERS } from '../support/databases.js';
import { CARDS, startHarness, type Harness } from '../support/harness.js';

const DAY = 86_400_000;
const START = new Date('2027-01-31T10:00:00.000Z');

/**
 * Recurring billing through the API, with the Stripe simulator over HTTP and a clock the test
 * moves: renewals, trials, cancellation and dunning run as the job engine runs them.
 */
describe.each(DRIVERS)('recurring billing on %s', (driver) => {
  let h: Harness;
  let clock: ManualClock;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await h.request(method, path, body === undefined ? {} : { body });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  };
  async function later(ms: number) {
    clock.advance(ms);
    await h.jobs.runDue();
  }
  async function until(at: Date) {
    clock.set(at);
    await h.jobs.runDue();
  }
  async function customerWithCard(number: string = CARDS.visa) {
    const pm = await api('POST', '/v1/payment_methods', { type: 'card', card: { number, exp_month: 12, exp_year: 2035 } });
    const customer = await api('POST', '/v1/customers', { email: 'sub@example.com', payment_method: pm.body.id });
    return { customer: customer.body.id as string, card: pm.body.id as string };
  }
  async function plan(overrides: Record<string, unknown> = {}) {
    const created = await api('POST', '/v1/plans', { name: 'Pro', amount: 990, currency: 'USD', interval: 'month', ...overrides });
    expect(created.status).toBe(201);
    return created.body;
  }
  async function subscribe(overrides: Record<string, unknown> = {}, planOverrides: Record<string, unknown> = {}, card: string = CARDS.visa) {
    const { customer } = await customerWithCard(card);
    const p = await plan(planOverrides);
    const created = await api('POST', '/v1/subscriptions', { customer, plan: p.id, ...overrides });
    expect(created.status).toBe(201);
    return created.body;
  }
  const invoices = async (subscription: string) => (await api('GET', `/v1/subscriptions/${subscription}/invoices?limit=100`)).body.data.reverse();
  const get = async (subscription: string) => (await api('GET', `/v1/subscriptions/${subscription}`)).body;

  beforeAll(async () => {
    clock = manualClock(START);
    h = await startHarness(driver, { clock });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    clock.set(START);
    h.stripe.setApprovalRates([]);
    await h.reset();
  });

  it('charges the first invoice at once, then renews on the anchor day: Jan 31, Feb 28, Mar 31, Apr 30', async () => {
    const sub = await subscribe();
    expect(sub).toMatchObject({ status: 'active', current_period_start: '2027-01-31T10:00:00.000Z', current_period_end: '2027-02-28T10:00:00.000Z' });
    expect(h.stripe.ledger.charges()).toBe(1);

    await until(new Date('2027-02-28T10:00:00.000Z'));
    await until(new Date('2027-03-31T10:00:00.000Z'));
    expect(await get(sub.id)).toMatchObject({ status: 'active', current_period_start: '2027-03-31T10:00:00.000Z', current_period_end: '2027-04-30T10:00:00.000Z' });
    // Running again at the same moment changes nothing: one invoice and one charge per period.
    await h.jobs.runDue();
    const all = await invoices(sub.id);
    expect(all.map((i: { period_start: string; status: string }) => [i.period_start, i.status])).toEqual([
      ['2027-01-31T10:00:00.000Z', 'paid'],
      ['2027-02-28T10:00:00.000Z', 'paid'],
      ['2027-03-31T10:00:00.000Z', 'paid'],
    ]);
    expect(h.stripe.ledger.charges()).toBe(3);

    // The first charge is the customer's (it keeps the network transaction id); renewals are merchant-initiated.
    const initiators = [];
    for (const invoice of all) initiators.push((await api('GET', `/v1/payments/${invoice.payments[0]}`)).body);
    expect(initiators.map((p) => [p.status, p.amount])).toEqual([['succeeded', 990], ['succeeded', 990], ['succeeded', 990]]);
    const rows = await Promise.all(all.map(async (i: { payments: string[] }) => (await h.repositories.payments.byId(i.payments[0]!))!.payment.initiator));
    expect(rows).toEqual(['customer', 'merchant', 'merchant']);

    const events = (await api('GET', '/v1/events?limit=100')).body.data.map((e: { type: string }) => e.type);
    expect(events.filter((t: string) => t.startsWith('invoice.') || t.startsWith('subscription.')).reverse()).toEqual([
      'subscription.created', 'invoice.created', 'invoice.paid',
      'invoice.created', 'invoice.paid',
      'invoice.created', 'invoice.paid',
    ]);
  });

  it('catches up every period missed while nothing ran, one invoice each', async () => {
    const sub = await subscribe({}, { interval: 'week', interval_count: 2 });
    expect(sub.current_period_end).toBe(new Date(START.getTime() + 14 * DAY).toISOString());
    await until(new Date(START.getTime() + 43 * DAY));
    expect((await invoices(sub.id)).map((i: { status: string }) => i.status)).toEqual(['paid', 'paid', 'paid', 'paid']);
    expect((await get(sub.id)).current_period_end).toBe(new Date(START.getTime() + 56 * DAY).toISOString());
    expect(h.stripe.ledger.charges()).toBe(4);
  });

  it('a trial charges nothing until it ends, then the first charge is customer-initiated', async () => {
    const sub = await subscribe({}, { trial_days: 14 });
    expect(sub).toMatchObject({ status: 'trialing', trial_end: '2027-02-14T10:00:00.000Z', current_period_end: '2027-02-14T10:00:00.000Z' });
    expect(await invoices(sub.id)).toEqual([]);
    await later(13 * DAY);
    expect(h.stripe.ledger.charges()).toBe(0);
    await later(DAY);
    expect(await get(sub.id)).toMatchObject({ status: 'active', billing_anchor: '2027-02-14T10:00:00.000Z', current_period_end: '2027-03-14T10:00:00.000Z' });
    const [first] = await invoices(sub.id);
    expect(first).toMatchObject({ status: 'paid', attempt_count: 1 });
    expect((await h.repositories.payments.byId(first.payments[0]))!.payment.initiator).toBe('customer');
    expect(h.stripe.ledger.charges()).toBe(1);
  });

  it('cancel at period end renews no more; cancel now ends it at once', async () => {
    const atEnd = await subscribe();
    const marked = await api('POST', `/v1/subscriptions/${atEnd.id}/cancel`, { at_period_end: true });
    expect(marked).toMatchObject({ status: 200, body: { status: 'active', cancel_at_period_end: true, ended_at: null } });
    const now = await subscribe({}, {}, CARDS.mastercard);
    const canceled = await api('POST', `/v1/subscriptions/${now.id}/cancel`);
    expect(canceled.body).toMatchObject({ status: 'canceled', ended_at: START.toISOString() });
    expect(h.stripe.ledger.charges()).toBe(2);

    await until(new Date('2027-03-31T10:00:00.000Z'));
    expect(await get(atEnd.id)).toMatchObject({ status: 'canceled', ended_at: '2027-02-28T10:00:00.000Z' });
    expect(await invoices(atEnd.id)).toHaveLength(1);
    expect(await invoices(now.id)).toHaveLength(1);
    expect(h.stripe.ledger.charges()).toBe(2);
  });

  it('a declined renewal is past_due and retried on the schedule; a soft decline then paid makes it active again', async () => {
    const sub = await subscribe({}, { retry_days: [1, 3] });
    h.stripe.setApprovalRates([{ rate: 0 }]);
    await until(new Date('2027-02-28T10:00:00.000Z'));
    let [, renewal] = await invoices(sub.id);
    expect(renewal).toMatchObject({ status: 'open', attempt_count: 1, last_failure_code: 'do_not_honor', next_payment_attempt: '2027-03-01T10:00:00.000Z' });
    expect((await get(sub.id)).status).toBe('past_due');

    await later(DAY);
    [, renewal] = await invoices(sub.id);
    expect(renewal).toMatchObject({ status: 'open', attempt_count: 2, next_payment_attempt: '2027-03-03T10:00:00.000Z' });
    h.stripe.setApprovalRates([]);
    await later(DAY);
    expect((await invoices(sub.id))[1].attempt_count).toBe(2);
    await later(DAY);
    [, renewal] = await invoices(sub.id);
    expect(renewal).toMatchObject({ status: 'paid', attempt_count: 3, next_payment_attempt: null });
    expect(new Set(renewal.payments).size).toBe(3);
    expect(await get(sub.id)).toMatchObject({ status: 'active' });
    expect(h.stripe.ledger.charges()).toBe(2);
  });

  it('gives up after the last retry: uncollectible, and the subscription unpaid renews no more', async () => {
    const sub = await subscribe({}, { retry_days: [1] });
    h.stripe.setApprovalRates([{ rate: 0 }]);
    await until(new Date('2027-02-28T10:00:00.000Z'));
    await later(DAY);
    expect((await invoices(sub.id))[1]).toMatchObject({ status: 'uncollectible', attempt_count: 2, next_payment_attempt: null });
    expect((await get(sub.id)).status).toBe('unpaid');
    await until(new Date('2027-04-30T10:00:00.000Z'));
    expect(await invoices(sub.id)).toHaveLength(2);
  });

  it('a hard decline stops at once (a card reported lost since): uncollectible, and canceled when the plan says so', async () => {
    const sub = await subscribe({}, { on_uncollectible: 'canceled' });
    h.hooks.beforeAuthorize = (request) => (request.method.type === 'card' ? { ...request, method: { ...request.method, card: { ...request.method.card, number: CARDS.lost } } } : request);
    await until(new Date('2027-02-28T10:00:00.000Z'));
    const [, renewal] = await invoices(sub.id);
    expect(renewal).toMatchObject({ status: 'uncollectible', attempt_count: 1, last_failure_code: 'lost_or_stolen', next_payment_attempt: null });
    expect(await get(sub.id)).toMatchObject({ status: 'canceled', ended_at: '2027-02-28T10:00:00.000Z' });
    const requests = h.stripe.ledger.requestCount('/v1/payment_intents');
    await later(10 * DAY);
    expect(h.stripe.ledger.requestCount('/v1/payment_intents')).toBe(requests);
  });

  it("respects the router's network retry guard: a card a network said never to retry (Mastercard 03) is not tried again", async () => {
    const sub = await subscribe();
    const [first] = await invoices(sub.id);
    const payment = (await h.repositories.payments.byId(first.payments[0]))!.payment;
    // What the router records when any gateway answers Mastercard merchant advice code 03.
    await h.repositories.cards.block(payment.cardNetworkKey!, 'mastercard_advice_03');
    const requests = h.stripe.ledger.requestCount();
    await until(new Date('2027-02-28T10:00:00.000Z'));
    const [, renewal] = await invoices(sub.id);
    expect(renewal).toMatchObject({ status: 'uncollectible', attempt_count: 1, last_failure_code: 'card_do_not_retry' });
    expect(await get(sub.id)).toMatchObject({ status: 'unpaid' });
    expect(h.stripe.ledger.requestCount()).toBe(requests);
  });

  it('lists and retrieves plans, subscriptions and invoices, each merchant only its own', async () => {
    const sub = await subscribe();
    const [invoice] = await invoices(sub.id);
    expect((await api('GET', `/v1/invoices/${invoice.id}`)).body).toMatchObject({ id: invoice.id, subscription: sub.id, amount: 990, currency: 'USD' });
    expect((await api('GET', `/v1/invoices?subscription=${sub.id}`)).body.data).toHaveLength(1);
    expect((await api('GET', `/v1/subscriptions?customer=${sub.customer}`)).body.data.map((s: { id: string }) => s.id)).toEqual([sub.id]);
    const archived = await api('POST', `/v1/plans/${sub.plan}/archive`);
    expect(archived.body).toMatchObject({ archived: true, retry_days: [1, 3, 5, 7] });
    expect((await api('GET', '/v1/plans')).body.data).toEqual([]);
    expect((await api('GET', '/v1/plans?archived=true')).body.data).toHaveLength(1);
    const again = await api('POST', '/v1/subscriptions', { customer: sub.customer, plan: sub.plan });
    expect(again).toMatchObject({ status: 400, body: { code: 'plan_archived', param: 'plan' } });

    const other = (path: string) => h.request('GET', path, { key: h.otherKey });
    for (const path of [`/v1/subscriptions/${sub.id}`, `/v1/invoices/${invoice.id}`, `/v1/plans/${sub.plan}`, `/v1/subscriptions/${sub.id}/invoices`]) {
      expect((await other(path)).status).toBe(404);
    }
  });
});
