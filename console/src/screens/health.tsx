import { percent } from '../api.js';
import { Panel, Show } from '../components/panel.js';
import { useApi } from '../components/use-api.js';

export interface GatewayHealth {
  gateway: string;
  account_id: string;
  provider: string;
  breaker: { state: 'closed' | 'open' | 'half_open'; calls: number; failures: number; successes: number; rejected: number };
  success_rate: { probability: number; samples: number; level: string };
}
export interface HealthAnswer {
  data: GatewayHealth[];
  routing: { active_version: number | null; fallback: { reason: string; ruleset_version: number; errors: string[] } | null };
}

/** Each gateway account's breaker and the learner's current estimate (GET /v1/gateways/health). */
export function HealthPanel(props: { refresh?: number }) {
  const [health, reload] = useApi<HealthAnswer>('/v1/gateways/health', {}, [props.refresh]);
  return (
    <Panel
      title="Gateways"
      wide
      actions={
        <button type="button" class="small" onClick={reload}>
          Refresh
        </button>
      }
    >
      <Show loaded={health} what="Gateway health">
        {({ data, routing }) => (
          <>
            {routing.fallback && (
              <p class="error" role="alert">
                Ruleset v{routing.fallback.ruleset_version} cannot be used ({routing.fallback.errors.join('; ')}): default routing decides meanwhile.
              </p>
            )}
            <table class="grid">
              <thead>
                <tr>
                  <th>Gateway</th>
                  <th>Breaker</th>
                  <th>Calls</th>
                  <th>Failures</th>
                  <th>Rejected</th>
                  <th>Est. success</th>
                  <th>Samples</th>
                </tr>
              </thead>
              <tbody>
                {data.map((g) => (
                  <tr key={g.account_id}>
                    <td>
                      <strong>{g.gateway}</strong> <span class="muted">{g.provider}</span>
                    </td>
                    <td>
                      <span class={`badge ${g.breaker.state}`}>{g.breaker.state.replace('_', ' ')}</span>
                    </td>
                    <td>{g.breaker.calls}</td>
                    <td>{g.breaker.failures}</td>
                    <td>{g.breaker.rejected}</td>
                    <td>{percent(g.success_rate.probability)}</td>
                    <td>
                      {g.success_rate.samples} <span class="muted">({g.success_rate.level})</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="muted">Active ruleset: {routing.active_version === null ? 'none (default routing)' : `v${routing.active_version}`}</p>
          </>
        )}
      </Show>
    </Panel>
  );
}
