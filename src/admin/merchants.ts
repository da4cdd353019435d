import type { Merchant } from '../store/merchants.js';
import { AdminInputError, required, singleLine, type AdminContext } from './context.js';

export function merchantView(merchant: Merchant) {
  return {
    id: merchant.id,
    name: merchant.name,
    created_at: merchant.createdAt.toISOString(),
    disabled_at: merchant.disabledAt?.toISOString() ?? null,
  };
}

export async function createMerchant(ctx: AdminContext, input: { name: string }) {
  const name = singleLine('name', input.name, 200, 'The merchant name');
  return ctx.repositories.transaction(async (tx) => {
    const id = await tx.merchants.create(name);
    const view = merchantView((await tx.merchants.merchant(id))!);
    await tx.audit.append(ctx.actor, { action: 'merchant.create', merchantId: id, target: { type: 'merchant', id }, after: view }, ctx.clock.now());
    return view;
  });
}

export async function listMerchants(ctx: Pick<AdminContext, 'repositories'>) {
  return (await ctx.repositories.merchants.list()).map(merchantView);
}

/** Its keys stop working at once; payments, accounts and rules stay. */
export async function disableMerchant(ctx: AdminContext, id: string) {
  return ctx.repositories.transaction(async (tx) => {
    const before = merchantView(required(await tx.merchants.merchant(id), 'merchant', 'merchant'));
    if (before.disabled_at) throw new AdminInputError('merchant', 'The merchant is disabled already.');
    const after = merchantView((await tx.merchants.disable(id, ctx.clock.now()))!);
    await tx.audit.append(ctx.actor, { action: 'merchant.disable', merchantId: id, target: { type: 'merchant', id }, before, after }, ctx.clock.now());
    return after;
  });
}
