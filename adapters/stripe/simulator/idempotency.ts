import { createHmac } from 'node:crypto';
import { docUrl, type StripeErrorObject } from './errors.js';
import type { Params } from './params.js';

/**
 * Stripe's idempotency layer: the first request under a key (per API key) saves its status and
 * body; a later request with the same key and the same endpoint and parameters gets that saved
 * answer back (header `Idempotent-Replayed: true`) without running again. Other parameters or
 * another endpoint → 400 idempotency_error; the first request still running → 409.
 *
 * Parameters are kept only as a keyed digest, so card numbers are never stored here.
 */

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 255;

export interface SavedResponse {
  status: number;
  /** The exact JSON text first sent. */
  body: string;
  requestId: string;
}

export type IdempotencyDecision =
  | { kind: 'execute'; save(response: SavedResponse): void; release(): void }
  | { kind: 'replay'; response: SavedResponse }
  | { kind: 'reject'; status: number; error: StripeErrorObject };

interface Entry {
  method: string;
  path: string;
  digest: string;
  createdAt: number;
  /** null while the first request is still executing. */
  response: SavedResponse | null;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private lastSweep = 0;

  constructor(
    private readonly now: () => number,
    private readonly secret: Buffer,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
  ) {}

  private hmac(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [scope, entry] of this.entries) {
      if (entry.response && now - entry.createdAt >= this.ttlMs) this.entries.delete(scope);
    }
  }

  begin(apiKey: string, key: string, method: string, path: string, params: Params): IdempotencyDecision {
    if (key.length > MAX_KEY_LENGTH) {
      return {
        kind: 'reject',
        status: 400,
        error: {
          type: 'invalid_request_error',
          message: `Invalid Idempotency-Key: keys can be at most ${MAX_KEY_LENGTH} characters long.`,
        },
      };
    }
    const now = this.now();
    this.sweep(now);
    const scope = this.hmac(`${apiKey}\u0000${key}`);
    const digest = this.hmac(JSON.stringify(canonical(params)));
    let existing = this.entries.get(scope);
    if (existing && existing.response && now - existing.createdAt >= this.ttlMs) {
      this.entries.delete(scope);
      existing = undefined;
    }

    if (!existing) {
      const entry: Entry = { method, path, digest, createdAt: now, response: null };
      this.entries.set(scope, entry);
      return {
        kind: 'execute',
        save: (response) => {
          entry.response = response;
          entry.createdAt = this.now();
        },
        release: () => {
          if (this.entries.get(scope) === entry) this.entries.delete(scope);
        },
      };
    }

    if (existing.method !== method || existing.path !== path) {
      return {
        kind: 'reject',
        status: 400,
        error: {
          type: 'idempotency_error',
          doc_url: docUrl('idempotency_key_in_use'),
          message:
            `Keys for idempotent requests can only be used for the same endpoint they were first used for ` +
            `('${existing.path}' vs '${path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
        },
      };
    }
    if (existing.digest !== digest) {
      return {
        kind: 'reject',
        status: 400,
        error: {
          type: 'idempotency_error',
          message:
            `Keys for idempotent requests can only be used with the same parameters they were first used with. ` +
            `Try using a key other than '${key}' if you meant to execute a different request.`,
        },
      };
    }
    if (!existing.response) {
      return {
        kind: 'reject',
        status: 409,
        error: {
          type: 'idempotency_error',
          code: 'idempotency_key_in_use',
          doc_url: docUrl('idempotency_key_in_use'),
          message:
            `There is currently another in-progress request using this Idempotent Key (that probably means you submitted ` +
            `twice, and the other request is still going through): ${key}. Please try again later.`,
        },
      };
    }
    return { kind: 'replay', response: existing.response };
  }

  clear(): void {
    this.entries.clear();
  }

  /** The answered entries (keyed digests and answers only), to save. Ones still running are left out. */
  saved(): SavedIdempotencyEntry[] {
    const out: SavedIdempotencyEntry[] = [];
    for (const [scope, entry] of this.entries) if (entry.response) out.push({ scope, ...entry, response: { ...entry.response } });
    return out;
  }

  restore(entries: readonly SavedIdempotencyEntry[]): void {
    for (const { scope, ...entry } of entries) if (entry.response) this.entries.set(scope, { ...entry });
  }
}

/** An idempotency record as saved: the scope is a keyed digest of API key and key, the parameters a keyed digest. */
export interface SavedIdempotencyEntry extends Entry {
  scope: string;
}
