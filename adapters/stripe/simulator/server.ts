import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiKeyFrom, keyAccepted, maskKey, MISSING_KEY_MESSAGE } from './auth.js';
import type { HandlerContext } from './context.js';
import { ApiError, apiErrorBody, authenticationError, type ApiResponse } from './errors.js';
import { FaultController, type StripeFault } from './faults.js';
import { base62, newId } from './ids.js';
import { IdempotencyStore, type IdempotencyDecision } from './idempotency.js';
import { Ledger } from './ledger.js';
import { parseParams, type Params } from './params.js';
import { dispatch } from './router.js';
import { SimulatorState } from './state.js';
import { handleThreeDSecure } from './three-d-secure.js';

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_API_VERSION = '2026-10-28.endive';

export interface SimulatorServerConfig {
  host: string;
  port: number;
  apiKeys: readonly string[] | undefined;
  now: () => number;
}

interface PendingWait {
  timer: NodeJS.Timeout;
  resolve: (alive: boolean) => void;
}

/**
 * The HTTP side: reads the request, applies faults, authenticates, runs idempotency around the
 * API operation and writes Stripe-shaped JSON. Holds hung connections so `clear()`/`close()`
 * can drop them.
 */
export class SimulatorServer {
  readonly state = new SimulatorState();
  readonly faults: FaultController;
  readonly ledger: Ledger;
  private readonly idempotency: IdempotencyStore;
  private readonly secret = randomBytes(32);
  private readonly held = new Set<ServerResponse>();
  private readonly waits = new Set<PendingWait>();
  private readonly server: Server;
  private closed = false;
  private baseUrl = '';
  private readonly ctx: HandlerContext;

  constructor(private readonly config: SimulatorServerConfig) {
    this.faults = new FaultController(() => this.dropHeld());
    this.idempotency = new IdempotencyStore(config.now, this.secret);
    this.ledger = new Ledger(this.state, () => this.idempotency.clear());
    const self = this;
    this.ctx = {
      state: this.state,
      now: config.now,
      get baseUrl() {
        return self.baseUrl;
      },
      fingerprint: (digits) => base62(createHmac('sha256', this.secret).update(`fingerprint:${digits}`).digest()).slice(0, 16),
    };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify(apiErrorBody(500)));
        } else {
          res.destroy();
        }
      });
    });
    // Longer than the SDK's keep-alive reuse window in tests, so an idle socket is not closed
    // under a request being sent on it (which the SDK would see as ECONNRESET and retry).
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(): Promise<{ host: string; port: number; url: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const host = this.config.host;
    const hostInUrl = host.includes(':') ? `[${host}]` : host;
    this.baseUrl = `http://${hostInUrl}:${address.port}`;
    return { host, port: address.port, url: this.baseUrl };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wait of this.waits) {
      clearTimeout(wait.timer);
      wait.resolve(false);
    }
    this.waits.clear();
    this.dropHeld();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- connection holding and delays ----

  private hold(res: ServerResponse): void {
    if (this.closed) {
      res.destroy();
      return;
    }
    this.held.add(res);
    res.once('close', () => this.held.delete(res));
  }

  private dropHeld(): void {
    for (const res of this.held) res.destroy();
    this.held.clear();
  }

  /** Resolves true after `ms`, or false at once if the simulator closes first. */
  private delay(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wait: PendingWait = {
        timer: setTimeout(() => {
          this.waits.delete(wait);
          resolve(true);
        }, ms),
        resolve,
      };
      this.waits.add(wait);
    });
  }

  // ---- request handling ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => {});
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const body = await readBody(req);
    if (body === null) {
      res.destroy();
      return;
    }

    if (url.pathname.startsWith('/_sim/')) {
      const page = handleThreeDSecure(this.ctx, method, url);
      res.writeHead(page.status, page.headers);
      res.end(page.body);
      return;
    }

    const requestId = newId('req');
    const idempotencyKey = method === 'POST' ? singleHeader(req, 'idempotency-key') || null : null;
    const entry = this.ledger.recordRequest(method, url.pathname, idempotencyKey, this.config.now());
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'cache-control': 'no-cache, no-store',
      'request-id': requestId,
      'stripe-version': singleHeader(req, 'stripe-version') ?? DEFAULT_API_VERSION,
    };
    if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
    const send = (status: number, text: string, extra: Record<string, string> = {}): void => {
      entry.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { ...headers, ...extra });
      res.end(text);
    };

    const fault = this.faults.take(method, url.pathname);
    entry.fault = fault?.kind ?? null;
    if (fault?.kind === 'http_error') {
      send(fault.status, JSON.stringify(apiErrorBody(fault.status)));
      return;
    }
    if (fault?.kind === 'hang') {
      this.hold(res);
      return;
    }

    // Latency delays whatever answer this request gets; the idempotency key, if any, stays
    // locked meanwhile, so a concurrent request with the same key sees a 409.
    const latency = fault?.kind === 'latency' ? fault.ms : 0;
    const wait = async (): Promise<boolean> => {
      if (latency <= 0) return true;
      const alive = await this.delay(latency);
      if (!alive) res.destroy();
      return alive;
    };

    const apiKey = apiKeyFrom(req);
    if (apiKey === null || !keyAccepted(apiKey, this.config.apiKeys)) {
      if (!(await wait())) return;
      const message = apiKey === null ? MISSING_KEY_MESSAGE : `Invalid API Key provided: ${maskKey(apiKey)}`;
      send(401, JSON.stringify(authenticationError(message)), { 'www-authenticate': 'Basic realm="Stripe"' });
      return;
    }

    let params: Params;
    try {
      params = parseParams(method === 'POST' ? body : url.search.slice(1));
    } catch {
      if (!(await wait())) return;
      send(400, JSON.stringify({ error: { type: 'invalid_request_error', message: 'Could not parse the request parameters.' } }));
      return;
    }

    let decision: IdempotencyDecision | null = null;
    if (idempotencyKey !== null) {
      decision = this.idempotency.begin(apiKey, idempotencyKey, method, url.pathname, params);
      if (decision.kind === 'reject') {
        if (!(await wait())) return;
        send(decision.status, JSON.stringify({ error: decision.error }));
        return;
      }
      if (decision.kind === 'replay') {
        if (!(await wait())) return;
        entry.replayed = true;
        const saved = decision.response;
        this.finish(fault, send, saved.status, saved.body, res, {
          'idempotent-replayed': 'true',
          'original-request': saved.requestId,
        });
        return;
      }
    }

    if (!(await wait())) {
      if (decision?.kind === 'execute') decision.release();
      return;
    }

    const result = this.run(method, url.pathname, params, idempotencyKey);
    const text = JSON.stringify(result.body);
    if (decision?.kind === 'execute') {
      if (result.saveIdempotent) decision.save({ status: result.status, body: text, requestId });
      else decision.release();
    }
    this.finish(fault, send, result.status, text, res);
  }

  private run(method: string, path: string, params: Params, idempotencyKey: string | null): ApiResponse {
    try {
      return dispatch(this.ctx, method, path, params, { idempotencyKey });
    } catch (error) {
      if (error instanceof ApiError) return error.toResponse();
      return { status: 500, body: apiErrorBody(500), saveIdempotent: false };
    }
  }

  /** Answers, unless a charge_then_* fault says to hang or fail after the work is done. */
  private finish(
    fault: StripeFault | null,
    send: (status: number, text: string, extra?: Record<string, string>) => void,
    status: number,
    text: string,
    res: ServerResponse,
    extra: Record<string, string> = {},
  ): void {
    if (fault?.kind === 'charge_then_hang') {
      this.hold(res);
      return;
    }
    if (fault?.kind === 'charge_then_500') {
      send(500, JSON.stringify(apiErrorBody(500)));
      return;
    }
    send(status, text, extra);
  }
}

function singleHeader(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

function readBody(req: IncomingMessage): Promise<string | null> {
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

