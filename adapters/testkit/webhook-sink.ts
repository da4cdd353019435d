import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookRequest } from './contract.js';

/** Receives the notifications a simulator delivers, so a test can wait for one and verify it. */
export interface WebhookSink {
  readonly url: string;
  /** The requests it accepted (answered 2xx), in order. */
  readonly received: readonly WebhookRequest[];
  /** Every request, refused ones too, in order. */
  readonly requests: readonly WebhookRequest[];
  waitFor(predicate: (request: WebhookRequest) => boolean | Promise<boolean>, timeoutMs?: number): Promise<WebhookRequest>;
  /** Refuses the next `count` requests with `status` (default 500). */
  failNext(count: number, status?: number): void;
  clear(): void;
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const received: WebhookRequest[] = [];
  const requests: WebhookRequest[] = [];
  let failures = 0;
  let failureStatus = 500;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      const request = { headers, rawBody: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      if (failures > 0) {
        failures -= 1;
        res.writeHead(failureStatus, { 'Content-Type': 'text/plain' }).end('refused');
        return;
      }
      received.push(request);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('[accepted]');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    requests,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (let seen = 0; Date.now() < deadline; ) {
        for (; seen < received.length; seen++) if (await predicate(received[seen]!)) return received[seen]!;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`no matching webhook within ${timeoutMs} ms (${received.length} received)`);
    },
    failNext(count, status = 500) {
      failures = count;
      failureStatus = status;
    },
    clear: () => {
      received.splice(0);
      requests.splice(0);
      failures = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
