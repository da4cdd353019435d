import { useMemo, useState } from 'preact/hooks';
import { money, percent, when } from '../api.js';
import { Bars, TimeChart } from '../components/chart.js';
import { Panel, Show } from '../components/panel.js';
import { useApi } from '../components/use-api.js';
import { ApprovalChart } from './approval-chart.js';

const WINDOWS = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30 } as const;

interface Funnel {
  created: number;
  attempted: number;
  authorized: number;
  captured: number;
  recovered_by_cascade: number;
}
interface Declines {
  data: { reason: string; count: number; share: number }[];
}
interface Costs {
  data: { gateway_account_id: string; provider: string; currency: string; attempts: number; approved_amount: number; fees: number }[];
}

/** Approval over time, the funnel, top declines and costs, from /v1/analytics. */
export function Analytics() {
  const [window, setWindow] = useState<keyof typeof WINDOWS>('24h');
  // Fixed when the window is picked, so every panel asks about the same hours.
  const range = useMemo(() => {
    const to = new Date();
    return { from: new Date(to.getTime() - WINDOWS[window] * 3_600_000).toISOString(), to: to.toISOString() };
  }, [window]);
  const [funnel] = useApi<Funnel>('/v1/analytics/funnel', { query: range });
  const [declines] = useApi<Declines>('/v1/analytics/declines', { query: { ...range, limit: 10 } });
  const [costs] = useApi<Costs>('/v1/analytics/costs', { query: range });
  return (
    <main class="content">
      <form class="filters" aria-label="Window">
        <label>
          Window
          <select name="window" value={window} onChange={(e) => setWindow(e.currentTarget.value as keyof typeof WINDOWS)}>
            {Object.keys(WINDOWS).map((w) => (
              <option key={w} value={w}>
                last {w}
              </option>
            ))}
          </select>
        </label>
      </form>
      <div class="panels">
        <Panel title="Approval over time" wide>
          <ApprovalChart key={range.from} granularity={window === '24h' ? 'minute' : 'hour'} from={range.from} to={range.to} />
        </Panel>
        <Panel title="Funnel">
          <Show loaded={funnel} what="The funnel">
            {(f) => (
              <Bars
                rows={[
                  { label: 'created', value: f.created },
                  { label: 'attempted', value: f.attempted },
                  { label: 'authorized', value: f.authorized },
                  { label: 'captured', value: f.captured },
                  { label: 'recovered by cascade', value: f.recovered_by_cascade },
                ]}
              />
            )}
          </Show>
        </Panel>
        <Panel title="Top decline reasons">
          <Show loaded={declines} what="Decline analytics">
            {({ data }) => (data.length === 0 ? <p class="muted">No declines.</p> : <Bars rows={data.map((d) => ({ label: d.reason, value: d.count, note: `${d.count} (${percent(d.share)})` }))} />)}
          </Show>
        </Panel>
        <Panel title="Costs per gateway" wide>
          <Show loaded={costs} what="Cost analytics">
            {({ data }) => (
              <table class="grid">
                <thead>
                  <tr>
                    <th>Gateway</th>
                    <th>Currency</th>
                    <th>Attempts</th>
                    <th>Approved</th>
                    <th>Fees</th>
                    <th>Fee rate</th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((c) => (
                    <tr key={`${c.gateway_account_id}:${c.currency}`}>
                      <td>{c.provider}</td>
                      <td>{c.currency}</td>
                      <td>{c.attempts}</td>
                      <td class="number">{money(c.approved_amount, c.currency)}</td>
                      <td class="number">{money(c.fees, c.currency)}</td>
                      <td>{percent(c.approved_amount ? c.fees / c.approved_amount : null)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Show>
        </Panel>
      </div>
    </main>
  );
}

interface Forecast {
  horizon: '24h' | '7d';
  generated_at: string;
  method: string;
  points: { t: string; volume: number; lower: number; upper: number }[];
  peak: { t: string; volume: number; payments_per_second: number };
  capacity: { per_instance_payments_per_second: number; instances_needed: number; source: string };
  accuracy: { mape: number; held_out: string } | null;
}

/** Hourly volume forecast with its band, the peak, and the instances it needs. */
export function ForecastScreen() {
  const [horizon, setHorizon] = useState<'24h' | '7d'>('24h');
  const [forecast] = useApi<Forecast>('/v1/analytics/forecast', { query: { horizon } });
  return (
    <main class="content">
      <form class="filters" aria-label="Horizon">
        <label>
          Horizon
          <select name="horizon" value={horizon} onChange={(e) => setHorizon(e.currentTarget.value as '24h' | '7d')}>
            <option value="24h">next 24 hours</option>
            <option value="7d">next 7 days</option>
          </select>
        </label>
      </form>
      <Panel title="Forecast: payments per hour" wide>
        <Show loaded={forecast} what="The forecast">
          {(f) => (
            <>
              <TimeChart
                x={f.points.map((p) => Date.parse(p.t) / 1000)}
                series={[
                  { label: 'forecast', values: f.points.map((p) => p.volume) },
                  { label: 'lower', values: f.points.map((p) => p.lower), dashed: true },
                  { label: 'upper', values: f.points.map((p) => p.upper), dashed: true },
                ]}
                label="payments / hour"
              />
              <dl class="facts">
                <dt>Peak</dt>
                <dd>
                  {f.peak.volume.toFixed(0)} payments at {when(f.peak.t)} ({f.peak.payments_per_second.toFixed(3)}/s)
                </dd>
                <dt>Capacity</dt>
                <dd>
                  {f.capacity.instances_needed} instance{f.capacity.instances_needed === 1 ? '' : 's'} needed at {f.capacity.per_instance_payments_per_second}/s each{' '}
                  <span class="muted">({f.capacity.source})</span>
                </dd>
                <dt>Method</dt>
                <dd>{f.method}</dd>
                <dt>Accuracy</dt>
                <dd>{f.accuracy ? `MAPE ${percent(f.accuracy.mape)} on ${f.accuracy.held_out}` : 'not measured yet'}</dd>
              </dl>
            </>
          )}
        </Show>
      </Panel>
    </main>
  );
}
