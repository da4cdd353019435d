import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/runtime/node/sandbox.js';
import { captureLogger } from './capture-logger.js';
import type { ManualClock } from './clock.js';
import { SECRETS_KEY } from './harness.js';
import { fixedKey } from './keys.js';
import { signIn } from './operators.js';

/** Screenshots land here (ignored by git): what each step looked like when a test fails in CI. */
export const ARTIFACTS = '.artifacts/console';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What the page shows once it has caught up (the machine may be busy). */
export const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 30_000 });

export interface ConsoleRig {
  sandbox: Sandbox;
  browser: Browser;
  /** Script errors and console errors seen on every watched page (see `watch`). */
  problems: string[];
  /** Collects the page's script errors, and its console errors except failed requests with the statuses the test expects. */
  watch(page: Page, expectedStatuses?: readonly number[]): Page;
  /** A new browser context already signed in as the sandbox's operator, with the demo merchant picked (what the sign-in screen stores). */
  signedIn(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A merchant API call with the sandbox's key; answers the status and JSON body. */
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** A full-page screenshot into ARTIFACTS. */
  shot(page: Page, name: string): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The setup every console browser test shares: a real sandbox (PGlite, simulators) on the test's
 * manual clock, and Debian's chromium. `name` keeps each file's merchant key apart.
 */
export async function startConsoleRig(name: string, clock: ManualClock, options: Partial<SandboxOptions> = {}): Promise<ConsoleRig> {
  await mkdir(ARTIFACTS, { recursive: true });
  const sandbox = await startSandbox({
    host: '127.0.0.1',
    port: 0,
    sandboxKey: fixedKey(name),
    fingerprintSecret: 'fp',
    secretsKey: SECRETS_KEY,
    gatewayTimeoutMs: 10_000,
    routingRulesDir: 'routing-rules',
    routingSeed: 1,
    logger: captureLogger().logger,
    clock,
    operatorPassword: `${name}-test-password`,
    ...options,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] }).catch(async (error: unknown) => {
    await sandbox.close();
    throw error;
  });
  const problems: string[] = [];

  return {
    sandbox,
    browser,
    problems,
    watch(page, expectedStatuses = [400, 404]) {
      const expected = new RegExp(`status of (${expectedStatuses.join('|')})\\b`);
      page.on('console', (message) => {
        if (message.type() === 'error' && !expected.test(message.text())) problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      return page;
    },
    async signedIn(contextOptions = { viewport: { width: 1280, height: 900 } }) {
      const token = await signIn(sandbox.url, sandbox.operator, clock);
      const context = await browser.newContext(contextOptions);
      context.setDefaultTimeout(60_000);
      const stored = { token, operator: { id: 'op', email: sandbox.operator.email, name: 'Ops', role: 'admin', merchant_ids: null }, merchantId: sandbox.merchantId, merchantName: 'Demo merchant' };
      await context.addInitScript(`sessionStorage.setItem('switchyard.console', ${JSON.stringify(JSON.stringify(stored))})`);
      return context;
    },
    async api<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${sandbox.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${sandbox.apiKey}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    shot: (page, shotName) => page.screenshot({ path: `${ARTIFACTS}/${shotName}.png`, fullPage: true }),
    async close() {
      await browser.close();
      await sandbox.close();
    },
  };
}

/** A card payment body (test card numbers only). */
export const cardPayment = (number: string, amount: number, routing?: { gateways: string[] }) => ({
  amount,
  currency: 'USD',
  payment_method: { type: 'card', card: { number, exp_month: 12, exp_year: 2030, cvc: '123' } },
  ...(routing ? { routing } : {}),
});
