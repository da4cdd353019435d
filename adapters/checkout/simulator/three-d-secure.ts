import type { ApiContext } from './api.js';
import { authorize } from './api.js';
import { AUTHENTICATION_FAILED } from './test-cards.js';

export interface Page {
  status: number;
  html: string;
  /** A redirect back to the shop (the payment's success_url or failure_url). */
  location?: string;
}

const PAGE = /^\/_sim\/3ds\/(sid_[a-z2-7]+)(\/complete)?$/;

/**
 * The page `_links.redirect` points at. `…/complete?result=succeed` authorizes the payment (and
 * captures it when asked to), `result=fail` declines it with 20151; either way the webhook follows,
 * and the shopper's browser goes back to `success_url` or `failure_url` with `cko-session-id`, as
 * Checkout.com sends it. A shopper who never finishes leaves the payment Pending.
 */
export function threeDSecurePage(ctx: ApiContext, url: URL): Page {
  const match = PAGE.exec(url.pathname);
  const payment = match ? ctx.state.find(match[1] ?? '') : undefined;
  if (!match || payment === undefined || payment.sessionId === null) return { status: 404, html: page('Unknown session.') };
  if (!match[2]) {
    const complete = `/_sim/3ds/${payment.sessionId}/complete`;
    return {
      status: 200,
      html: page(`Simulated 3-D Secure for ${payment.id}. <a href="${complete}?result=succeed">Authenticate</a> or <a href="${complete}?result=fail">Fail</a>.`),
    };
  }
  if (payment.status !== 'Pending') return { status: 409, html: page(`Already ${payment.status}.`) };
  const passed = url.searchParams.get('result') === 'succeed';
  authorize(ctx, payment, passed ? { kind: 'approve' } : AUTHENTICATION_FAILED);
  const back = passed ? payment.successUrl : payment.failureUrl;
  if (!back) return { status: 200, html: page(payment.status) };
  const location = new URL(back);
  location.searchParams.set('cko-session-id', payment.sessionId);
  return { status: 302, html: page(`Back to the shop: ${payment.status}.`), location: location.toString() };
}

function page(body: string): string {
  return `<!doctype html><title>Checkout.com simulator 3-D Secure</title><p>${body}</p>`;
}
