import type { HandlerContext } from './context.js';
import { ApiError } from './errors.js';
import { completeAuthentication } from './payment-intents.js';

/**
 * The page a `redirect_to_url` next action points at, standing in for the issuer's 3D Secure
 * challenge. No API key needed (the customer's browser opens it).
 *
 *   GET /_sim/3ds/:pi                          a small HTML page with two links
 *   GET|POST /_sim/3ds/:pi/complete?result=succeed|fail
 *       → 302 to the PaymentIntent's return_url (with payment_intent, payment_intent_client_secret,
 *         redirect_status), or 200 JSON `{ payment_intent, status }` when it has none.
 */

export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const PAGE = /^\/_sim\/3ds\/([A-Za-z0-9_]+)$/;
const COMPLETE = /^\/_sim\/3ds\/([A-Za-z0-9_]+)\/complete$/;

function json(status: number, body: unknown): PageResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function handleThreeDSecure(ctx: HandlerContext, method: string, url: URL): PageResponse {
  const page = PAGE.exec(url.pathname);
  if (page && method === 'GET') {
    const id = page[1] ?? '';
    const pi = ctx.state.paymentIntents.get(id);
    if (!pi) return json(404, { error: { type: 'invalid_request_error', message: `No such payment_intent: '${id}'` } });
    const safe = escapeHtml(id);
    const body =
      `<!doctype html><html><head><title>3D Secure (simulated)</title></head><body>` +
      `<h1>3D Secure authentication (simulated)</h1>` +
      `<p>PaymentIntent ${safe}: ${pi.amount} ${escapeHtml(pi.currency)}</p>` +
      `<p><a href="/_sim/3ds/${safe}/complete?result=succeed">Complete authentication</a></p>` +
      `<p><a href="/_sim/3ds/${safe}/complete?result=fail">Fail authentication</a></p>` +
      `</body></html>`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
  }

  const complete = COMPLETE.exec(url.pathname);
  if (complete && (method === 'GET' || method === 'POST')) {
    const result = url.searchParams.get('result') ?? 'succeed';
    if (result !== 'succeed' && result !== 'fail') {
      return json(400, { error: { type: 'invalid_request_error', message: 'result must be succeed or fail', param: 'result' } });
    }
    try {
      const pi = completeAuthentication(ctx, complete[1] ?? '', result === 'succeed');
      if (pi.returnUrl) {
        const target = new URL(pi.returnUrl);
        target.searchParams.set('payment_intent', pi.id);
        target.searchParams.set('payment_intent_client_secret', pi.clientSecret);
        target.searchParams.set('redirect_status', pi.status === 'requires_payment_method' ? 'failed' : 'succeeded');
        return { status: 302, headers: { location: target.toString() }, body: '' };
      }
      return json(200, { payment_intent: pi.id, status: pi.status });
    } catch (error) {
      if (error instanceof ApiError) return json(error.status, { error: error.error });
      throw error;
    }
  }

  return json(404, { error: { type: 'invalid_request_error', message: `Unrecognized simulator page (${method}: ${url.pathname})` } });
}
