import { useMemo } from 'preact/hooks';
import { percent } from '../api.js';
import { TimeChart, type ChartSeries } from '../components/chart.js';
import { Show } from '../components/panel.js';
import { useApi } from '../components/use-api.js';

export interface ApprovalRates {
  granularity: 'minute' | 'hour';
  from: string;
  to: string;
  series: { gateway_account_id: string; provider: string; points: { t: string; attempts: number; approved: number; declined: number; technical_failures: number; approval_rate: number | null }[] }[];
}

/** Approval rate per gateway account over time, from GET /v1/analytics/approval_rates. */
export function ApprovalChart(props: { from?: string; to?: string; granularity: 'minute' | 'hour'; names?: Record<string, string> }) {
  const [rates] = useApi<ApprovalRates>('/v1/analytics/approval_rates', { query: { granularity: props.granularity, from: props.from, to: props.to } });
  return (
    <Show loaded={rates} what="Approval analytics">
      {(data) => <ApprovalLines data={data} names={props.names ?? {}} />}
    </Show>
  );
}

function ApprovalLines(props: { data: ApprovalRates; names: Record<string, string> }) {
  const { x, series } = useMemo(() => {
    const times = [...new Set(props.data.series.flatMap((s) => s.points.map((p) => p.t)))].sort();
    const x = times.map((t) => Date.parse(t) / 1000);
    const series: ChartSeries[] = props.data.series.map((s) => {
      const byTime = new Map(s.points.map((p) => [p.t, p.approval_rate]));
      return { label: props.names[s.gateway_account_id] ?? s.provider, values: times.map((t) => byTime.get(t) ?? null) };
    });
    const attempts = times.map((t) => props.data.series.reduce((sum, s) => sum + (s.points.find((p) => p.t === t)?.attempts ?? 0), 0));
    return { x, series: [...series.map((s) => ({ ...s, right: true })), { label: 'attempts', values: attempts, dashed: true }] };
  }, [props.data, props.names]);
  // The chart in words: each gateway's latest bucket with attempts (what a drop looks like without reading the canvas).
  const latest = props.data.series.flatMap((s) => {
    const last = s.points.findLast((p) => p.attempts > 0);
    return last ? [`${props.names[s.gateway_account_id] ?? s.provider} ${percent(last.approval_rate)} of ${last.attempts}`] : [];
  });
  if (x.length === 0) return <p class="muted">No attempts in this window.</p>;
  return (
    <>
      <TimeChart x={x} series={series} label="attempts" rightLabel="approval" percentRight />
      <p class="muted" data-testid="approval-latest">
        Latest: {latest.join(', ')}
      </p>
    </>
  );
}
