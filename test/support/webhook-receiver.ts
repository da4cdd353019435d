import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status this receiver answered. */
  answered: number | null;
}

/** How the merchant's endpoint behaves: answer a status (optionally redirecting), or never answer. */
export type ReceiverMode = { status: number; location?: string } | { hang: true };

/**
 * A merchant's webhook endpoint on 127.0.0.1: records every request, answers as told, and can go
 * down (connections refused) and come back on the same port.
 */
export interface WebhookReceiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  mode: ReceiverMode;
  /** Stops listening: connections to the port are refused until `start`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(path = '/hooks'): Promise<WebhookReceiver> {
  let server: Server | null = null;
  const receiver: WebhookReceiver = {
    url: '',
    port: 0,
    requests: [],
    mode: { status: 200 },
    stop: async () => {
      if (!server) return;
      const s = server;
      server = null;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    start: async () => {
      if (!server) await listen(receiver.port);
    },
    close: () => receiver.stop(),
  };

  function listen(port: number): Promise<void> {
    const s = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const mode = receiver.mode;
        const record: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: null };
        receiver.requests.push(record);
        if ('hang' in mode) return;
        record.answered = mode.status;
        res.writeHead(mode.status, mode.location ? { Location: mode.location } : {});
        res.end(mode.status < 300 ? 'ok' : 'not ok');
      });
    });
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        receiver.port = (s.address() as AddressInfo).port;
        receiver.url = `http://127.0.0.1:${receiver.port}${path}`;
        resolve();
      });
    });
  }

  await listen(0);
  return receiver;
}
