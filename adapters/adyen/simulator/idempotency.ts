import { createHmac, randomBytes } from 'node:crypto';
import { errors, type ApiResponse } from './errors.js';

/** A response as first sent: replays answer these bytes again. */
export interface SavedResponse {
  status: number;
  text: string;
}

export type IdempotencyDecision =
  | { kind: 'execute'; save(response: SavedResponse): void; release(): void }
  | { kind: 'replay'; response: SavedResponse }
  | { kind: 'reject'; response: ApiResponse };

interface Entry {
  digest: string;
  /** Null while the first request runs. */
  response: SavedResponse | null;
}

const MAX_KEY_LENGTH = 64;

/**
 * Adyen's idempotency (docs.adyen.com/development-resources/api-idempotency): keys are kept per
 * account (here: per API key) for at least 31 days, which outlives any simulator run. The first
 * request's answer is saved and returned again to a resend; a resend while the first still runs
 * gets 409 errorCode 704 with `transient-error: true`; a key reused for another request gets 422
 * errorCode 704. Only successful answers are saved: a request refused before it ran can run again.
 * Requests are kept as a keyed digest, so no card number is stored.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  /** `secret` keys the digests; a saved store needs the same secret to be read back. */
  constructor(readonly secret: Buffer = randomBytes(32)) {}

  begin(apiKey: string, key: string, method: string, path: string, body: string): IdempotencyDecision {
    if (key.length > MAX_KEY_LENGTH) return { kind: 'reject', response: errors.idempotencyKeyTooLong().toResponse() };
    const scope = this.digest(`${apiKey}\u0000${key}`);
    const digest = this.digest(`${method} ${path}\u0000${body}`);
    const existing = this.entries.get(scope);
    if (existing === undefined) {
      const entry: Entry = { digest, response: null };
      this.entries.set(scope, entry);
      return {
        kind: 'execute',
        save: (response) => {
          entry.response = response;
        },
        release: () => {
          if (this.entries.get(scope) === entry) this.entries.delete(scope);
        },
      };
    }
    if (existing.response === null) return { kind: 'reject', response: errors.idempotencyInProgress().toResponse() };
    if (existing.digest !== digest) return { kind: 'reject', response: errors.idempotencyKeyReused().toResponse() };
    return { kind: 'replay', response: existing.response };
  }

  clear(): void {
    this.entries.clear();
  }

  /** The answered entries (digests and answers), to save; ones still running are left out. */
  saved(): SavedIdempotencyEntry[] {
    const out: SavedIdempotencyEntry[] = [];
    for (const [scope, entry] of this.entries) if (entry.response !== null) out.push({ scope, digest: entry.digest, response: { ...entry.response } });
    return out;
  }

  restore(entries: readonly SavedIdempotencyEntry[]): void {
    for (const { scope, digest, response } of entries) this.entries.set(scope, { digest, response: { ...response } });
  }

  private digest(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }
}

export interface SavedIdempotencyEntry {
  /** Keyed digest of API key and idempotency key. */
  scope: string;
  /** Keyed digest of the request. */
  digest: string;
  response: SavedResponse;
}
