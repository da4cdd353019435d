/**
 * Secret API keys: `sk_live_` or `sk_test_` and 32 base62 characters (190 random bits). Only a
 * SHA-256 hash is stored (a slow hash adds nothing for keys this random) and a display hint that
 * reveals 6 of the 32 random characters.
 */
import { sha256 } from './digest.js';
export type KeyMode = 'live' | 'test';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 32;
export const API_KEY_FORMAT = /^sk_(live|test)_[0-9A-Za-z]{32}$/;

/** Everything a key may be allowed to do; a standard key has all of them. */
export const SCOPES = [
  'payments:write',
  'payments:read',
  'routing:read',
  'routing:write',
  'webhooks:manage',
  'events:read',
  'gateways:read',
  'jobs:read',
  'analytics:read',
  'metrics:read',
] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function isApiKey(text: string): boolean {
  return API_KEY_FORMAT.test(text);
}

export function keyMode(key: string): KeyMode {
  return key.startsWith('sk_live_') ? 'live' : 'test';
}

/** A fresh key; base62 by rejection sampling, so every character is equally likely. */
export function generateApiKey(mode: KeyMode): string {
  let out = '';
  while (out.length < RANDOM_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(RANDOM_LENGTH))) {
      // 248 = 4 × 62: bytes at or above it would favour the first characters.
      if (byte < 248 && out.length < RANDOM_LENGTH) out += BASE62[byte % 62];
    }
  }
  return `sk_${mode}_${out}`;
}

/** What lists and audit records show of a key: `sk_live_Ab…9xYz`. */
export function keyHint(key: string): string {
  const prefix = key.slice(0, 8);
  return `${prefix}${key.slice(8, 10)}…${key.slice(-4)}`;
}

/** What is stored of a key: its SHA-256, hex. */
export async function hashApiKey(key: string): Promise<string> {
  return Array.from(await sha256(key), (b) => b.toString(16).padStart(2, '0')).join('');
}
