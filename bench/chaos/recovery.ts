import type { SimulatorsControl } from './control.js';
import type { MerchantClient } from './merchant.js';
import { sleep } from './processes.js';

export interface RecoveryState {
  /** Reconciler jobs (payment.settle, refund.settle) scheduled or running. */
  reconciler_jobs: number;
  /** Payments `processing` not flagged for review (flagged ones have had the reconciler's last try). */
  processing_unflagged: number;
  processing_flagged: number;
  requires_action: number;
  simulators_idle: boolean;
}

export interface Recovery {
  settled: boolean;
  /** From the end of the load (faults cleared) until everything was settled, or the window ended. */
  seconds: number;
  last: RecoveryState;
}

const RECONCILER_JOBS = new Set(['payment.settle', 'refund.settle']);

/**
 * Polls the router and the simulators until nothing is unsettled (no reconciler work left, no
 * payment `processing` that the reconciler has not given up on, none `requires_action`) and
 * every simulator is idle (nothing to decide, settle, send or retry), or the window ends.
 */
export async function awaitRecovery(client: MerchantClient, control: SimulatorsControl, windowMs: number, since: number): Promise<Recovery> {
  let last: RecoveryState | null = null;
  for (;;) {
    last = await look(client, control);
    const settled = last.reconciler_jobs === 0 && last.processing_unflagged === 0 && last.requires_action === 0 && last.simulators_idle;
    const seconds = (Date.now() - since) / 1000;
    if (settled || Date.now() - since > windowMs) return { settled, seconds, last };
    await sleep(1000);
  }
}

async function look(client: MerchantClient, control: SimulatorsControl): Promise<RecoveryState> {
  const jobs = await client.call('GET', '/v1/jobs');
  const reconcilerJobs = (jobs.body?.data ?? [])
    .filter((j: { kind: string; state: string }) => RECONCILER_JOBS.has(j.kind) && (j.state === 'scheduled' || j.state === 'running'))
    .reduce((total: number, j: { count: number }) => total + j.count, 0);
  const processing = await listAll(client, 'processing');
  const requiresAction = await listAll(client, 'requires_action');
  return {
    reconciler_jobs: reconcilerJobs,
    processing_unflagged: processing.filter((p) => !p.review).length,
    processing_flagged: processing.filter((p) => p.review).length,
    requires_action: requiresAction.length,
    simulators_idle: await control.idle(500),
  };
}

async function listAll(client: MerchantClient, status: string): Promise<{ id: string; review: unknown }[]> {
  const all: { id: string; review: unknown }[] = [];
  let after: string | null = null;
  for (;;) {
    const answer = await client.call('GET', `/v1/payments?status=${status}&limit=100${after ? `&starting_after=${after}` : ''}`);
    if (answer.status !== 200) throw new Error(`GET /v1/payments?status=${status}: ${answer.status} ${JSON.stringify(answer.body)}`);
    all.push(...answer.body.data);
    if (!answer.body.has_more || answer.body.data.length === 0) return all;
    after = answer.body.data.at(-1).id;
  }
}
