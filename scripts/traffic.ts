/**
 * `npm run traffic`: realistic sandbox traffic against a running router (see README "Monitoring").
 *   npm run traffic -- --key sk_test_… [--url http://127.0.0.1:8787] [--duration 10m] [--rate 5]
 *     [--day 10m] [--outage stripe:2m:1m]… [--control http://127.0.0.1:12110] [--seed 1] [--concurrency 16]
 * The key may come from SWITCHYARD_TRAFFIC_KEY or SWITCHYARD_SANDBOX_KEY instead.
 */
import { parseArgs } from 'node:util';
import { parseDuration, parseOutage, runTraffic } from '../src/runtime/node/traffic.js';

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${text}`);
  return value;
}

try {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: process.env.SWITCHYARD_URL ?? 'http://127.0.0.1:8787' },
      key: { type: 'string' },
      duration: { type: 'string', default: '10m' },
      rate: { type: 'string', default: '5' },
      day: { type: 'string', default: '10m' },
      outage: { type: 'string', multiple: true, default: [] },
      control: { type: 'string', default: process.env.SWITCHYARD_SIMULATORS_CONTROL_URL },
      seed: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '16' },
    },
  });
  const key = values.key ?? process.env.SWITCHYARD_TRAFFIC_KEY ?? process.env.SWITCHYARD_SANDBOX_KEY;
  if (!key) throw new Error('the demo merchant key is needed: --key sk_test_…, or SWITCHYARD_TRAFFIC_KEY');
  const outages = values.outage.map(parseOutage);
  const options = {
    url: values.url.replace(/\/$/, ''),
    key,
    durationMs: parseDuration(values.duration),
    rate: positive('rate', values.rate),
    dayMs: parseDuration(values.day),
    controlUrl: values.control?.replace(/\/$/, ''),
    outages,
    seed: Math.floor(positive('seed', values.seed)),
    concurrency: Math.floor(positive('concurrency', values.concurrency)),
    onOutage: (outage: { provider: string }, phase: string) => process.stderr.write(`outage of ${outage.provider}: ${phase}\n`),
  };
  process.stderr.write(`sending ${options.rate}/s on average for ${values.duration} (a day every ${values.day}) to ${options.url}\n`);
  const summary = await runTraffic(options);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} catch (error) {
  process.stderr.write(`traffic: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
