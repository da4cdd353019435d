import { SANDBOX_TEST_CARDS, type SandboxTestCard } from '../../../adapters/testkit/test-cards.js';
import { currencyExponent } from '../../domain/currency.js';
import { seededRandom } from '../../domain/random.js';

export const OUTAGE_PROVIDERS = ['stripe', 'adyen', 'braintree'] as const;

/** A gateway that refuses every connection from `startMs` after the run starts, for `durationMs`. */
export interface Outage {
  provider: (typeof OUTAGE_PROVIDERS)[number];
  startMs: number;
  durationMs: number;
}

export interface TrafficOptions {
  /** The router, e.g. http://127.0.0.1:8787. */
  url: string;
  /** The merchant's secret key. */
  key: string;
  durationMs: number;
  /** Payments per second on average over a day; the daily rhythm swings around it. */
  rate: number;
  /** How long one compressed day lasts. */
  dayMs: number;
  /** The standalone simulators' control endpoint, needed for outages. */
  controlUrl?: string;
  outages: Outage[];
  seed: number;
  /** Requests in flight at most. */
  concurrency: number;
  /** Told of each outage as it starts and ends. */
  onOutage?: (outage: Outage, phase: 'start' | 'end') => void;
}

export interface TrafficSummary {
  sent: number;
  /** By the status the create call answered (`http_<status>` when it answered no payment). */
  statuses: Record<string, number>;
  /** Payments by the provider that took them last (`none` when no gateway was reached). */
  providers: Record<string, number>;
  failures: Record<string, number>;
  currencies: Record<string, number>;
  latencyMs: { median: number; p95: number };
  outages: Outage[];
}

/** Currencies with their share of traffic and a typical basket in major units. */
const CURRENCIES: readonly { code: string; share: number; typical: number }[] = [
  { code: 'USD', share: 0.45, typical: 40 },
  { code: 'EUR', share: 0.25, typical: 35 },
  { code: 'GBP', share: 0.15, typical: 30 },
  { code: 'JPY', share: 0.05, typical: 4_000 },
  { code: 'CAD', share: 0.05, typical: 50 },
  { code: 'AUD', share: 0.05, typical: 50 },
];

/** What kind of card a shopper brings, and how often. */
const CARD_MIX: readonly { share: number; pick: (card: SandboxTestCard) => boolean }[] = [
  { share: 0.82, pick: (c) => c.outcome === 'approve' },
  { share: 0.05, pick: (c) => c.outcome === 'insufficient_funds' },
  { share: 0.04, pick: (c) => c.outcome === 'generic_decline' || c.outcome === 'expired_card' || c.outcome === 'incorrect_cvc' },
  { share: 0.02, pick: (c) => c.outcome === 'lost_card' || c.outcome === 'stolen_card' || c.outcome === 'fraudulent' },
  { share: 0.07, pick: (c) => c.outcome === 'three_d_secure' },
];

/**
 * Sandbox traffic: payments arrive as a Poisson process whose rate follows a day compressed into
 * `dayMs` (quietest at 4 am, busiest at 4 pm), with mixed test cards (approvals, declines,
 * 3-D Secure), currencies and amounts; outages are injected through the simulators' control endpoint.
 */
export async function runTraffic(options: TrafficOptions): Promise<TrafficSummary> {
  if (options.outages.length > 0 && !options.controlUrl) throw new Error('an outage needs the simulators control endpoint (--control or SWITCHYARD_SIMULATORS_CONTROL_URL)');
  const random = seededRandom(options.seed);
  const summary: TrafficSummary = { sent: 0, statuses: {}, providers: {}, failures: {}, currencies: {}, latencyMs: { median: 0, p95: 0 }, outages: options.outages };
  const latencies: number[] = [];
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  const outages = options.outages.map((outage) => scheduleOutage(outage, options));

  try {
    let at = 0;
    for (;;) {
      // Thinning: candidate arrivals at the peak rate, each kept with the rhythm's share of it.
      at += exponential(random, options.rate * PEAK_FACTOR) * 1000;
      if (at >= options.durationMs) break;
      if (random() > rhythm(at, options.dayMs) / PEAK_FACTOR) continue;
      const wait = started + at - Date.now();
      if (wait > 0) await sleep(wait);
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      const request = pay(options, randomPayment(random), summary, latencies).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await Promise.all(inFlight);
  } finally {
    await Promise.all(outages.map((outage) => outage.cancel()));
  }
  latencies.sort((a, b) => a - b);
  summary.latencyMs = { median: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) };
  return summary;
}

/** The daily rhythm's highest value: the rate at the evening peak is this many times the day's average. */
const PEAK_FACTOR = 1.8;

/** Traffic relative to the day's average at `atMs` into the run (which starts at midnight): quietest at 4 am, busiest at 4 pm. */
export function rhythm(atMs: number, dayMs: number): number {
  const hour = ((atMs / dayMs) * 24) % 24;
  return 1 + (PEAK_FACTOR - 1) * Math.cos(((hour - 16) / 24) * 2 * Math.PI);
}

function randomPayment(random: () => number) {
  const currency = weighted(random, CURRENCIES, (c) => c.share);
  const exponent = currencyExponent(currency.code) ?? 2;
  // Log-normal baskets around the typical one: many small, a few large.
  const major = currency.typical * Math.exp(0.8 * normal(random));
  const amount = Math.max(1, Math.round(major * 10 ** exponent));
  const kind = weighted(random, CARD_MIX, (k) => k.share);
  const cards = SANDBOX_TEST_CARDS.filter(kind.pick);
  const card = cards[Math.floor(random() * cards.length)]!;
  return {
    amount,
    currency: currency.code,
    capture_method: random() < 0.15 ? 'manual' : 'automatic',
    payment_method: { type: 'card', card: { number: card.number, exp_month: 12, exp_year: 2030, cvc: card.brand === 'amex' ? '1234' : '123' } },
    ...(card.outcome === 'three_d_secure' ? { return_url: 'https://shop.example/return' } : {}),
  };
}

async function pay(options: TrafficOptions, body: ReturnType<typeof randomPayment>, summary: TrafficSummary, latencies: number[]): Promise<void> {
  const started = performance.now();
  summary.sent++;
  count(summary.currencies, body.currency);
  try {
    const res = await fetch(`${options.url}/v1/payments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${options.key}`, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { status?: string; gateway?: { provider?: string } | null; failure?: { code?: string } | null };
    latencies.push(performance.now() - started);
    if (res.status !== 201 || !answer.status) {
      count(summary.statuses, `http_${res.status}`);
      return;
    }
    count(summary.statuses, answer.status);
    count(summary.providers, answer.gateway?.provider ?? 'none');
    if (answer.failure?.code) count(summary.failures, answer.failure.code);
  } catch {
    count(summary.statuses, 'unreachable');
  }
}

function scheduleOutage(outage: Outage, options: TrafficOptions): { cancel(): Promise<void> } {
  const control = `${options.controlUrl}/${outage.provider}/fault`;
  let phase: 'waiting' | 'on' | 'over' = 'waiting';
  const send = (method: 'PUT' | 'DELETE') =>
    fetch(control, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'PUT' ? JSON.stringify({ fault: { kind: 'refuse_connections' } }) : undefined }).then((res) => {
      if (!res.ok) throw new Error(`the simulators control endpoint answered ${res.status} to ${method} ${control}`);
    });
  let ending: Promise<void> = Promise.resolve();
  const end = () => {
    if (phase !== 'on') return;
    phase = 'over';
    ending = send('DELETE').then(() => options.onOutage?.(outage, 'end'));
  };
  let endTimer: ReturnType<typeof setTimeout> | undefined;
  const startTimer = setTimeout(() => {
    phase = 'on';
    void send('PUT').then(() => options.onOutage?.(outage, 'start'));
    endTimer = setTimeout(end, outage.durationMs);
  }, outage.startMs);
  return {
    async cancel() {
      clearTimeout(startTimer);
      clearTimeout(endTimer);
      // An outage still on when the run ends is ended: the gateway is never left refusing.
      end();
      await ending;
    },
  };
}

/** `90s`, `2m`, `500ms`, `1h` or bare seconds, in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text} (e.g. 30s, 5m, 500ms)`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

/** `<provider>:<start>:<duration>`, e.g. `stripe:30s:20s`. */
export function parseOutage(text: string): Outage {
  const [provider, start, duration, ...rest] = text.split(':');
  if (!provider || start === undefined || duration === undefined || rest.length > 0) throw new Error(`an outage is <provider>:<start>:<duration>, e.g. stripe:30s:20s, got ${text}`);
  if (!(OUTAGE_PROVIDERS as readonly string[]).includes(provider)) throw new Error(`outage provider must be one of ${OUTAGE_PROVIDERS.join(', ')}, got ${provider}`);
  return { provider: provider as Outage['provider'], startMs: parseDuration(start), durationMs: parseDuration(duration) };
}

function weighted<T>(random: () => number, items: readonly T[], weight: (item: T) => number): T {
  let draw = random() * items.reduce((sum, item) => sum + weight(item), 0);
  for (const item of items) {
    draw -= weight(item);
    if (draw < 0) return item;
  }
  return items[items.length - 1]!;
}

function exponential(random: () => number, rate: number): number {
  return -Math.log(1 - random()) / rate;
}

/** A standard normal draw (Box–Muller). */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
}

function count(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
