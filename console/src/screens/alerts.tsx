import { useEffect, useState } from 'preact/hooks';
import { api, when } from '../api.js';
import { ErrorNote, Panel, Show } from '../components/panel.js';
import { useApi } from '../components/use-api.js';
import { session } from '../session.js';
import { openStream } from '../stream.js';

/** Operator-wide alerts are no merchant's event, so they are not on the stream: read again this often (and on any alert event). */
const OPERATOR_POLL_MS = 15_000;

export interface Alert {
  id: string;
  rule_id: string;
  kind: string;
  subject: string;
  state: 'firing' | 'resolved';
  summary: string;
  fired_at: string;
  resolved_at: string | null;
}
interface Rule {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  params: Record<string, unknown>;
}
interface List<T> {
  data: T[];
}

const KINDS = ['approval_drop', 'breaker_open', 'reconciler_backlog', 'review_queue', 'forecast_above_capacity'] as const;
const EXAMPLES: Record<string, string> = {
  approval_drop: '{ "window_minutes": 15, "baseline_hours": 24, "drop_pp": 10, "min_attempts": 20 }',
  breaker_open: '{}',
  reconciler_backlog: '{ "max_count": 100, "max_age_minutes": 30 }',
  review_queue: '{ "max_count": 0 }',
  forecast_above_capacity: '{ "horizon": "24h", "instances": 1 }',
};

/** Calls `onAlert` whenever an alert fires or resolves (from the live stream). */
export function useAlertEvents(onAlert: () => void): void {
  useEffect(() => openStream((event) => event.type.startsWith('alert.') && onAlert(), () => {}), []);
}

/** How many alerts are firing, for the navigation: kept current by the live stream. */
export function AlertBadge() {
  const [firing, reload] = useApi<List<Alert>>('/v1/alerts', { query: { state: 'firing', limit: 100 } });
  useAlertEvents(reload);
  if (firing.state !== 'ready' || firing.data.data.length === 0) return null;
  const n = firing.data.data.length;
  return (
    <span class="badge failed" data-testid="alert-badge" aria-label={`${n} alert${n === 1 ? '' : 's'} firing`}>
      {n}
    </span>
  );
}

function AlertList(props: { alerts: Alert[]; empty: string }) {
  if (props.alerts.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <ul class="alerts">
      {props.alerts.map((a) => (
        <li key={a.id} class={a.state}>
          <span class={`badge ${a.state === 'firing' ? 'failed' : 'succeeded'}`}>{a.state}</span> <strong>{a.kind.replaceAll('_', ' ')}</strong> {a.summary}
          <div class="muted">
            since {when(a.fired_at)}
            {a.resolved_at ? `, resolved ${when(a.resolved_at)}` : ''}
          </div>
        </li>
      ))}
    </ul>
  );
}

/** Firing and resolved alerts, live, and the merchant's alert rules with a form to create and edit them. */
export function Alerts() {
  const [firing, reloadFiring] = useApi<List<Alert>>('/v1/alerts', { query: { state: 'firing', limit: 100 } });
  const [resolved, reloadResolved] = useApi<List<Alert>>('/v1/alerts', { query: { state: 'resolved', limit: 20 } });
  const [rules, reloadRules] = useApi<List<Rule>>('/v1/alert_rules');
  useAlertEvents(() => {
    reloadFiring();
    reloadResolved();
  });
  const [editing, setEditing] = useState<Rule | null>(null);
  return (
    <main class="content">
      <div class="panels">
        <Panel title="Firing alerts" wide>
          <Show loaded={firing} what="Alerts">
            {(list) => <AlertList alerts={list.data} empty="No alert is firing." />}
          </Show>
        </Panel>
        <Panel title="Alert rules" wide>
          <Show loaded={rules} what="Alert rules">
            {(list) => (
              <table>
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Kind</th>
                    <th>Parameters</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {list.data.map((r) => (
                    <tr key={r.id}>
                      <td>
                        {r.name} {r.enabled ? '' : <span class="muted">(disabled)</span>}
                      </td>
                      <td>{r.kind}</td>
                      <td class="params">{JSON.stringify(r.params)}</td>
                      <td class="actions">
                        <button type="button" class="small" onClick={() => setEditing(r)}>
                          Edit
                        </button>{' '}
                        <button
                          type="button"
                          class="small"
                          aria-label={`Delete ${r.name}`}
                          onClick={async () => {
                            if (!confirm(`Delete the rule "${r.name}"?`)) return;
                            await api(`/v1/alert_rules/${r.id}`, { method: 'DELETE' });
                            if (editing?.id === r.id) setEditing(null);
                            reloadRules();
                            reloadFiring();
                            reloadResolved();
                          }}
                        >
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Show>
          <RuleForm
            key={editing?.id ?? 'new'}
            rule={editing}
            onSaved={() => {
              setEditing(null);
              reloadRules();
              reloadFiring();
              reloadResolved();
            }}
            onCancel={() => setEditing(null)}
          />
        </Panel>
        <Panel title="Resolved alerts" wide>
          <Show loaded={resolved} what="Alerts">
            {(list) => <AlertList alerts={list.data} empty="None resolved yet." />}
          </Show>
        </Panel>
        {session.get().operator?.merchant_ids === null ? <OperatorAlerts /> : null}
      </div>
    </main>
  );
}

/** Every merchant's numbers together: operator-wide alerts and the rules that raise them (changed through the admin API). */
function OperatorAlerts() {
  const [firing, reloadFiring] = useApi<List<Alert>>('/v1/admin/alerts', { merchant: false, query: { state: 'firing', limit: 100 } });
  const [rules, reloadRules] = useApi<List<Rule>>('/v1/admin/alert_rules', { merchant: false });
  const reload = () => {
    reloadFiring();
    reloadRules();
  };
  useAlertEvents(reload);
  useEffect(() => {
    const timer = setInterval(reload, OPERATOR_POLL_MS);
    return () => clearInterval(timer);
  }, []);
  return (
    <Panel title="Operator-wide alerts" wide>
      <Show loaded={firing} what="Operator-wide alerts">
        {(list) => <AlertList alerts={list.data} empty="No operator-wide alert is firing." />}
      </Show>
      <Show loaded={rules} what="Operator-wide alert rules">
        {(list) => (
          <p class="muted">
            {list.data.length === 0 ? 'No operator-wide rules.' : `Watching every merchant: ${list.data.map((r) => `${r.name}${r.enabled ? '' : ' (disabled)'}`).join(', ')}.`}
          </p>
        )}
      </Show>
    </Panel>
  );
}

function RuleForm(props: { rule: Rule | null; onSaved: () => void; onCancel: () => void }) {
  const { rule } = props;
  const [kind, setKind] = useState(rule?.kind ?? 'approval_drop');
  const [name, setName] = useState(rule?.name ?? '');
  const [params, setParams] = useState(rule ? JSON.stringify(rule.params, null, 1) : EXAMPLES.approval_drop!);
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [error, setError] = useState<Error | null>(null);
  const [saved, setSaved] = useState('');

  async function save(event: Event) {
    event.preventDefault();
    setError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(params);
    } catch {
      setError(new Error('Parameters must be a JSON object.'));
      return;
    }
    try {
      const body = { ...(name.trim() ? { name } : {}), enabled, params: parsed };
      const stored = rule
        ? await api<Rule>(`/v1/alert_rules/${rule.id}`, { method: 'POST', body })
        : await api<Rule>('/v1/alert_rules', { method: 'POST', body: { kind, ...body } });
      setSaved(`Saved "${stored.name}".`);
      props.onSaved();
    } catch (e) {
      setError(e as Error);
    }
  }

  return (
    <form class="rule-form" aria-label={rule ? `Edit ${rule.name}` : 'New alert rule'} onSubmit={save}>
      <h3>{rule ? `Edit "${rule.name}"` : 'New rule'}</h3>
      <label>
        Kind
        <select
          value={kind}
          disabled={rule !== null}
          onChange={(e) => {
            setKind(e.currentTarget.value);
            setParams(EXAMPLES[e.currentTarget.value] ?? '{}');
          }}
        >
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <label>
        Name
        <input value={name} maxLength={100} placeholder={kind.replaceAll('_', ' ')} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Parameters (JSON)
        <textarea rows={3} value={params} spellcheck={false} onInput={(e) => setParams(e.currentTarget.value)} />
      </label>
      <label class="inline">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> Enabled
      </label>
      <div class="actions">
        <button type="submit">{rule ? 'Save rule' : 'Create rule'}</button>
        {rule && (
          <button type="button" class="small" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
      {error && <ErrorNote error={error} />}
      {saved && !error && (
        <p class="muted" role="status">
          {saved}
        </p>
      )}
    </form>
  );
}
