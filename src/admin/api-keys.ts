import { generateApiKey, hashApiKey, isScope, keyHint, SCOPES, type KeyMode, type Scope } from '../domain/api-keys.js';
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
    scopes: key.scopes,
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

/** A new key, answered once in full: only its hash and hint are stored. */
export async function createApiKey(ctx: AdminContext, input: { merchantId: string; mode: KeyMode; label: string; scopes?: readonly string[] }) {
  const label = singleLine('label', input.label, 100, 'The label');
  const scopes = parseScopes(input.scopes);
  return ctx.repositories.transaction(async (tx) => {
    const merchant = required(await tx.merchants.merchant(input.merchantId), 'merchant', 'merchant');
    if (merchant.disabledAt) throw new AdminInputError('merchant', 'The merchant is disabled: its keys would not work.');
    const secret = generateApiKey(input.mode);
    const view = apiKeyView(await tx.merchants.addApiKey({ merchantId: merchant.id, keyHash: await hashApiKey(secret), hint: keyHint(secret), label, scopes }));
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
    const secret = generateApiKey(old.hint.startsWith('sk_live_') ? 'live' : 'test');
    const created = apiKeyView(await tx.merchants.addApiKey({ merchantId: old.merchantId, keyHash: await hashApiKey(secret), hint: keyHint(secret), label: old.label, scopes: old.scopes }));
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
