import { useState } from 'preact/hooks';
import { money, when } from '../api.js';
import { Panel, Show } from '../components/panel.js';
import { useApi } from '../components/use-api.js';
import { methodLabel, type PaymentMethod } from '../payment-method.js';
import { linkProps, navigate } from '../router.js';

export interface PaymentSummary {
  id: string;
  status: string;
  amount: number;
  currency: string;
  gateway: { account_id: string; provider: string } | null;
  payment_method: PaymentMethod;
  failure: { code: string; message: string } | null;
  review: unknown;
  created_at: string;
}

const STATUSES = ['', 'processing', 'requires_action', 'requires_capture', 'succeeded', 'failed', 'canceled', 'returned'];

/** The list API's filters: status, created between, review; a payment id opens its timeline. */
export function Payments() {
  const [filters, setFilters] = useState({ status: '', from: '', to: '', review: '' });
  const [cursor, setCursor] = useState<string[]>([]);
  const [goTo, setGoTo] = useState('');
  const query = {
    limit: 25,
    status: filters.status || undefined,
    'created[gte]': filters.from ? new Date(filters.from).toISOString() : undefined,
    'created[lte]': filters.to ? new Date(filters.to).toISOString() : undefined,
    review: filters.review || undefined,
    starting_after: cursor.at(-1),
  };
  const [list] = useApi<{ data: PaymentSummary[]; has_more: boolean }>('/v1/payments', { query });
  const set = (name: keyof typeof filters) => (event: Event) => {
    setCursor([]);
    setFilters({ ...filters, [name]: (event.currentTarget as HTMLInputElement).value });
  };

  return (
    <main class="content">
      <Panel title="Payments" wide>
        <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
          <label>
            Status
            <select name="status" value={filters.status} onChange={set('status')}>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s || 'any'}
                </option>
              ))}
            </select>
          </label>
          <label>
            Created from
            <input name="from" type="datetime-local" value={filters.from} onChange={set('from')} />
          </label>
          <label>
            to
            <input name="to" type="datetime-local" value={filters.to} onChange={set('to')} />
          </label>
          <label>
            Review
            <select name="review" value={filters.review} onChange={set('review')}>
              <option value="">any</option>
              <option value="true">flagged</option>
              <option value="false">not flagged</option>
            </select>
          </label>
        </form>
        <form
          class="filters"
          aria-label="Open a payment"
          onSubmit={(e) => {
            e.preventDefault();
            const id = goTo.trim();
            if (/^pay_[0-9A-Za-z]+$/.test(id)) navigate(`/payments/${id}`);
          }}
        >
          <label>
            Payment id
            <input name="payment_id" placeholder="pay_…" value={goTo} onInput={(e) => setGoTo(e.currentTarget.value)} />
          </label>
          <button type="submit">Open</button>
        </form>
        <Show loaded={list} what="The payment list">
          {({ data, has_more }) => (
            <>
              <table class="grid payments">
                <thead>
                  <tr>
                    <th>Payment</th>
                    <th>Status</th>
                    <th>Amount</th>
                    <th>Method</th>
                    <th>Gateway</th>
                    <th>Created</th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((p) => (
                    <tr key={p.id}>
                      <td>
                        <a {...linkProps(`/payments/${p.id}`)}>{p.id}</a>
                      </td>
                      <td>
                        <span class={`badge ${p.status}`}>{p.status}</span>
                        {p.failure ? <span class="muted"> {p.failure.code}</span> : null}
                        {p.review ? <span class="badge open"> review</span> : null}
                      </td>
                      <td class="number">{money(p.amount, p.currency)}</td>
                      <td>{methodLabel(p.payment_method)}</td>
                      <td>{p.gateway?.provider ?? '—'}</td>
                      <td>{when(p.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {data.length === 0 && <p class="muted">No payment matches.</p>}
              <div class="pager">
                <button type="button" disabled={cursor.length === 0} onClick={() => setCursor(cursor.slice(0, -1))}>
                  Newer
                </button>
                <button type="button" disabled={!has_more} onClick={() => setCursor([...cursor, data.at(-1)!.id])}>
                  Older
                </button>
              </div>
            </>
          )}
        </Show>
      </Panel>
    </main>
  );
}
