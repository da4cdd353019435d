import { errorFields, scrubText } from '../domain/safe-error.js';

/** What a redacted value is replaced by. */
export const CENSOR = '[redacted]';

/**
 * Keys whose values never reach a log, at any depth: card data, credentials, and what identifies
 * a shopper (holder name, email, metadata, a statement's parameters, a database's "Failing row
 * contains (…)" detail).
 */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'number', 'pan', 'card_number', 'cvc', 'cvv',
  'authorization', 'cookie', 'api_key', 'apiKey', 'secret', 'secret_key', 'secretKey', 'webhook_secret', 'signing_secret', 'password', 'token',
  'holder_name', 'holderName', 'email', 'metadata', 'params', 'parameters', 'detail',
]);

const MAX_DEPTH = 6;

/**
 * Makes log fields safe to serialize, in one walk: the values of secret keys are replaced by
 * CENSOR, card numbers in any text are masked, a failed statement's parameters are cut off, and
 * errors become plain objects that keep only what cannot carry request data (see errorFields).
 * (Redacting by key here, instead of by path lists in a second pass over the serialized object,
 * costs a request's log line one walk of its few fields.)
 */
export function scrubFields(fields: Record<string, unknown>): Record<string, unknown> {
  return scrubValue(fields, 0) as Record<string, unknown>;
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return scrubValue(errorFields(value, depth), depth);
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item = (value as Record<string, unknown>)[key];
    out[key] = item !== undefined && SECRET_KEYS.has(key) ? CENSOR : scrubValue(item, depth + 1);
  }
  return out;
}
