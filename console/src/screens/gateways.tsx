import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { TimeChart } from '../components/chart.js';
import { Panel } from '../components/panel.js';
import { ApprovalChart } from './approval-chart.js';
import { HealthPanel, type HealthAnswer } from './health.js';

const SAMPLE_MS = 15_000;
const KEEP = 240;

/** Health and breakers now, the learner's estimates as this page has watched them, and approval per gateway from analytics. */
export function Gateways() {
  const [samples, setSamples] = useState<{ at: number; estimates: Record<string, number> }[]>([]);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    const sample = async () => {
      try {
        const health = await api<HealthAnswer>('/v1/gateways/health');
        if (!live) return;
        const estimates = Object.fromEntries(health.data.map((g) => [g.gateway, g.success_rate.probability]));
        setSamples((list) => [...list, { at: Date.now() / 1000, estimates }].slice(-KEEP));
        setRound((r) => r + 1);
      } catch {
        // The health panel shows the error.
      }
    };
    void sample();
    const timer = setInterval(sample, SAMPLE_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  const chart = useMemo(() => {
    const names = [...new Set(samples.flatMap((s) => Object.keys(s.estimates)))];
    return { x: samples.map((s) => s.at), series: names.map((name) => ({ label: name, values: samples.map((s) => s.estimates[name] ?? null) })) };
  }, [samples]);
  return (
    <main class="content">
      <div class="panels">
        <HealthPanel refresh={round} />
        <Panel title="Learner estimates while this page is open" wide>
          {samples.length < 2 ? <p class="muted">Sampling every {SAMPLE_MS / 1000} s…</p> : <TimeChart x={chart.x} series={chart.series} label="estimated success" />}
        </Panel>
        <Panel title="Approval by gateway, last 24 h" wide>
          <ApprovalChart granularity="hour" />
        </Panel>
      </div>
    </main>
  );
}
