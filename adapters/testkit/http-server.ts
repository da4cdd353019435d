import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import { validateFault, type RequestFault } from './faults.js';
import type { FaultOptions, SimulatorFault } from './simulator.js';

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * How long `refuse()` waits for a peer to close a kept-alive connection it was told is closing
 * before dropping it: only a client that no longer reads its sockets takes that long.
 */
const PEER_CLOSE_LIMIT_MS = 5_000;

/**
 * A simulator's listening port. `refuse()` stops listening and closes every connection, so that
 * clients see ECONNREFUSED. `accept()` listens again on the same port.
 *
 * A client learns that its kept-alive socket closed only when it reads the close; a request it
 * writes on that socket before then is lost with the connection (ambiguous: it was sent to a
 * server that accepted the connection), not refused. So `refuse()` half-closes each idle
 * connection and resolves once every peer has closed its end too, which a client does only after
 * reading ours: from then on its requests open new connections, and those are refused.
 */
export class SimulatorHttpServer {
  private readonly server: Server;
  private readonly connections = new Set<Socket>();
  /** Connections with a request not yet answered (a fault may be holding it). */
  private readonly busy = new Map<Socket, number>();
  private port: number;
  private refusing = false;
  private closed = false;

  constructor(
    private readonly host: string,
    port: number,
    listener: RequestListener,
  ) {
    this.port = port;
    this.server = createServer(listener);
    // Longer than clients keep idle sockets, so an idle socket is not closed under a request being sent on it.
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (socket: Socket) => {
      this.connections.add(socket);
      socket.once('close', () => {
        this.connections.delete(socket);
        this.busy.delete(socket);
      });
    });
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
      res.once('close', () => {
        const left = (this.busy.get(socket) ?? 1) - 1;
        if (left > 0) this.busy.set(socket, left);
        else this.busy.delete(socket);
      });
    });
  }

  /** Binds the port given (0: any free one); afterwards always the same one. */
  async listen(): Promise<{ host: string; port: number; url: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    const hostInUrl = this.host.includes(':') ? `[${this.host}]` : this.host;
    return { host: this.host, port: this.port, url: `http://${hostInUrl}:${this.port}` };
  }

  /** Stops listening; resolves once every connection is closed (see the class comment). */
  async refuse(): Promise<void> {
    if (this.refusing || this.closed) return;
    this.refusing = true;
    // net.Server's close: http.Server's would destroy idle connections at once, before their peers know.
    const drained = new Promise<void>((resolve) => NetServer.prototype.close.call(this.server, () => resolve()));
    const limit = setTimeout(() => {
      for (const socket of this.connections) socket.destroy();
    }, PEER_CLOSE_LIMIT_MS);
    for (const socket of this.connections) {
      // A request in progress is dropped: its client sent it, and sees the connection lost.
      if (this.busy.has(socket)) socket.destroy();
      else socket.end();
    }
    await drained;
    clearTimeout(limit);
  }

  async accept(): Promise<void> {
    if (!this.refusing || this.closed) return;
    await this.listen();
    this.refusing = false;
  }

  /** Stops listening (if it still does) and drops every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/**
 * `setFault`/`clearFault` over a simulator's port and request faults: `refuse_connections` closes
 * the port (dropping every connection), any other fault opens it again and applies per request.
 */
export class FaultSwitch {
  constructor(
    private readonly requests: { set(fault: RequestFault, options: FaultOptions): void; clear(): void },
    private readonly http: SimulatorHttpServer,
    private readonly pending: PendingRequests,
  ) {}

  async set(fault: SimulatorFault, options: FaultOptions = {}): Promise<void> {
    validateFault(fault, options);
    if (fault.kind === 'refuse_connections') {
      this.requests.clear();
      await this.http.refuse();
      return;
    }
    await this.http.accept();
    this.requests.set(fault, options);
  }

  /** Ends the fault: drops hung connections; after `refuse_connections`, listens again on the same port. */
  async clear(): Promise<void> {
    this.requests.clear();
    this.pending.dropHeld();
    await this.http.accept();
  }
}

/**
 * Requests a fault keeps unanswered and latency waits in progress, so that clearing the fault or
 * closing the simulator can end them.
 */
export class PendingRequests {
  private readonly held = new Set<ServerResponse>();
  private readonly waits = new Set<() => void>();
  private closed = false;

  /** Never answers `res`; `dropHeld()` or `close()` destroys its connection. */
  hold(res: ServerResponse): void {
    if (this.closed) {
      res.destroy();
      return;
    }
    this.held.add(res);
    res.once('close', () => this.held.delete(res));
  }

  dropHeld(): void {
    for (const res of this.held) res.destroy();
    this.held.clear();
  }

  /** Resolves true after `ms`, or false as soon as the simulator closes. */
  delay(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waits.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.waits.delete(wake);
        resolve(true);
      }, ms);
      this.waits.add(wake);
    });
  }

  close(): void {
    this.closed = true;
    for (const wake of this.waits) wake();
    this.dropHeld();
  }
}

/** The method (upper case), URL and body of a request; null, with the connection dropped, when the body cannot be read. */
export async function readRequest(req: IncomingMessage, res: ServerResponse): Promise<{ method: string; url: URL; body: string } | null> {
  res.on('error', () => {});
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const body = await readBody(req);
  if (body === null) {
    res.destroy();
    return null;
  }
  return { method, url, body };
}

/** The request body as text, or null when it is over 1 MiB or the client went away. */
export function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
    req.on('aborted', () => resolve(null));
  });
}

/** A header's first value, or null. */
export function firstHeader(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}
