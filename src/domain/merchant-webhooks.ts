import { isMerchantEventType, MERCHANT_EVENT_TYPES } from './events.js';
import { encodeBase64Url } from './secret-box.js';

/**
 * Merchant webhooks: where a merchant's events are POSTed, how they are signed, and how often a
 * failed delivery is tried again. Pure apart from Web Crypto.
 */

export const MAX_ENDPOINTS_PER_MERCHANT = 16;
export const MAX_URL_LENGTH = 2048;
export const SIGNING_SECRET_PREFIX = 'whsec_';
export const SIGNATURE_HEADER = 'Switchyard-Signature';
export const EVENT_ID_HEADER = 'Switchyard-Event-Id';
export const USER_AGENT = 'Switchyard-Webhooks/1';

/**
 * Waits after each failed attempt: 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, then every 12 h until 3
 * days have passed since the first attempt. Twelve attempts in all; the last is made 77 h 36 min
 * after the first (later if the job engine was behind), and if it fails the delivery is failed.
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  60_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  12 * 3_600_000,
  12 * 3_600_000,
  12 * 3_600_000,
  12 * 3_600_000,
  12 * 3_600_000,
];
export const MAX_DELIVERY_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** How long to wait after failed attempt number `attempt` (1-based); null: that was the last. */
export function retryDelayMs(attempt: number): number | null {
  return RETRY_DELAYS_MS[attempt - 1] ?? null;
}

/** `["*"]` or a list of event types (`enabled_events`). */
export function subscribes(enabledEvents: readonly string[], type: string): boolean {
  return enabledEvents.includes('*') || enabledEvents.includes(type);
}

export const ENABLED_EVENT_CHOICES: readonly string[] = ['*', ...MERCHANT_EVENT_TYPES];

export function isEnabledEvent(value: string): boolean {
  return value === '*' || isMerchantEventType(value);
}

/** `whsec_` and 32 random bytes: what a merchant verifies signatures with. */
export function newSigningSecret(): string {
  return SIGNING_SECRET_PREFIX + encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Hex HMAC-SHA256 of `<t>.<body>` under the signing secret (its UTF-8 bytes, prefix included). */
export async function signPayload(secret: string, timestamp: number, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${timestamp}.${body}`));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `t=<unix seconds>,v1=<hex HMAC>`. */
export async function signatureHeader(secret: string, at: Date, body: string): Promise<string> {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${await signPayload(secret, t, body)}`;
}

/**
 * What any endpoint URL must be: absolute http(s), no credentials, no whitespace or control
 * characters, at most 2048 characters. Answers what is wrong (never echoing the URL), or null.
 */
export function urlIssue(value: string): string | null {
  if (value.length > MAX_URL_LENGTH) return `url must be at most ${MAX_URL_LENGTH} characters.`;
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return 'url may not contain whitespace or control characters.';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url must be an absolute http or https URL.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'url must be an absolute http or https URL.';
  if (!/^https?:\/\//i.test(value) || url.hostname === '') return 'url must be an absolute http or https URL.';
  if (url.username !== '' || url.password !== '') return 'url may not carry credentials (user:password@).';
  // Stored as normalized (percent-encoded, punycode), which can be longer than what was sent.
  if (url.href.length > MAX_URL_LENGTH) return `url must be at most ${MAX_URL_LENGTH} characters once encoded.`;
  return null;
}

/**
 * Where endpoints may point. `strict` (the default, for production): https only, and never a
 * loopback, private, link-local or unspecified address literal, nor `localhost`, so a merchant
 * cannot aim the router at its own network. `local` (the sandbox, tests, development): any http(s)
 * URL, so a receiver on http://127.0.0.1 works.
 */
export type WebhookUrlPolicy = 'strict' | 'local';

/** What `policy` refuses about an otherwise valid URL, or null. */
export function urlPolicyIssue(value: string, policy: WebhookUrlPolicy): string | null {
  if (policy === 'local') return null;
  const url = new URL(value);
  if (url.protocol !== 'https:') return 'url must use https.';
  if (isInternalHost(url.hostname)) return 'url must point to a public host, not a loopback, private or link-local address.';
  return null;
}

function isInternalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host.startsWith('[')) return isInternalIpv6(host.slice(1, -1));
  const v4 = host.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (v4) return isInternalIpv4(v4.slice(1).map(Number) as [number, number, number, number]);
  return false;
}

function isInternalIpv4([a, b]: [number, number, number, number]): boolean {
  return (
    a === 0 || // "this" network, 0.0.0.0
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    a >= 224 // multicast and reserved
  );
}

function isInternalIpv6(host: string): boolean {
  if (host === '::' || host === '::1') return true;
  // IPv4-mapped (::ffff:a.b.c.d, which URL writes as ::ffff:xxxx:xxxx).
  const mapped = host.match(/^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return isInternalIpv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  }
  const first = parseInt(host.split(':')[0] || '0', 16);
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00; // unique local, link-local, multicast
}

/** The JSON a merchant receives (and `GET /v1/events` lists). */
export interface EventEnvelope {
  id: string;
  object: 'event';
  type: string;
  created_at: string;
  data: { object: Record<string, unknown> };
}

export function eventEnvelope(event: { id: string; type: string; createdAt: Date; data: Record<string, unknown> }): EventEnvelope {
  return { id: event.id, object: 'event', type: event.type, created_at: event.createdAt.toISOString(), data: { object: event.data } };
}
