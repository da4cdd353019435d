import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SECRETS_KEY, startHarness, type Harness } from '../support/harness.js';
import { manualClock } from '../support/clock.js';
import { DRIVERS } from '../support/databases.js';
import { seedOperator, totpCode, type OperatorCredentials } from '../support/operators.js';

const STEP = 30_000;

describe.each(DRIVERS)('operators on %s: sign-in, TOTP, roles and the audit log', (driver) => {
  const clock = manualClock();
  let h: Harness;
  let merchantOne: string;
  let merchantTwo: string;
  beforeAll(async () => {
    h = await startHarness(driver, { clock });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.reset();
    // A new 30 s step for every test: each code below is fresh.
    clock.advance(STEP);
    merchantOne = (await h.repositories.merchants.findByName('one'))!;
    merchantTwo = (await h.repositories.merchants.findByName('two'))!;
  });

  const seed = (input: Parameters<typeof seedOperator>[3] = {}) => seedOperator(h.repositories, SECRETS_KEY, clock, input);
  const asOperator = (token: string | null, method: string, path: string, body?: unknown) =>
    h.request(method, path, { key: null, body, headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  const signIn = async (op: OperatorCredentials, withCode = true) => {
    const res = await asOperator(null, 'POST', '/v1/admin/session', { email: op.email, password: op.password, ...(withCode ? { totp_code: await totpCode(op.totpSecret, clock) } : {}) });
    return { status: res.status, body: await res.json() };
  };
  const tokenFor = async (op: OperatorCredentials, withCode = true) => {
    const { status, body } = await signIn(op, withCode);
    expect(status).toBe(201);
    return body.token as string;
  };
  const storeRuleset = async (source: string) => (await (await h.request('POST', '/v1/routing/rules', { body: { source } })).json()).version as number;
  const activate = (token: string, version: number, merchantId = merchantOne) => asOperator(token, 'POST', `/v1/routing/rules/${version}/activate?merchant_id=${merchantId}`);
  const operatorCount = async () => (await h.repositories.operators.list()).length;

  it('signs an operator in with password and TOTP code, and says when MFA was proven', async () => {
    const op = await seed({ email: 'Ada@Ops.Example', name: 'Ada Lovelace' });
    const { status, body } = await signIn({ ...op, email: ' ADA@ops.example ' });
    expect(status).toBe(201);
    expect(body).toMatchObject({ object: 'operator_session', mfa_at: clock.now().toISOString(), operator: { id: op.id, email: 'ada@ops.example', name: 'Ada Lovelace', role: 'operator', totp_enabled: true } });
    expect(new Date(body.expires_at).getTime() - clock.now().getTime()).toBe(12 * 60 * 60 * 1000);
    const me = await asOperator(body.token, 'GET', '/v1/admin/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ operator: { id: op.id }, mfa_at: clock.now().toISOString() });
    const passwordOnly = await signIn(op, false);
    expect(passwordOnly).toMatchObject({ status: 201, body: { mfa_at: null } });
  });

  it('answers a wrong password, an unknown email and a wrong code alike', async () => {
    const op = await seed();
    const answers = [];
    for (const body of [
      { email: op.email, password: 'not the password at all' },
      { email: 'nobody@ops.example', password: op.password },
      { email: op.email, password: op.password, totp_code: String((Number(await totpCode(op.totpSecret, clock)) + 1) % 1_000_000).padStart(6, '0') },
    ]) {
      const res = await asOperator(null, 'POST', '/v1/admin/session', body);
      const { request_id: _, ...problem } = await res.json();
      answers.push({ status: res.status, problem });
    }
    expect(answers[0]).toMatchObject({ status: 401, problem: { code: 'unauthorized' } });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('locks an operator out after five failures, until the lockout passes', async () => {
    const op = await seed();
    for (let i = 0; i < 5; i++) expect((await asOperator(null, 'POST', '/v1/admin/session', { email: op.email, password: `wrong password ${i}` })).status).toBe(401);
    expect((await signIn(op)).status).toBe(401);
    clock.advance(14 * 60 * 1000);
    expect((await signIn(op)).status).toBe(401);
    clock.advance(60 * 1000 + STEP);
    expect((await signIn(op)).status).toBe(201);
  });

  it('accepts a code once, one step either side of now, and never an old one', async () => {
    const op = await seed();
    const code = await totpCode(op.totpSecret, clock);
    const token = await tokenFor(op, false);
    const stepUp = (totp_code: string) => asOperator(token, 'POST', '/v1/admin/session/mfa', { totp_code });
    expect((await stepUp(code)).status).toBe(201);
    // The same code again, still inside its window: a replay.
    expect((await stepUp(code)).status).toBe(401);
    clock.advance(STEP);
    expect((await stepUp(code)).status).toBe(401);
    // The previous step's code, by someone whose phone is slow, once.
    const late = await totpCode(op.totpSecret, clock, 0);
    clock.advance(STEP);
    expect((await stepUp(late)).status).toBe(201);
    // Two steps old: refused.
    const old = await totpCode(op.totpSecret, clock, 0);
    clock.advance(3 * STEP);
    expect((await stepUp(old)).status).toBe(401);
    // A step ahead (a fast phone) is fine.
    const ahead = await stepUp(await totpCode(op.totpSecret, clock, 1));
    expect(ahead.status).toBe(201);
    expect((await ahead.json()).mfa_at).toBe(clock.now().toISOString());
  });

  it('activates a ruleset for an operator with a fresh TOTP code, and audits it under their name', async () => {
    const op = await seed({ name: 'Grace Hopper' });
    const first = await storeRuleset('default: { route: [stripe] }\n');
    const token = await tokenFor(op);
    expect((await activate(token, first)).status).toBe(200);
    const second = await storeRuleset('default: { route: [stripe] }\n');
    const res = await activate(token, second);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: second, active: true });
    const rules = await (await h.request('GET', '/v1/routing/rules')).json();
    expect(rules.active_version).toBe(second);
    expect(rules.audit[0]).toMatchObject({ action: 'activate', version: second, actor: `operator:${op.id}`, actor_name: 'Grace Hopper' });

    const admin = await seed({ role: 'admin' });
    const log = await (await asOperator(await tokenFor(admin, false), 'GET', `/v1/admin/audit?merchant_id=${merchantOne}&action=routing.ruleset.activate`)).json();
    expect(log.data[0]).toMatchObject({
      object: 'audit_record',
      actor: { type: 'operator', id: op.id, name: 'Grace Hopper' },
      merchant_id: merchantOne,
      action: 'routing.ruleset.activate',
      target: { type: 'ruleset', id: `${merchantOne}:${second}` },
      before: { active_version: first },
      after: { active_version: second },
      at: clock.now().toISOString(),
    });
  });

  it('refuses activation without fresh MFA, to viewers, for other merchants, and with an API key', async () => {
    const version = await storeRuleset('default: { route: [stripe] }\n');
    const op = await seed();
    const passwordOnly = await tokenFor(op, false);
    expect(await (await activate(passwordOnly, version)).json()).toMatchObject({ status: 403, code: 'mfa_required' });
    const fresh = await tokenFor(op);
    clock.advance(15 * 60 * 1000 + 1000);
    expect(await (await activate(fresh, version)).json()).toMatchObject({ status: 403, code: 'mfa_required' });
    const stepped = await (await asOperator(fresh, 'POST', '/v1/admin/session/mfa', { totp_code: await totpCode(op.totpSecret, clock) })).json();
    const viewer = await seed({ role: 'viewer' });
    expect(await (await activate(await tokenFor(viewer), version)).json()).toMatchObject({ status: 403, code: 'insufficient_role' });
    const onlyTwo = await seed({ merchantIds: [merchantTwo] });
    expect(await (await activate(await tokenFor(onlyTwo), version)).json()).toMatchObject({ status: 403, code: 'merchant_not_allowed', param: 'merchant_id' });
    for (const path of [`/v1/routing/rules/${version}/activate`, `/v1/routing/rules/${version}/%61ctivate`]) {
      const withKey = await h.request('POST', `${path}?merchant_id=${merchantOne}`);
      expect(withKey.status).toBe(403);
      expect(await withKey.json()).toMatchObject({ code: 'operator_required' });
    }
    expect(await (await activate(stepped.token, version, '')).json()).toMatchObject({ status: 400, param: 'merchant_id' });
    expect((await activate(stepped.token, version, 'mer_nothing')).status).toBe(404);
    expect((await (await h.request('GET', '/v1/routing/rules')).json()).active_version).toBeNull();
    expect((await activate(stepped.token, version)).status).toBe(200);
  });

  it('ends a disabled operator\'s sessions at once; only an admin with fresh MFA manages operators', async () => {
    const admin = await seed({ role: 'admin', name: 'Root Admin' });
    const op = await seed({ name: 'Leaving Soon' });
    const opToken = await tokenFor(op);
    expect((await asOperator(opToken, 'GET', '/v1/admin/operators')).status).toBe(403);
    expect(await (await asOperator(opToken, 'POST', `/v1/admin/operators/${admin.id}/disable`)).json()).toMatchObject({ code: 'insufficient_role' });
    const adminNoMfa = await tokenFor(admin, false);
    expect((await asOperator(adminNoMfa, 'GET', '/v1/admin/operators')).status).toBe(200);
    expect(await (await asOperator(adminNoMfa, 'POST', `/v1/admin/operators/${op.id}/disable`)).json()).toMatchObject({ code: 'mfa_required' });
    const adminToken = await tokenFor(admin);
    const disabled = await asOperator(adminToken, 'POST', `/v1/admin/operators/${op.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ id: op.id, disabled_at: clock.now().toISOString() });
    expect((await asOperator(opToken, 'GET', '/v1/admin/me')).status).toBe(401);
    clock.advance(STEP);
    expect((await signIn(op)).status).toBe(401);
    expect(await (await asOperator(adminToken, 'POST', `/v1/admin/operators/${admin.id}/disable`)).json()).toMatchObject({ code: 'cannot_disable_self' });
    const log = await (await asOperator(adminToken, 'GET', '/v1/admin/audit?action=operator.disable')).json();
    expect(log.data).toHaveLength(1);
    expect(log.data[0]).toMatchObject({ actor: { name: 'Root Admin' }, target: { id: op.id }, before: { disabled_at: null }, after: { name: 'Leaving Soon' } });
  });

  it('lets an admin create an operator with TOTP on from the start, who signs in with it and has fresh MFA', async () => {
    const admin = await seed({ role: 'admin' });
    const adminToken = await tokenFor(admin);
    const password = 'a long passphrase ☃ with unicode';
    const created = await asOperator(adminToken, 'POST', '/v1/admin/operators', { email: 'New.Person@Ops.Example', name: 'Zoë Ñandú', role: 'operator', password, merchant_ids: [merchantOne] });
    expect(created.status).toBe(201);
    const view = await created.json();
    expect(view).toMatchObject({ object: 'operator', email: 'new.person@ops.example', name: 'Zoë Ñandú', role: 'operator', merchant_ids: [merchantOne], totp_enabled: true, totp_secret: expect.stringMatching(/^[A-Z2-7]{32}$/) });
    expect(view.otpauth_uri).toContain(`secret=${view.totp_secret}`);
    expect(view.otpauth_uri).toMatch(/^otpauth:\/\/totp\/Switchyard:new\.person%40ops\.example\?/);
    expect((await asOperator(adminToken, 'POST', '/v1/admin/operators', { email: 'new.person@ops.example', name: 'Twin', role: 'viewer', password })).status).toBe(409);
    // The secret is never shown again: not in the list, not to the operator.
    expect(JSON.stringify(await (await asOperator(adminToken, 'GET', '/v1/admin/operators')).json())).not.toContain(view.totp_secret);

    // The password alone gives a session without MFA, which can activate nothing and enroll no authenticator.
    const bare = await (await asOperator(null, 'POST', '/v1/admin/session', { email: 'new.person@ops.example', password })).json();
    expect(bare.mfa_at).toBeNull();
    const version = await storeRuleset('default: { route: [stripe] }\n');
    expect(await (await activate(bare.token, version)).json()).toMatchObject({ status: 403, code: 'mfa_required' });
    expect((await asOperator(bare.token, 'POST', '/v1/admin/operators/me/totp')).status).toBe(404);

    const code = await totpCode(view.totp_secret, clock);
    const fresh = await (await asOperator(null, 'POST', '/v1/admin/session', { email: 'new.person@ops.example', password, totp_code: code })).json();
    expect(fresh).toMatchObject({ mfa_at: clock.now().toISOString(), operator: { totp_enabled: true } });
    expect((await activate(fresh.token, version)).status).toBe(200);
  });

  it('lets an operator change their own password with fresh MFA and the current password', async () => {
    const op = await seed();
    const change = (token: string, current_password: string) => asOperator(token, 'POST', '/v1/admin/operators/me/password', { current_password, new_password: 'a brand new passphrase' });
    expect(await (await change(await tokenFor(op, false), op.password)).json()).toMatchObject({ code: 'mfa_required' });
    const token = await tokenFor(op);
    expect((await change(token, 'not the current one')).status).toBe(401);
    expect((await change(token, op.password)).status).toBe(204);
    clock.advance(STEP);
    expect((await signIn(op)).status).toBe(401);
    clock.advance(STEP);
    expect((await signIn({ ...op, password: 'a brand new passphrase' })).status).toBe(201);
    const admin = await seed({ role: 'admin' });
    const log = await (await asOperator(await tokenFor(admin, false), 'GET', '/v1/admin/audit?action=operator.password.change')).json();
    expect(log.data).toHaveLength(1);
    expect(log.data[0]).toMatchObject({ actor: { type: 'operator', id: op.id }, target: { id: op.id }, before: null, after: null });
  });

  it('shows the audit log to admins only, filtered and paged', async () => {
    const admin = await seed({ role: 'admin' });
    const token = await tokenFor(admin);
    for (let i = 0; i < 3; i++) await storeRuleset('default: { route: [stripe] }\n');
    await h.request('POST', '/v1/routing/rules', { key: h.otherKey, body: { source: 'default: { route: [stripe] }\n' } });
    const read = async (query: string) => {
      const res = await asOperator(token, 'GET', `/v1/admin/audit${query}`);
      expect(res.status).toBe(200);
      return res.json();
    };
    const one = await read(`?merchant_id=${merchantOne}&action=routing.`);
    expect(one.data.map((r: { action: string }) => r.action)).toEqual(['routing.ruleset.create', 'routing.ruleset.create', 'routing.ruleset.create']);
    expect(one.data.map((r: { after: { version: number } }) => r.after.version)).toEqual([3, 2, 1]);
    expect(one.data[0].actor).toMatchObject({ type: 'api_key', name: 'test' });
    const page1 = await read('?action=routing.&limit=2');
    expect(page1).toMatchObject({ has_more: true });
    expect(page1.data).toHaveLength(2);
    const page2 = await read(`?action=routing.&limit=2&starting_after=${page1.data[1].id}`);
    expect(page2).toMatchObject({ has_more: false });
    expect(page2.data).toHaveLength(2);
    expect(new Set([...page1.data, ...page2.data].map((r: { id: string }) => r.id)).size).toBe(4);
    expect((await read('?action=operator.create')).data.map((r: { target: { id: string } }) => r.target.id)).toEqual([admin.id]);

    expect(await (await asOperator(token, 'GET', '/v1/admin/audit?limit=0')).json()).toMatchObject({ status: 400, param: 'limit' });
    expect(await (await asOperator(token, 'GET', '/v1/admin/audit?action=%27%20or%201=1')).json()).toMatchObject({ status: 400, param: 'action' });
    expect(await (await asOperator(token, 'GET', '/v1/admin/audit?starting_after=nope')).json()).toMatchObject({ status: 400, param: 'starting_after' });
    const op = await seed();
    expect(await (await asOperator(await tokenFor(op), 'GET', '/v1/admin/audit')).json()).toMatchObject({ status: 403, code: 'insufficient_role' });
    expect(await (await h.request('GET', '/v1/admin/audit')).json()).toMatchObject({ status: 403, code: 'operator_required' });
    expect(await (await asOperator(null, 'GET', '/v1/admin/audit')).json()).toMatchObject({ status: 401 });
    expect(await (await asOperator('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcF8xIn0.forged', 'GET', '/v1/admin/audit')).json()).toMatchObject({ status: 401 });
  });

  it('refuses hostile input with a problem naming the field, and changes nothing', async () => {
    const admin = await seed({ role: 'admin' });
    const token = await tokenFor(admin);
    const before = await operatorCount();
    const create = (body: unknown, headers: Record<string, string> = {}) =>
      h.request('POST', '/v1/admin/operators', { key: null, body, headers: { Authorization: `Bearer ${token}`, ...headers } });
    const valid = { email: 'x@ops.example', name: 'X', role: 'viewer', password: 'long enough password' };
    const cases: [unknown, number, Record<string, unknown>][] = [
      ['{"email": ', 400, { code: 'invalid_json' }],
      [{ ...valid, email: undefined }, 400, { code: 'missing_field', param: 'email' }],
      [{ ...valid, role: 'root' }, 400, { param: 'role' }],
      [{ ...valid, password: 'short' }, 400, { param: 'password' }],
      [{ ...valid, password: '€'.repeat(30) }, 400, { param: 'password' }],
      [{ ...valid, email: 'not an email' }, 400, { param: 'email' }],
      [{ ...valid, name: '   ' }, 400, { param: 'name' }],
      [{ ...valid, is_admin: true }, 400, { code: 'unknown_field', param: 'is_admin' }],
      [{ ...valid, merchant_ids: ['mer_missing'] }, 400, { code: 'unknown_merchant', param: 'merchant_ids[0]' }],
      [{ ...valid, name: 'x'.repeat(40_000) }, 413, { code: 'payload_too_large' }],
    ];
    for (const [body, status, problem] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(problem)).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject(problem);
    }
    expect((await create(valid, { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect(await (await asOperator(null, 'POST', '/v1/admin/session', { email: 'a@b.c' })).json()).toMatchObject({ code: 'missing_field', param: 'password' });
    expect(await (await asOperator(null, 'POST', '/v1/admin/session', { email: 'a@b.c', password: 'x', totp_code: '12345' })).json()).toMatchObject({ status: 400, param: 'totp_code' });
    expect(await (await asOperator(token, 'POST', '/v1/admin/operators/op_nope/disable')).json()).toMatchObject({ status: 400, param: 'id' });
    expect(await operatorCount()).toBe(before);
  });

  it('keeps passwords and TOTP secrets out of the logs, the audit log and the database', async () => {
    const admin = await seed({ role: 'admin' });
    const token = await tokenFor(admin);
    const password = 'unmistakable-password-4711';
    const { totp_secret: secret } = await (await asOperator(token, 'POST', '/v1/admin/operators', { email: 'kept@ops.example', name: 'Kept', role: 'viewer', password })).json();
    await asOperator(null, 'POST', '/v1/admin/session', { email: 'kept@ops.example', password: 'wrong-password-but-also-secret' });
    await asOperator(null, 'POST', '/v1/admin/session', { email: 'kept@ops.example', password, totp_code: await totpCode(secret, clock) });
    const audit = JSON.stringify(await (await asOperator(token, 'GET', '/v1/admin/audit?limit=100')).json());
    const dump = await h.database.dump();
    const logs = h.logs.join('\n');
    expect(audit).toContain('kept@ops.example');
    for (const leaked of [password, 'wrong-password-but-also-secret', secret, admin.password, admin.totpSecret]) {
      expect(audit).not.toContain(leaked);
      expect(logs).not.toContain(leaked);
      expect(dump).not.toContain(leaked);
    }
  });
});
