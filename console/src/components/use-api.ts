import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError, type RequestOptions } from '../api.js';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'ready'; data: T }
  | { state: 'unavailable' }
  | { state: 'error'; error: ApiError | Error };

/** GETs `path` and again whenever `deps` change; a 404 on a whole endpoint means the router does not have it (yet). */
export function useApi<T>(path: string | null, options: RequestOptions = {}, deps: unknown[] = []): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    // A reload keeps showing what it had until the answer comes (the panels under it keep their state).
    setLoaded((before) => (before.state === 'ready' ? before : { state: 'loading' }));
    api<T>(path, options).then(
      (data) => live && setLoaded({ state: 'ready', data }),
      (error: Error) => {
        if (!live) return;
        if (error instanceof ApiError && error.status === 404 && error.code === 'route_not_found') setLoaded({ state: 'unavailable' });
        else setLoaded({ state: 'error', error });
      },
    );
    return () => {
      live = false;
    };
  }, [path, round, JSON.stringify(options.query ?? {}), ...deps]);
  return [loaded, useCallback(() => setRound((r) => r + 1), [])];
}
