import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A second axis on the right (rates next to counts). */
  right?: boolean;
  dashed?: boolean;
}

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#4d7c0f', '#be185d'];

/** A time chart (x in seconds since the epoch) that follows its container's width. */
export function TimeChart(props: { x: number[]; series: ChartSeries[]; height?: number; label: string; rightLabel?: string; percentRight?: boolean }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const hasRight = props.series.some((s) => s.right);
    const plot = new uPlot(
      {
        width: Math.max(240, element.clientWidth),
        height: props.height ?? 220,
        series: [
          {},
          ...props.series.map((s, i) => ({
            label: s.label,
            stroke: COLORS[i % COLORS.length],
            width: 2,
            scale: s.right ? 'right' : 'y',
            ...(s.dashed ? { dash: [6, 4] } : {}),
            spanGaps: false,
          })),
        ],
        axes: [
          {},
          { label: props.label, scale: 'y' },
          ...(hasRight
            ? [{ side: 1, scale: 'right', label: props.rightLabel ?? '', grid: { show: false }, ...(props.percentRight ? { values: (_: uPlot, ticks: number[]) => ticks.map((t) => `${Math.round(t * 100)}%`) } : {}) }]
            : []),
        ],
        scales: hasRight && props.percentRight ? { right: { range: [0, 1] } } : {},
      },
      [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(240, element.clientWidth), height: props.height ?? 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.x, props.series]);
  return <div class="chart" ref={holder} role="img" aria-label={props.label} />;
}

/** Horizontal bars for shares (declines, funnel): plain HTML, so it reads on a phone and in a screen reader. */
export function Bars(props: { rows: { label: string; value: number; note?: string }[]; max?: number }) {
  const max = props.max ?? Math.max(1, ...props.rows.map((r) => r.value));
  return (
    <ul class="bars">
      {props.rows.map((row) => (
        <li key={row.label}>
          <span class="bar-label">{row.label}</span>
          <span class="bar-track">
            <span class="bar" style={{ width: `${(row.value / max) * 100}%` }} />
          </span>
          <span class="bar-value">{row.note ?? row.value}</span>
        </li>
      ))}
    </ul>
  );
}
