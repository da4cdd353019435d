import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BREAKER_SETTINGS } from '../../src/orchestrator/breakers.js';
import { manualClock } from '../support/clock.js';
import { cardPayment, eventually, startConsoleRig, type ConsoleRig } from '../support/console-browser.js';
import { CARDS } from '../support/harness.js';
import { signIn } from '../support/operators.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * A gateway outage seen in the console, and the analytics and forecast screens over seeded
 * payments, in Debian's chromium against a real sandbox. The sandbox runs on a manual clock: the
 * test places the payments in time, then moves the clock past the rollup fold's lag and runs the
 * due jobs (fold, then alert evaluation) itself, so nothing waits on real minutes.
 */
describe('alerts, analytics and forecast in the console', { timeout: 180_000 }, () => {
  // The browser asks about windows ending at its own now: the sandbox's clock stays behind it.
  const realStart = Date.now();
  const clock = manualClock(new Date(realStart - 60 * MINUTE));
  let rig: ConsoleRig;
  let sandbox: ConsoleRig['sandbox'];
  let page: Page;
  const shot = (name: string, target: Page = page) => rig.shot(target, name);
  const pay = async (number: string) => (await rig.api<{ status: string }>('POST', '/v1/payments', cardPayment(number, 2500, { gateways: ['stripe'] }))).body;
  const api = async <T>(path: string) => (await rig.api<T>('GET', path)).body;
  /** Past the fold's lag: the fold runs, then (its numbers committed) the alert evaluation. */
  const runJobs = async () => {
    clock.advance(16_000);
    await sandbox.jobs.runDue();
    clock.advance(16_000);
    await sandbox.jobs.runDue();
  };

  beforeAll(async () => {
    rig = await startConsoleRig('alertsconsole', clock, {
      // Stripe's breaker stays closed so that every refused call is an attempt the approval-drop rule counts
      // (an open breaker would take Stripe out of routing: no attempts, nothing to compare). Breakers follow the
      // injected clock (src/orchestrator/breakers.ts); breaker alerts are tested in test/api/alerts.test.ts.
      breakers: { ...DEFAULT_BREAKER_SETTINGS, volumeThreshold: 1_000 },
    });
    sandbox = rig.sandbox;
    // An hour of normal traffic on Stripe: 22 approvals and 3 declines.
    for (let i = 0; i < 22; i++) expect((await pay(CARDS.visa)).status).toBe('succeeded');
    for (let i = 0; i < 3; i++) expect((await pay(CARDS.insufficientFunds)).status).toBe('failed');
    page = rig.watch(await (await rig.signedIn()).newPage());
  }, 180_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('shows an injected Stripe outage as a firing alert, live, with a badge, and as a drop in the approval chart', async () => {
    await page.goto(`${sandbox.url}/console/alerts`);
    // The sandbox seeds the demo merchant's rules: an open breaker, and an approval drop against the hour before.
    const rules = page.getByRole('region', { name: 'Alert rules' });
    await rules.getByRole('cell', { name: 'Approval rate drop', exact: true }).waitFor();
    await page.getByText('No alert is firing.').waitFor();

    // An operator watching every merchant: Stripe's approval rate across them.
    clock.set(new Date(realStart - 30 * MINUTE));
    const token = await signIn(sandbox.url, sandbox.operator, clock);
    const operatorRule = await fetch(`${sandbox.url}/v1/admin/alert_rules`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'approval_drop', name: 'Stripe everywhere', params: { provider: 'stripe', window_minutes: 2, baseline_hours: 1, drop_pp: 20 } }),
    });
    expect(operatorRule.status).toBe(201);
    await sandbox.simulators.stripe!.setFault({ kind: 'refuse_connections' });
    for (let i = 0; i < 25; i++) expect((await pay(CARDS.visa)).status).toBe('failed');
    await sandbox.simulators.stripe!.clearFault();
    await runJobs();

    // The page was open all along: the alert arrives by the live stream.
    const firing = page.getByRole('region', { name: 'Firing alerts' });
    await eventually(() => firing.textContent()).toMatch(/approval drop\s*stripe: approval rate 0\.0 % over 2 min against 88\.0 % over the 1 h before/);
    expect(Number(await page.getByTestId('alert-badge').textContent())).toBeGreaterThanOrEqual(1);
    const operatorWide = page.getByRole('region', { name: 'Operator-wide alerts' });
    await eventually(() => operatorWide.textContent()).toMatch(/approval drop\s*stripe: approval rate 0\.0 % over 2 min against 88\.0 % over the 1 h before \(every merchant\)/);
    expect(await operatorWide.textContent()).toContain('Watching every merchant: Stripe everywhere.');
    await shot('alerts-firing');
    const alerts = await api<{ data: { kind: string; state: string }[] }>('/v1/alerts?state=firing');
    expect(alerts.data.map((a) => a.kind)).toContain('approval_drop');

    await page.getByRole('link', { name: /^Analytics/ }).click();
    await eventually(() => page.getByTestId('approval-latest').textContent()).toContain('stripe 0.0 % of 25');
    await shot('analytics-outage');
  });

  it('renders the analytics screen from the seeded payments', async () => {
    const funnel = page.getByRole('region', { name: 'Funnel' });
    const bar = (label: string) => funnel.locator('li', { has: page.locator('.bar-label', { hasText: new RegExp(`^${label}$`) }) }).locator('.bar-value');
    await eventually(() => bar('created').textContent()).toBe('50');
    expect(await bar('authorized').textContent()).toBe('22');
    const declines = page.getByRole('region', { name: 'Top decline reasons' });
    expect(await declines.textContent()).toContain('insufficient_funds3 (100.0 %)');
    const costs = page.getByRole('region', { name: 'Costs per gateway' }).getByRole('row');
    expect(await costs.nth(1).textContent()).toMatch(/^stripeUSD50\$550\.00/);
  });

  it('renders the forecast screen with the API’s numbers', async () => {
    // The forecast is fitted to whole hours before the current one: the sandbox's clock moves into the next hour.
    clock.set(new Date(Math.ceil(realStart / HOUR) * HOUR + MINUTE));
    await page.getByRole('link', { name: /^Forecast/ }).click();
    const forecast = await api<{ method: string; peak: { volume: number }; capacity: { instances_needed: number } }>('/v1/analytics/forecast?horizon=24h');
    expect(forecast.peak.volume).toBeGreaterThan(0);
    const facts = page.locator('dl.facts');
    await eventually(() => facts.textContent()).toContain(`${forecast.peak.volume.toFixed(0)} payments at`);
    expect(await facts.textContent()).toContain(forecast.method);
    expect(await facts.textContent()).toContain(`${forecast.capacity.instances_needed} instance`);
    await shot('forecast');
  });

  it('creates, edits and deletes an alert rule, and shows a bad parameter by name', async () => {
    await page.getByRole('link', { name: /^Alerts/ }).click();
    const form = page.getByRole('form', { name: 'New alert rule' });
    await form.getByLabel('Kind').selectOption('review_queue');
    await form.getByLabel('Name').fill('Reviews waiting');
    await form.getByLabel('Parameters (JSON)').fill('{ "max_count": -1 }');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await eventually(() => form.getByRole('alert').textContent()).toContain('(params.max_count)');
    await form.getByLabel('Parameters (JSON)').fill('{ "max_count": 5 }');
    await form.getByRole('button', { name: 'Create rule' }).click();
    const rules = page.getByRole('region', { name: 'Alert rules' });
    const row = rules.getByRole('row', { name: /Reviews waiting/ });
    await eventually(() => row.textContent()).toContain('"max_count":5');

    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit Reviews waiting' });
    await edit.getByLabel('Parameters (JSON)').fill('{ "max_count": 9 }');
    await edit.getByRole('button', { name: 'Save rule' }).click();
    await eventually(() => row.textContent()).toContain('"max_count":9');

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Delete Reviews waiting' }).click();
    await eventually(() => rules.getByRole('row', { name: /Reviews waiting/ }).count()).toBe(0);
    const stored = await api<{ data: { name: string }[] }>('/v1/alert_rules');
    expect(stored.data.map((r) => r.name)).not.toContain('Reviews waiting');
  });

  it('fits a phone: the alerts screen scrolls only downwards', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('region', { name: 'Firing alerts' }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await shot('phone-alerts');
  });

  it('ran without script errors', () => {
    expect(rig.problems).toEqual([]);
  });
});
