import { z } from 'zod';
import { problems } from '../domain/problem.js';
import type { Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import { emit } from '../orchestrator/events.js';
import type { AlertRuleRow, AlertScope, AlertState } from '../store/alerts.js';
import type { Repositories } from '../store/index.js';
import { MAX_OPERATOR_RULES, MAX_RULES_PER_MERCHANT, OPERATOR_PARAMS, PARAMS, type AlertKind, type OperatorAlertKind } from './rules.js';
import { alertView } from './view.js';

/** The parameters a kind takes, with its defaults filled in; a bad one fails with the path under `params`. */
export function parseParams(kind: AlertKind, params: unknown, scope: 'merchant' | 'operator' = 'merchant'): { ok: true; params: Record<string, unknown> } | { ok: false; error: z.ZodError; input: unknown } {
  const input = { params };
  const schema = scope === 'operator' ? OPERATOR_PARAMS[kind as OperatorAlertKind] : PARAMS[kind];
  const parsed = z.object({ params: schema }).safeParse(input);
  return parsed.success ? { ok: true, params: parsed.data.params as Record<string, unknown> } : { ok: false, error: parsed.error, input };
}

export interface RuleInput {
  kind: AlertKind;
  name: string;
  enabled: boolean;
  params: Record<string, unknown>;
}

/**
 * Alert rules and alerts, scoped per merchant, or operator-wide (scope null: every merchant). An
 * operator-wide alert is never a merchant event: it describes other tenants' traffic.
 */
export function alertService(deps: { repositories: Repositories; clock: Clock; wake?: () => void }) {
  const { repositories, clock } = deps;

  /** Resolves the rule's firing alerts (it was deleted or disabled), each with its `alert.resolved` event. */
  async function resolveAll(tx: Repositories, merchantId: AlertScope, ruleId: string, now: Date, why: string): Promise<number> {
    const resolved = [];
    for (const alert of await tx.alerts.firing([ruleId])) {
      const row = await tx.alerts.resolve(alert.id, { value: alert.value, threshold: alert.threshold, summary: alert.summary, detail: { ...alert.detail, resolved_because: why } }, now);
      if (row) resolved.push(row);
    }
    if (merchantId !== null) await emit(tx, now, resolved.map((row) => ({ type: 'alert.resolved' as const, merchantId, paymentId: null, data: alertView(row) })));
    return resolved.length;
  }

  return {
    /** Creates the rule and links it to the request's Idempotency-Key in one transaction: a retry after a crash answers this rule. */
    async create(merchantId: AlertScope, input: RuleInput, context: { idempotencyKey?: string } = {}): Promise<AlertRuleRow> {
      const now = clock.now();
      const id = newId('alr');
      const row = await repositories.transaction(async (tx) => {
        const created = await tx.alerts.createRule({ id, merchantId, ...input, createdAt: now, updatedAt: now }, merchantId === null ? MAX_OPERATOR_RULES : MAX_RULES_PER_MERCHANT);
        if (created !== 'limit_reached' && merchantId !== null && context.idempotencyKey) await tx.idempotency.link(merchantId, context.idempotencyKey, { type: 'alert_rule', id });
        return created;
      });
      if (row === 'limit_reached') {
        throw merchantId === null
          ? problems.conflict('alert_rule_limit_reached', `There may be at most ${MAX_OPERATOR_RULES} operator-wide alert rules; delete one first.`)
          : problems.conflict('alert_rule_limit_reached', `A merchant may have at most ${MAX_RULES_PER_MERCHANT} alert rules; delete one first.`);
      }
      return row;
    },

    list: (merchantId: AlertScope) => repositories.alerts.rules(merchantId),

    async get(merchantId: AlertScope, id: string): Promise<AlertRuleRow> {
      const row = await repositories.alerts.rule(merchantId, id);
      if (!row) throw problems.notFound('alert rule');
      return row;
    },

    async update(merchantId: AlertScope, id: string, patch: Partial<Pick<RuleInput, 'name' | 'enabled' | 'params'>>): Promise<AlertRuleRow> {
      const now = clock.now();
      const { row, resolved } = await repositories.transaction(async (tx) => {
        const row = await tx.alerts.updateRule(merchantId, id, patch, now);
        if (!row) throw problems.notFound('alert rule');
        // New parameters judge afresh: what fired under the old ones resolves, and fires again if it still holds.
        const resolved = !row.enabled || patch.params ? await resolveAll(tx, merchantId, id, now, row.enabled ? 'rule_changed' : 'rule_disabled') : 0;
        return { row, resolved };
      });
      if (resolved > 0) deps.wake?.();
      return row;
    },

    async remove(merchantId: AlertScope, id: string): Promise<AlertRuleRow> {
      const now = clock.now();
      const { row, resolved } = await repositories.transaction(async (tx) => {
        const row = await tx.alerts.deleteRule(merchantId, id);
        if (!row) throw problems.notFound('alert rule');
        return { row, resolved: await resolveAll(tx, merchantId, id, now, 'rule_deleted') };
      });
      if (resolved > 0) deps.wake?.();
      return row;
    },

    alerts: (merchantId: AlertScope, filter: { limit: number; startingAfter?: string; state?: AlertState }) => repositories.alerts.list(merchantId, filter),
  };
}

export type AlertService = ReturnType<typeof alertService>;
