/**
 * The shopper's browser on a simulator's 3-D Secure page, for tests. The convention every
 * simulator's page follows: it links its outcomes with `result=succeed` and `result=fail`; the
 * link answers a redirect back to the payment's return URL (with whatever query the provider
 * adds), or 200 when the payment has no return URL.
 */
export interface ChallengeReturn {
  /** Where the browser was sent back to, or null when the page answered without a redirect. */
  location: URL | null;
  /** The query the browser brought back to the return URL: what `completeAction` is given. */
  returnParams: Record<string, string>;
}

export async function completeChallenge(pageUrl: string, result: 'succeed' | 'fail'): Promise<ChallengeReturn> {
  const page = await fetch(pageUrl);
  if (!page.ok) throw new Error(`the 3-D Secure page answered ${page.status}`);
  const html = await page.text();
  const href = new RegExp(`href="([^"]*result=${result}[^"]*)"`).exec(html)?.[1];
  if (!href) throw new Error(`the 3-D Secure page has no result=${result} link`);
  // The browser does not follow the redirect into the shop here: the shop is not running.
  const answer = await fetch(new URL(href.replaceAll('&amp;', '&'), pageUrl), { redirect: 'manual' });
  await answer.arrayBuffer();
  if (answer.status >= 300 && answer.status < 400) {
    const location = new URL(answer.headers.get('location') ?? '', pageUrl);
    return { location, returnParams: Object.fromEntries(location.searchParams) };
  }
  if (!answer.ok) throw new Error(`completing the 3-D Secure page answered ${answer.status}`);
  return { location: null, returnParams: {} };
}
