import { generateApiKey, hashApiKey, isScope, keyHint, keyKind, keyMode, PUBLISHABLE_SCOPES, SCOPES, type KeyKind, type KeyMode, type Scope } from '../domain/api-keys.js';
import type { ApiKey } from '../store/merchants.js';
import { AdminInputError, required, singleLine, type AdminContext } from './context.js';

/** Longest a rolled key may keep working next to its successor. */
export const MAX_OVERLAP_MS = 30 * 24 * 3_600_000;

export function apiKeyView(key: ApiKey) {
  return {
    id: key.id,
    merchant_id: key.merchantId,
    hint: key.hint,
    label: key.label,
    type: keyKind(key.hint),
    scopes: key.scopes,
    allowed_origins: key.allowedOrigins,
    created_at: key.createdAt.toISOString(),
    revoked_at: key.revokedAt?.toISOString() ?? null,
    expires_at: key.expiresAt?.toISOString() ?? null,
  };
}

/** Every scope, or the given ones; refuses unknown names and an empty list. */
export function parseScopes(list: readonly string[] | undefined): Scope[] {
  if (list === undefined) return [...SCOPES];
  const unknown = list.find((s) => !isScope(s));
  if (unknown !== undefined) throw new AdminInputError('scopes', `Unknown scope ${JSON.stringify(unknown.slice(0, 40))}; scopes are ${SCOPES.join(', ')}.`);
  if (list.length === 0) throw new AdminInputError('scopes', 'A key needs at least one scope.');
  return SCOPES.filter((s) => list.includes(s));
}

const MAX_ORIGINS = 20;

/**
 * A browser origin as browsers send it (`https://shop.example`, `http://localhost:3000`): scheme,
 * host and port only, lower case. Anything else is refused rather than normalised, so what is
 * stored is what the Origin header will say.
 */
export function parseOrigins(list: readonly string[] | undefined): string[] {
  if (list === undefined || list.length === 0) throw new AdminInputError('allowed_origins', 'A publishable key needs at least one allowed origin, such as https://shop.example.');
  if (list.length > MAX_ORIGINS) throw new AdminInputError('allowed_origins', `At most ${MAX_ORIGINS} origins are allowed.`);
  for (const origin of list) {
    let url: URL | null = null;
    try {
      url = typeof origin === 'string' && origin.length <= 200 ? new URL(origin) : null;
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== origin) {
      throw new AdminInputError('allowed_origins', 'Each origin is a scheme, host and optional port in lower case, without a path or trailing slash: https://shop.example.');
    }
  }
  return [...new Set(list)];
}

/**
 * A new key, answered once in full: only its hash and hint are stored. A publishable key (`pk_…`)
 * can only tokenize, from the browser origins it lists.
 */
export async function createApiKey(
  ctx: AdminContext,
  input: { merchantId: string; mode: KeyMode; label: string; scopes?: readonly string[]; kind?: KeyKind; allowedOrigins?: readonly string[] },
) {
  const label = singleLine('label', input.label, 100, 'The label');
  const kind = input.kind ?? 'secret';
  if (kind === 'publishable' && input.scopes !== undefined) throw new AdminInputError('scopes', `A publishable key has one scope, ${PUBLISHABLE_SCOPES.join(', ')}: leave scopes out.`);
  if (kind === 'secret' && input.allowedOrigins !== undefined) throw new AdminInputError('allowed_origins', 'Only publishable keys have allowed origins: a secret key never goes to a browser.');
  const scopes = kind === 'publishable' ? [...PUBLISHABLE_SCOPES] : parseScopes(input.scopes);
  const allowedOrigins = kind === 'publishable' ? parseOrigins(input.allowedOrigins) : [];
  return ctx.repositories.transaction(async (tx) => {
    const merchant = required(await tx.merchants.merchant(input.merchantId), 'merchant', 'merchant');
    if (merchant.disabledAt) throw new AdminInputError('merchant', 'The merchant is disabled: its keys would not work.');
    const secret = generateApiKey(input.mode, kind);
    const view = apiKeyView(await tx.merchants.addApiKey({ merchantId: merchant.id, keyHash: await hashApiKey(secret), hint: keyHint(secret), label, scopes, allowedOrigins }));
    await tx.audit.append(ctx.actor, { action: 'api_key.create', merchantId: merchant.id, target: { type: 'api_key', id: view.id }, after: view }, ctx.clock.now());
    return { key: view, secret };
  });
}

/** The merchant a key belongs to, or null when there is no such key. */
export async function apiKeyMerchant(ctx: Pick<AdminContext, 'repositories'>, id: string): Promise<string | null> {
  return (await ctx.repositories.merchants.apiKey(id))?.merchantId ?? null;
}

export async function listApiKeys(ctx: Pick<AdminContext, 'repositories'>, merchantId: string) {
  required(await ctx.repositories.merchants.merchant(merchantId), 'merchant', 'merchant');
  return (await ctx.repositories.merchants.apiKeys(merchantId)).map(apiKeyView);
}

async function liveKey(ctx: AdminContext, tx: AdminContext['repositories'], id: string): Promise<ApiKey> {
  const key = required(await tx.merchants.apiKey(id), 'key', 'API key');
  if (key.revokedAt) throw new AdminInputError('key', 'The key is revoked already.');
  if (key.expiresAt && key.expiresAt <= ctx.clock.now()) throw new AdminInputError('key', 'The key has expired already.');
  return key;
}

/**
 * A successor with the same label and scopes, in the same mode; the old key keeps working for
 * `overlapMs` (0: it stops now), so clients can switch without downtime.
 */
export async function rollApiKey(ctx: AdminContext, id: string, overlapMs: number) {
  if (!Number.isInteger(overlapMs) || overlapMs < 0 || overlapMs > MAX_OVERLAP_MS) throw new AdminInputError('overlap', 'The overlap must be between 0 and 30 days.');
  return ctx.repositories.transaction(async (tx) => {
    const old = await liveKey(ctx, tx, id);
    const secret = generateApiKey(keyMode(old.hint), keyKind(old.hint));
    const created = apiKeyView(
      await tx.merchants.addApiKey({ merchantId: old.merchantId, keyHash: await hashApiKey(secret), hint: keyHint(secret), label: old.label, scopes: old.scopes, allowedOrigins: old.allowedOrigins }),
    );
    const expiresAt = new Date(ctx.clock.now().getTime() + overlapMs);
    const before = apiKeyView(old);
    const after = apiKeyView((await tx.merchants.expireApiKey(old.id, old.expiresAt && old.expiresAt < expiresAt ? old.expiresAt : expiresAt))!);
    await tx.audit.append(ctx.actor, { action: 'api_key.roll', merchantId: old.merchantId, target: { type: 'api_key', id: old.id }, before, after: { ...after, successor_id: created.id } }, ctx.clock.now());
    await tx.audit.append(ctx.actor, { action: 'api_key.create', merchantId: old.merchantId, target: { type: 'api_key', id: created.id }, after: { ...created, rolled_from: old.id } }, ctx.clock.now());
    return { old: after, key: created, secret };
  });
}

export async function revokeApiKey(ctx: AdminContext, id: string) {
  return ctx.repositories.transaction(async (tx) => {
    const before = apiKeyView(required(await tx.merchants.apiKey(id), 'key', 'API key'));
    if (before.revoked_at) throw new AdminInputError('key', 'The key is revoked already.');
    const after = apiKeyView((await tx.merchants.revokeApiKey(id, ctx.clock.now()))!);
    await tx.audit.append(ctx.actor, { action: 'api_key.revoke', merchantId: after.merchant_id, target: { type: 'api_key', id }, before, after }, ctx.clock.now());
    return after;
  });
}
