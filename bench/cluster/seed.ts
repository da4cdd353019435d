import { generate } from 'otplib';
import { operatorService } from '../../src/admin/operators.js';
import { passwordHasher } from '../../src/admin/passwords.js';
import { newTotpSecret } from '../../src/admin/totp.js';
import { hashApiKey, keyHint, SCOPES } from '../../src/domain/api-keys.js';
import { systemClock } from '../../src/domain/clock.js';
import { createSecretBox } from '../../src/domain/secret-box.js';
import { openDatabase } from '../../src/runtime/node/database.js';
import { createRepositories } from '../../src/store/index.js';

/** Both gateways compete on their learned success rate: an outage shows in where traffic goes. */
export const LEARNING_RULESET = 'default: { optimize: { objective: success_rate } }\n';
export const GATEWAYS = ['stripe_a', 'stripe_b'] as const;
export type GatewayName = (typeof GATEWAYS)[number];
/** `env:<PREFIX>` credentials: each router reads `<PREFIX>_SECRET_KEY`, `_WEBHOOK_SECRET`, `_BASE_URL`. */
export const ENV_PREFIX: Record<GatewayName, string> = { stripe_a: 'SIM_A', stripe_b: 'SIM_B' };

const SEED = { type: 'system', id: 'cluster-bench', name: 'cluster bench seed' } as const;

export interface Seeded {
  merchantId: string;
  accounts: Record<GatewayName, string>;
  operator: { email: string; password: string; totpSecret: string };
  activeVersion: number;
}

/**
 * Migrates the bench's fresh database and seeds, as an operator would before starting the
 * instances: a merchant with `apiKey`, its two Stripe accounts (one simulator process each),
 * the learning ruleset, active, and an operator with TOTP who may activate rulesets.
 */
export async function seedCluster(databaseUrl: string, apiKey: string, secretsKey: string): Promise<Seeded> {
  const database = await openDatabase({ url: databaseUrl, migrations: 'apply' });
  try {
    const repositories = createRepositories(database.db);
    const merchantId = await repositories.merchants.create('Cluster bench');
    await repositories.merchants.addApiKey({ merchantId, keyHash: await hashApiKey(apiKey), hint: keyHint(apiKey), label: 'cluster-bench', scopes: SCOPES });
    const accounts = {} as Record<GatewayName, string>;
    for (const name of GATEWAYS) {
      const account = await repositories.merchants.addGatewayAccount({ merchantId, provider: 'stripe', name, label: `${name} (cluster bench simulator)`, credentialsRef: `env:${ENV_PREFIX[name]}` });
      accounts[name] = account.id;
    }
    const { version } = await repositories.routing.addVersion(merchantId, LEARNING_RULESET, SEED);
    await repositories.routing.activate(merchantId, version, SEED);
    const totpSecret = newTotpSecret();
    const operator = { email: 'ops@cluster-bench.example', password: 'cluster bench operator password', totpSecret };
    // bcrypt's lowest cost: one sign-in, and the cost says nothing about the cluster.
    const operators = operatorService({ repositories, secrets: createSecretBox(secretsKey), passwords: passwordHasher(4), clock: systemClock });
    await operators.provision(SEED, { email: operator.email, name: 'Cluster bench operator', role: 'admin', password: operator.password, merchantIds: null, totpSecret });
    return { merchantId, accounts, operator, activeVersion: version };
  } finally {
    await database.close();
  }
}

/** Signs the seeded operator in through `baseUrl`; answers the session token. */
export async function signIn(baseUrl: string, operator: Seeded['operator']): Promise<string> {
  const res = await fetch(`${baseUrl}/v1/admin/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: operator.email, password: operator.password, totp_code: await generate({ secret: operator.totpSecret }) }),
  });
  const body = (await res.json()) as { token?: string };
  if (res.status !== 201 || !body.token) throw new Error(`operator sign-in refused: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}
