import type { Actor } from '../domain/audit.js';
import { after, type Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import { problems } from '../domain/problem.js';
import type { SecretBox } from '../domain/secret-box.js';
import type { Repositories } from '../store/index.js';
import type { OperatorRow } from '../store/operators.js';
import type { PasswordHasher } from './passwords.js';
import { newTotpSecret, totpStep, totpUri } from './totp.js';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** After this many failed sign-ins (password or TOTP) in a row, the operator is locked out for LOCKOUT_MS. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

export interface Operator {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** The merchants the operator may act for; null: all of them (always so for admins). */
  merchantIds: string[] | null;
  totpEnabled: boolean;
  createdAt: Date;
  disabledAt: Date | null;
}

export interface NewOperator {
  email: string;
  name: string;
  role: Role;
  password: string;
  merchantIds: string[] | null;
}

/** viewer < operator < admin. */
export function hasRole(operator: Operator, needed: Role): boolean {
  return ROLES.indexOf(operator.role) >= ROLES.indexOf(needed);
}

export function mayActFor(operator: Operator, merchantId: string): boolean {
  return operator.role === 'admin' || operator.merchantIds === null || operator.merchantIds.includes(merchantId);
}

export const operatorActor = (operator: Operator): Actor => ({ type: 'operator', id: operator.id, name: operator.name });

/** Operators: created by an admin, signed in with a password and a TOTP code, disabled rather than deleted. */
export function operatorService(deps: { repositories: Repositories; secrets: SecretBox; passwords: PasswordHasher; clock: Clock }) {
  const { repositories, secrets, passwords, clock } = deps;
  const store = repositories.operators;
  // The operator id is bound to the sealed secret: a secret copied onto another row does not open.
  const totpContext = (id: string) => `operator-totp:${id}`;

  async function failed(row: OperatorRow): Promise<void> {
    if ((await store.addFailedLogin(row.id)) >= MAX_FAILED_LOGINS) {
      await store.update(row.id, { failedLogins: 0, lockedUntil: after(clock.now(), LOCKOUT_MS) });
    }
  }

  const locked = (row: OperatorRow) => row.lockedUntil !== null && row.lockedUntil > clock.now();

  /** The time the code was proven, or null (wrong, expired, or accepted before). */
  async function proveTotp(row: OperatorRow, code: string): Promise<Date | null> {
    if (row.totpSecret === null) return null;
    const secret = await secrets.open(row.totpSecret, totpContext(row.id));
    const step = await totpStep(secret, code, clock, row.lastTotpStep);
    if (step === null || !(await store.claimTotpStep(row.id, step))) return null;
    return clock.now();
  }

  async function succeeded(row: OperatorRow): Promise<void> {
    if (row.failedLogins > 0 || row.lockedUntil !== null) await store.update(row.id, { failedLogins: 0, lockedUntil: null });
  }

  return {
    /**
     * A new operator with TOTP on from the start: the secret is answered this once, for the admin to
     * hand over with the password. Nobody who learns only the password can enroll an authenticator.
     */
    async create(actor: Actor, input: NewOperator): Promise<{ operator: Operator; totpSecret: string; otpauthUri: string }> {
      const merchantIds = input.role === 'admin' || input.merchantIds === null ? null : [...new Set(input.merchantIds)];
      if (merchantIds) {
        const known = new Set(await store.knownMerchantIds(merchantIds));
        const unknown = merchantIds.findIndex((id) => !known.has(id));
        if (unknown >= 0) throw problems.invalidRequest('No merchant has this id.', `merchant_ids[${unknown}]`, 'unknown_merchant');
      }
      const passwordHash = await passwords.hash(input.password);
      const id = newId('op');
      const totpSecret = newTotpSecret();
      const sealed = await secrets.seal(totpSecret, totpContext(id));
      return repositories.transaction(async (tx) => {
        const row = await tx.operators.insert({
          id,
          email: normalizeEmail(input.email),
          name: input.name,
          role: input.role,
          merchantIds,
          passwordHash,
          totpSecret: sealed,
          totpEnabledAt: clock.now(),
          createdAt: clock.now(),
        });
        if (!row) throw problems.conflict('email_taken', 'An operator with this email exists.', 'email');
        const operator = toOperator(row);
        await tx.audit.append(actor, { action: 'operator.create', merchantId: null, target: { type: 'operator', id: row.id }, after: auditView(operator) }, clock.now());
        return { operator, totpSecret, otpauthUri: totpUri(totpSecret, operator.email) };
      });
    },

    /**
     * Creates the operator, or resets an existing one's password and TOTP secret, with TOTP on:
     * for seeds (the sandbox's demo operator), whose credentials are printed rather than enrolled.
     */
    async provision(actor: Actor, input: NewOperator & { totpSecret: string }): Promise<Operator> {
      const email = normalizeEmail(input.email);
      const passwordHash = await passwords.hash(input.password);
      return repositories.transaction(async (tx) => {
        const existing = await tx.operators.byEmail(email);
        const id = existing?.id ?? newId('op');
        const credentials = { passwordHash, totpSecret: await secrets.seal(input.totpSecret, totpContext(id)), totpEnabledAt: clock.now(), failedLogins: 0, lockedUntil: null };
        const row = existing
          ? await tx.operators.update(id, credentials)
          : await tx.operators.insert({ id, email, name: input.name, role: input.role, merchantIds: input.role === 'admin' ? null : input.merchantIds, createdAt: clock.now(), ...credentials });
        const operator = toOperator(row!);
        await tx.audit.append(actor, { action: existing ? 'operator.credentials.reset' : 'operator.create', merchantId: null, target: { type: 'operator', id }, after: auditView(operator) }, clock.now());
        return operator;
      });
    },

    async list(): Promise<Operator[]> {
      return (await store.list()).map(toOperator);
    },

    /** Null when there is no such operator. Disabling is final; their sessions stop working at once. */
    async disable(actor: Actor, id: string): Promise<Operator | null> {
      return repositories.transaction(async (tx) => {
        const before = await tx.operators.byId(id);
        if (!before) return null;
        if (before.disabledAt) return toOperator(before);
        const row = (await tx.operators.update(id, { disabledAt: clock.now() }))!;
        await tx.audit.append(actor, { action: 'operator.disable', merchantId: null, target: { type: 'operator', id }, before: auditView(toOperator(before)), after: auditView(toOperator(row)) }, clock.now());
        return toOperator(row);
      });
    },

    /** An operator's own new password, given the current one; false when the current one is wrong (counts towards the lockout). */
    async changePassword(id: string, current: string, next: string): Promise<boolean> {
      const row = await store.byId(id);
      if (!row || row.disabledAt || locked(row)) return false;
      if (!(await passwords.verify(current, row.passwordHash))) {
        await failed(row);
        return false;
      }
      const passwordHash = await passwords.hash(next);
      await repositories.transaction(async (tx) => {
        await tx.operators.update(id, { passwordHash, failedLogins: 0, lockedUntil: null });
        await tx.audit.append(operatorActor(toOperator(row)), { action: 'operator.password.change', merchantId: null, target: { type: 'operator', id } }, clock.now());
      });
      return true;
    },

    /** An enabled operator, by id: sessions are checked against it on every request. */
    async active(id: string): Promise<Operator | null> {
      const row = await store.byId(id);
      return row && !row.disabledAt ? toOperator(row) : null;
    },

    /**
     * Email and password, and a TOTP code when one is given. One answer (null) for every failure:
     * unknown email, wrong password, wrong code, disabled, locked out. An unknown email costs a
     * password check too, so timing does not tell which emails exist.
     */
    async signIn(email: string, password: string, code: string | undefined): Promise<{ operator: Operator; mfaAt: Date | null } | null> {
      const row = await store.byEmail(normalizeEmail(email));
      if (!row || row.disabledAt || locked(row)) {
        await passwords.verifyNothing(password);
        return null;
      }
      if (!(await passwords.verify(password, row.passwordHash))) {
        await failed(row);
        return null;
      }
      let mfaAt: Date | null = null;
      if (code !== undefined) {
        mfaAt = row.totpEnabledAt ? await proveTotp(row, code) : null;
        if (!mfaAt) {
          await failed(row);
          return null;
        }
      }
      await succeeded(row);
      return { operator: toOperator(row), mfaAt };
    },

    /** A TOTP code for a signed-in operator (step-up); wrong codes count towards the lockout. */
    async stepUp(id: string, code: string): Promise<Date | null> {
      const row = await store.byId(id);
      if (!row || row.disabledAt || locked(row) || !row.totpEnabledAt) return null;
      const mfaAt = await proveTotp(row, code);
      if (!mfaAt) {
        await failed(row);
        return null;
      }
      await succeeded(row);
      return mfaAt;
    },
  };
}

export type OperatorService = ReturnType<typeof operatorService>;

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toOperator(row: OperatorRow): Operator {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    merchantIds: row.merchantIds,
    totpEnabled: row.totpEnabledAt !== null,
    createdAt: row.createdAt,
    disabledAt: row.disabledAt,
  };
}

/** An operator as the admin API and the CLI show one. */
export function operatorView(operator: Operator) {
  return {
    object: 'operator' as const,
    id: operator.id,
    email: operator.email,
    name: operator.name,
    role: operator.role,
    merchant_ids: operator.merchantIds,
    totp_enabled: operator.totpEnabled,
    created_at: operator.createdAt.toISOString(),
    disabled_at: operator.disabledAt?.toISOString() ?? null,
  };
}

/** What the audit log keeps of an operator: never the password hash or the TOTP secret. */
function auditView(operator: Operator) {
  return { email: operator.email, name: operator.name, role: operator.role, merchant_ids: operator.merchantIds, disabled_at: operator.disabledAt?.toISOString() ?? null };
}
