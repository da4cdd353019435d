import { randomBytes } from 'node:crypto';
import { settleAuthorisation, type AccountContext } from './account.js';
import { AUTHENTICATION_FAILED } from './test-cards.js';

export interface Page {
  status: number;
  html: string;
  /** A redirect back to the shop (the payment's returnUrl). */
  location?: string;
}

const PAGE = /^\/_sim\/3ds\/([A-Z0-9]+)(\/complete)?$/;

/**
 * The page a RedirectShopper `action.url` points at. `…/complete?result=succeed` authorises the
 * payment (captured at once unless manual capture was asked for), `result=fail` refuses it with
 * 11 "3D Not Authenticated"; either way the AUTHORISATION notification follows, and the shopper's
 * browser is sent back to the payment's `returnUrl` with `redirectResult`, which
 * `/payments/details` takes to answer the result. A shopper who never finishes leaves the
 * payment at RedirectShopper: no notification, no redirectResult.
 */
export function threeDSecurePage(ctx: AccountContext, url: URL): Page {
  const match = PAGE.exec(url.pathname);
  const payment = match ? ctx.state.payments.get(match[1] ?? '') : undefined;
  if (!match || payment === undefined) return { status: 404, html: page('Unknown payment.') };
  if (!match[2]) {
    const complete = `/_sim/3ds/${payment.pspReference}/complete`;
    return {
      status: 200,
      html: page(
        `Simulated 3-D Secure for ${payment.pspReference}. ` +
          `<a href="${complete}?result=succeed">Authenticate</a> or <a href="${complete}?result=fail">Fail</a>.`,
      ),
    };
  }
  if (payment.resultCode !== 'RedirectShopper') return { status: 409, html: page(`Already ${payment.resultCode}.`) };
  if (url.searchParams.get('result') === 'succeed') {
    payment.resultCode = 'Authorised';
  } else {
    payment.resultCode = AUTHENTICATION_FAILED.resultCode;
    payment.refusal = AUTHENTICATION_FAILED.refusal;
  }
  settleAuthorisation(ctx, payment);
  // Opaque to the shop, as Adyen's is; only this simulator can read it (it is looked up, not decoded).
  payment.redirectResult = randomBytes(32).toString('base64url');
  if (!payment.returnUrl) return { status: 200, html: page(payment.resultCode) };
  const back = new URL(payment.returnUrl);
  back.searchParams.set('redirectResult', payment.redirectResult);
  return { status: 302, html: page(`Back to the shop: ${payment.resultCode}.`), location: back.toString() };
}

function page(body: string): string {
  return `<!doctype html><title>Adyen simulator 3-D Secure</title><p>${body}</p>`;
}
