import { jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../domain/clock.js';
import { decodeBase64 } from '../domain/secret-box.js';

/** How long a session token is good for. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;
/** How long a proven TOTP code counts as fresh for sensitive actions (activating a ruleset, managing operators). */
export const MFA_FRESH_SECONDS = 15 * 60;

const ISSUER = 'switchyard';
const AUDIENCE = 'switchyard-admin';

export interface Session {
  operatorId: string;
  issuedAt: Date;
  expiresAt: Date;
  /** When the operator last proved a TOTP code; null: signed in with the password only. */
  mfaAt: Date | null;
}

export interface SessionSigner {
  issue(operatorId: string, mfaAt: Date | null): Promise<{ token: string; session: Session }>;
  /** Null for a token that is malformed, forged, expired or from the future. */
  verify(token: string): Promise<Session | null>;
}

/**
 * HS256 session tokens, signed with a key derived (HKDF-SHA256) from the secrets key, so there is
 * no second secret to configure. A token says who and when MFA was proven; whether the operator
 * may still act (not disabled) is checked against the database on every request.
 */
export function sessionSigner(secretsKey: string | readonly string[], clock: Clock): SessionSigner {
  const first = typeof secretsKey === 'string' ? secretsKey : secretsKey[0];
  const raw = first === undefined ? null : decodeBase64(first.trim());
  if (!raw) throw new Error('session signer: the secrets key must be base64');
  let key: Promise<CryptoKey> | undefined;
  const signingKey = () =>
    (key ??= (async () => {
      const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey']);
      return crypto.subtle.deriveKey(
        { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode('switchyard operator sessions v1') },
        base,
        { name: 'HMAC', hash: 'SHA-256', length: 256 },
        false,
        ['sign', 'verify'],
      );
    })());
  const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

  return {
    async issue(operatorId, mfaAt) {
      const now = seconds(clock.now());
      const token = await new SignJWT(mfaAt ? { mfa_at: seconds(mfaAt) } : {})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(operatorId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + SESSION_TTL_SECONDS)
        .sign(await signingKey());
      return { token, session: { operatorId, issuedAt: new Date(now * 1000), expiresAt: new Date((now + SESSION_TTL_SECONDS) * 1000), mfaAt: mfaAt ? new Date(seconds(mfaAt) * 1000) : null } };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, await signingKey(), {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: clock.now(),
          requiredClaims: ['sub', 'iat', 'exp'],
        });
        if (typeof payload.sub !== 'string' || payload.iat! > seconds(clock.now()) + 60) return null;
        const mfaAt = typeof payload.mfa_at === 'number' ? new Date(payload.mfa_at * 1000) : null;
        return { operatorId: payload.sub, issuedAt: new Date(payload.iat! * 1000), expiresAt: new Date(payload.exp! * 1000), mfaAt };
      } catch {
        return null;
      }
    },
  };
}

/** A TOTP code proven within MFA_FRESH_SECONDS of now. */
export function mfaFresh(session: Session, clock: Clock): boolean {
  return session.mfaAt !== null && clock.now().getTime() - session.mfaAt.getTime() <= MFA_FRESH_SECONDS * 1000;
}
