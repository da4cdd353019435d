import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import parsePrometheus from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, keyHint, SCOPES, type Scope } from '../../src/domain/api-keys.js';
import { systemClock } from '../../src/domain/clock.js';
import { startSandbox, type Sandbox } from '../../src/runtime/node/sandbox.js';
import { captureLogger } from '../support/capture-logger.js';
import { SECRETS_KEY } from '../support/harness.js';
import { fixedKey } from '../support/keys.js';
import { signIn } from '../support/operators.js';
import { until } from '../support/until.js';

const PAN = '4111111111111111';
const DECLINED_PAN = '4000000000000002';
const CVC = '987';

describe('monitoring: /metrics and traces', () => {
  let sandbox: Sandbox;
  const spans = new InMemorySpanExporter();
  beforeAll(async () => {
    sandbox = await startSandbox({
      host: '127.0.0.1',
      port: 0,
      sandboxKey: fixedKey('monitoringTests'),
      secretsKey: SECRETS_KEY,
      fingerprintSecret: 'fp',
      gatewayTimeoutMs: 10_000,
      routingRulesDir: 'routing-rules',
      routingSeed: 7,
      logger: captureLogger().logger,
      rateLimit: { perSecond: 1, burst: 1_000_000 },
      traceExporter: spans,
    });
  });
  afterAll(() => sandbox?.close());

  const metrics = (authorization: string | null) => fetch(`${sandbox.url}/metrics`, { headers: authorization ? { Authorization: authorization } : {} });

  async function scrape(): Promise<string> {
    const res = await metrics(`Bearer ${sandbox.apiKey}`);
    expect(res.status).toBe(200);
    return res.text();
  }

  /** The sum of the samples named `name` (a histogram's `_count`, say) whose labels include `labels`. */
  function total(text: string, name: string, labels: Record<string, string> = {}): number {
    let sum = 0;
    for (const line of text.split('\n')) {
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!sample || sample[1] !== name) continue;
      const found = Object.fromEntries([...(sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
      if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum += Number(sample[3]);
    }
    return sum;
  }

  async function pay(number: string, headers: Record<string, string> = {}, amount = 2500) {
    return fetch(`${sandbox.url}/v1/payments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandbox.apiKey}`, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ amount, currency: 'USD', payment_method: { type: 'card', card: { number, exp_month: 12, exp_year: 2030, cvc: CVC } } }),
    });
  }

  async function keyWith(scopes: Scope[]): Promise<string> {
    const key = generateApiKey('test');
    await sandbox.repositories.merchants.addApiKey({ merchantId: sandbox.merchantId, keyHash: await hashApiKey(key), hint: keyHint(key), label: 'metrics', scopes });
    return key;
  }

  it('answers only a signed-in operator or a key with metrics:read', async () => {
    const anonymous = await metrics(null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
    const garbage = await metrics(`Bearer ${'x'.repeat(5000)}`);
    expect(garbage.status).toBe(401);
    const unscoped = await metrics(`Bearer ${await keyWith(SCOPES.filter((s) => s !== 'metrics:read'))}`);
    expect(unscoped.status).toBe(403);
    expect(await unscoped.json()).toMatchObject({ code: 'insufficient_scope', required_scope: 'metrics:read' });

    const operator = await metrics(`Bearer ${await signIn(sandbox.url, sandbox.operator, systemClock)}`);
    expect(operator.status).toBe(200);
    const scoped = await metrics(`Bearer ${await keyWith(['metrics:read'])}`);
    expect(scoped.status).toBe(200);
    expect(scoped.headers.get('content-type')).toContain('text/plain');
  });

  it('is valid Prometheus text exposition: every family typed and described, every sample a number', async () => {
    await pay(PAN);
    const text = await scrape();
    const families = parsePrometheus(text);
    for (const family of families) {
      expect(family.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      expect(family.type).not.toBe('UNTYPED');
      expect(family.help.length).toBeGreaterThan(0);
      for (const sample of family.metrics) {
        for (const value of [sample.value, sample.count, sample.sum, ...Object.values(sample.buckets ?? {})]) {
          if (value !== undefined) expect(Number.isNaN(Number(value)) && value !== 'NaN').toBe(false);
        }
      }
    }
    const names = families.map((f) => f.name);
    for (const name of [
      'switchyard_payments_total',
      'switchyard_attempts_total',
      'switchyard_gateway_call_duration_seconds',
      'switchyard_breaker_open',
      'switchyard_learner_success_estimate',
      'switchyard_jobs',
      'switchyard_job_oldest_overdue_seconds',
      'switchyard_idempotency_conflicts_total',
      'switchyard_http_requests_total',
      'process_cpu_seconds_total',
    ]) {
      expect(names).toContain(name);
    }
    expect(text).not.toContain(PAN);
    expect(text).not.toContain('pay_');
  });

  it('moves with real payments: statuses, attempt outcomes and decline reasons, gateway latency, idempotency conflicts', async () => {
    const before = await scrape();
    const approved = await pay(PAN);
    expect((await approved.json()).status).toBe('succeeded');
    const declined = await (await pay(DECLINED_PAN)).json();
    expect(declined.status).toBe('failed');
    const headers = { 'Idempotency-Key': `metrics-${Math.random()}` };
    expect((await pay(PAN, headers)).status).toBe(201);
    expect((await pay(PAN, headers)).headers.get('idempotent-replayed')).toBe('true');
    expect((await pay(PAN, headers, 3000)).status).toBe(422);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string> = {}) => total(after, name, labels) - total(before, name, labels);
    expect(delta('switchyard_payments_total', { status: 'succeeded' })).toBe(2);
    expect(delta('switchyard_payments_total', { status: 'failed' })).toBe(1);
    expect(delta('switchyard_attempts_total', { outcome: 'approved', segment: 'visa_under_100' })).toBe(2);
    expect(delta('switchyard_attempts_total', { outcome: 'declined', reason: 'generic_decline' })).toBeGreaterThanOrEqual(1);
    expect(delta('switchyard_gateway_call_duration_seconds_count', { operation: 'authorize' })).toBeGreaterThanOrEqual(3);
    expect(delta('switchyard_idempotency_conflicts_total', { code: 'idempotency_key_reused' })).toBe(1);
    expect(delta('switchyard_idempotency_replays_total')).toBe(1);
    const estimates = parsePrometheus(after).find((f) => f.name === 'switchyard_learner_success_estimate')!.metrics;
    expect(estimates.some((m) => m.labels?.segment === 'visa_under_100' && Number(m.value) > 0)).toBe(true);
    const breakers = parsePrometheus(after).find((f) => f.name === 'switchyard_breaker_open')!.metrics;
    expect(breakers.some((m) => m.labels?.state === 'closed' && m.value === '1')).toBe(true);
  });

  it('traces a payment from the API through the decision and the gateway call to the store, with no card data', async () => {
    spans.reset();
    const payment = await (await pay(PAN)).json();
    let trace: ReadableSpan[] = [];
    await until(() => {
      const root = spans.getFinishedSpans().find((s) => s.name === 'POST /v1/payments');
      trace = root ? spans.getFinishedSpans().filter((s) => s.spanContext().traceId === root.spanContext().traceId) : [];
      return root !== undefined;
    });
    const names = trace.map((s) => s.name);
    expect(names).toContain('routing.decide');
    expect(names).toContain('gateway.authorize');
    expect(names).toContain('store.transaction');
    expect(names.some((n) => n.startsWith('store.paymentWrites.'))).toBe(true);
    const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
    const gateway = trace.find((s) => s.name === 'gateway.authorize')!;
    expect(gateway.attributes).toMatchObject({ 'switchyard.gateway.operation': 'authorize', 'switchyard.outcome': 'approved' });
    // Its ancestors lead to the request's span.
    let ancestor: ReadableSpan | undefined = gateway;
    while (ancestor?.parentSpanContext) ancestor = byId.get(ancestor.parentSpanContext.spanId);
    expect(ancestor?.name).toBe('POST /v1/payments');
    expect(ancestor?.attributes).toMatchObject({ 'http.route': '/v1/payments', 'http.response.status_code': 201 });

    const recorded = JSON.stringify(trace.map((s) => [s.name, s.attributes, s.events]));
    expect(recorded).not.toContain(PAN);
    expect(recorded).not.toContain(PAN.slice(0, 6));
    // As a value of its own: ids are random and may hold the same three digits.
    expect(recorded).not.toMatch(new RegExp(`(?<![0-9A-Z])${CVC}(?![0-9A-Z])`));
    expect(recorded).not.toContain(payment.id.slice(4));
  });
});
