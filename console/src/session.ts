/**
 * The operator's session and the merchant they act for. The token lives in sessionStorage (this
 * tab only, gone when it closes), never in a URL or a cookie.
 */
export interface Operator {
  id: string;
  email: string;
  name: string;
  role: 'viewer' | 'operator' | 'admin';
  merchant_ids: string[] | null;
}

export interface SessionState {
  token: string | null;
  operator: Operator | null;
  merchantId: string | null;
  merchantName: string | null;
}

const KEY = 'switchyard.console';
const listeners = new Set<() => void>();

function load(): SessionState {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as SessionState | null;
    if (saved && typeof saved.token === 'string') return saved;
  } catch {
    // A damaged entry is as good as none.
  }
  return { token: null, operator: null, merchantId: null, merchantName: null };
}

let state = load();

export const session = {
  get: (): SessionState => state,
  set(next: Partial<SessionState>): void {
    state = { ...state, ...next };
    sessionStorage.setItem(KEY, JSON.stringify(state));
    for (const listener of listeners) listener();
  },
  signOut(): void {
    state = { token: null, operator: null, merchantId: null, merchantName: null };
    sessionStorage.removeItem(KEY);
    for (const listener of listeners) listener();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
