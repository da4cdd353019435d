import { createHash } from 'node:crypto';

export interface SavedResponse {
  status: number;
  text: string;
}

export interface SavedIdempotencyEntry {
  key: string;
  fingerprint: string;
  response: SavedResponse;
}

export type IdempotencyDecision =
  | { kind: 'new'; save(response: SavedResponse): void; release(): void }
  | { kind: 'replay'; response: SavedResponse }
  | { kind: 'conflict' };

/**
 * `Cko-Idempotency-Key`: the first answer under a key (a 2xx) is stored and replayed to the same
 * request; the key with another request, or while the first is still running, is a 409.
 * A failed request (4xx, 5xx) keeps nothing, so it can be sent again.
 */
export class IdempotencyStore {
  private readonly done = new Map<string, { fingerprint: string; response: SavedResponse }>();
  private readonly running = new Set<string>();

  begin(key: string, method: string, path: string, body: string): IdempotencyDecision {
    const fingerprint = createHash('sha256').update(`${method} ${path}\n${body}`).digest('hex');
    const stored = this.done.get(key);
    if (stored) return stored.fingerprint === fingerprint ? { kind: 'replay', response: stored.response } : { kind: 'conflict' };
    if (this.running.has(key)) return { kind: 'conflict' };
    this.running.add(key);
    return {
      kind: 'new',
      save: (response) => {
        this.running.delete(key);
        this.done.set(key, { fingerprint, response });
      },
      release: () => this.running.delete(key),
    };
  }

  clear(): void {
    this.done.clear();
    this.running.clear();
  }

  saved(): SavedIdempotencyEntry[] {
    return [...this.done].map(([key, { fingerprint, response }]) => ({ key, fingerprint, response }));
  }

  restore(saved: readonly SavedIdempotencyEntry[]): void {
    for (const { key, fingerprint, response } of saved) this.done.set(key, { fingerprint, response });
  }
}
