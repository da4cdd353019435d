import { useEffect, useMemo, useState } from 'preact/hooks';
import { money, percent } from '../api.js';
import { TimeChart } from '../components/chart.js';
import { NotAvailable, Panel } from '../components/panel.js';
import { linkProps } from '../router.js';
import { openStream, type StreamEvent, type StreamStatus } from '../stream.js';
import { ApprovalChart } from './approval-chart.js';
import { HealthPanel } from './health.js';

const WINDOW_MINUTES = 30;
const FINAL = new Set(['payment.succeeded', 'payment.requires_capture', 'payment.failed']);

interface Minute {
  at: number;
  payments: number;
  approved: number;
}

/** Live volume and approval from the event stream, approval per gateway from analytics, and each gateway's health. */
export function Overview() {
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [recent, setRecent] = useState<StreamEvent[]>([]);
  const [minutes, setMinutes] = useState<Minute[]>([]);
  const [healthRound, setHealthRound] = useState(0);

  useEffect(
    () =>
      openStream((event) => {
        setRecent((list) => [event, ...list].slice(0, 12));
        if (!FINAL.has(event.type)) return;
        const at = Math.floor(Date.now() / 60_000) * 60;
        setMinutes((list) => {
          const kept = list.filter((m) => m.at > at - WINDOW_MINUTES * 60);
          const last = kept.at(-1);
          const approved = event.type === 'payment.failed' ? 0 : 1;
          if (last && last.at === at) return [...kept.slice(0, -1), { at, payments: last.payments + 1, approved: last.approved + approved }];
          return [...kept, { at, payments: 1, approved }];
        });
        if (event.type === 'payment.failed') setHealthRound((r) => r + 1);
      }, setStatus),
    [],
  );

  const totals = minutes.reduce((sum, m) => ({ payments: sum.payments + m.payments, approved: sum.approved + m.approved }), { payments: 0, approved: 0 });
  const chart = useMemo(
    () => ({
      x: minutes.map((m) => m.at),
      series: [
        { label: 'payments / min', values: minutes.map((m) => m.payments) },
        { label: 'approval', values: minutes.map((m) => (m.payments ? m.approved / m.payments : null)), right: true },
      ],
    }),
    [minutes],
  );

  return (
    <main class="content">
      <div class="tiles">
        <div class="tile">
          <span class="muted">Stream</span>
          <strong data-testid="stream-status">{status}</strong>
        </div>
        <div class="tile">
          <span class="muted">Payments (live, {WINDOW_MINUTES} min)</span>
          <strong>{totals.payments}</strong>
        </div>
        <div class="tile">
          <span class="muted">Approval (live)</span>
          <strong>{percent(totals.payments ? totals.approved / totals.payments : null)}</strong>
        </div>
      </div>
      <div class="panels">
        <Panel title="Live volume and approval" wide>
          {status === 'unavailable' ? (
            <NotAvailable what="The live event stream" />
          ) : minutes.length === 0 ? (
            <p class="muted">Waiting for payments…</p>
          ) : (
            <TimeChart x={chart.x} series={chart.series} label="payments / min" rightLabel="approval" percentRight />
          )}
        </Panel>
        <Panel title="Approval by gateway, last 24 h" wide>
          <ApprovalChart granularity="hour" />
        </Panel>
        <HealthPanel refresh={healthRound} />
        <Panel title="Latest events">
          {status === 'unavailable' ? (
            <NotAvailable what="The live event stream" />
          ) : recent.length === 0 ? (
            <p class="muted">None yet.</p>
          ) : (
            <ul class="events">
              {recent.map((e) => (
                <li key={e.id}>
                  <span class={`badge ${e.type.split('.')[1] ?? ''}`}>{e.type}</span>{' '}
                  {e.data.id && e.data.id.startsWith('pay_') ? <a {...linkProps(`/payments/${e.data.id}`)}>{e.data.id}</a> : e.data.id}{' '}
                  {typeof e.data.amount === 'number' && e.data.currency ? money(e.data.amount, e.data.currency) : ''}
                </li>
              ))}
            </ul>
          )}
        </Panel>
      </div>
    </main>
  );
}
