import { session } from './session.js';

/** A problem+json answer (RFC 9457) as the router sends it. */
export interface ProblemBody {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  param?: string;
  errors?: { line: number; column: number; path: string; rule: string | null; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: ProblemBody) {
    super(problem.detail ?? problem.title ?? problem.code);
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Send Switchyard-Merchant (the merchant API); false for the admin API. */
  merchant?: boolean;
}

export function headers(merchant = true): Record<string, string> {
  const { token, merchantId } = session.get();
  return {
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
    ...(merchant && merchantId ? { 'Switchyard-Merchant': merchantId } : {}),
  };
}

export function url(path: string, query: RequestOptions['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Calls the router; a problem answer throws ApiError, and an expired session signs the operator out. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await fetch(url(path, options.query), {
    method: options.method ?? 'GET',
    headers: { ...headers(options.merchant ?? true), ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const problem = (body && typeof body === 'object' ? body : { status: res.status, code: 'http_error', detail: `HTTP ${res.status}` }) as ProblemBody;
    if (res.status === 401 && session.get().token && path !== '/v1/admin/session') session.signOut();
    throw new ApiError({ ...problem, status: res.status });
  }
  return body as T;
}

/** Minor units as a display amount, with the currency's own exponent. */
export function money(amount: number, currency: string): string {
  try {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount / 10 ** digits);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '—';
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`;
}
