/** Who did something: a person signed in, an API key, the admin CLI, or the router itself (seeds). */
export interface Actor {
  type: 'operator' | 'api_key' | 'cli' | 'system';
  id: string;
  /** What a reader of the log recognises: the operator's name, the key's display hint, the OS user. */
  name: string;
}

/** One change worth an audit record; `before` and `after` are masked before they are stored. */
export interface AuditChange {
  action: string;
  /** The merchant the change concerns; null for changes above merchants (operators). */
  merchantId: string | null;
  target: { type: string; id: string };
  before?: unknown;
  after?: unknown;
}

const SECRET_FIELD = /secret|password|passwd|token|api_?key|key_?hash|totp|cvc|card_?number|^number$|authorization|credential_?value/i;
export const MASK = '[masked]';

/**
 * Masks every field whose name says it holds a secret, at any depth. `credentials_ref` stays:
 * it names where a secret lives (`env:STRIPE_LIVE`), not the secret.
 */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_FIELD.test(key) && !/_ref$|Ref$|_hint$|Hint$/.test(key) && field !== null && field !== undefined ? MASK : maskSecrets(field);
  }
  return out;
}
