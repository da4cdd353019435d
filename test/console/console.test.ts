import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxApplePayToken } from '../../adapters/testkit/wallet-tokens.js';
import { manualClock } from '../support/clock.js';
import { cardPayment, eventually, startConsoleRig, type ConsoleRig } from '../support/console-browser.js';
import { CARDS } from '../support/harness.js';
import { totpCode } from '../support/operators.js';

/**
 * The console in Debian's chromium against a real sandbox (PGlite, simulators). The tests run in
 * order on one page, as an operator would: sign in, find a payment, edit and activate a ruleset.
 * The sandbox's clock is a manual one, so each TOTP code is computed for a step the test chooses.
 */
// A browser and a sandbox on a machine shared with other work: generous timeouts, no timing asserted.
describe('the ops console in a browser', { timeout: 120_000 }, () => {
  const clock = manualClock(new Date());
  let rig: ConsoleRig;
  let sandbox: ConsoleRig['sandbox'];
  let context: BrowserContext;
  let page: Page;
  let declinedId: string;
  let walletId: string;
  let debitId: string;
  const shot = (name: string, target: Page = page) => rig.shot(target, name);
  const pay = async (body: unknown) => (await rig.api<{ id: string; status: string }>('POST', '/v1/payments', body)).body;

  beforeAll(async () => {
    rig = await startConsoleRig('console', clock);
    sandbox = rig.sandbox;
    await pay(cardPayment(CARDS.visa, 1999, { gateways: ['stripe'] }));
    declinedId = (await pay(cardPayment(CARDS.insufficientFunds, 4200))).id;
    const wallet = await pay({ amount: 1500, currency: 'USD', payment_method: { type: 'apple_pay', apple_pay: { token: sandboxApplePayToken('4242424242424242') } }, routing: { gateways: ['stripe'] } });
    expect(wallet.status).toBe('succeeded');
    walletId = wallet.id;
    const debit = await pay({
      amount: 2500,
      currency: 'EUR',
      payment_method: {
        type: 'sepa_debit',
        sepa_debit: { iban: 'DE89 3704 0044 0532 0130 00', account_holder_name: 'Ada Lovelace', mandate_acceptance: { accepted_at: clock.now().toISOString(), ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (test)' } },
      },
      routing: { gateways: ['gocardless'] },
    });
    expect(debit.status).toBe('processing');
    debitId = debit.id;
    context = await rig.browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(60_000);
    // Failed requests the console handles are logged by the browser too: 404 and 400 (analytics and the stream
    // are not in every router), 401 (the wrong code tried on purpose), 403 (mfa_required, which asks for a code).
    page = rig.watch(await context.newPage(), [400, 401, 403, 404]);
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('signs in with email, password and a TOTP code, and picks the merchant', async () => {
    await page.goto(`${sandbox.url}/console/`);
    await page.getByLabel('Email').fill(sandbox.operator.email);
    await page.getByLabel('Password').fill(sandbox.operator.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    // A wrong code first: refused, back to the password step.
    const code = await totpCode(sandbox.operator.totpSecret, clock);
    await page.getByLabel('Authenticator code').fill(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The email, password or code is not valid.').waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Authenticator code').fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: /Demo merchant/ }).click();
    await page.getByRole('heading', { name: 'Gateways' }).waitFor();
    await page.getByRole('cell', { name: /stripe/ }).first().waitFor();
    // Analytics and the live stream are other parts of the router; where they are missing the panels say so.
    const panels = await page.locator('.not-available, .chart, .muted').allTextContents();
    expect(panels.join(' ')).toMatch(/not available|Waiting for payments|No attempts/);
    // The token is kept for this tab only, never in the address.
    expect(page.url()).not.toMatch(/token|eyJ/);
    expect(await page.evaluate('document.cookie')).toBe('');
    await shot('overview');
  });

  it('shows a payment made while the Overview is open in Latest events, with its id and amount', async () => {
    await eventually(() => page.getByTestId('stream-status').textContent()).toBe('live');
    const live = await pay(cardPayment(CARDS.visa, 1234, { gateways: ['stripe'] }));
    expect(live.status).toBe('succeeded');
    const latest = page.getByRole('region', { name: 'Latest events' });
    await eventually(async () => (await latest.getByRole('listitem').allTextContents()).join('\n')).toContain(`payment.succeeded ${live.id} $12.34`);
    await latest.getByRole('link', { name: live.id }).waitFor();
    expect(await page.getByRole('region', { name: 'Live volume and approval' }).textContent()).not.toContain('Waiting for payments');
    await shot('overview-live');
  });

  it('finds a payment and reads its timeline: decision, attempts, events', async () => {
    await page.getByRole('link', { name: 'Payments' }).click();
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('link', { name: declinedId }).click();
    await page.getByRole('heading', { name: `Payment ${declinedId}` }).waitFor();
    await eventually(() => page.locator('.timeline').textContent()).toContain('payment.failed');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('insufficient_funds');
    expect(text).toMatch(/Ruleset v1, rule default: optimize \(expected_value\)/);
    expect(text).toContain('$42.00');
    const attempts = page.getByRole('region', { name: 'Attempts' }).getByRole('row');
    expect(await attempts.count()).toBeGreaterThan(1);
    expect(await attempts.nth(1).textContent()).toContain('declined: insufficient_funds');
    expect(page.url()).toBe(`${sandbox.url}/console/payments/${declinedId}`);
    await shot('payment');
    // A reload of a client route lands on the same screen (index.html fallback, session kept in the tab).
    await page.reload();
    await page.getByRole('heading', { name: `Payment ${declinedId}` }).waitFor();
  });

  it('shows a wallet payment’s method and display facts in the list and on its timeline', async () => {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Payments' }).click();
    const row = page.getByRole('row', { name: new RegExp(walletId) });
    await eventually(() => row.textContent()).toContain('Apple Pay · visa •4242');
    const card = page.getByRole('row').filter({ hasText: declinedId });
    expect(await card.textContent()).toMatch(/[a-z]+ •\d{4}/);
    await row.getByRole('link', { name: walletId }).click();
    await page.getByRole('heading', { name: `Payment ${walletId}` }).waitFor();
    await eventually(() => page.locator('dl.facts').first().textContent()).toContain('Payment methodApple Pay · visa •4242 (credit)');
    await shot('wallet-payment');
  });

  it('shows a bank debit by its account country, bank code, last four and mandate reference, never the IBAN', async () => {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Payments' }).click();
    const row = page.getByRole('row', { name: new RegExp(debitId) });
    await eventually(() => row.textContent()).toContain('SEPA debit · DE 37040044 •3000');
    await row.getByRole('link', { name: debitId }).click();
    await page.getByRole('heading', { name: `Payment ${debitId}` }).waitFor();
    await eventually(() => page.locator('dl.facts').first().textContent()).toMatch(/Payment methodSEPA debit · DE 37040044 •3000 · mandate SIM-[0-9A-Z]+/);
    expect(await page.content()).not.toContain('370400440532013000');
  });

  it('shows a rule error at its line and column, runs rule tests, and stores a valid version', async () => {
    await page.getByRole('link', { name: 'Routing' }).click();
    const editor = page.getByLabel('Ruleset', { exact: true });
    await eventually(() => editor.inputValue()).toContain('rules:');
    await editor.fill('rules:\n  - id: to-stripe\n    when: { currency: USD }\n    then: { route: [stripee] }\ndefault: { route: [stripe, adyen] }\n');
    const errors = page.getByRole('list', { name: 'Ruleset errors' });
    await eventually(() => errors.textContent()).toMatch(/line 4, column \d+: .*stripee/);
    expect(await page.locator('.line-number.bad').allTextContents()).toEqual(['4']);
    await shot('rule-error');

    await editor.fill('rules:\n  - id: to-stripe\n    when: { currency: USD }\n    then: { route: [stripe, braintree] }\ndefault: { route: [adyen, stripe] }\n');
    await eventually(() => page.getByTestId('check-status').textContent()).toBe('No errors.');
    await page.getByLabel('Rule test cases', { exact: true }).fill(
      'cases:\n  - name: USD goes to Stripe\n    transaction: { currency: USD }\n    expect: { route: [stripe, braintree], rule: to-stripe }\n  - name: EUR goes to Braintree\n    transaction: { currency: EUR }\n    expect: { route: [braintree] }\n',
    );
    const results = page.getByRole('list', { name: 'Rule test results' });
    await eventually(() => results.textContent()).toContain('PASS USD goes to Stripe');
    expect(await results.textContent()).toMatch(/FAIL EUR goes to Braintree.*expected route \[braintree\], got route \[adyen, stripe\]/);

    await page.getByRole('button', { name: 'Store as a new version' }).click();
    await page.getByText('Stored as version 2 (not active yet).').waitFor();
    await eventually(() => page.locator('.diff').textContent()).toContain('+ default: { route: [adyen, stripe] }');
  });

  it('asks for a fresh TOTP code to activate a version, then activates it', async () => {
    // The sign-in code is more than 15 minutes old now.
    clock.advance(16 * 60 * 1000);
    await page.getByRole('button', { name: 'Activate v2' }).click();
    await page.getByText('Activating v2 needs a fresh code from your authenticator.').waitFor();
    await page.getByLabel('Authenticator code').fill(await totpCode(sandbox.operator.totpSecret, clock));
    await page.getByRole('button', { name: 'Confirm and activate' }).click();
    await page.getByText('Version 2 is active.').waitFor();
    await shot('activated');
    const { body: rules } = await rig.api<{ active_version: number; audit: { action: string; actor: string }[] }>('GET', '/v1/routing/rules');
    expect(rules.active_version).toBe(2);
    // The audit lists the newest first.
    expect(rules.audit[0]).toMatchObject({ action: 'activate', version: 2, actor: expect.stringMatching(/^operator:op_/) });
  });

  it('fits a phone: no sideways scrolling, the menu opens the screens', async () => {
    clock.advance(60_000);
    const phone = await rig.signedIn({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const small = rig.watch(await phone.newPage(), [400, 401, 403, 404]);
    await small.goto(`${sandbox.url}/console/payments`);
    await small.getByRole('link', { name: declinedId }).waitFor();
    expect(await small.getByRole('navigation', { name: 'Screens' }).isVisible()).toBe(false);
    await small.getByRole('button', { name: 'Menu' }).tap();
    await small.getByRole('link', { name: 'Routing' }).tap();
    await small.getByLabel('Ruleset', { exact: true }).waitFor();
    const overflow = await small.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('phone-routing', small);
    await phone.close();
  });

  it('ran without script errors or Content-Security-Policy violations', () => {
    expect(rig.problems).toEqual([]);
  });
});
