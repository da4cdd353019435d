import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import Stripe from 'stripe';

/** The codes on which the SDK resends a request once even with `maxNetworkRetries: 0`. */
const RESENT_ON = new Set(['ECONNRESET', 'EPIPE']);

/**
 * The stripe SDK's Node client (node:http, one keep-alive agent per adapter) without the SDK's one
 * hidden resend: a connection reset after the request was sent can follow a charge, and a resend
 * that then met a refused connection would read as "nothing sent". Such a failure reaches the SDK
 * with its code moved to `cause`, so the SDK reports it as a connection error (`outcomes.ts`:
 * connection lost, an unknown outcome) instead of resending. Cheaper per call than the fetch client
 * (no Request, web streams or AbortSignal), but Node only: Workers keep the fetch client.
 * Its timeout is Node's: per stage of the request (connect, each read), not one for the whole call.
 */
export function stripeNodeHttpClient(protocol: 'http' | 'https' = 'https'): Stripe.HttpClient {
  const inner = Stripe.createNodeHttpClient(protocol === 'http' ? new Agent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true }));
  return {
    getClientName: () => inner.getClientName(),
    makeRequest: (...args) => inner.makeRequest(...args).catch((error: unknown) => Promise.reject(withoutResendCode(error))),
  };
}

function withoutResendCode(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RESENT_ON.has(code) ? new Error(`The connection closed (${code}).`, { cause: error }) : error;
}
