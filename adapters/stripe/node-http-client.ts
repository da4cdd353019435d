import { Agent, type IncomingMessage } from 'node:http';
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
 *
 * Node's own timeout is per stage (connect, each read), so a gateway trickling bytes could hold a
 * call for ever: the whole call, body included, also gets one deadline of the same length, after
 * which it fails as the SDK's timeout (an unknown outcome, settled by the reconciler). The body is
 * read before the SDK sees the response, so `toStream` (file downloads) is not served: the adapter
 * never asks for it.
 */
export function stripeNodeHttpClient(protocol: 'http' | 'https' = 'https'): Stripe.HttpClient {
  const inner = Stripe.createNodeHttpClient(protocol === 'http' ? new Agent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true }));
  return {
    getClientName: () => inner.getClientName(),
    makeRequest: (host, port, path, method, headers, requestData, requestProtocol, timeout) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let raw: IncomingMessage | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          raw?.destroy();
          reject(Stripe.HttpClient.makeTimeoutError());
        }, timeout);
      });
      const done = () => clearTimeout(timer);
      // The body is read inside the deadline too: a timeout while the SDK parses would read as a malformed body.
      const call = inner.makeRequest(host, port, path, method, headers, requestData, requestProtocol, timeout).then(async (response) => {
        raw = response.getRawResponse() as IncomingMessage;
        const body = await readBody(raw);
        response.toJSON = () => new Promise((resolve) => resolve(JSON.parse(body)));
        return response;
      });
      return Promise.race([call, deadline])
        .catch((error: unknown) => Promise.reject(withoutResendCode(error)))
        .finally(done);
    },
  };
}

async function readBody(message: IncomingMessage): Promise<string> {
  message.setEncoding('utf8');
  let body = '';
  for await (const chunk of message) body += chunk as string;
  return body;
}

function withoutResendCode(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RESENT_ON.has(code) ? new Error(`The connection closed (${code}).`, { cause: error }) : error;
}
