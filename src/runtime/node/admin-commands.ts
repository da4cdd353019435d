import { parseArgs, type ParseArgsConfig } from 'node:util';
import { cardVault } from '../../vault/vault.js';
import type { KeyManagement } from '../../vault/kms.js';
import { createApiKey, listApiKeys, revokeApiKey, rollApiKey } from '../../admin/api-keys.js';
import { AdminInputError, type AdminContext } from '../../admin/context.js';
import { addGatewayAccount, disableGatewayAccount, listGatewayAccounts, updateGatewayAccount, type GatewayAccountInput } from '../../admin/gateway-accounts.js';
import { createMerchant, disableMerchant, listMerchants } from '../../admin/merchants.js';
import { operatorView, ROLES, type OperatorService, type Role } from '../../admin/operators.js';
import { newTotpSecret, totpUri } from '../../admin/totp.js';

/** Bad input on the command line: exit 2, naming the option; nothing was changed. */
export class UsageError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AdminIo {
  out(text: string): void;
  err(text: string): void;
}

export const USAGE = `Usage: npm run admin -- <command> [options] [--json]

  merchants create --name <name>
  merchants list
  merchants disable <merchant_id>
  keys create --merchant <id> [--mode live|test] [--label <label>] [--scopes a,b]
              [--publishable --origins https://shop.example,https://app.example]
  keys list --merchant <id>
  keys roll <key_id> [--overlap 24h]
  keys revoke <key_id>
  gateway-accounts add --merchant <id> --provider <p> --name <slug> --label <label> --credentials env:<PREFIX>
                       [--currencies USD,EUR] [--countries US,GB] [--priority <n>]
  gateway-accounts update <account_id> [--label] [--credentials] [--currencies] [--countries] [--priority]
  gateway-accounts disable <account_id>
  gateway-accounts list --merchant <id>
  operators create --email <email> --name <name> --role viewer|operator|admin [--merchants id,id]
  operators list
  operators disable <operator_id>
  vault rotate-kek [--batch 100]
      re-wraps every saved card's data key with the first KEK of SWITCHYARD_VAULT_KEK (or
      SWITCHYARD_SECRETS_KEY); list the new KEK first and the old one after it, on the router
      too, run this, then drop the old one. Resumable: it re-wraps only what is left.

--json prints the result as JSON; otherwise it prints text. Exit 2: bad input, nothing changed.
`;

type Values = Record<string, string | boolean | undefined>;
type Options = NonNullable<ParseArgsConfig['options']>;

const str = { type: 'string' } as const;

interface Command {
  options: Options;
  /** The positional argument it takes, by name (`<key_id>`), if any. */
  positional?: string;
  run(ctx: AdminCommandContext, values: Values, positional: string | undefined): Promise<{ json: unknown; text: string }>;
}

export interface AdminCommandContext extends AdminContext {
  providers: readonly string[];
  /** Operators' TOTP secrets are sealed, so managing operators needs the secrets key; null without one. */
  operators: OperatorService | null;
  /** A fresh password for a new operator. */
  newPassword(): string;
  /** The card vault's KMS (its KEKs from configuration); null without one. */
  vaultKms: KeyManagement | null;
}

const COMMANDS: Record<string, Command> = {
  'vault rotate-kek': {
    options: { batch: str },
    async run(ctx, values) {
      if (!ctx.vaultKms) throw new UsageError('SWITCHYARD_VAULT_KEK', "is needed to re-wrap the vault's data keys: set it to the router's keyring, new KEK first.");
      const batch = Number(optional(values, 'batch') ?? '100');
      if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new UsageError('--batch', 'must be a whole number from 1 to 10000.');
      const vault = cardVault({ repositories: ctx.repositories, kms: ctx.vaultKms, fingerprintSecret: 'unused-by-rotation', clock: ctx.clock });
      const done = await vault.rotate({ batchSize: batch });
      const kekId = await ctx.vaultKms.currentKeyId();
      return {
        json: { kek_id: kekId, rewrapped: done.rewrapped, remaining: done.remaining },
        text: `Re-wrapped ${done.rewrapped} data keys with KEK ${kekId}; ${done.remaining} left under another KEK.`,
      };
    },
  },
  'merchants create': {
    options: { name: str },
    async run(ctx, values) {
      const merchant = await createMerchant(ctx, { name: need(values, 'name') });
      return { json: merchant, text: `Created merchant ${merchant.id} (${merchant.name}).` };
    },
  },
  'merchants list': {
    options: {},
    async run(ctx) {
      const merchants = await listMerchants(ctx);
      return { json: merchants, text: table(merchants.map((m) => [m.id, m.name, m.disabled_at ? `disabled ${m.disabled_at}` : 'active'])) };
    },
  },
  'merchants disable': {
    options: {},
    positional: '<merchant_id>',
    async run(ctx, _values, id) {
      const merchant = await disableMerchant(ctx, id!);
      return { json: merchant, text: `Disabled merchant ${merchant.id}: its keys stop working now.` };
    },
  },
  'keys create': {
    options: { merchant: str, mode: str, label: str, scopes: str, publishable: { type: 'boolean' }, origins: str },
    async run(ctx, values) {
      const mode = optional(values, 'mode') ?? 'live';
      if (mode !== 'live' && mode !== 'test') throw new UsageError('--mode', 'must be live or test.');
      const scopes = optional(values, 'scopes');
      const origins = optional(values, 'origins');
      const { key, secret } = await createApiKey(ctx, {
        merchantId: need(values, 'merchant'),
        mode,
        label: optional(values, 'label') ?? 'default',
        scopes: scopes === undefined ? undefined : list(scopes),
        kind: values.publishable === true ? 'publishable' : 'secret',
        allowedOrigins: origins === undefined ? undefined : list(origins),
      });
      return { json: { ...key, secret }, text: `Created key ${key.id} (${key.hint}) with scopes ${key.scopes.join(', ')}.\n\n  ${secret}\n\nThis is the only time the key is shown: store it now.` };
    },
  },
  'keys list': {
    options: { merchant: str },
    async run(ctx, values) {
      const keys = await listApiKeys(ctx, need(values, 'merchant'));
      return { json: keys, text: table(keys.map((k) => [k.id, k.hint, k.label, k.scopes.join(','), k.revoked_at ? `revoked ${k.revoked_at}` : k.expires_at ? `expires ${k.expires_at}` : 'active'])) };
    },
  },
  'keys roll': {
    options: { overlap: str },
    positional: '<key_id>',
    async run(ctx, values, id) {
      const overlap = optional(values, 'overlap');
      const { old, key, secret } = await rollApiKey(ctx, id!, overlap === undefined ? 24 * 3_600_000 : duration(overlap));
      return {
        json: { ...key, secret, replaces: old },
        text: `Created key ${key.id} (${key.hint}) to replace ${old.id}, which works until ${old.expires_at}.\n\n  ${secret}\n\nThis is the only time the key is shown: store it now.`,
      };
    },
  },
  'keys revoke': {
    options: {},
    positional: '<key_id>',
    async run(ctx, _values, id) {
      const key = await revokeApiKey(ctx, id!);
      return { json: key, text: `Revoked key ${key.id} (${key.hint}).` };
    },
  },
  'gateway-accounts add': {
    options: { merchant: str, provider: str, name: str, label: str, credentials: str, currencies: str, countries: str, priority: str },
    async run(ctx, values) {
      const account = await addGatewayAccount(ctx, ctx.providers, {
        merchantId: need(values, 'merchant'),
        provider: need(values, 'provider'),
        name: need(values, 'name'),
        label: need(values, 'label'),
        credentials: need(values, 'credentials'),
        ...accountChanges(values),
      });
      return { json: account, text: `Added gateway account ${account.id} (${account.provider}, ${account.name}).` };
    },
  },
  'gateway-accounts update': {
    options: { label: str, credentials: str, currencies: str, countries: str, priority: str },
    positional: '<account_id>',
    async run(ctx, values, id) {
      const account = await updateGatewayAccount(ctx, id!, { ...accountChanges(values), label: optional(values, 'label'), credentials: optional(values, 'credentials') });
      return { json: account, text: `Updated gateway account ${account.id}; a running router picks credential changes up when it restarts.` };
    },
  },
  'gateway-accounts disable': {
    options: {},
    positional: '<account_id>',
    async run(ctx, _values, id) {
      const account = await disableGatewayAccount(ctx, id!);
      return { json: account, text: `Disabled gateway account ${account.id}: routing no longer uses it.` };
    },
  },
  'gateway-accounts list': {
    options: { merchant: str },
    async run(ctx, values) {
      const accounts = await listGatewayAccounts(ctx, need(values, 'merchant'));
      return {
        json: accounts,
        text: table(accounts.map((a) => [a.id, a.provider, a.name, a.credentials_ref, `priority ${a.priority}`, a.disabled_at ? 'disabled' : 'active'])),
      };
    },
  },
  'operators create': {
    options: { email: str, name: str, role: str, merchants: str },
    async run(ctx, values) {
      const operators = needOperators(ctx);
      const email = need(values, 'email');
      if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new UsageError('--email', 'must be an email address.');
      const name = need(values, 'name');
      if (name.length > 100 || /[\u0000-\u001f\u007f-\u009f]/.test(name)) throw new UsageError('--name', 'must be at most 100 characters, with no control characters.');
      const role = need(values, 'role');
      if (!(ROLES as readonly string[]).includes(role)) throw new UsageError('--role', `must be one of ${ROLES.join(', ')}.`);
      const merchants = optional(values, 'merchants');
      const merchantIds = merchants === undefined || role === 'admin' ? null : list(merchants);
      if (merchantIds) {
        const known = new Set(await ctx.repositories.operators.knownMerchantIds(merchantIds));
        const unknown = merchantIds.find((id) => !known.has(id));
        if (unknown !== undefined) throw new UsageError('--merchants', `no merchant has the id ${unknown.slice(0, 40)}.`);
      }
      if (await ctx.repositories.operators.byEmail(email.toLowerCase())) throw new UsageError('--email', 'an operator with this email exists.');
      // TOTP is on from the start: nobody who learns the password alone can enroll an authenticator of their own.
      const password = ctx.newPassword();
      const totpSecret = newTotpSecret();
      const operator = await operators.provision(ctx.actor, { email, name, role: role as Role, password, merchantIds, totpSecret });
      const uri = totpUri(totpSecret, operator.email);
      return {
        json: { ...operatorView(operator), password, totp_secret: totpSecret, otpauth_uri: uri },
        text: [
          `Created operator ${operator.id} (${operator.email}, ${operator.role}).`,
          '',
          `  password:     ${password}`,
          `  TOTP secret:  ${totpSecret}`,
          `  TOTP URI:     ${uri}`,
          '',
          'This is the only time they are shown: hand them over now (the operator changes the password with POST /v1/admin/operators/me/password).',
        ].join('\n'),
      };
    },
  },
  'operators list': {
    options: {},
    async run(ctx) {
      const operators = (await needOperators(ctx).list()).map(operatorView);
      return {
        json: operators,
        text: table(operators.map((o) => [o.id, o.email, o.name, o.role, o.merchant_ids ? o.merchant_ids.join(',') : 'all merchants', o.disabled_at ? 'disabled' : 'active'])),
      };
    },
  },
  'operators disable': {
    options: {},
    positional: '<operator_id>',
    async run(ctx, _values, id) {
      const operator = await needOperators(ctx).disable(ctx.actor, id!);
      if (!operator) throw new UsageError('<operator_id>', 'no operator has this id.');
      return { json: operatorView(operator), text: `Disabled operator ${operator.id}: their sessions stop working now.` };
    },
  },
};

function needOperators(ctx: AdminCommandContext): OperatorService {
  if (!ctx.operators) throw new UsageError('SWITCHYARD_SECRETS_KEY', "is needed to manage operators (it seals their TOTP secrets): set it to the server's key.");
  return ctx.operators;
}

/** Runs one command; answers the exit code (0 done, 2 bad input). */
export async function runAdmin(argv: readonly string[], ctx: AdminCommandContext, io: AdminIo): Promise<number> {
  const [group, action, ...rest] = argv;
  const name = `${group ?? ''} ${action ?? ''}`;
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(group === undefined || group === '--help' || group === 'help' ? USAGE : `Unknown command. ${USAGE}`);
    return 2;
  }
  let json = false;
  try {
    const parsed = parseArgs({ args: [...rest], options: { ...command.options, json: { type: 'boolean' } }, strict: true, allowPositionals: true });
    json = parsed.values.json === true;
    const positionals = parsed.positionals;
    if (command.positional && positionals.length !== 1) throw new UsageError(command.positional, `${name} takes exactly one ${command.positional}.`);
    if (!command.positional && positionals.length > 0) throw new UsageError(positionals[0]!.slice(0, 40), `${name} takes no positional arguments.`);
    const result = await command.run(ctx, parsed.values, positionals[0]);
    io.out(json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.text}\n`);
    return 0;
  } catch (error) {
    const refusal =
      error instanceof UsageError
        ? { option: error.option, message: error.message }
        : error instanceof AdminInputError
          ? { option: Object.hasOwn(command.options, error.field) ? `--${error.field}` : (command.positional ?? error.field), message: error.message }
          : isParseArgsError(error)
            ? { option: null, message: error.message }
            : null;
    if (!refusal) throw error;
    io.err(json ? `${JSON.stringify({ error: { option: refusal.option, message: refusal.message } })}\n` : `error: ${refusal.option ? `${refusal.option}: ` : ''}${refusal.message}\n`);
    return 2;
  }
}

function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && ((error as unknown as { code: string }).code).startsWith('ERR_PARSE_ARGS');
}

function optional(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function need(values: Values, name: string): string {
  const value = optional(values, name);
  if (value === undefined || value.trim() === '') throw new UsageError(`--${name}`, 'is required.');
  return value;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function accountChanges(values: Values): GatewayAccountInput {
  const priority = optional(values, 'priority');
  if (priority !== undefined && !/^\d{1,4}$/.test(priority)) throw new UsageError('--priority', 'must be a whole number from 0 to 1000.');
  const currencies = optional(values, 'currencies');
  const countries = optional(values, 'countries');
  return {
    ...(currencies === undefined ? {} : { currencies: list(currencies).map((c) => c.toUpperCase()) }),
    ...(countries === undefined ? {} : { countries: list(countries).map((c) => c.toUpperCase()) }),
    ...(priority === undefined ? {} : { priority: Number(priority) }),
  };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `0`, `90s`, `30m`, `24h`, `7d`. */
function duration(text: string): number {
  const match = /^(\d{1,6})(s|m|h|d)$/.exec(text) ?? (text === '0' ? ['0', '0', 's'] : null);
  if (!match) throw new UsageError('--overlap', 'must be 0 or a duration such as 90s, 30m, 24h or 7d.');
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

function table(rows: string[][]): string {
  if (rows.length === 0) return '(none)';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
