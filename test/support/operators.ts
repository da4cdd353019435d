import { generate } from 'otplib';
import { operatorService, type Role } from '../../src/admin/operators.js';
import { passwordHasher } from '../../src/admin/passwords.js';
import { newTotpSecret } from '../../src/admin/totp.js';
import type { Clock } from '../../src/domain/clock.js';
import { createSecretBox } from '../../src/domain/secret-box.js';
import type { Repositories } from '../../src/store/index.js';

/** bcrypt's lowest cost: tests hash many passwords; the cost does not change what they prove. */
export const TEST_PASSWORDS = passwordHasher(4);

export interface OperatorCredentials {
  id: string;
  email: string;
  name: string;
  password: string;
  totpSecret: string;
}

/** The code an authenticator app shows at `at` (default: the clock's now), `steps` 30 s steps later. */
export function totpCode(secret: string, clock: Clock, steps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) + steps * 30 });
}

/** An operator with TOTP on, seeded straight into the store. */
export async function seedOperator(
  repositories: Repositories,
  secretsKey: string,
  clock: Clock,
  input: { email?: string; name?: string; role?: Role; merchantIds?: string[] | null } = {},
): Promise<OperatorCredentials> {
  const totpSecret = newTotpSecret();
  const password = 'correct horse battery staple';
  const operators = operatorService({ repositories, secrets: createSecretBox(secretsKey), passwords: TEST_PASSWORDS, clock });
  const email = input.email ?? `${Math.random().toString(36).slice(2, 10)}@ops.example`;
  const name = input.name ?? 'Ada Operator';
  const operator = await operators.provision(
    { type: 'system', id: 'test', name: 'test' },
    { email, name, role: input.role ?? 'operator', password, merchantIds: input.merchantIds ?? null, totpSecret },
  );
  return { id: operator.id, email: operator.email, name, password, totpSecret };
}

/** Signs in with password and the current TOTP code; answers the session token. */
export async function signIn(baseUrl: string, operator: { email: string; password: string; totpSecret: string }, clock: Clock, steps = 0): Promise<string> {
  const res = await fetch(`${baseUrl}/v1/admin/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: operator.email, password: operator.password, totp_code: await totpCode(operator.totpSecret, clock, steps) }),
  });
  const body = (await res.json()) as { token?: string };
  if (res.status !== 201 || !body.token) throw new Error(`sign-in refused: ${JSON.stringify(body)}`);
  return body.token;
}
