import { Problem, problems } from '../domain/problem.js';
import { backtest, type BacktestReport } from '../routing/backtest/backtest.js';
import type { LocatedError } from '../routing/rules/source.js';
import type { FeeSchedule } from '../routing/fees/schedule.js';
import type { Repositories } from '../store/index.js';
import { checkRuleset } from './router.js';
import { routingFacts } from './routing-facts.js';

/** A backtest reads at most this much history: the window and the payments in it. */
export const BACKTEST_LIMITS = { maxWindowDays: 93, maxPayments: 20_000 } as const;

export interface BacktestWindow {
  from: Date;
  to: Date;
}

export type VersionBacktest = BacktestReport & { object: 'routing_backtest'; window: { from: string; to: string } };

/**
 * Replays a merchant's recorded payments in [from, to) against a stored ruleset version and
 * against the active one, from the decisions logged with them (routing.backtest): nothing is
 * charged, nothing changes. Throws a Problem for a window out of bounds, an unknown version, or
 * one that no longer fits the merchant's gateway accounts.
 */
export async function backtestVersion(
  deps: { repositories: Repositories; fees: ReadonlyMap<string, FeeSchedule> },
  merchantId: string,
  version: number,
  window: BacktestWindow,
): Promise<VersionBacktest> {
  const { from, to } = window;
  if (!(from < to)) throw problems.invalidRequest('`to` must be after `from`.', 'to', 'invalid_window');
  if (to.getTime() - from.getTime() > BACKTEST_LIMITS.maxWindowDays * 86_400_000) {
    throw problems.invalidRequest(`The window may span at most ${BACKTEST_LIMITS.maxWindowDays} days.`, 'to', 'window_too_large');
  }
  const { repositories } = deps;
  const row = (await repositories.routing.versions(merchantId)).find((v) => v.version === version);
  if (!row) throw problems.notFound('ruleset version');
  const names = (await repositories.merchants.gatewayAccounts(merchantId)).map((a) => a.name);
  const candidate = checkRuleset(row.source, `ruleset v${version}`, names);
  if ('errors' in candidate) throw unusableVersion(candidate.errors);
  const active = await repositories.routing.active(merchantId);
  // An active version that no longer compiles routes by the default, as live traffic does.
  const activeChecked = active ? checkRuleset(active.source, `ruleset v${active.version}`, names) : null;
  const current = activeChecked && 'compiled' in activeChecked ? activeChecked.compiled : null;

  const rows = await repositories.paymentHistory.window(merchantId, from, to, BACKTEST_LIMITS.maxPayments + 1);
  if (rows.length > BACKTEST_LIMITS.maxPayments) {
    throw new Problem({
      status: 422,
      code: 'too_many_payments',
      title: 'Window too busy',
      detail: `The window holds more than ${BACKTEST_LIMITS.maxPayments} payments; narrow it.`,
      param: 'from',
    });
  }
  const report = backtest({
    payments: rows.map(({ payment, firstAttempt }) => ({
      tx: { ...routingFacts(payment), threeDSecure: payment.threeDSecure as 'automatic' | 'required' },
      decision: payment.decision,
      firstAttempt: firstAttempt && { accountId: firstAttempt.gatewayAccountId, status: firstAttempt.status },
    })),
    current: { version: active?.version ?? null, compiled: current },
    candidate: { version, compiled: candidate.compiled },
    fees: deps.fees,
  });
  return { object: 'routing_backtest', window: { from: from.toISOString(), to: to.toISOString() }, ...report };
}

function unusableVersion(errors: readonly LocatedError[]): Problem {
  return new Problem({
    status: 422,
    code: 'invalid_ruleset',
    title: 'Invalid ruleset',
    detail: `The version no longer fits the gateway accounts: ${errors.length} error${errors.length === 1 ? '' : 's'}, each listed with its line and column.`,
    param: 'version',
    extensions: { errors: errors.map(({ line, column, message, path }) => ({ line, column, path, message })) },
  });
}
