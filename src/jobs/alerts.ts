import type { InstanceCapacity } from '../analytics/capacity.js';
import { hourlyHistory } from '../analytics/history.js';
import { forecastCache, type ForecastCache } from '../alerts/forecast-cache.js';
import { approvalDrop, breakerOpen, forecastAboveCapacity, reconcilerBacklog, reviewQueue, transition, type AccountApprovals, type Finding } from '../alerts/evaluate.js';
import { isAlertKind, OPERATOR_PARAMS, PARAMS, type AlertKind } from '../alerts/rules.js';
import { alertView } from '../alerts/view.js';
import { after, type Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import type { Logger } from '../domain/logger.js';
import type { BreakerState } from '../orchestrator/breakers.js';
import { emit } from '../orchestrator/events.js';
import { PAYMENT_JOB, REFUND_JOB } from '../orchestrator/settle.js';
import type { AlertRow, AlertRuleRow } from '../store/alerts.js';
import type { Repositories } from '../store/index.js';
import type { JobKind } from './engine.js';

export const ALERTS_JOB = 'alerts.evaluate';
/** Between evaluations; the rollup fold runs every 15 s too. */
export const DEFAULT_ALERT_INTERVAL_MS = 15_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;
const hourFloor = (t: Date) => new Date(Math.floor(t.getTime() / HOUR_MS) * HOUR_MS);
const hourCeil = (t: Date) => new Date(Math.ceil(t.getTime() / HOUR_MS) * HOUR_MS);

/** What the evaluation reads besides the store: this instance's breakers (shared between instances through PostgreSQL) and gateway accounts. */
export interface AlertHealth {
  accounts(merchantId: string): Promise<{ accountId: string; name: string }[]>;
  breaker(accountId: string): BreakerState;
}

export interface AlertDeps {
  repositories: Repositories;
  clock: Clock;
  logger: Logger;
  health: AlertHealth;
  capacity: InstanceCapacity;
  /** Forecast fits kept between evaluations (alertJobs keeps one per instance); without it each evaluation fits afresh. */
  forecasts?: ForecastCache;
}

/**
 * Evaluates every enabled rule once: reads the rollups, the job and review counts and the
 * breakers (never the payments one by one), moves each rule and subject through the state machine,
 * and records each alert that fires or resolves with its event (a webhook and a message on the
 * live stream) in one transaction per merchant. Answers how many fired and resolved.
 */
export async function evaluateAlerts(input: AlertDeps): Promise<{ fired: number; resolved: number }> {
  const deps = { ...input, forecasts: input.forecasts ?? forecastCache() };
  const { repositories, clock } = deps;
  const now = clock.now();
  const rules = await repositories.alerts.enabledRules();
  const firing = await repositories.alerts.firing(rules.map((r) => r.id));
  // The key null holds the operator-wide rules (every merchant).
  const byMerchant = new Map<string | null, AlertRuleRow[]>();
  for (const rule of rules) byMerchant.set(rule.merchantId, [...(byMerchant.get(rule.merchantId) ?? []), rule]);
  const totals = { fired: 0, resolved: 0 };
  deps.forecasts.retain(new Set(rules.filter((r) => r.kind === 'forecast_above_capacity' && r.merchantId !== null).map((r) => r.merchantId!)));
  for (const [merchantId, merchantRules] of byMerchant) {
    const findings = new Map<string, Finding[]>();
    for (const rule of merchantRules) {
      if (!isAlertKind(rule.kind)) continue;
      try {
        findings.set(rule.id, merchantId === null ? await operatorFindings(deps, rule.kind, rule.params, now) : await findingsOf(deps, merchantId, rule.kind, rule.params, now));
      } catch (error) {
        // One rule that cannot be read (a stored parameter set an older version allowed) does not stop the others.
        deps.logger.warn('alerts.rule_failed', { rule_id: rule.id, kind: rule.kind, error: error instanceof Error ? error.message : String(error) });
      }
    }
    const changed = await repositories.transaction(async (tx) => {
      const events: { type: 'alert.firing' | 'alert.resolved'; alert: AlertRow }[] = [];
      for (const rule of merchantRules) {
        const found = findings.get(rule.id);
        if (!found) continue;
        const resolveAfter = Number((rule.params as { resolve_after?: number }).resolve_after ?? 2);
        const open = new Map(firing.filter((a) => a.ruleId === rule.id).map((a) => [a.subject, a]));
        const subjects = new Set([...found.map((f) => f.subject), ...open.keys()]);
        for (const subject of subjects) {
          const finding = found.find((f) => f.subject === subject);
          const alert = open.get(subject) ?? null;
          const step = transition(alert, finding, resolveAfter);
          const reading = finding ? { value: finding.value, threshold: finding.threshold, summary: finding.summary, detail: finding.detail } : null;
          if (step.action === 'fire' && reading) {
            const row = await tx.alerts.fire({ id: newId('alt'), merchantId, ruleId: rule.id, kind: rule.kind, subject, ...reading, firedAt: now });
            if (row) events.push({ type: 'alert.firing', alert: row });
          } else if (step.action === 'resolve' && alert) {
            const row = await tx.alerts.resolve(alert.id, reading, now);
            if (row) events.push({ type: 'alert.resolved', alert: row });
          } else if (step.action === 'hold' && alert) {
            await tx.alerts.hold(alert.id, reading ?? { value: alert.value, threshold: alert.threshold, summary: alert.summary, detail: alert.detail }, step.clearStreak, now);
          }
        }
      }
      // Operator-wide alerts are no merchant's event: the log, the admin API and the console carry them.
      if (merchantId !== null) await emit(tx, now, events.map((e) => ({ type: e.type, merchantId, paymentId: null, data: alertView(e.alert) })));
      return events;
    });
    for (const e of changed) {
      if (e.type === 'alert.firing') totals.fired += 1;
      else totals.resolved += 1;
      const log = merchantId === null ? deps.logger.warn : deps.logger.info;
      log.call(deps.logger, e.type, { merchant_id: merchantId ?? 'operator-wide', alert_id: e.alert.id, rule_id: e.alert.ruleId, kind: e.alert.kind, subject: e.alert.subject });
    }
  }
  return totals;
}

/** The window and baseline of an approval-drop rule, as [from, to, granularity] pairs. */
type Period = [from: Date, to: Date, granularity: 'minute' | 'hour'];
function approvalPeriods(params: { window_minutes: number; baseline: 'preceding' | 'last_week'; baseline_hours: number }, now: Date): { current: Period; baseline: Period } {
  const windowStart = after(now, -params.window_minutes * MINUTE_MS);
  return {
    current: [windowStart, now, 'minute'],
    // Minute rollups are kept three days: last week's window is read from the whole hours around it.
    baseline:
      params.baseline === 'last_week'
        ? [hourFloor(after(windowStart, -WEEK_MS)), hourCeil(after(now, -WEEK_MS)), 'hour']
        : [after(windowStart, -params.baseline_hours * HOUR_MS), windowStart, 'minute'],
  };
}

/** An operator-wide rule's findings: every merchant's numbers together (a provider's approval rate, any breaker, the whole backlog). */
async function operatorFindings(deps: AlertDeps, kind: AlertKind, stored: Record<string, unknown>, now: Date): Promise<Finding[]> {
  const { repositories } = deps;
  switch (kind) {
    case 'approval_drop': {
      const params = OPERATOR_PARAMS.approval_drop.parse(stored);
      const periods = approvalPeriods(params, now);
      const [current, baseline] = await Promise.all([
        repositories.alerts.approvalTotalsByProvider(...periods.current),
        repositories.alerts.approvalTotalsByProvider(...periods.baseline),
      ]);
      const byProvider = new Map<string, AccountApprovals>();
      const entry = (provider: string) => {
        let a = byProvider.get(provider);
        if (!a) byProvider.set(provider, (a = { accountId: provider, name: provider, current: { attempts: 0, approved: 0 }, baseline: { attempts: 0, approved: 0 } }));
        return a;
      };
      for (const r of current) entry(r.provider).current = { attempts: r.attempts, approved: r.approved };
      for (const r of baseline) entry(r.provider).baseline = { attempts: r.attempts, approved: r.approved };
      const watched = [...byProvider.values()].filter((a) => params.provider === null || a.accountId === params.provider);
      return approvalDrop({ ...params, gateway_account_id: null }, watched).map((f) => ({ ...f, summary: `${f.summary} (every merchant)`, detail: { ...f.detail, provider: f.subject } }));
    }
    case 'breaker_open': {
      const params = OPERATOR_PARAMS.breaker_open.parse(stored);
      const merchants = (await repositories.merchants.list()).filter((m) => !m.disabledAt);
      const accounts = (await Promise.all(merchants.map(async (m) => (await deps.health.accounts(m.id)).map((a) => ({ ...a, name: `${m.name} / ${a.name}` }))))).flat();
      return breakerOpen(params, accounts.map((a) => ({ ...a, state: deps.health.breaker(a.accountId) })));
    }
    case 'reconciler_backlog':
      return reconcilerBacklog(OPERATOR_PARAMS.reconciler_backlog.parse(stored), backlogOf(await repositories.jobs.stats(), now));
    case 'review_queue':
      return reviewQueue(OPERATOR_PARAMS.review_queue.parse(stored), await repositories.alerts.reviewCount(null));
    case 'forecast_above_capacity':
      throw new Error('forecast_above_capacity is per merchant');
  }
}

function backlogOf(jobStats: Awaited<ReturnType<Repositories['jobs']['stats']>>, now: Date): { count: number; oldestOverdueMs: number } {
  const stats = jobStats.filter((s) => (s.kind === PAYMENT_JOB || s.kind === REFUND_JOB) && (s.state === 'scheduled' || s.state === 'running'));
  const count = stats.reduce((n, s) => n + s.count, 0);
  const oldest = stats.filter((s) => s.state === 'scheduled' && s.oldestRunAt).map((s) => s.oldestRunAt!.getTime());
  return { count, oldestOverdueMs: oldest.length === 0 ? 0 : Math.max(0, now.getTime() - Math.min(...oldest)) };
}

async function findingsOf(deps: AlertDeps & { forecasts: ForecastCache }, merchantId: string, kind: AlertKind, stored: Record<string, unknown>, now: Date): Promise<Finding[]> {
  const { repositories } = deps;
  switch (kind) {
    case 'approval_drop': {
      const params = PARAMS.approval_drop.parse(stored);
      const periods = approvalPeriods(params, now);
      const [current, baseline, accounts] = await Promise.all([
        repositories.alerts.approvalTotals(merchantId, ...periods.current),
        repositories.alerts.approvalTotals(merchantId, ...periods.baseline),
        deps.health.accounts(merchantId),
      ]);
      const names = new Map(accounts.map((a) => [a.accountId, a.name]));
      const byAccount = new Map<string, AccountApprovals>();
      const entry = (id: string) => {
        let a = byAccount.get(id);
        if (!a) byAccount.set(id, (a = { accountId: id, name: names.get(id) ?? id, current: { attempts: 0, approved: 0 }, baseline: { attempts: 0, approved: 0 } }));
        return a;
      };
      for (const r of current) entry(r.gatewayAccountId).current = { attempts: r.attempts, approved: r.approved };
      for (const r of baseline) entry(r.gatewayAccountId).baseline = { attempts: r.attempts, approved: r.approved };
      return approvalDrop(params, [...byAccount.values()]);
    }
    case 'breaker_open': {
      const params = PARAMS.breaker_open.parse(stored);
      const accounts = await deps.health.accounts(merchantId);
      return breakerOpen(params, accounts.map((a) => ({ ...a, state: deps.health.breaker(a.accountId) })));
    }
    case 'reconciler_backlog': {
      return reconcilerBacklog(PARAMS.reconciler_backlog.parse(stored), backlogOf(await repositories.jobs.stats(merchantId), now));
    }
    case 'review_queue':
      return reviewQueue(PARAMS.review_queue.parse(stored), await repositories.alerts.reviewCount(merchantId));
    case 'forecast_above_capacity': {
      const params = PARAMS.forecast_above_capacity.parse(stored);
      const history = await hourlyHistory(repositories.rollups, merchantId, now);
      const f = deps.forecasts.forecast(merchantId, params.horizon, history, deps.capacity);
      return forecastAboveCapacity(params, { peakAt: f.peak.t, peakPerSecond: f.peak.paymentsPerSecond, perInstance: f.capacity.perInstance, instancesNeeded: f.capacity.instancesNeeded });
    }
  }
}

export function alertJobs(input: AlertDeps & { intervalMs?: number }): Record<string, JobKind> {
  const intervalMs = input.intervalMs ?? DEFAULT_ALERT_INTERVAL_MS;
  const deps = { ...input, forecasts: input.forecasts ?? forecastCache() };
  return {
    [ALERTS_JOB]: {
      async run() {
        await evaluateAlerts(deps);
        return { retryAt: after(deps.clock.now(), intervalMs) };
      },
    },
  };
}

/** Makes sure the recurring evaluation is scheduled (a no-op when it is). */
export async function scheduleAlerts(repositories: Repositories, clock: Clock): Promise<void> {
  const now = clock.now();
  await repositories.jobs.schedule({ kind: ALERTS_JOB, key: 'alerts:evaluate', runAt: now }, now);
}
