import { Panel, Show } from '../components/panel.js';
import { useApi } from '../components/use-api.js';
import { navigate } from '../router.js';
import { session } from '../session.js';

interface Merchant {
  id: string;
  name: string;
  disabled_at?: string | null;
}

/** The merchants the operator may act for; the merchant API calls that follow name the one picked. */
export function MerchantPicker() {
  const [merchants] = useApi<{ data: Merchant[] }>('/v1/admin/merchants', { merchant: false });
  return (
    <main class="content narrow">
      <Panel title="Choose a merchant">
        <Show loaded={merchants} what="The merchant list">
          {({ data }) =>
            data.length === 0 ? (
              <p class="muted">You may not act for any merchant.</p>
            ) : (
              <ul class="choices">
                {data.map((m) => (
                  <li key={m.id}>
                    <button
                      type="button"
                      disabled={Boolean(m.disabled_at)}
                      onClick={() => {
                        session.set({ merchantId: m.id, merchantName: m.name });
                        navigate('/');
                      }}
                    >
                      <strong>{m.name}</strong> <code>{m.id}</code>
                    </button>
                  </li>
                ))}
              </ul>
            )
          }
        </Show>
      </Panel>
    </main>
  );
}

export const signOut = () => {
  session.signOut();
  navigate('/');
};
