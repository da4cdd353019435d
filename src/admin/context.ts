import type { Actor } from '../domain/audit.js';
import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../store/index.js';

/** What every admin action needs: the store, who acts (for the audit record), and the time. */
export interface AdminContext {
  repositories: Repositories;
  actor: Actor;
  clock: Clock;
}

/** Input an admin action refuses; `field` names what was wrong, and nothing was changed. */
export class AdminInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'AdminInputError';
  }
}

export function required<T>(value: T | null, field: string, what: string): T {
  if (value === null) throw new AdminInputError(field, `No such ${what}.`);
  return value;
}
