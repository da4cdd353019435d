/**
 * One Stripe simulator in its own process, for the load bench:
 *
 *   tsx bench/load/simulator-process.ts [--latency-ms 50]
 *
 * prints `{"ready":true,"host","port","control"}` and serves until killed. `control` is a small
 * HTTP server beside it: `GET /charges` reads `ledger.charges()`, `POST /reset` clears the
 * ledger, `POST /latency?ms=N` sets a fixed answer delay (0 ends it).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStripeSimulator } from '../../adapters/stripe/simulator/index.js';
import { announce, exitOnSignal, option } from './args.js';

const simulator = await startStripeSimulator({ host: '127.0.0.1' });
setLatency(Number(option('latency-ms', '0')));

function setLatency(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`bad latency ${ms}`);
  simulator.setLatency(ms > 0 ? { kind: 'fixed', ms } : null);
}

const control = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const answer = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  try {
    if (request.method === 'GET' && url.pathname === '/charges') return answer(200, { charges: simulator.ledger.charges() });
    if (request.method === 'POST' && url.pathname === '/reset') {
      simulator.ledger.reset();
      return answer(200, { charges: simulator.ledger.charges() });
    }
    if (request.method === 'POST' && url.pathname === '/latency') {
      setLatency(Number(url.searchParams.get('ms')));
      return answer(200, { ms: Number(url.searchParams.get('ms')) });
    }
    answer(404, { error: 'not found' });
  } catch (error) {
    answer(400, { error: error instanceof Error ? error.message : String(error) });
  }
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

exitOnSignal(async () => {
  control.close();
  await simulator.close();
});
announce({ host: simulator.host, port: simulator.port, control: `http://127.0.0.1:${(control.address() as AddressInfo).port}` });
