import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';

/** How long and how many: Node's defaults (60 s for headers, 5 min per request, no connection cap) favour slow clients. */
export interface ServerLimits {
  /** All request headers must arrive within this (slow-loris clients are cut off). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this; the answer may take longer. */
  requestTimeoutMs: number;
  /**
   * An idle keep-alive connection is closed after this. Longer than the idle timeout of the
   * balancers in front (60 s on the common ones) and of clients' pools: a connection the server
   * closes just as a client reuses it is an ECONNRESET on a request that may already be on its way.
   */
  keepAliveTimeoutMs: number;
  /** Connections beyond this many open ones are refused. */
  maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1_024,
};

/** Serves `fetch` over HTTP/1.1 with the given limits; resolves once listening. */
export function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  hostname: string,
  port: number,
  limits: ServerLimits = DEFAULT_SERVER_LIMITS,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch,
        hostname,
        port,
        serverOptions: {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          // Node checks the two timeouts above only this often (30 s by default).
          connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
        },
      },
      () => resolve(server),
    );
    const http = server as Server;
    http.keepAliveTimeout = limits.keepAliveTimeoutMs;
    http.maxConnections = limits.maxConnections;
    server.once('error', reject);
  });
}

/**
 * Stops accepting connections and resolves once every open one has ended. Idle keep-alive
 * connections are closed at once; one busy with a request is closed as soon as its answer is
 * sent, rather than left open for the keep-alive timeout.
 */
export function closeGracefully(server: ServerType): Promise<void> {
  const http = server as Server;
  return new Promise((resolve) => {
    const sweep = setInterval(() => http.closeIdleConnections(), 50);
    http.close(() => {
      clearInterval(sweep);
      resolve();
    });
  });
}
