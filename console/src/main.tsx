import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { linkProps, navigate, usePath } from './router.js';
import { AlertBadge, Alerts } from './screens/alerts.js';
import { Analytics, ForecastScreen } from './screens/analytics.js';
import { Gateways } from './screens/gateways.js';
import { MerchantPicker } from './screens/merchants.js';
import { Overview } from './screens/overview.js';
import { PaymentTimeline } from './screens/payment.js';
import { Payments } from './screens/payments.js';
import { Routing } from './screens/routing.js';
import { SignIn } from './screens/sign-in.js';
import { session } from './session.js';
import './styles.css';

const NAV = [
  ['/', 'Overview'],
  ['/payments', 'Payments'],
  ['/gateways', 'Gateways'],
  ['/routing', 'Routing'],
  ['/analytics', 'Analytics'],
  ['/forecast', 'Forecast'],
  ['/alerts', 'Alerts'],
] as const;

function useSession() {
  const [state, setState] = useState(session.get());
  useEffect(() => session.subscribe(() => setState(session.get())), []);
  return state;
}

function Screen(props: { path: string }) {
  const { path } = props;
  const payment = /^\/payments\/(pay_[0-9A-Za-z]+)$/.exec(path);
  if (payment) return <PaymentTimeline id={payment[1]!} />;
  switch (path) {
    case '/':
      return <Overview />;
    case '/payments':
      return <Payments />;
    case '/gateways':
      return <Gateways />;
    case '/routing':
      return <Routing />;
    case '/analytics':
      return <Analytics />;
    case '/forecast':
      return <ForecastScreen />;
    case '/alerts':
      return <Alerts />;
    default:
      return (
        <main class="content">
          <p>No such page. <a {...linkProps('/')}>Overview</a></p>
        </main>
      );
  }
}

function App() {
  const state = useSession();
  const path = usePath();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [path]);
  if (!state.token) return <SignIn />;
  const picking = !state.merchantId || path === '/merchants';
  return (
    <div class="layout">
      <header class="top">
        <button type="button" class="menu" aria-label="Menu" aria-expanded={menuOpen} onClick={() => setMenuOpen(!menuOpen)}>
          ☰
        </button>
        <strong class="brand">Switchyard</strong>
        {state.merchantId && (
          <a class="merchant" {...linkProps('/merchants')} title="Switch merchant">
            {state.merchantName ?? state.merchantId}
          </a>
        )}
        <span class="who muted">
          {state.operator?.name} ({state.operator?.role})
        </span>
        <button
          type="button"
          class="small"
          onClick={() => {
            session.signOut();
            navigate('/');
          }}
        >
          Sign out
        </button>
      </header>
      {!picking && (
        <nav class={menuOpen ? 'side open' : 'side'} aria-label="Screens">
          {NAV.map(([to, label]) => (
            <a key={to} {...linkProps(to)} aria-current={path === to || (to !== '/' && path.startsWith(to)) ? 'page' : undefined}>
              {label}
              {to === '/alerts' && <AlertBadge key={state.merchantId} />}
            </a>
          ))}
        </nav>
      )}
      {picking ? <MerchantPicker /> : <Screen key={`${state.merchantId}:${path}`} path={path} />}
    </div>
  );
}

render(<App />, document.getElementById('app')!);
