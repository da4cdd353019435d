import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/runtime/node/sandbox.js';
import { startStandaloneSimulators, type StandaloneSimulators } from '../../src/runtime/node/simulators.js';
import { parseDuration, parseOutage, rhythm, runTraffic } from '../../src/runtime/node/traffic.js';
import { captureLogger } from '../support/capture-logger.js';
import { SECRETS_KEY } from '../support/harness.js';
import { fixedKey } from '../support/keys.js';

describe('traffic options', () => {
  it('reads outages as <provider>:<start>:<duration>', () => {
    expect(parseOutage('stripe:30s:1m')).toEqual({ provider: 'stripe', startMs: 30_000, durationMs: 60_000 });
    expect(parseOutage('adyen:500ms:2')).toEqual({ provider: 'adyen', startMs: 500, durationMs: 2_000 });
  });

  it.each(['stripe', 'stripe:30s', 'paypal:1s:1s', 'stripe:soon:1s', 'stripe:1s:1s:1s', `stripe:${'9'.repeat(400)}x:1s`, ''])('refuses the outage %j', (text) => {
    expect(() => parseOutage(text)).toThrow();
  });

  it('refuses a duration without a number', () => {
    expect(() => parseDuration('-5s')).toThrow();
    expect(() => parseDuration('5 days')).toThrow();
  });

  it('follows a day: quietest at 4 am, busiest at 4 pm, the average over the day', () => {
    const day = 24_000;
    const hours = Array.from({ length: 24 }, (_, h) => rhythm(h * 1000, day));
    expect(hours.indexOf(Math.min(...hours))).toBe(4);
    expect(hours.indexOf(Math.max(...hours))).toBe(16);
    expect(hours.reduce((a, b) => a + b, 0) / 24).toBeCloseTo(1, 6);
  });
});

describe('npm run traffic against a sandbox on the standalone simulators', () => {
  let simulators: StandaloneSimulators;
  let sandbox: Sandbox;
  beforeAll(async () => {
    simulators = await startStandaloneSimulators({ ports: { control: 0, stripe: 0, adyen: 0, braintree: 0 } });
    sandbox = await startSandbox({
      host: '127.0.0.1',
      port: 0,
      sandboxKey: fixedKey('trafficTests'),
      secretsKey: SECRETS_KEY,
      fingerprintSecret: 'fp',
      gatewayTimeoutMs: 10_000,
      routingRulesDir: 'routing-rules',
      routingSeed: 7,
      logger: captureLogger().logger,
      rateLimit: { perSecond: 1, burst: 1_000_000 },
      gateways: 'env',
      simulatorsControlUrl: simulators.controlUrl,
    });
  });
  afterAll(async () => {
    await sandbox?.close();
    await simulators?.close();
  });

  it('sends mixed payments, keeps a gateway down for its outage, and ends the outage', async () => {
    const phases: string[] = [];
    const summary = await runTraffic({
      url: sandbox.url,
      key: sandbox.apiKey,
      durationMs: 3_000,
      rate: 8,
      dayMs: 3_000,
      controlUrl: simulators.controlUrl,
      outages: [{ provider: 'stripe', startMs: 0, durationMs: 60_000 }],
      seed: 3,
      concurrency: 4,
      onOutage: (outage, phase) => phases.push(`${outage.provider} ${phase}`),
    });
    expect(summary.sent).toBeGreaterThan(5);
    expect(Object.values(summary.statuses).reduce((a, b) => a + b, 0)).toBe(summary.sent);
    expect(summary.statuses.succeeded).toBeGreaterThan(0);
    expect(Object.keys(summary.currencies).length).toBeGreaterThan(1);
    // Stripe refused every connection: its payments went to the other gateways.
    expect(summary.providers.stripe).toBeUndefined();
    // The run ended the outage it started.
    expect(phases).toEqual(['stripe start', 'stripe end']);
    const after = await fetch(`${sandbox.url}/v1/payments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandbox.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: 1000, currency: 'USD', payment_method: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' } }, routing: { gateways: ['stripe'] } }),
    });
    expect((await after.json()).gateway.provider).toBe('stripe');
  });

  it('refuses an outage without the control endpoint, before sending anything', async () => {
    await expect(runTraffic({ url: sandbox.url, key: sandbox.apiKey, durationMs: 1_000, rate: 5, dayMs: 1_000, outages: [parseOutage('adyen:0s:1s')], seed: 1, concurrency: 1 })).rejects.toThrow(/control endpoint/);
  });
});
