import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookRequest } from './contract.js';

/** Receives the notifications a simulator delivers, so a test can wait for one and verify it. */
export interface WebhookSink {
  readonly url: string;
  readonly received: readonly WebhookRequest[];
  waitFor(predicate: (request: WebhookRequest) => boolean | Promise<boolean>, timeoutMs?: number): Promise<WebhookRequest>;
  clear(): void;
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const received: WebhookRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      received.push({ headers, rawBody: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('[accepted]');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    async waitFor(predicate, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (let seen = 0; Date.now() < deadline; ) {
        for (; seen < received.length; seen++) if (await predicate(received[seen]!)) return received[seen]!;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`no matching webhook within ${timeoutMs} ms (${received.length} received)`);
    },
    clear: () => void received.splice(0),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
