import { diffLines } from 'diff';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, percent, when } from '../api.js';
import { ErrorNote, Panel, Show } from '../components/panel.js';
import { RuleEditor } from '../components/rule-editor.js';
import { useApi } from '../components/use-api.js';
import { checkDraft, runDraftTests, type LocatedError } from '../rule-tests.js';
import { session } from '../session.js';
import type { HealthAnswer } from './health.js';

interface Version {
  version: number;
  active: boolean;
  source: string;
  created_by: string;
  created_at: string;
}
interface Rulesets {
  active_version: number | null;
  versions: Version[];
  audit: { action: string; version: number; actor: string; actor_name: string; at: string }[];
}

const SAMPLE_TESTS = `cases:
  - name: a US Visa payment
    transaction: { amount: 1000, currency: USD }
    expect: { rule: default }
`;

/** The rule editor with located errors, rule tests, backtest, a diff between versions, and activation with MFA. */
export function Routing() {
  const [round, setRound] = useState(0);
  const [rulesets] = useApi<Rulesets>('/v1/routing/rules', {}, [round]);
  // The names rules route to are the gateway accounts' names, as health lists them.
  const [health] = useApi<HealthAnswer>('/v1/gateways/health');
  const gateways = useMemo(() => (health.state === 'ready' ? health.data.data.map((g) => g.gateway) : []), [health]);
  const [draft, setDraft] = useState<string | null>(null);
  const [tests, setTests] = useState(SAMPLE_TESTS);
  const [serverErrors, setServerErrors] = useState<LocatedError[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);

  // Oldest first here (the API lists the newest first).
  const versions = rulesets.state === 'ready' ? byVersion(rulesets.data.versions) : [];
  const active = versions.find((v) => v.active) ?? null;
  useEffect(() => {
    if (draft === null && rulesets.state === 'ready') setDraft((active ?? versions.at(-1))?.source ?? 'default: { optimize: expected_value }\n');
  }, [rulesets]);

  const source = draft ?? '';
  const localErrors = useMemo(() => (gateways.length ? checkDraft(source, gateways) : []), [source, gateways]);
  const errors = serverErrors ?? localErrors;
  const testRun = useMemo(() => (gateways.length ? runDraftTests(source, tests, gateways) : null), [source, tests, gateways]);

  async function save() {
    setMessage(null);
    setError(null);
    try {
      const stored = await api<Version>('/v1/routing/rules', { method: 'POST', body: { source } });
      setServerErrors(null);
      setMessage(`Stored as version ${stored.version} (not active yet).`);
      setRound((r) => r + 1);
    } catch (failure) {
      if (failure instanceof ApiError && failure.problem.errors) setServerErrors(failure.problem.errors.map((e) => ({ ...e, file: 'ruleset' })));
      else setError(failure as Error);
    }
  }

  return (
    <main class="content">
      <div class="panels">
        <Panel title="Rule editor" wide>
          <RuleEditor
            label="Ruleset"
            value={source}
            errors={errors}
            onInput={(value) => {
              setDraft(value);
              setServerErrors(null);
            }}
          />
          <p class="muted" role="status" data-testid="check-status">
            {errors.length === 0 ? 'No errors.' : `${errors.length} error${errors.length === 1 ? '' : 's'}.`}
          </p>
          <div class="actions">
            <button type="button" onClick={save} disabled={session.get().operator?.role === 'viewer'}>
              Store as a new version
            </button>
          </div>
          {message && <p role="status">{message}</p>}
          {error && <ErrorNote error={error} />}
        </Panel>
        <Panel title="Rule tests" wide>
          <p class="muted">Example transactions (the routing-rules/*.test.yaml format), run against the draft above.</p>
          <RuleEditor label="Rule test cases" value={tests} onInput={setTests} errors={testRun && 'errors' in testRun ? testRun.errors.filter((e) => e.file === 'tests') : []} rows={8} />
          {testRun && 'results' in testRun && (
            <ul class="test-results" aria-label="Rule test results">
              {testRun.results.map((r) => (
                <li key={r.name} class={r.passed ? 'pass' : 'fail'}>
                  {r.passed ? 'PASS' : 'FAIL'} {r.name} <span class="muted">(rule {r.rule})</span>
                  {r.failures.map((f) => (
                    <div key={f} class="muted">
                      {f}
                    </div>
                  ))}
                </li>
              ))}
            </ul>
          )}
        </Panel>
        <Show loaded={rulesets} what="Routing rules">
          {(data) => (
            <>
              <Versions data={data} onChanged={() => setRound((r) => r + 1)} />
              <VersionDiff versions={versions} />
              <Backtest versions={versions} />
            </>
          )}
        </Show>
      </div>
    </main>
  );
}

const byVersion = (versions: Version[]) => [...versions].sort((a, b) => a.version - b.version);

function Versions(props: { data: Rulesets; onChanged: () => void }) {
  const [mfaFor, setMfaFor] = useState<number | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const merchantId = session.get().merchantId!;

  async function activate(version: number) {
    setError(null);
    setMessage(null);
    try {
      await api(`/v1/routing/rules/${version}/activate`, { method: 'POST', query: { merchant_id: merchantId }, merchant: false });
      setMessage(`Version ${version} is active.`);
      setMfaFor(null);
      props.onChanged();
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'mfa_required') setMfaFor(version);
      else setError(failure as Error);
    }
  }

  async function stepUp(event: Event) {
    event.preventDefault();
    setError(null);
    try {
      const answer = await api<{ token: string }>('/v1/admin/session/mfa', { method: 'POST', body: { totp_code: code }, merchant: false });
      session.set({ token: answer.token });
      setCode('');
      await activate(mfaFor!);
    } catch (failure) {
      setError(failure as Error);
    }
  }

  return (
    <Panel title="Versions" wide>
      <table class="grid">
        <thead>
          <tr>
            <th>Version</th>
            <th>Stored by</th>
            <th>At</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {props.data.versions.map((v) => (
            <tr key={v.version}>
              <td>
                v{v.version} {v.active && <span class="badge succeeded">active</span>}
              </td>
              <td>{v.created_by}</td>
              <td>{when(v.created_at)}</td>
              <td>
                {!v.active && (
                  <button type="button" class="small" onClick={() => activate(v.version)}>
                    Activate v{v.version}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {mfaFor !== null && (
        <form class="mfa" onSubmit={stepUp} aria-label="Confirm with your authenticator">
          <p>Activating v{mfaFor} needs a fresh code from your authenticator.</p>
          <label>
            Authenticator code
            <input name="mfa_code" inputMode="numeric" autocomplete="one-time-code" pattern="\d{6}" maxLength={6} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          <button type="submit">Confirm and activate</button>
          <button type="button" class="link" onClick={() => setMfaFor(null)}>
            Cancel
          </button>
        </form>
      )}
      {message && <p role="status">{message}</p>}
      {error && <ErrorNote error={error} />}
      <h3>Changes</h3>
      <ul class="audit">
        {props.data.audit.map((a, i) => (
          <li key={i}>
            {when(a.at)}: {a.action} v{a.version} by {a.actor_name} <span class="muted">({a.actor})</span>
          </li>
        ))}
      </ul>
    </Panel>
  );
}

function VersionDiff(props: { versions: Version[] }) {
  const last = props.versions.at(-1)?.version ?? 0;
  // Until the operator picks, the two newest versions (also after a new one is stored).
  const [fromChoice, setFrom] = useState<number | null>(null);
  const [toChoice, setTo] = useState<number | null>(null);
  const from = fromChoice ?? Math.max(1, last - 1);
  const to = toChoice ?? last;
  const a = props.versions.find((v) => v.version === from);
  const b = props.versions.find((v) => v.version === to);
  const parts = useMemo(() => (a && b ? diffLines(a.source, b.source) : []), [a, b]);
  const pick = (value: number, set: (v: number | null) => void, name: string) => (
    <select name={name} value={value} onChange={(e) => set(Number(e.currentTarget.value))}>
      {props.versions.map((v) => (
        <option key={v.version} value={v.version}>
          v{v.version}
        </option>
      ))}
    </select>
  );
  return (
    <Panel title="Diff between versions" wide>
      {props.versions.length < 2 ? (
        <p class="muted">Only one version so far.</p>
      ) : (
        <>
          <p>
            From {pick(from, setFrom, 'diff_from')} to {pick(to, setTo, 'diff_to')}
          </p>
          <pre class="diff" aria-label="Diff">
            {parts.map((part, i) => (
              <span key={i} class={part.added ? 'added' : part.removed ? 'removed' : 'same'}>
                {part.value
                  .replace(/\n$/, '')
                  .split('\n')
                  .map((line) => `${part.added ? '+' : part.removed ? '-' : ' '} ${line}\n`)
                  .join('')}
              </span>
            ))}
          </pre>
        </>
      )}
    </Panel>
  );
}

interface BacktestAnswer {
  payments: { in_window: number; estimated: number };
  changed_route: number;
  observed: { approval_rate: number | null };
  current: { version: number | null; approval_rate: { estimate: number; low: number; high: number } | null; effective_sample_size: number };
  candidate: { version: number; approval_rate: { estimate: number; low: number; high: number } | null; effective_sample_size: number };
  estimator: { name: string; description: string };
}

function Backtest(props: { versions: Version[] }) {
  const [choice, setVersion] = useState<number | null>(null);
  const version = choice ?? props.versions.at(-1)?.version ?? 1;
  const [days, setDays] = useState(7);
  const [answer, setAnswer] = useState<BacktestAnswer | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const interval = (rate: BacktestAnswer['current']['approval_rate']) => (rate ? `${percent(rate.estimate)} (${percent(rate.low)}–${percent(rate.high)})` : '—');

  async function run(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const to = new Date();
      const from = new Date(to.getTime() - days * 86_400_000);
      setAnswer(await api<BacktestAnswer>(`/v1/routing/rules/${version}/backtest`, { method: 'POST', body: { from: from.toISOString(), to: to.toISOString() } }));
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Panel title="Backtest" wide>
      <form class="filters" onSubmit={run} aria-label="Backtest">
        <label>
          Version
          <select name="backtest_version" value={version} onChange={(e) => setVersion(Number(e.currentTarget.value))}>
            {props.versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
              </option>
            ))}
          </select>
        </label>
        <label>
          Last
          <select name="backtest_days" value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {[1, 7, 30].map((d) => (
              <option key={d} value={d}>
                {d} day{d === 1 ? '' : 's'}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          Run backtest
        </button>
      </form>
      {error && <ErrorNote error={error} />}
      {answer && (
        <dl class="facts" aria-label="Backtest result">
          <dt>Payments</dt>
          <dd>
            {answer.payments.estimated} estimated of {answer.payments.in_window} in the window; {answer.changed_route} would go elsewhere first
          </dd>
          <dt>Observed approval</dt>
          <dd>{percent(answer.observed.approval_rate)}</dd>
          <dt>Active (v{answer.current.version ?? '—'})</dt>
          <dd>{interval(answer.current.approval_rate)}</dd>
          <dt>Candidate (v{answer.candidate.version})</dt>
          <dd>{interval(answer.candidate.approval_rate)}</dd>
          <dt>Estimator</dt>
          <dd>{answer.estimator.name}</dd>
        </dl>
      )}
    </Panel>
  );
}
