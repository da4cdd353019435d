import { describe, expect, it } from 'vitest';
import { manualClock } from '../../test/support/clock.js';
import { mfaFresh, MFA_FRESH_SECONDS, SESSION_TTL_SECONDS, sessionSigner } from './sessions.js';

const KEY = 'c3dpdGNoeWFyZC1zZXNzaW9ucy10ZXN0LWtleS0zMiE=';
const OTHER_KEY = 'b3RoZXItc3dpdGNoeWFyZC1zZXNzaW9ucy1rZXktMzI=';

describe('operator session tokens', () => {
  it('carry the operator and when MFA was proven, until they expire', async () => {
    const clock = manualClock();
    const signer = sessionSigner(KEY, clock);
    const { token } = await signer.issue('op_1', clock.now());
    expect(await signer.verify(token)).toEqual({
      operatorId: 'op_1',
      issuedAt: clock.now(),
      expiresAt: new Date(clock.now().getTime() + SESSION_TTL_SECONDS * 1000),
      mfaAt: clock.now(),
    });
    clock.advance(SESSION_TTL_SECONDS * 1000 - 1000);
    expect(await signer.verify(token)).not.toBeNull();
    clock.advance(2000);
    expect(await signer.verify(token)).toBeNull();
  });

  it('refuse a token signed with another key, tampered with, or unsigned', async () => {
    const clock = manualClock();
    const { token } = await sessionSigner(OTHER_KEY, clock).issue('op_1', clock.now());
    const signer = sessionSigner(KEY, clock);
    expect(await signer.verify(token)).toBeNull();
    const [header, payload, signature] = (await signer.issue('op_1', null)).token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'op_admin' })).toString('base64url');
    expect(await signer.verify(`${header}.${forged}.${signature}`)).toBeNull();
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(await signer.verify(`${none}.${payload}.`)).toBeNull();
    expect(await signer.verify('not a token')).toBeNull();
  });

  it('count MFA as fresh for 15 minutes after the code, never without one', async () => {
    const clock = manualClock();
    const signer = sessionSigner(KEY, clock);
    const withCode = (await signer.issue('op_1', clock.now())).session;
    const passwordOnly = (await signer.issue('op_1', null)).session;
    expect(mfaFresh(withCode, clock)).toBe(true);
    expect(mfaFresh(passwordOnly, clock)).toBe(false);
    clock.advance(MFA_FRESH_SECONDS * 1000);
    expect(mfaFresh(withCode, clock)).toBe(true);
    clock.advance(1000);
    expect(mfaFresh(withCode, clock)).toBe(false);
  });
});
