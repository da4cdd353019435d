import type { CardBrand } from '../domain/card.js';
import type { Logger } from '../domain/logger.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';
import { cardFactsFor, observeCard, type BinSources } from '../routing/bins/card-facts.js';
import { accountCapabilities } from '../routing/candidates.js';
import { decide, type DecisionExplanation, type GatewayCandidate, type RoutingFallback } from '../routing/decide.js';
import type { FeeSchedule } from '../routing/fees/schedule.js';
import type { MerchantLearners } from '../routing/merchant-learners.js';
import { compile, RulesetError, type CompiledRuleset } from '../routing/rules/compile.js';
import { parseRuleset, sortErrors } from '../routing/rules/parse.js';
import type { Ruleset } from '../routing/rules/ruleset.js';
import type { LocatedError } from '../routing/rules/source.js';
import { accountErrors, usabilityErrors, type RulesAccount } from '../routing/rules/usability.js';
import type { RoutingTransaction } from '../routing/rules/transaction.js';
import type { Repositories } from '../store/index.js';
import type { GatewayAccount } from '../store/merchants.js';
import type { BreakerBoard } from './breakers.js';
import type { GatewayRegistry } from './gateways.js';

export interface RouterDeps {
  repositories: Repositories;
  gateways: GatewayRegistry;
  breakers: BreakerBoard;
  learner: MerchantLearners;
  /** Fee schedules by gateway account name. */
  fees: ReadonlyMap<string, FeeSchedule>;
  random: () => number;
  logger: Logger;
  /** Card type, issuer country and network by BIN. */
  bins: BinSources;
}

export interface RoutedCandidate extends GatewayCandidate {
  account: GatewayAccount;
}

/** Validates a ruleset against the merchant's gateway names: the errors, located, or the compiled rules. */
export function checkRuleset(source: string, file: string, gatewayNames: readonly string[]): { errors: LocatedError[] } | { compiled: CompiledRuleset } {
  const result = compileSource(source, file, gatewayNames);
  return 'errors' in result ? result : { compiled: result.compiled };
}

function compileSource(source: string, file: string, gatewayNames: readonly string[]): { errors: LocatedError[] } | { ruleset: Ruleset; compiled: CompiledRuleset } {
  const parsed = parseRuleset(source, file, gatewayNames);
  if ('errors' in parsed) return parsed;
  try {
    return { ruleset: parsed.ruleset, compiled: compile(parsed.ruleset, gatewayNames) };
  } catch (error) {
    if (error instanceof RulesetError) return { errors: [...error.errors] };
    throw error;
  }
}

/** A merchant's active ruleset as compiled for the gateway accounts routing could use then (`names`). */
interface ActiveEntry {
  names: readonly string[];
  ruleset: { version: number; compiled: CompiledRuleset } | null;
  fallback: RoutingFallback | null;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One payment in this many may go first to a half-open gateway, as its probe. */
const PROBE_EVERY = 10;

/**
 * Routing state kept in memory (compiled rulesets, learner, breakers, fee schedules) and the
 * decision for one payment. A merchant's active ruleset is compiled once and replaced on
 * activation, so deciding never reads the database.
 */
export function router(deps: RouterDeps) {
  const compiled = new Map<string, ActiveEntry>();
  /** The active version each cached entry was loaded from (null: none active), so a stale entry can be found. */
  const loadedVersions = new Map<string, number | null>();
  let probeCounter = 0;
  /** Bumped on every activation, so a load that raced with it is not cached. */
  const generations = new Map<string, number>();


  /** The merchant's gateway accounts, disabled ones and those without a working adapter included, as the ruleset checks see them. */
  async function rulesAccounts(merchantId: string): Promise<RulesAccount[]> {
    const accounts = await deps.repositories.merchants.gatewayAccounts(merchantId, { includeDisabled: true });
    return accounts.map((account) => {
      const adapter = account.disabledAt ? null : deps.gateways.adapterFor(account);
      return {
        name: account.name,
        provider: account.provider,
        unusable: account.disabledAt ? 'disabled' : adapter ? null : 'no_adapter',
        capabilities: adapter ? accountCapabilities(adapter.capabilities, account.settings) : null,
        priced: deps.fees.has(account.name),
      };
    });
  }

  /**
   * Everything that would make routing set a ruleset aside or misuse it, checked before it is
   * stored or activated: `check`'s errors, gateways disabled or without a working adapter,
   * actions no gateway of theirs can serve, split arms that could never get their share.
   */
  async function checkForMerchant(merchantId: string, source: string, file: string): Promise<{ errors: LocatedError[] } | { compiled: CompiledRuleset }> {
    const accounts = await rulesAccounts(merchantId);
    const result = compileSource(source, file, accounts.map((a) => a.name));
    if ('errors' in result) return result;
    const errors = usabilityErrors(result.ruleset, accounts);
    return errors.length > 0 ? { errors: sortErrors(errors) } : { compiled: result.compiled };
  }

  /** The active ruleset compiled against the accounts routing can use now (`usableNames`), or why it cannot be used. */
  async function load(merchantId: string, row: { version: number; source: string }, usableNames: readonly string[]): Promise<Pick<ActiveEntry, 'ruleset' | 'fallback'>> {
    const file = `ruleset v${row.version}`;
    const result = compileSource(row.source, file, usableNames);
    if ('compiled' in result) return { ruleset: { version: row.version, compiled: result.compiled }, fallback: null };
    // Checked again against every account, so a disabled one is named as disabled rather than unknown.
    const accounts = await rulesAccounts(merchantId);
    const named = compileSource(row.source, file, accounts.map((a) => a.name));
    const diagnosed = 'errors' in named ? named.errors : sortErrors(accountErrors(named.ruleset, accounts));
    const errors = diagnosed.length > 0 ? diagnosed : result.errors;
    deps.logger.error('routing.active_ruleset_invalid', { merchant_id: merchantId, version: row.version, errors: errors.length });
    return { ruleset: null, fallback: { reason: 'ruleset_unusable', ruleset_version: row.version, errors: errors.map((e) => `${e.line}:${e.column}: ${e.message}`) } };
  }

  async function activeRuleset(merchantId: string, usableNames: readonly string[]): Promise<ActiveEntry> {
    const cached = compiled.get(merchantId);
    // Accounts disabled, enabled or renamed since the entry was compiled: check the ruleset again, so every instance answers alike.
    if (cached && sameNames(cached.names, usableNames)) return cached;
    const generation = generations.get(merchantId) ?? 0;
    const row = await deps.repositories.routing.active(merchantId);
    const loaded = row ? await load(merchantId, row, usableNames) : { ruleset: null, fallback: null };
    if ((generations.get(merchantId) ?? 0) !== generation) return activeRuleset(merchantId, usableNames);
    const entry: ActiveEntry = { names: usableNames, ...loaded };
    compiled.set(merchantId, entry);
    loadedVersions.set(merchantId, row?.version ?? null);
    return entry;
  }

  async function candidates(merchantId: string): Promise<RoutedCandidate[]> {
    const accounts = await deps.repositories.merchants.gatewayAccounts(merchantId);
    return accounts.flatMap((account) => {
      const adapter = deps.gateways.adapterFor(account);
      if (!adapter) return [];
      return [
        {
          account,
          accountId: account.id,
          name: account.name,
          provider: account.provider,
          capabilities: accountCapabilities(adapter.capabilities, account.settings),
          health: deps.breakers.state(account.id),
          fees: deps.fees.get(account.name) ?? null,
        },
      ];
    });
  }

  /**
   * A live decision explores (Thompson draws) and takes its turn at the half-open probes. A dry
   * run changes no routing state: it takes no probe turn, and unless it asks to explore it orders
   * by the mean estimates, so the same request gets the same answer; its explanation's
   * `first_probability` still says what live traffic would do.
   */
  async function decideFor(merchantId: string, tx: RoutingTransaction, explicit: readonly string[] | null, dryRun: { explore: boolean } | null = null) {
    const all = await candidates(merchantId);
    const { ruleset, fallback } = await activeRuleset(merchantId, all.map((c) => c.name));
    if (dryRun === null) probeCounter = (probeCounter + 1) % PROBE_EVERY;
    const probe = { every: PROBE_EVERY, counter: dryRun === null ? probeCounter : 1 };
    const explore = dryRun?.explore ?? true;
    const { order, explanation } = decide({ tx, candidates: all, ruleset, fallback, explicit, model: deps.learner.of(merchantId), random: deps.random, probe, explore });
    return { order: order as RoutedCandidate[], explanation, candidates: all };
  }

  /**
   * Dry-run decisions for several transactions against one read of the merchant's accounts and
   * active ruleset (the payment methods menu): ordered by the means, no probe turn, nothing changed.
   */
  async function decideEach(merchantId: string, txs: readonly RoutingTransaction[]): Promise<{ candidates: RoutedCandidate[]; decisions: DecisionExplanation[] }> {
    const all = await candidates(merchantId);
    const { ruleset, fallback } = await activeRuleset(merchantId, all.map((c) => c.name));
    const model = deps.learner.of(merchantId);
    const probe = { every: PROBE_EVERY, counter: 1 };
    return { candidates: all, decisions: txs.map((tx) => decide({ tx, candidates: all, ruleset, fallback, explicit: null, model, random: deps.random, probe, explore: false }).explanation) };
  }

  /** Every request after this uses the merchant's newly activated version. */
  function invalidate(merchantId: string): void {
    generations.set(merchantId, (generations.get(merchantId) ?? 0) + 1);
    compiled.delete(merchantId);
    loadedVersions.delete(merchantId);
  }

  return {
    check: checkRuleset,
    checkForMerchant,
    decideFor,
    decideEach,
    /** The active version and, when routing cannot use it, why: for the health view. */
    async rulesetStatus(merchantId: string): Promise<{ active_version: number | null; fallback: RoutingFallback | null }> {
      const entry = await activeRuleset(merchantId, (await candidates(merchantId)).map((c) => c.name));
      return { active_version: entry.ruleset?.version ?? entry.fallback?.ruleset_version ?? null, fallback: entry.fallback };
    },
    candidates,
    invalidate,
    /** After a missed notification may have been lost (the listener reconnected): every merchant reloads. */
    invalidateAll(): void {
      for (const merchantId of new Set([...compiled.keys(), ...generations.keys()])) invalidate(merchantId);
    },
    /** Drops the cached rulesets whose version is no longer the active one; answers how many. */
    async dropStale(): Promise<number> {
      if (loadedVersions.size === 0) return 0;
      const cached = [...loadedVersions];
      const active = await deps.repositories.routing.activeVersions(cached.map(([merchantId]) => merchantId));
      let dropped = 0;
      for (const [merchantId, version] of cached) {
        if (loadedVersions.get(merchantId) === version && (active.get(merchantId) ?? null) !== version) {
          invalidate(merchantId);
          dropped++;
        }
      }
      return dropped;
    },
    learner: deps.learner,
    breakers: deps.breakers,
    /** What routing knows about a card from its number: operator overrides, gateway reports, the public BIN table. */
    cardFacts: (merchantId: string, number: string, brand: CardBrand, bin: string) => cardFactsFor(deps.bins, merchantId, number, brand, bin),
    /** Remembers what a gateway's answer said about the card of this BIN (in memory; saved in the background when it changed something). */
    observeCard: (merchantId: string, bin: string, outcome: AuthorizationOutcome) => observeCard(deps.bins, merchantId, bin, outcome),
    bins: deps.bins,
    fees: deps.fees,
  };
}

export type Router = ReturnType<typeof router>;
export type { DecisionExplanation };
