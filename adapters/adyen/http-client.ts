import Adyen from '@adyen/api-library';

const { HttpClientException } = Adyen;

export type AdyenClientInterface = NonNullable<ConstructorParameters<typeof Adyen.Client>[1]>;
type ApiError = NonNullable<InstanceType<typeof HttpClientException>['apiError']>;

/** Codes meaning the connection was never made, so the request certainly never reached Adyen. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export type TransportFailure = 'connection_refused' | 'timeout' | 'connection_lost' | 'malformed_response';

const MESSAGES: Record<TransportFailure, string> = {
  connection_refused: 'Adyen could not be reached.',
  timeout: 'Adyen did not answer in time.',
  connection_lost: 'The connection to Adyen broke before it answered.',
  malformed_response: 'Adyen answered with a body that is not JSON.',
};

/** No readable HTTP answer. Only `connection_refused` means the request certainly did not reach Adyen. */
export class AdyenTransportError extends Error {
  override readonly name = 'AdyenTransportError';

  constructor(
    readonly kind: TransportFailure,
    cause?: unknown,
  ) {
    super(MESSAGES[kind], { cause });
  }
}

export interface FetchClientOptions {
  /** Where Adyen's paths are appended: `http://127.0.0.1:PORT`, or `https://{prefix}-checkout-live.adyenpayments.com/checkout`. */
  baseUrl: string;
  timeoutMs: number;
}

/**
 * The library's HTTP client only speaks https to Adyen's own hosts and uses Node's `https`. This one
 * uses fetch, so it runs on Workers and can target any base URL: it keeps the path of the URL the
 * library built and puts it under `baseUrl`. It never retries. A 2xx body that is not JSON throws
 * (the library would hand the raw text on); other statuses throw the library's `HttpClientException`.
 */
export function createFetchClient(options: FetchClientOptions): AdyenClientInterface {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async request(endpoint, json, config, _isApiKeyRequired, requestOptions = {}) {
      const built = new URL(endpoint);
      const params = requestOptions.params as ConstructorParameters<typeof URLSearchParams>[0];
      const query = params === undefined ? '' : `?${new URLSearchParams(params).toString()}`;
      const method = requestOptions.method ?? 'POST';
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (config.apiKey) headers['x-api-key'] = config.apiKey;
      if (requestOptions.idempotencyKey) headers['idempotency-key'] = requestOptions.idempotencyKey;

      const signal = AbortSignal.timeout(options.timeoutMs);
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${base}${built.pathname}${query}`, {
          method,
          headers,
          body: method === 'GET' ? null : typeof json === 'string' ? json : new TextDecoder().decode(json),
          signal,
        });
      } catch (error) {
        throw new AdyenTransportError(signal.aborted ? 'timeout' : notConnected(error) ? 'connection_refused' : 'connection_lost', error);
      }
      try {
        text = await response.text();
      } catch (error) {
        throw new AdyenTransportError(signal.aborted ? 'timeout' : 'connection_lost', error);
      }

      const body = parseJson(text);
      if (response.ok) {
        if (body === undefined) throw new AdyenTransportError('malformed_response');
        return text;
      }
      const apiError = isApiError(body) ? body : undefined;
      throw new HttpClientException({
        message: `HTTP Exception: ${response.status}${apiError?.errorCode ? ` (errorCode ${apiError.errorCode})` : ''}`,
        statusCode: response.status,
        errorCode: apiError?.errorCode,
        responseHeaders: headerRecord(response.headers),
        responseBody: text,
        apiError,
      });
    },
  };
}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isApiError(body: unknown): body is ApiError {
  return typeof body === 'object' && body !== null && 'status' in body;
}

/** The system error code under a fetch failure (undici nests it in `cause`). */
function notConnected(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth += 1) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') return NOT_CONNECTED.has(code);
    current = cause;
  }
  return false;
}
