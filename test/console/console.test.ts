import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/runtime/node/sandbox.js';
import { captureLogger } from '../support/capture-logger.js';
import { manualClock } from '../support/clock.js';
import { CARDS, SECRETS_KEY } from '../support/harness.js';
import { fixedKey } from '../support/keys.js';
import { signIn, totpCode } from '../support/operators.js';

/** Screenshots land here (ignored by git): what each step looked like when a test fails in CI. */
const ARTIFACTS = '.artifacts/console';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** What the page shows once it has caught up (the machine may be busy). */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 30_000 });

/**
 * The console in Debian's chromium against a real sandbox (PGlite, simulators). The tests run in
 * order on one page, as an operator would: sign in, find a payment, edit and activate a ruleset.
 * The sandbox's clock is a manual one, so each TOTP code is computed for a step the test chooses.
 */
// A browser and a sandbox on a machine shared with other work: generous timeouts, no timing asserted.
describe('the ops console in a browser', { timeout: 120_000 }, () => {
  const clock = manualClock(new Date());
  let sandbox: Sandbox;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let declinedId: string;
  const problems: string[] = [];

  const shot = (name: string, target: Page = page) => target.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
  const watch = (target: Page) => {
    target.on('console', (message) => {
      // Failed requests the console handles are logged by the browser too: 404 and 400 (analytics and the stream
      // are not in every router), 401 (the wrong code tried on purpose), 403 (mfa_required, which asks for a code).
      if (message.type() === 'error' && !/status of (400|401|403|404)\b/.test(message.text())) problems.push(message.text());
    });
    target.on('pageerror', (error) => problems.push(error.message));
  };

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    sandbox = await startSandbox({
      host: '127.0.0.1',
      port: 0,
      sandboxKey: fixedKey('console'),
      fingerprintSecret: 'fp',
      secretsKey: SECRETS_KEY,
      gatewayTimeoutMs: 10_000,
      routingRulesDir: 'routing-rules',
      routingSeed: 1,
      logger: captureLogger().logger,
      clock,
      operatorPassword: 'console-test-password',
    });
    const pay = async (number: string, amount: number, routing?: { gateways: string[] }) => {
      const res = await fetch(`${sandbox.url}/v1/payments`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${sandbox.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ amount, currency: 'USD', payment_method: { type: 'card', card: { number, exp_month: 12, exp_year: 2030, cvc: '123' } }, ...(routing ? { routing } : {}) }),
      });
      return ((await res.json()) as { id: string }).id;
    };
    await pay(CARDS.visa, 1999, { gateways: ['stripe'] });
    declinedId = await pay(CARDS.insufficientFunds, 4200);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(60_000);
    page = await context.newPage();
    watch(page);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
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
    const rules = (await (await fetch(`${sandbox.url}/v1/routing/rules`, { headers: { Authorization: `Bearer ${sandbox.apiKey}` } })).json()) as { active_version: number; audit: { action: string; actor: string }[] };
    expect(rules.active_version).toBe(2);
    // The audit lists the newest first.
    expect(rules.audit[0]).toMatchObject({ action: 'activate', version: 2, actor: expect.stringMatching(/^operator:op_/) });
  });

  it('fits a phone: no sideways scrolling, the menu opens the screens', async () => {
    clock.advance(60_000);
    const token = await signIn(sandbox.url, sandbox.operator, clock);
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    phone.setDefaultTimeout(60_000);
    // Signed in already in this tab: what the sign-in screen would have stored.
    const stored = { token, operator: { id: 'op', email: sandbox.operator.email, name: 'Phone', role: 'admin', merchant_ids: null }, merchantId: sandbox.merchantId, merchantName: 'Demo merchant' };
    await phone.addInitScript(`sessionStorage.setItem('switchyard.console', ${JSON.stringify(JSON.stringify(stored))})`);
    const small = await phone.newPage();
    watch(small);
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
    expect(problems).toEqual([]);
  });
});
