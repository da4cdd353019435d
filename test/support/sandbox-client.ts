import type { Logger } from '../../src/domain/logger.js';
import type { BreakerClock } from '../../src/orchestrator/breakers.js';
import { startSandbox, type Sandbox } from '../../src/runtime/node/sandbox.js';
import { captureLogger } from './capture-logger.js';
import { systemClock, type Clock } from '../../src/domain/clock.js';
import { signIn } from './operators.js';
import type { SettlementPolicy } from '../../src/orchestrator/settle.js';
import { fixedKey } from './keys.js';

export const SANDBOX_BREAKERS = { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 300, rollingCountTimeoutMs: 10_000, rollingCountBuckets: 10 };

/** The sandbox in process (all three simulators, fast breakers), and a merchant's view of its API. */
export async function sandboxClient(
  options: {
    seed?: number;
    maxDeclines?: number;
    gatewayTimeoutMs?: number;
    breakerClock?: BreakerClock;
    logger?: Logger;
    clock?: Clock;
    settlement?: SettlementPolicy;
    jobPollMs?: number;
    /** Serve the Stripe-compatible API too (0: on a free port). */
    stripePort?: number;
    /** PostgreSQL instead of the in-memory PGlite. */
    databaseUrl?: string;
  } = {},
) {
  const sandbox: Sandbox = await startSandbox({
    host: '127.0.0.1',
    port: 0,
    sandboxKey: fixedKey('sandboxTests'),
    fingerprintSecret: 'fp',
    // Patient by default: a gateway answer slowed down by a busy machine is still an answer. A test
    // that needs the timeout to fire (a gateway that never answers) asks for a shorter one.
    gatewayTimeoutMs: options.gatewayTimeoutMs ?? 10_000,
    routingRulesDir: 'routing-rules',
    routingSeed: options.seed ?? 7,
    breakers: SANDBOX_BREAKERS,
    breakerClock: options.breakerClock,
    retryGuard: { maxDeclines: options.maxDeclines ?? 15, windowDays: 30 },
    logger: options.logger ?? captureLogger().logger,
    clock: options.clock,
    settlement: options.settlement,
    jobPollMs: options.jobPollMs,
    stripePort: options.stripePort,
    databaseUrl: options.databaseUrl,
    // Many tests run on a clock that moves only when told: a bucket that never refills would end them.
    rateLimit: { perSecond: 1, burst: 1_000_000 },
  });

  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${sandbox.apiKey}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  // The demo operator signs in (with a TOTP code) when first needed, and again only once the
  // session is stale: a code is accepted once, and a test's clock may stand still.
  let operatorToken: Promise<string> | undefined;
  const clock = options.clock ?? systemClock;

  /** As the demo operator (an admin, MFA fresh), for the demo merchant. */
  async function asOperator(method: string, path: string, body?: unknown) {
    const send = async () => {
      const token = await (operatorToken ??= signIn(sandbox.url, sandbox.operator, clock));
      const separator = path.includes('?') ? '&' : '?';
      const res = await fetch(`${sandbox.url}${path}${path.startsWith('/v1/routing/') ? `${separator}merchant_id=${sandbox.merchantId}` : ''}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    const first = await send();
    if (first.status !== 401 && first.body?.code !== 'mfa_required') return first;
    operatorToken = undefined;
    return send();
  }

  /** Stores a ruleset (with the API key) and activates it (as the demo operator); answers its version. */
  async function activate(source: string): Promise<number> {
    const created = await api('POST', '/v1/routing/rules', { source });
    if (created.status !== 201) throw new Error(`ruleset refused: ${JSON.stringify(created.body)}`);
    const activated = await asOperator('POST', `/v1/routing/rules/${created.body.version}/activate`);
    if (activated.status !== 200) throw new Error(`activation refused: ${JSON.stringify(activated.body)}`);
    return created.body.version;
  }

  async function pay(overrides: Record<string, unknown> = {}, number = '4111111111111111') {
    const { body } = await api('POST', '/v1/payments', {
      amount: 2500,
      currency: 'USD',
      payment_method: { type: 'card', card: { number, exp_month: 12, exp_year: 2030, cvc: '123' } },
      ...overrides,
    });
    return body;
  }

  /** Reads until `done` holds (or 5 s pass): for state a provider's webhook settles later. */
  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  return { sandbox, api, asOperator, activate, pay, eventually, close: () => sandbox.close() };
}
