import { isCurrency } from '../domain/currency.js';
import type { GatewayAccount, GatewayAccountChanges } from '../store/merchants.js';
import { AdminInputError, required, singleLine, type AdminContext } from './context.js';

const ACCOUNT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** `env:<PREFIX>`: the credentials are in `<PREFIX>_*` variables of the router's environment. */
const CREDENTIALS_REF = /^env:[A-Z][A-Z0-9_]{0,63}$/;
const COUNTRY = /^[A-Z]{2}$/;
const MAX_PRIORITY = 1000;

export function gatewayAccountView(account: GatewayAccount) {
  return {
    id: account.id,
    merchant_id: account.merchantId,
    provider: account.provider,
    name: account.name,
    label: account.label,
    credentials_ref: account.credentialsRef,
    currencies: account.settings.currencies ?? null,
    countries: account.settings.countries ?? null,
    priority: account.priority,
    created_at: account.createdAt.toISOString(),
    disabled_at: account.disabledAt?.toISOString() ?? null,
  };
}

export interface GatewayAccountInput {
  label?: string;
  credentials?: string;
  currencies?: readonly string[];
  countries?: readonly string[];
  priority?: number;
}

/** Checks what may change on an account; the message never repeats a refused credential, which may be a raw secret. */
function changes(input: GatewayAccountInput, current: GatewayAccount['settings']): GatewayAccountChanges {
  const out: GatewayAccountChanges = {};
  if (input.label !== undefined) {
    out.label = singleLine('label', input.label, 100, 'The label');
  }
  if (input.credentials !== undefined) {
    if (!CREDENTIALS_REF.test(input.credentials)) {
      throw new AdminInputError('credentials', 'Credentials must be a reference env:<PREFIX> (upper-case letters, digits, _): the secrets stay in <PREFIX>_* variables and are never stored.');
    }
    out.credentialsRef = input.credentials;
  }
  if (input.currencies !== undefined || input.countries !== undefined) {
    const settings = { ...current };
    if (input.currencies !== undefined) {
      const bad = input.currencies.find((c) => !isCurrency(c));
      if (bad !== undefined || input.currencies.length === 0) throw new AdminInputError('currencies', 'Currencies must be a list of ISO 4217 codes such as USD,EUR.');
      settings.currencies = [...new Set(input.currencies)];
    }
    if (input.countries !== undefined) {
      const bad = input.countries.find((c) => !COUNTRY.test(c));
      if (bad !== undefined || input.countries.length === 0) throw new AdminInputError('countries', 'Countries must be a list of ISO 3166 alpha-2 codes such as US,GB.');
      settings.countries = [...new Set(input.countries)];
    }
    out.settings = settings;
  }
  if (input.priority !== undefined) {
    if (!Number.isInteger(input.priority) || input.priority < 0 || input.priority > MAX_PRIORITY) throw new AdminInputError('priority', `The priority must be a whole number from 0 to ${MAX_PRIORITY}.`);
    out.priority = input.priority;
  }
  return out;
}

export async function addGatewayAccount(
  ctx: AdminContext,
  providers: readonly string[],
  input: GatewayAccountInput & { merchantId: string; provider: string; name: string; label: string; credentials: string },
) {
  if (!providers.includes(input.provider)) throw new AdminInputError('provider', `Unknown provider; providers are ${providers.join(', ')}.`);
  if (!ACCOUNT_NAME.test(input.name)) throw new AdminInputError('name', 'The name must be a slug: lower-case letters, digits and -, at most 63 characters (routing rules name accounts by it).');
  const checked = changes(input, {});
  return ctx.repositories.transaction(async (tx) => {
    const merchant = required(await tx.merchants.merchant(input.merchantId), 'merchant', 'merchant');
    const existing = await tx.merchants.gatewayAccounts(merchant.id, { includeDisabled: true });
    if (existing.some((a) => a.name === input.name)) throw new AdminInputError('name', `The merchant has an account named ${input.name} already.`);
    const account = await tx.merchants.addGatewayAccount({
      merchantId: merchant.id,
      provider: input.provider,
      name: input.name,
      label: checked.label!,
      credentialsRef: checked.credentialsRef!,
      settings: checked.settings ?? {},
      priority: checked.priority ?? 0,
    });
    const after = gatewayAccountView(account);
    await tx.audit.append(ctx.actor, { action: 'gateway_account.create', merchantId: merchant.id, target: { type: 'gateway_account', id: account.id }, after }, ctx.clock.now());
    return after;
  });
}

/** The label, credentials reference, currencies, countries or priority; the name stays (routing rules use it). */
export async function updateGatewayAccount(ctx: AdminContext, id: string, input: GatewayAccountInput) {
  return ctx.repositories.transaction(async (tx) => {
    const current = required(await tx.merchants.anyGatewayAccount(id), 'account', 'gateway account');
    const checked = changes(input, current.settings);
    if (Object.keys(checked).length === 0) throw new AdminInputError('account', 'Nothing to change: give a label, credentials, currencies, countries or priority.');
    const after = gatewayAccountView((await tx.merchants.updateGatewayAccount(id, checked))!);
    await tx.audit.append(ctx.actor, { action: 'gateway_account.update', merchantId: current.merchantId, target: { type: 'gateway_account', id }, before: gatewayAccountView(current), after }, ctx.clock.now());
    return after;
  });
}

export async function disableGatewayAccount(ctx: AdminContext, id: string) {
  return ctx.repositories.transaction(async (tx) => {
    const current = required(await tx.merchants.anyGatewayAccount(id), 'account', 'gateway account');
    if (current.disabledAt) throw new AdminInputError('account', 'The account is disabled already.');
    const after = gatewayAccountView((await tx.merchants.disableGatewayAccount(id, ctx.clock.now()))!);
    await tx.audit.append(ctx.actor, { action: 'gateway_account.disable', merchantId: current.merchantId, target: { type: 'gateway_account', id }, before: gatewayAccountView(current), after }, ctx.clock.now());
    return after;
  });
}

/** The merchant an account belongs to, or null when there is no such account. */
export async function gatewayAccountMerchant(ctx: Pick<AdminContext, 'repositories'>, id: string): Promise<string | null> {
  return (await ctx.repositories.merchants.anyGatewayAccount(id))?.merchantId ?? null;
}

export async function listGatewayAccounts(ctx: Pick<AdminContext, 'repositories'>, merchantId: string) {
  required(await ctx.repositories.merchants.merchant(merchantId), 'merchant', 'merchant');
  return (await ctx.repositories.merchants.gatewayAccounts(merchantId, { includeDisabled: true })).map(gatewayAccountView);
}
