/**
 * The SDK's transport, on fetch with a timeout. bitpay-sdk's `BitPayClient` calls the global fetch
 * with no signal and reads every answer as JSON whatever its HTTP status, so a timeout never ends
 * and a 5xx looks like any refusal. `Client` takes a `BitPayClient` of our own (its last-but-one
 * constructor argument): this one keeps the SDK's request signing (`X-Signature`, `X-Identity`) and
 * answer parsing, sends to the configured base URL under an `AbortSignal.timeout`, and throws
 * `BitPayTransportError` naming how a call failed: `connection_refused` (nothing sent: certain),
 * `timeout` or `connection_lost` (maybe done), or the HTTP status of an answer that is not 2xx.
 */
import { BitPayClient } from 'bitpay-sdk/client';

export type TransportFailure = 'connection_refused' | 'timeout' | 'connection_lost' | 'unreadable';

export class BitPayTransportError extends Error {
  constructor(
    readonly failure: TransportFailure | 'http',
    readonly status: number | null = null,
    /** BitPay's `error` text of a refused request; never holds request data. */
    readonly apiMessage: string | null = null,
  ) {
    super(`BitPay transport: ${failure}${status === null ? '' : ` ${status}`}`);
    this.name = 'BitPayTransportError';
  }
}

type Headers = Record<string, string>;
interface SdkInternals {
  defaultHeaders: Headers;
  responseParser: { getJsonDataFromJsonResponse(json: unknown): Promise<string> };
  getSignatureHeaders(fullUrl: string, headers: Headers, body: string | null): Headers;
}

export class FetchBitPayClient extends BitPayClient {
  constructor(
    baseUrl: string,
    ecKey: ConstructorParameters<typeof BitPayClient>[1],
    identity: string,
    private readonly timeoutMs: number,
  ) {
    super(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`, ecKey, identity, undefined);
  }

  override get(uri: string, parameters: Record<string, unknown> | null, signatureRequired = false): Promise<string> {
    const query = parameters === null ? '' : `?${queryString(parameters)}`;
    return this.send('GET', uri + query, null, signatureRequired);
  }

  override post(uri: string, formData: unknown = {}, signatureRequired = true): Promise<string> {
    return this.send('POST', uri, JSON.stringify(formData), signatureRequired);
  }

  override put(uri: string, formData: unknown = {}, signatureRequired = true): Promise<string> {
    return this.send('PUT', uri, JSON.stringify(formData), signatureRequired);
  }

  override delete(uri: string, parameters: Record<string, unknown> = {}, signatureRequired = true): Promise<string> {
    return this.send('DELETE', `${uri}?${queryString(parameters)}`, null, signatureRequired);
  }

  private async send(method: string, uri: string, body: string | null, signatureRequired: boolean): Promise<string> {
    const sdk = this as unknown as SdkInternals & { baseUrl: string };
    const fullUrl = sdk.baseUrl + uri;
    // The SDK signs into the headers object it is given: a copy, so no signature outlives its request.
    const headers = signatureRequired ? sdk.getSignatureHeaders(fullUrl, { ...sdk.defaultHeaders }, body) : { ...sdk.defaultHeaders };
    let response: Response;
    try {
      response = await fetch(fullUrl, { method, headers, ...(body === null ? {} : { body }), signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new BitPayTransportError(failure(error, false));
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new BitPayTransportError(failure(error, true));
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BitPayTransportError(response.ok ? 'unreadable' : 'http', response.ok ? null : response.status);
    }
    if (!response.ok) throw new BitPayTransportError('http', response.status, errorText(json));
    return sdk.responseParser.getJsonDataFromJsonResponse(json);
  }
}

function queryString(parameters: Record<string, unknown>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== null && value !== undefined) query.set(name, String(value));
  return query.toString();
}

function errorText(json: unknown): string | null {
  const error = (json as { error?: unknown } | null)?.error;
  return typeof error === 'string' ? error.slice(0, 200) : null;
}

function failure(error: unknown, sent: boolean): TransportFailure {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  if (!sent && code === 'ECONNREFUSED') return 'connection_refused';
  return 'connection_lost';
}
