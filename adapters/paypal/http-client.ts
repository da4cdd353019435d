/**
 * The SDK's HTTP transport, on fetch. The PayPal server SDK only knows two base URLs (its Sandbox
 * and Production environments) and sends every request through axios; `unstable_httpClientOptions`
 * is passed to `axios.create`, so its `adapter` can carry the request itself. This one rewrites the
 * environment's origin to another base URL (the simulator) when given one, honours the timeout with
 * an AbortSignal, and reports how a call failed by name (`PayPalTransportError`), so a refused
 * connection (certainly not sent) is told apart from a timeout or a lost connection (maybe done).
 * Being fetch, it also runs on Workers.
 */

export type TransportFailure = 'connection_refused' | 'timeout' | 'connection_lost';

export class PayPalTransportError extends Error {
  /** `tokenRequest`: the call was the OAuth2 token request, so the payment call it was for never went out. */
  constructor(
    readonly failure: TransportFailure,
    readonly tokenRequest = false,
  ) {
    super(`PayPal transport: ${failure}`);
    this.name = 'PayPalTransportError';
  }
}

const TOKEN_PATH = /\/v1\/oauth2\/token(\?|$)/;

/** The part of an axios request config the SDK fills in (`responseType: 'text'`, all statuses resolve). */
interface AxiosLikeConfig {
  method?: string;
  url?: string;
  headers?: { toJSON?: () => Record<string, unknown> } & Record<string, unknown>;
  data?: unknown;
  timeout?: number;
}

const SDK_ORIGINS = ['https://api-m.sandbox.paypal.com', 'https://api-m.paypal.com'];

/**
 * `onTokenFailure`: the OAuth2 token request failed (no answer, or not a 2xx). The SDK's OAuth
 * adapter (@apimatic/oauth-adapters) keeps the failed token fetch as the token every later call
 * awaits, so the client that made it fails every call from then on: its owner replaces it.
 */
export function fetchAdapter(options: { baseUrl: string | null; timeoutMs: number; fetch?: typeof fetch; onTokenFailure?: () => void }) {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl?.replace(/\/+$/, '') ?? null;
  return async (config: AxiosLikeConfig) => {
    let url = config.url ?? '';
    if (base !== null) {
      const origin = SDK_ORIGINS.find((o) => url.startsWith(o));
      if (origin) url = base + url.slice(origin.length);
    }
    const raw = typeof config.headers?.toJSON === 'function' ? config.headers.toJSON() : (config.headers ?? {});
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) if (value !== undefined && value !== null && typeof value !== 'function') headers[name] = String(value);
    const body = typeof config.data === 'string' ? config.data : config.data === undefined || config.data === null ? undefined : String(config.data);
    const tokenRequest = TOKEN_PATH.test(url);
    const failed = (error: unknown, sent: boolean) => {
      if (tokenRequest) options.onTokenFailure?.();
      return new PayPalTransportError(failure(error, sent), tokenRequest);
    };
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, { method: (config.method ?? 'get').toUpperCase(), headers, body, signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      throw failed(error, false);
    }
    try {
      text = await response.text();
    } catch (error) {
      throw failed(error, true);
    }
    if (tokenRequest && (response.status < 200 || response.status >= 300)) options.onTokenFailure?.();
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => (responseHeaders[name] = value));
    return { data: text, status: response.status, statusText: response.statusText, headers: responseHeaders, config, request: {} };
  };
}

function failure(error: unknown, sent: boolean): TransportFailure {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  if (!sent && code === 'ECONNREFUSED') return 'connection_refused';
  return 'connection_lost';
}
