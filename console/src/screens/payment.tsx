import { money, percent, when } from '../api.js';
import { Panel, Show } from '../components/panel.js';
import { useApi } from '../components/use-api.js';
import { methodFunding, methodLabel } from '../payment-method.js';
import { linkProps } from '../router.js';
import type { PaymentSummary } from './payments.js';

interface Attempt {
  id: string;
  number: number;
  gateway: { account_id: string; provider: string };
  gateway_reference: string | null;
  status: string;
  outcome: string | null;
  outcome_reason: string | null;
  decline_reason: string | null;
  provider_code: string | null;
  latency_ms: number | null;
  created_at: string;
  completed_at: string | null;
}
interface Candidate {
  gateway: string;
  provider: string;
  eligible: boolean;
  reason: string | null;
  health: string;
  probability: number;
  samples: number;
  estimate_level: string;
  fee: number | null;
  score: number | null;
  first_probability?: number;
}
interface Decision {
  source: string;
  ruleset_version: number | null;
  rule: string | null;
  action: string | null;
  objective?: string | null;
  blocked: unknown;
  fallback: unknown;
  order: string[];
  explore?: boolean;
  candidates: Candidate[];
}
interface Payment extends PaymentSummary {
  attempts: Attempt[];
  decision: Decision | null;
  settlement: unknown;
  pending_operation: unknown;
  amount_captured: number;
  amount_refunded: number;
}
interface TimelineEvent {
  id: string;
  type: string;
  refund_id: string | null;
  data: Record<string, unknown>;
  created_at: string;
}
interface Delivery {
  endpoint_id: string;
  url: string;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  delivered_at: string | null;
}

/** One payment: its decision and why, every attempt, and its timeline with webhooks out and reconciler actions. */
export function PaymentTimeline(props: { id: string }) {
  const [payment] = useApi<Payment>(`/v1/payments/${encodeURIComponent(props.id)}`, {}, [props.id]);
  const [timeline] = useApi<{ data: TimelineEvent[] }>(`/v1/payments/${encodeURIComponent(props.id)}/events`, {}, [props.id]);
  return (
    <main class="content">
      <p>
        <a {...linkProps('/payments')}>← Payments</a>
      </p>
      <Show loaded={payment} what="This payment">
        {(p) => (
          <div class="panels">
            <Panel title={`Payment ${p.id}`} wide>
              <dl class="facts">
                <dt>Status</dt>
                <dd>
                  <span class={`badge ${p.status}`}>{p.status}</span> {p.failure ? `${p.failure.code}: ${p.failure.message}` : ''}
                </dd>
                <dt>Amount</dt>
                <dd>
                  {money(p.amount, p.currency)} (captured {money(p.amount_captured, p.currency)}, refunded {money(p.amount_refunded, p.currency)})
                </dd>
                <dt>Payment method</dt>
                <dd>
                  {methodLabel(p.payment_method)}
                  {methodFunding(p.payment_method) ? <span class="muted"> ({methodFunding(p.payment_method)})</span> : null}
                </dd>
                <dt>Gateway</dt>
                <dd>{p.gateway ? `${p.gateway.provider} (${p.gateway.account_id})` : '—'}</dd>
                <dt>Created</dt>
                <dd>{when(p.created_at)}</dd>
              </dl>
            </Panel>
            <Panel title="Decision" wide>
              {p.decision ? <DecisionView decision={p.decision} currency={p.currency} /> : <p class="muted">No routing decision was recorded.</p>}
            </Panel>
            <Panel title="Attempts" wide>
              <table class="grid">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Gateway</th>
                    <th>Status</th>
                    <th>Outcome</th>
                    <th>Provider code</th>
                    <th>Latency</th>
                    <th>At</th>
                  </tr>
                </thead>
                <tbody>
                  {p.attempts.map((a) => (
                    <tr key={a.id}>
                      <td>{a.number}</td>
                      <td>{a.gateway.provider}</td>
                      <td>
                        <span class={`badge ${a.status}`}>{a.status}</span>
                      </td>
                      <td>{[a.outcome, a.decline_reason ?? a.outcome_reason].filter(Boolean).join(': ') || '—'}</td>
                      <td>{a.provider_code ?? '—'}</td>
                      <td>{a.latency_ms === null ? '—' : `${a.latency_ms} ms`}</td>
                      <td>{when(a.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {p.attempts.length === 0 && <p class="muted">No gateway was tried.</p>}
            </Panel>
          </div>
        )}
      </Show>
      <Panel title="Timeline" wide>
        <Show loaded={timeline} what="The timeline">
          {({ data }) => (
            <ol class="timeline" aria-label="Timeline">
              {data.map((event) => (
                <TimelineItem key={event.id} event={event} />
              ))}
              {data.length === 0 && <li class="muted">Nothing happened to this payment yet.</li>}
            </ol>
          )}
        </Show>
      </Panel>
    </main>
  );
}

function DecisionView(props: { decision: Decision; currency: string }) {
  const d = props.decision;
  return (
    <>
      <p>
        {d.source === 'rules' ? `Ruleset v${d.ruleset_version}, rule ` : `${d.source}, rule `}
        <code>{d.rule ?? 'default'}</code>: {d.action}
        {d.objective ? ` (${d.objective})` : ''}; order <strong>{d.order.join(' → ') || 'none'}</strong>
        {d.explore ? ' (exploring)' : ''}.{d.blocked ? ' Blocked.' : ''}
      </p>
      <table class="grid">
        <thead>
          <tr>
            <th>Candidate</th>
            <th>Eligible</th>
            <th>Health</th>
            <th>Success est.</th>
            <th>Fee</th>
            <th>Score</th>
            <th>First choice</th>
          </tr>
        </thead>
        <tbody>
          {d.candidates.map((c) => (
            <tr key={c.gateway}>
              <td>
                {c.gateway} <span class="muted">{c.provider}</span>
              </td>
              <td>{c.eligible ? 'yes' : `no: ${c.reason}`}</td>
              <td>{c.health}</td>
              <td>
                {percent(c.probability)} <span class="muted">n={c.samples} ({c.estimate_level})</span>
              </td>
              <td>{c.fee === null ? '—' : money(c.fee, props.currency)}</td>
              <td>{c.score === null ? '—' : c.score.toFixed(1)}</td>
              <td>{c.first_probability === undefined ? '—' : percent(c.first_probability)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const describe = (event: TimelineEvent) => {
  const facts = Object.entries(event.data)
    .filter(([name, value]) => ['finding', 'outcome', 'reason', 'attempt', 'refund', 'status', 'provider', 'event_code'].includes(name) && value !== null)
    .map(([name, value]) => `${name}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  return facts.join(', ');
};

function TimelineItem(props: { event: TimelineEvent }) {
  const { event } = props;
  const internal = event.type.startsWith('reconciler.');
  // Webhooks out: the merchant endpoints each merchant-visible event went to.
  const [deliveries] = useApi<{ deliveries: Delivery[] }>(internal ? null : `/v1/events/${event.id}`, {}, [event.id]);
  return (
    <li class={internal ? 'reconciler' : 'event'}>
      <time>{when(event.created_at)}</time> <span class={`badge ${event.type.split('.')[1] ?? ''}`}>{event.type}</span> <span class="muted">{describe(event)}</span>
      {!internal && deliveries.state === 'ready' && deliveries.data.deliveries.length > 0 && (
        <ul class="deliveries">
          {deliveries.data.deliveries.map((d) => (
            <li key={d.endpoint_id}>
              webhook → {d.url}: {d.state} after {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
              {d.last_status !== null ? ` (HTTP ${d.last_status})` : d.last_error ? ` (${d.last_error})` : ''}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
