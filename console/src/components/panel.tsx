import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.js';
import type { Loaded } from './use-api.js';

export function Panel(props: { title: string; children: ComponentChildren; actions?: ComponentChildren; wide?: boolean }) {
  return (
    <section class={props.wide ? 'panel wide' : 'panel'} aria-label={props.title}>
      <header>
        <h2>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

export function NotAvailable(props: { what: string }) {
  return (
    <p class="not-available" role="status">
      {props.what} is not available on this router.
    </p>
  );
}

export function ErrorNote(props: { error: Error }) {
  const problem = props.error instanceof ApiError ? props.error.problem : null;
  return (
    <p class="error" role="alert">
      {problem ? `${problem.title ?? 'Error'}: ${problem.detail ?? problem.code}` : props.error.message}
      {problem?.param ? ` (${problem.param})` : ''}
    </p>
  );
}

/** Renders a loaded value, or what stands in for it: a spinner, "not available", or the error. */
export function Show<T>(props: { loaded: Loaded<T>; what: string; children: (data: T) => ComponentChildren }) {
  const { loaded } = props;
  if (loaded.state === 'loading') return <p class="muted">Loading…</p>;
  if (loaded.state === 'unavailable') return <NotAvailable what={props.what} />;
  if (loaded.state === 'error') return <ErrorNote error={loaded.error} />;
  return <>{props.children(loaded.data)}</>;
}
