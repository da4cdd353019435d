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

/** `value` trimmed, when it is 1 to `max` characters without control characters; else refused naming `field`. */
export function singleLine(field: string, value: string, max: number, what: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new AdminInputError(field, `${what} must be 1 to ${max} characters, without control characters.`);
  }
  return trimmed;
}

export function required<T>(value: T | null, field: string, what: string): T {
  if (value === null) throw new AdminInputError(field, `No such ${what}.`);
  return value;
}
