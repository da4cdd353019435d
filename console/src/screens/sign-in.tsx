import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { ErrorNote } from '../components/panel.js';
import { session, type Operator } from '../session.js';

interface SessionAnswer {
  token: string;
  operator: Operator;
}

/** Email and password, then the TOTP code; one request signs in with all three. */
export function SignIn() {
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    if (step === 'password') {
      setStep('totp');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await api<SessionAnswer>('/v1/admin/session', { method: 'POST', body: { email, password, totp_code: code }, merchant: false });
      session.set({ token: answer.token, operator: answer.operator, merchantId: null, merchantName: null });
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 401 ? new Error('The email, password or code is not valid.') : (failure as Error));
      setCode('');
      setStep('password');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-label="Sign in">
        <h1>Switchyard</h1>
        <p class="muted">Operators sign in with their password and authenticator code.</p>
        {step === 'password' ? (
          <>
            {/* Keys keep each step's inputs apart: a reused input would keep the code's pattern. */}
            <label key="email">
              Email
              <input name="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
            </label>
            <label key="password">
              Password
              <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
            </label>
            <button type="submit">Continue</button>
          </>
        ) : (
          <>
            <p>Signing in as {email}</p>
            <label key="totp">
              Authenticator code
              <input name="totp" inputMode="numeric" autocomplete="one-time-code" pattern="\d{6}" maxLength={6} required autoFocus value={code} onInput={(e) => setCode(e.currentTarget.value)} />
            </label>
            <button type="submit" disabled={busy}>
              Sign in
            </button>
            <button type="button" class="link" onClick={() => setStep('password')}>
              Back
            </button>
          </>
        )}
        {error && <ErrorNote error={error} />}
      </form>
    </main>
  );
}
