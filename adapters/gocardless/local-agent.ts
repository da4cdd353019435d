import { Agent as HttpsAgent } from 'node:https';
import { connect, type Socket } from 'node:net';

/**
 * gocardless-nodejs has no base-URL option: it always builds `https://api(-sandbox).gocardless.com`
 * URLs. Its one transport option is `proxy` (got's per-protocol agents). This agent, given as the
 * https agent, opens a plain TCP connection to another server (a simulator on 127.0.0.1) instead:
 * the SDK's requests, paths and headers are unchanged, only where they go differs.
 * It also gives the SDK the timeout it lacks: a socket idle for `timeoutMs` is destroyed.
 */
export class LocalServerAgent extends HttpsAgent {
  constructor(
    private readonly target: { host: string; port: number },
    private readonly timeoutMs: number,
  ) {
    super({ keepAlive: true });
  }

  override createConnection(): Socket {
    const socket = connect(this.target.port, this.target.host);
    socket.setTimeout(this.timeoutMs, () => socket.destroy(Object.assign(new Error('GoCardless request timed out'), { code: 'ETIMEDOUT' })));
    return socket;
  }
}

/** A timeout for the real API (TLS): the same idle-socket limit on Node's own https agent. */
export class TimeoutAgent extends HttpsAgent {
  constructor(private readonly timeoutMs: number) {
    super({ keepAlive: true });
  }

  override createConnection(options: Parameters<HttpsAgent['createConnection']>[0], callback?: Parameters<HttpsAgent['createConnection']>[1]): ReturnType<HttpsAgent['createConnection']> {
    const socket = super.createConnection(options, callback) as Socket | null | undefined;
    socket?.setTimeout(this.timeoutMs, () => socket.destroy(Object.assign(new Error('GoCardless request timed out'), { code: 'ETIMEDOUT' })));
    return socket;
  }
}
