import type { AlertRow } from '../store/alerts.js';

/** An alert as the API answers it and as its `alert.firing` / `alert.resolved` events carry it. */
export function alertView(a: AlertRow) {
  return {
    id: a.id,
    object: 'alert' as const,
    rule_id: a.ruleId,
    kind: a.kind,
    subject: a.subject,
    state: a.state as 'firing' | 'resolved',
    summary: a.summary,
    value: a.value,
    threshold: a.threshold,
    detail: a.detail,
    fired_at: a.firedAt.toISOString(),
    resolved_at: a.resolvedAt?.toISOString() ?? null,
    updated_at: a.updatedAt.toISOString(),
  };
}
