import { median, table } from '../lib/report.js';
import { settlementHorizonMs, type ChaosConfig } from './config.js';
import type { DriverResult } from './run.js';

/** The run's configuration in one paragraph: what was done, and the window. */
export function describeConfig(config: ChaosConfig): string {
  const r = config.router;
  return [
    `Chaos${config.quick ? ' (quick)' : ''}: ${config.orders.toLocaleString('en-US')} orders per driver, ${config.concurrency} requests in flight (${config.ordersInProgress} orders under way), ${config.kills} SIGKILL restarts of the router under load, seed ${config.seed}.`,
    `Faults: per simulator a request fault (latency past the gateway timeout, charge_then_hang, charge_then_500, http 5xx, http 429, refuse_connections) ` +
      `on ${config.faults.requestOnMs.join('–')} ms, off ${config.faults.requestOffMs.join('–')} ms; webhook faults on every simulator ` +
      `(drop ${config.faults.webhookRates.drop}, drop forever ${config.faults.webhookRates.dropForever}, duplicate ${config.faults.webhookRates.duplicate}, ` +
      `delay ${config.faults.webhookDelayMs} ms ${config.faults.webhookRates.delay}, reorder ${config.faults.webhookRates.reorder}) on ${config.faults.webhookOnMs.join('–')} ms, off ${config.faults.webhookOffMs.join('–')} ms.`,
    `Router: gateway timeout ${r.gatewayTimeoutMs} ms, request lease ${r.requestLeaseMs} ms, reconciler tries after ${r.reconcileDelaysMs.join(', ')} ms ` +
      `(review by ${settlementHorizonMs(config) / 1000} s after a state is left), not-found proof after ${r.notFoundAfterMs} ms, job poll ${r.jobPollMs} ms; ` +
      `webhook retry schedules × ${config.webhookRetryScale}.`,
    `Recovery window: ${config.recoveryWindowMs / 1000} s after the load ends and the faults are cleared.`,
  ].join('\n');
}

/** The readable table, one column per driver. */
export function summarize(config: ChaosConfig, results: readonly DriverResult[]): string {
  const col = (f: (r: DriverResult) => string | number) => results.map(f);
  const kv = (record: Record<string, number>, keys?: readonly string[]) =>
    (keys ?? Object.keys(record).sort())
      .filter((k) => record[k])
      .map((k) => `${k} ${record[k]}`)
      .join(', ') || '0';
  const rows: (string | number)[][] = [
    ['load', ...col(() => '')],
    ['  orders finished / stopped by the client', ...col((r) => `${r.load.orders_finished} / ${r.load.orders_stopped}`)],
    ['  requests sent', ...col((r) => r.load.requests)],
    ['  payments (client view)', ...col((r) => kv(r.load.creates_by_status))],
    ...['card', 'paypal', 'crypto', 'sepa_debit', 'ach_debit'].map((method) => [`    ${method}`, ...col((r) => kv(r.load.creates_by_method[method] ?? {}))]),
    ['  manual: capture full / partial / cancel', ...col((r) => `${r.load.operations.capture_full ?? 0} / ${r.load.operations.capture_partial ?? 0} / ${r.load.operations.cancel ?? 0}`)],
    ['  refunds: asked / succeeded / pending / failed', ...col((r) => `${r.load.refunds.requested} / ${r.load.refunds.succeeded} / ${r.load.refunds.pending} / ${r.load.refunds.failed}`)],
    ['chaos', ...col(() => '')],
    ['  SIGKILL restarts (s into the load)', ...col((r) => `${r.chaos.kills} (${r.chaos.kill_at_seconds.map((s) => s.toFixed(0)).join(', ')})`)],
    ['  restart to /healthz, median ms', ...col((r) => (r.chaos.restart_ms.length ? Math.round(median(r.chaos.restart_ms)) : '-'))],
    ['  router exits nobody caused', ...col((r) => r.chaos.router_crashes.length)],
    ['  router log: errors / failed jobs / webhooks answered 5xx', ...col((r) => `${kv(r.router_logs.errors)} / ${r.router_logs.job_failures} / ${r.router_logs.webhook_5xx}`)],
    ['  request fault windows', ...col((r) => kv(r.chaos.faults.request_windows))],
    ['  webhook fault windows', ...col((r) => r.chaos.faults.webhook_windows)],
    ['  webhooks: deliveries / attempts', ...col((r) => `${r.chaos.webhooks.deliveries} / ${r.chaos.webhooks.attempts}`)],
    ['  webhook attempts dropped / lost for good', ...col((r) => `${r.chaos.webhooks.dropped} / ${r.chaos.webhooks.dropped_forever}`)],
    ['  duplicated / delayed / reordered', ...col((r) => `${r.chaos.webhooks.duplicated} / ${r.chaos.webhooks.delayed} / ${r.chaos.webhooks.reordered}`)],
    ['  webhook attempts failed (router down, non-2xx)', ...col((r) => r.chaos.webhooks.failed_attempts)],
    ['  client retries: refused / cut off / key in use', ...col((r) => `${r.chaos.client.refused} / ${r.chaos.client.cut_off} / ${r.chaos.client.key_in_use}`)],
    ['  op 502/503 resent / op in progress / refund new key', ...col((r) => `${r.chaos.client.operation_unknown_or_unavailable} / ${r.chaos.client.operation_in_progress} / ${r.chaos.client.refund_new_key}`)],
    ['  cut-off POSTs answered on retry, same key', ...col((r) => r.chaos.client.cut_off_then_answered)],
    ['  deliberate replays / mismatched', ...col((r) => `${r.chaos.client.deliberate_replays} / ${r.chaos.client.replay_mismatches}`)],
    ['recovery', ...col(() => '')],
    ['  settled after (window)', ...col((r) => `${r.recovery.settled ? `${r.recovery.seconds.toFixed(1)} s` : 'NOT settled'} (${r.recovery.window_seconds} s)`)],
    ['money invariants (must be 0)', ...col(() => '')],
    ['  double charges', ...col((r) => r.findings.money.double_charges)],
    ['  charges without a payment', ...col((r) => r.findings.money.charges_without_payment)],
    ['  failed or canceled while charged', ...col((r) => r.findings.money.failed_while_charged)],
    ['  amount mismatches (captured / refunded / held)', ...col((r) => { const m = r.findings.money; return `${m.amount_mismatches} (${m.amount_mismatches_by_field.captured} / ${m.amount_mismatches_by_field.refunded} / ${m.amount_mismatches_by_field.held})`; })],
    ['  orders with more than one payment', ...col((r) => r.findings.idempotency.orders_with_several_payments)],
    ['after the window (must be 0 unless explained)', ...col(() => '')],
    ['  payments processing / requires_action', ...col((r) => `${r.findings.unsettled.processing} / ${r.findings.unsettled.requires_action}`)],
    ['  operations pending', ...col((r) => r.findings.unsettled.pending_operations)],
    ['  refunds pending', ...col((r) => r.findings.unsettled.refunds_pending)],
    ['  flagged for review: payments / refunds', ...col((r) => `${r.findings.unsettled.review_payments} / ${r.findings.unsettled.review_refunds}`)],
    ['  Idempotency-Keys in_progress', ...col((r) => r.findings.unsettled.idempotency_keys_in_progress)],
    ['  explained: Adyen notification lost for good', ...col((r) => r.findings.unsettled.explained_by_lost_notification)],
    ['  unexplained', ...col((r) => r.findings.unsettled.unexplained)],
    ['ledger', ...col(() => '')],
    ['  router payments', ...col((r) => kv(r.findings.info.payments_by_status))],
    ['  provider charges (approved) / refunds', ...col((r) => `${r.findings.info.ledger_charges} (${r.findings.info.ledger_charges_approved}) / ${r.findings.info.ledger_refunds}`)],
    ['  approved charges: stripe / adyen / braintree / checkout', ...col((r) => { const b = r.findings.info.approved_by_provider; return `${b.stripe ?? 0} / ${b.adyen ?? 0} / ${b.braintree ?? 0} / ${b.checkout ?? 0}`; })],
    ['  approved charges: paypal / gocardless / bitpay', ...col((r) => { const b = r.findings.info.approved_by_provider; return `${b.paypal ?? 0} / ${b.gocardless ?? 0} / ${b.bitpay ?? 0}`; })],
    ['  attempts settled after a lost answer', ...col((r) => kv(r.findings.info.attempts_resolved_by))],
    ['  extra authorizations released', ...col((r) => r.findings.info.extra_authorizations_released)],
    ['seconds: startup / load / recovery / total', ...col((r) => `${r.seconds.startup.toFixed(0)} / ${r.seconds.load.toFixed(0)} / ${r.seconds.recovery.toFixed(0)} / ${r.seconds.total.toFixed(0)}`)],
    ['result', ...col((r) => (r.passed ? 'PASS' : 'FAIL'))],
  ];
  // Every cell as text, left-aligned: the columns mix counts and breakdowns.
  const text = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? cell.toLocaleString('en-US') : cell)));
  const lines = [describeConfig(config), '', table(['', ...results.map((r) => r.driver)], text)];
  for (const r of results) {
    if (r.failures.length > 0) lines.push('', `${r.driver} FAILED: ${r.failures.join('; ')}`, `  evidence: "examples" in the JSON; logs in ${r.log_dir}`);
    const kinds = Object.entries(r.findings.unsettled.unexplained_by_kind).sort((a, b) => b[1] - a[1]);
    if (kinds.length > 0) lines.push('', `${r.driver}: unsettled after the window, unexplained, by kind:`, ...kinds.map(([kind, n]) => `  ${n} × ${kind}`));
    const mismatches = Object.entries(r.findings.money.amount_mismatches_by_kind).sort((a, b) => b[1] - a[1]);
    if (mismatches.length > 0) lines.push('', `${r.driver}: amount mismatches by kind:`, ...mismatches.map(([kind, n]) => `  ${n} × ${kind}`));
    const stopped = Object.entries(r.load.stopped_reasons);
    if (stopped.length > 0) lines.push('', `${r.driver}: orders stopped by the client:`, ...stopped.map(([reason, n]) => `  ${n} × ${reason}`));
  }
  return lines.join('\n');
}
