import { generateSecret, generateURI, verify } from 'otplib';
import type { Clock } from '../domain/clock.js';

/** RFC 6238 as authenticator apps use it: SHA-1, 6 digits, 30 s steps. */
const TOTP_PERIOD_SECONDS = 30;
const ISSUER = 'Switchyard';

/** A new base32 secret (20 random bytes). */
export function newTotpSecret(): string {
  return generateSecret();
}

/** What an authenticator app scans or imports. */
export function totpUri(secret: string, email: string): string {
  return generateURI({ issuer: ISSUER, label: email, secret, period: TOTP_PERIOD_SECONDS });
}

/**
 * The 30 s step `code` belongs to, when it is valid now or one step either side (clock drift);
 * null otherwise. The caller refuses a step it accepted before (a code is accepted once).
 */
export async function totpStep(secret: string, code: string, clock: Clock, afterStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(clock.now().getTime() / 1000),
    period: TOTP_PERIOD_SECONDS,
    epochTolerance: TOTP_PERIOD_SECONDS,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
