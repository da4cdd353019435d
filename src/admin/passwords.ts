import { compare, hash } from 'bcryptjs';

/**
 * Operator passwords, bcrypt (pure JS, so the same code runs on Node and in the Worker).
 * bcrypt reads at most 72 bytes: longer passwords are refused at the edge, never truncated.
 */
export const PASSWORD_MIN_CHARS = 12;
export const PASSWORD_MAX_BYTES = 72;
const DEFAULT_PASSWORD_COST = 12;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, passwordHash: string): Promise<boolean>;
  /** Spends as long as a real check, for an email that has no operator: the answer's timing tells nothing. */
  verifyNothing(password: string): Promise<void>;
}

/** `cost`: bcrypt's log2 rounds (default 12); tests pass a lower one to stay fast. */
export function passwordHasher(cost = DEFAULT_PASSWORD_COST): PasswordHasher {
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, cost),
    verify: (password, passwordHash) => compare(password, passwordHash),
    async verifyNothing(password) {
      await compare(password, await (dummy ??= hash('no operator has this password', cost)));
    },
  };
}
