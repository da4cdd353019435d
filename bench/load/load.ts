import autocannon from 'autocannon';
import { paymentRequest, visaNumber } from './payment-request.js';
import { sampleRss } from './rss.js';

export interface LoadRun {
  /** From the first request sent to the last answer received, seconds (autocannon's own start and stop excluded). */
  seconds: number;
  /** Responses received, of any status. */
  responses: number;
  created: number;
  /** 201 answers whose payment was not `succeeded`. */
  notSucceeded: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Latency of every response, ms. */
  latencies: number[];
  /** RSS samples of the target process during the run, MiB. */
  rssMiB: number[];
  /** A few answers that were not a 201 with a succeeded payment, for the report. */
  samples: string[];
}

let cardCounter = 1;
const runTag = `${process.pid}-${Date.now().toString(36)}`;

/**
 * Drives `POST /v1/payments` with `connections` concurrent connections: exactly `amount`
 * requests (the run ends when every answer is in, so the simulator's ledger can be compared),
 * or for `duration` seconds (a warm-up). Each request has a new card and Idempotency-Key.
 */
export async function runLoad(options: { url: string; apiKey: string; pid: number; connections: number; amount?: number; duration?: number }): Promise<LoadRun> {
  const run: LoadRun = { seconds: 0, responses: 0, created: 0, notSucceeded: 0, non2xx: 0, errors: 0, latencies: [], rssMiB: [], samples: [] };
  const note = (text: string) => {
    if (run.samples.length < 5) run.samples.push(text.slice(0, 300));
  };
  const stopRss = sampleRss(options.pid);
  const started = performance.now();
  const instance = autocannon({
    url: `${options.url}/v1/payments`,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.duration ?? 1 }),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const n = cardCounter++;
          return {
            ...request,
            method: 'POST',
            headers: {
              authorization: `Bearer ${options.apiKey}`,
              'content-type': 'application/json',
              'idempotency-key': `load-${runTag}-${n}`,
            },
            body: JSON.stringify(paymentRequest(visaNumber(n))),
          };
        },
        onResponse: (status, body) => {
          if (status !== 201) return note(`${status} ${body}`);
          let payment: { status?: unknown } | null = null;
          try {
            payment = JSON.parse(body) as { status?: unknown };
          } catch {
            // Counted below as not succeeded.
          }
          if (payment?.status !== 'succeeded') {
            run.notSucceeded++;
            note(`201 ${body}`);
          }
        },
      },
    ],
  });
  let firstSent = Infinity;
  let lastAnswered = started;
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    const now = performance.now();
    if (now - ms < firstSent) firstSent = now - ms;
    lastAnswered = now;
    run.responses++;
    if (status === 201) run.created++;
    run.latencies.push(ms);
  });
  instance.on('reqError', (error: Error) => note(`error ${error.message}`));
  const result = await instance;
  run.seconds = (run.responses > 0 ? lastAnswered - firstSent : performance.now() - started) / 1000;
  run.rssMiB = stopRss();
  run.non2xx = result.non2xx;
  run.errors = result.errors;
  return run;
}
