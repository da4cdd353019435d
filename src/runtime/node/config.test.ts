import { describe, expect, it } from 'vitest';
import { ConfigError, productionConfig, sandboxConfig } from './config.js';

const SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');
const PRODUCTION = {
  DATABASE_URL: 'postgres://switchyard:pw@db.internal:5432/switchyard',
  SWITCHYARD_FINGERPRINT_SECRET: 'f'.repeat(32),
  SWITCHYARD_SECRETS_KEY: SECRETS_KEY,
};

function problems(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('the production configuration', () => {
  it('reads every variable, with defaults for what is unset or empty', () => {
    const config = productionConfig({ ...PRODUCTION, PORT: '', SWITCHYARD_RECONCILE_DELAYS_MS: '1000, 2000', SWITCHYARD_SECRETS_KEY: `${SECRETS_KEY},${Buffer.alloc(32, 1).toString('base64')}` }, () => 42);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      databaseUrl: PRODUCTION.DATABASE_URL,
      gatewayTimeoutMs: 10_000,
      routingSeed: 42,
      migrate: false,
      jobPollMs: 1000,
    });
    expect(config.settlement.retryDelaysMs).toEqual([1000, 2000]);
    expect(config.settlement.settlementDelaysMs).toEqual([3_600_000, 21_600_000, 43_200_000, 86_400_000]);
    expect(productionConfig({ ...PRODUCTION, SWITCHYARD_SETTLEMENT_DELAYS_MS: '500,1000' }).settlement.settlementDelaysMs).toEqual([500, 1000]);
    expect(config.secretsKey).toHaveLength(2);
    expect(config).toMatchObject({ rateLimit: { perSecond: 100, burst: 200 }, serverLimits: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000, maxConnections: 1024 } });
    expect(
      productionConfig({ ...PRODUCTION, SWITCHYARD_RATE_LIMIT_PER_SECOND: '20', SWITCHYARD_RATE_LIMIT_BURST: '40', SWITCHYARD_HEADERS_TIMEOUT_MS: '5000', SWITCHYARD_REQUEST_TIMEOUT_MS: '8000', SWITCHYARD_KEEP_ALIVE_TIMEOUT_MS: '1000', SWITCHYARD_MAX_CONNECTIONS: '64' }),
    ).toMatchObject({ rateLimit: { perSecond: 20, burst: 40 }, serverLimits: { headersTimeoutMs: 5000, requestTimeoutMs: 8000, keepAliveTimeoutMs: 1000, maxConnections: 64 } });
    expect(productionConfig({ ...PRODUCTION, SWITCHYARD_MIGRATE: '1', PORT: '9000', SWITCHYARD_GATEWAY_TIMEOUT_MS: '2500' })).toMatchObject({ migrate: true, port: 9000, gatewayTimeoutMs: 2500 });
  });

  it('serves the Stripe-compatible API on 8788 beside 8787, on a free port when only PORT is chosen, or where told', () => {
    expect(productionConfig(PRODUCTION)).toMatchObject({ port: 8787, stripePort: 8788 });
    expect(productionConfig({ ...PRODUCTION, PORT: '0' })).toMatchObject({ port: 0, stripePort: 0 });
    expect(productionConfig({ ...PRODUCTION, PORT: '9000', SWITCHYARD_STRIPE_PORT: '9001' })).toMatchObject({ port: 9000, stripePort: 9001 });
    expect(problems(() => productionConfig({ ...PRODUCTION, SWITCHYARD_STRIPE_PORT: 'x' }))).toEqual([expect.stringMatching(/^SWITCHYARD_STRIPE_PORT must be a port number/)]);
  });

  it('requires the database and both secrets, naming each one missing', () => {
    expect(problems(() => productionConfig({}))).toEqual([
      'DATABASE_URL is required by the production server (npm run serve)',
      'SWITCHYARD_FINGERPRINT_SECRET is required by the production server (npm run serve)',
      'SWITCHYARD_SECRETS_KEY is required by the production server (npm run serve)',
    ]);
  });

  const BAD: [string, string, RegExp][] = [
    ['SWITCHYARD_GATEWAY_TIMEOUT_MS', '10s', /^SWITCHYARD_GATEWAY_TIMEOUT_MS must be a whole number of milliseconds, got "10s"$/],
    ['SWITCHYARD_GATEWAY_TIMEOUT_MS', '0', /SWITCHYARD_GATEWAY_TIMEOUT_MS must be from 1/],
    ['SWITCHYARD_GATEWAY_TIMEOUT_MS', '1.5', /SWITCHYARD_GATEWAY_TIMEOUT_MS must be a whole number/],
    ['SWITCHYARD_GATEWAY_TIMEOUT_MS', '99999999999', /SWITCHYARD_GATEWAY_TIMEOUT_MS must be a whole number/],
    ['SWITCHYARD_REQUEST_LEASE_MS', '-5', /SWITCHYARD_REQUEST_LEASE_MS must be a whole number/],
    ['SWITCHYARD_NOT_FOUND_AFTER_MS', '1e3', /SWITCHYARD_NOT_FOUND_AFTER_MS must be a whole number/],
    ['SWITCHYARD_ACTION_TTL_MS', '0x10', /SWITCHYARD_ACTION_TTL_MS must be a whole number/],
    ['SWITCHYARD_JOB_POLL_MS', '9999999999', /SWITCHYARD_JOB_POLL_MS must be from 1 to/],
    ['SWITCHYARD_RECONCILE_DELAYS_MS', '1000,,2000', /SWITCHYARD_RECONCILE_DELAYS_MS must be a whole number/],
    ['SWITCHYARD_SETTLEMENT_DELAYS_MS', '1000,soon', /SWITCHYARD_SETTLEMENT_DELAYS_MS must be a whole number/],
    ['SWITCHYARD_RECONCILE_DELAYS_MS', Array(21).fill('1').join(','), /SWITCHYARD_RECONCILE_DELAYS_MS must list 1 to 20/],
    ['SWITCHYARD_RATE_LIMIT_PER_SECOND', '100/s', /^SWITCHYARD_RATE_LIMIT_PER_SECOND must be a whole number, got "100\/s"$/],
    ['SWITCHYARD_RATE_LIMIT_BURST', '0', /^SWITCHYARD_RATE_LIMIT_BURST must be from 1 to 1000000/],
    ['SWITCHYARD_HEADERS_TIMEOUT_MS', '10s', /^SWITCHYARD_HEADERS_TIMEOUT_MS must be a whole number of milliseconds/],
    ['SWITCHYARD_MAX_CONNECTIONS', '-1', /^SWITCHYARD_MAX_CONNECTIONS must be a whole number/],
    ['PORT', '80a', /^PORT must be a port number from 0 to 65535, got "80a"$/],
    ['PORT', '70000', /^PORT must be a port number/],
    ['HOST', 'local host', /^HOST must be a host name/],
    ['DATABASE_URL', 'mysql://x@y/z', /^DATABASE_URL must be a postgres:\/\//],
    ['DATABASE_URL', 'not a url', /^DATABASE_URL must be a postgres:\/\//],
    ['SWITCHYARD_FINGERPRINT_SECRET', 'short', /^SWITCHYARD_FINGERPRINT_SECRET must be at least 32 characters/],
    ['SWITCHYARD_SECRETS_KEY', 'dG9vIHNob3J0', /^SWITCHYARD_SECRETS_KEY must be 32 bytes/],
    ['SWITCHYARD_SECRETS_KEY', `${SECRETS_KEY},nope`, /^SWITCHYARD_SECRETS_KEY must be 32 bytes/],
    ['SWITCHYARD_ROUTING_SEED', '-1', /^SWITCHYARD_ROUTING_SEED must be a whole number/],
    ['SWITCHYARD_ROUTING_SEED', '4294967296', /^SWITCHYARD_ROUTING_SEED must be/],
    ['SWITCHYARD_MIGRATE', 'yes', /^SWITCHYARD_MIGRATE must be 1 .* or 0, got "yes"$/],
    ['SWITCHYARD_DATA_DIR', '  ', /^SWITCHYARD_DATA_DIR /],
    ['SWITCHYARD_ROUTING_RULES', 'a\u0000b', /^SWITCHYARD_ROUTING_RULES must be a directory/],
  ];

  it.each(BAD)('refuses %s=%j, naming it', (name, value, message) => {
    const found = problems(() => productionConfig({ ...PRODUCTION, [name]: value }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('never repeats a secret it refuses', () => {
    const found = problems(() => productionConfig({ ...PRODUCTION, DATABASE_URL: 'mysql://root:hunter2hunter2@db/x', SWITCHYARD_FINGERPRINT_SECRET: 'hunter2' }));
    expect(found.join('\n')).not.toContain('hunter2');
  });

  it('ignores the sandbox-only variables', () => {
    expect(productionConfig({ ...PRODUCTION, SWITCHYARD_SANDBOX_KEY: 'anything' })).not.toHaveProperty('sandboxKey');
  });
});

describe('the sandbox configuration', () => {
  it('needs nothing', () => {
    expect(sandboxConfig({})).toMatchObject({ databaseUrl: undefined, dataDir: '.switchyard', gateways: 'in-process', sandboxKey: undefined, fingerprintSecret: undefined });
  });

  it.each([
    ['SWITCHYARD_SANDBOX_KEY', 'sk_sandbox_demo', /^SWITCHYARD_SANDBOX_KEY must be sk_test_/],
    ['SWITCHYARD_SANDBOX_GATEWAYS', 'docker', /^SWITCHYARD_SANDBOX_GATEWAYS must be in-process or env, got "docker"$/],
    ['SWITCHYARD_SIMULATORS_CONTROL_URL', 'ftp://x', /^SWITCHYARD_SIMULATORS_CONTROL_URL must be an http\(s\) URL/],
    ['SWITCHYARD_GATEWAY_TIMEOUT_MS', '10s', /^SWITCHYARD_GATEWAY_TIMEOUT_MS must be a whole number of milliseconds, got "10s"$/],
  ])('refuses %s=%j, naming it', (name, value, message) => {
    const found = problems(() => sandboxConfig({ [name]: value }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });
});
