import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Balancer {
  url: string;
  /** Requests sent to each backend, in the order given. */
  served(): number[];
  close(): Promise<void>;
}

/**
 * A round-robin HTTP balancer, as a deployment puts in front of several instances: each request
 * goes whole to the next backend over a keep-alive connection, and the answer comes back as is.
 * No retries: a request a backend fails is the client's to see.
 */
export async function startBalancer(backends: readonly string[]): Promise<Balancer> {
  const targets = backends.map((backend) => new URL(backend));
  const counts = targets.map(() => 0);
  // An idle connection the instance is closing (its keep-alive timeout) must not be picked for the
  // next request: with a socket timeout of its own, the agent retires idle connections a second
  // before the server's announced `Keep-Alive: timeout` (Node's agent honours the hint only then).
  const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 60_000 });
  let next = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const index = next;
    next = (next + 1) % targets.length;
    counts[index]!++;
    const target = targets[index]!;
    const forwarded = request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers, agent },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`balancer: ${error.message}`);
    });
    incoming.pipe(forwarded);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served: () => [...counts],
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
