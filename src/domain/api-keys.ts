/**
 * API keys: secret (`sk_live_`, `sk_test_`) or publishable (`pk_live_`, `pk_test_`), then 32 base62
 * characters (190 random bits). Only a SHA-256 hash is stored (a slow hash adds nothing for keys
 * this random) and a display hint that reveals 6 of the 32 random characters. A publishable key
 * may sit in a shopper's browser or app: it can only tokenize a card (PUBLISHABLE_SCOPES).
 */
import { sha256 } from './digest.js';
export type KeyMode = 'live' | 'test';
export type KeyKind = 'secret' | 'publishable';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 32;
export const API_KEY_FORMAT = /^(sk|pk)_(live|test)_[0-9A-Za-z]{32}$/;

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
  'alerts:read',
  'alerts:write',
  'metrics:read',
  'payment_methods:write',
  'payment_methods:read',
  'customers:write',
  'customers:read',
  'billing:write',
  'billing:read',
  'payment_methods:tokenize',
] as const;
export type Scope = (typeof SCOPES)[number];

/** All a publishable key can do: turn a card into a pm_ at the tokenization endpoint. */
export const PUBLISHABLE_SCOPES: readonly Scope[] = ['payment_methods:tokenize'];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function isApiKey(text: string): boolean {
  return API_KEY_FORMAT.test(text);
}

export function keyMode(key: string): KeyMode {
  return key.slice(3, 8) === 'live_' ? 'live' : 'test';
}

export function keyKind(key: string): KeyKind {
  return key.startsWith('pk_') ? 'publishable' : 'secret';
}

/** A fresh key; base62 by rejection sampling, so every character is equally likely. */
export function generateApiKey(mode: KeyMode, kind: KeyKind = 'secret'): string {
  let out = '';
  while (out.length < RANDOM_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(RANDOM_LENGTH))) {
      // 248 = 4 × 62: bytes at or above it would favour the first characters.
      if (byte < 248 && out.length < RANDOM_LENGTH) out += BASE62[byte % 62];
    }
  }
  return `${kind === 'publishable' ? 'pk' : 'sk'}_${mode}_${out}`;
}

/** What lists and audit records show of a key: `sk_live_Ab…9xYz`, `pk_test_Ab…9xYz`. */
export function keyHint(key: string): string {
  const prefix = key.slice(0, 8);
  return `${prefix}${key.slice(8, 10)}…${key.slice(-4)}`;
}

/** What is stored of a key: its SHA-256, hex. */
export async function hashApiKey(key: string): Promise<string> {
  return Array.from(await sha256(key), (b) => b.toString(16).padStart(2, '0')).join('');
}
