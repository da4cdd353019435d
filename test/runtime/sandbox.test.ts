import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_ADMIN_URL } from '../support/databases.js';
import { paymentBody } from '../support/harness.js';
import { fixedKey } from '../support/keys.js';
import { signIn } from '../support/operators.js';
import { systemClock } from '../../src/domain/clock.js';

/**
 * What one start costs: a cold Node process (tsx compiles the sources, the SDKs load), PGlite
 * creating or opening its data directory, the migrations. 8–20 s on an idle 2-core machine; the
 * first test's two starts took up to 55 s with another process keeping both cores busy. The tests
 * wait for the printed banner and for the exit, never for time to pass: the limits only stop a
 * run that hangs.
 */
const START_BUDGET_MS = 90_000;

/** `npm start` as a newcomer runs it: a real process, a real port, the printed key. */
interface Running {
  url: string;
  key: string;
  merchantId: string;
  /** The demo operator, as the banner prints it. */
  operator: { email: string; password: string; totpSecret: string; uri: string };
  child: ChildProcess;
  stop(): Promise<number | null>;
}

async function start(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/runtime/node/main.ts'], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let banner = '';
  const ready = new Promise<{ url: string; key: string }>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      banner += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
      const key = /API key: (\S+)/.exec(banner)?.[1];
      if (url && key) resolve({ url, key });
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${banner}`)));
  });
  child.stdout!.resume();
  const { url, key } = await ready;
  const [, email = '', password = ''] = /demo operator \(admin\): (\S+) \/ (\S+)/.exec(banner) ?? [];
  const operator = { email, password, totpSecret: /TOTP secret: +(\S+)/.exec(banner)?.[1] ?? '', uri: /TOTP URI: +(\S+)/.exec(banner)?.[1] ?? '' };
  return {
    url,
    key,
    merchantId: /demo merchant id: +(\S+)/.exec(banner)?.[1] ?? '',
    operator,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

async function pay(running: Running, key = running.key) {
  return fetch(`${running.url}/v1/payments`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(paymentBody()),
  });
}

/** Stores a ruleset with the key and activates it as the operator; answers the activation's status. */
async function activateAsOperator(running: Running, token: string): Promise<number> {
  const headers = { Authorization: `Bearer ${running.key}`, 'Content-Type': 'application/json' };
  const created = await (await fetch(`${running.url}/v1/routing/rules`, { method: 'POST', headers, body: JSON.stringify({ source: 'default: { route: [stripe] }\n' }) })).json();
  const res = await fetch(`${running.url}/v1/routing/rules/${created.version}/activate?merchant_id=${running.merchantId}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  return res.status;
}

describe('the sandbox process', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchyard-sandbox-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('starts on PGlite, takes a payment, keeps it across a restart and rotates its printed key', async () => {
    const first = await start({ SWITCHYARD_DATA_DIR: dataDir });
    expect(first.key).toMatch(/^sk_test_[0-9A-Za-z]{32}$/);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    const payment = await (await pay(first)).json();
    expect(payment.status).toBe('succeeded');
    // The printed demo operator activates a ruleset with a code from its TOTP secret.
    expect(first.operator).toMatchObject({ email: 'demo@switchyard.local', totpSecret: expect.stringMatching(/^[A-Z2-7]{32}$/) });
    expect(first.operator.uri).toMatch(/^otpauth:\/\/totp\/Switchyard:demo%40switchyard\.local\?/);
    expect(first.operator.uri).toContain(`secret=${first.operator.totpSecret}`);
    expect(await activateAsOperator(first, await signIn(first.url, first.operator, systemClock))).toBe(200);
    expect(await first.stop()).toBe(0);

    const second = await start({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_SANDBOX_KEY: fixedKey('fixedForTests'), SWITCHYARD_SANDBOX_OPERATOR_PASSWORD: 'fixed-operator-password' });
    // Same TOTP secret (an authenticator app keeps working), the password from the environment.
    expect(second.operator).toEqual({ ...first.operator, password: 'fixed-operator-password' });
    // One step ahead: the first start's code was accepted once, and may still be current.
    expect(await activateAsOperator(second, await signIn(second.url, second.operator, systemClock, 1))).toBe(200);
    expect(second.key).toBe(fixedKey('fixedForTests'));
    const again = await fetch(`${second.url}/v1/payments/${payment.id}`, { headers: { Authorization: `Bearer ${second.key}` } });
    expect(await again.json()).toMatchObject({ id: payment.id, status: 'succeeded', payment_method: payment.payment_method });
    expect((await pay(second, first.key)).status).toBe(401);
    expect(await second.stop()).toBe(0);
  }, 2 * START_BUDGET_MS);

  it('keeps the simulators’ payments and secrets across a restart: a refund of an earlier payment succeeds', async () => {
    const first = await start({ SWITCHYARD_DATA_DIR: dataDir });
    const payment = await (await pay(first)).json();
    expect(payment.status).toBe('succeeded');
    expect(await first.stop()).toBe(0);
    const secrets = await readFile(join(dataDir, 'simulators', 'secrets.json'), 'utf8');

    const second = await start({ SWITCHYARD_DATA_DIR: dataDir });
    try {
      const refund = await fetch(`${second.url}/v1/payments/${payment.id}/refunds`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${second.key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ amount: 500 }),
      });
      const body = await refund.json();
      // Adyen and Checkout.com confirm refunds by webhook: until then the refund is pending.
      const status = ['adyen', 'checkout'].includes(payment.gateway.provider) ? 'pending' : 'succeeded';
      expect(body, JSON.stringify({ body, payment })).toMatchObject({ object: 'refund', amount: 500, status });
    } finally {
      expect(await second.stop()).toBe(0);
    }

    expect(await readFile(join(dataDir, 'simulators', 'secrets.json'), 'utf8')).toBe(secrets);
    const files = await readdir(join(dataDir, 'simulators'));
    expect(files.sort()).toEqual(['adyen.json', 'bitpay.json', 'braintree.json', 'checkout.json', 'gocardless.json', 'paypal.json', 'secrets.json', 'stripe.json']);
    for (const file of files) {
      const text = await readFile(join(dataDir, 'simulators', file), 'utf8');
      expect(text).not.toContain(paymentBody().payment_method.card.number);
    }
    // Two starts, as the test before: each may take its budget on a busy machine.
  }, 2 * START_BUDGET_MS);

  it('runs its migrations on PostgreSQL when DATABASE_URL is set', async () => {
    const name = `switchyard_boot_${process.pid}`;
    const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${name}`;
    try {
      const running = await start({ DATABASE_URL: url.toString(), SWITCHYARD_DATA_DIR: dataDir });
      expect((await (await pay(running)).json()).status).toBe('succeeded');
      expect(await running.stop()).toBe(0);
      const db = postgres(url.toString(), { max: 1 });
      const [row] = await db`select count(*)::int as n from payments`;
      await db.end();
      expect(row!.n).toBe(1);
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }, START_BUDGET_MS);
});
