import type { Logger } from '../domain/logger.js';
import { accountCapabilities } from '../routing/candidates.js';
import { decide, type DecisionExplanation, type GatewayCandidate } from '../routing/decide.js';
import type { FeeSchedule } from '../routing/fees/schedule.js';
import type { MerchantLearners } from '../routing/merchant-learners.js';
import { compile, RulesetError, type CompiledRuleset } from '../routing/rules/compile.js';
import { parseRuleset } from '../routing/rules/parse.js';
import type { LocatedError } from '../routing/rules/source.js';
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
}

export interface RoutedCandidate extends GatewayCandidate {
  account: GatewayAccount;
}

/** Validates a ruleset against the merchant's gateway names: the errors, located, or the compiled rules. */
export function checkRuleset(source: string, file: string, gatewayNames: readonly string[]): { errors: LocatedError[] } | { compiled: CompiledRuleset } {
  const parsed = parseRuleset(source, file, gatewayNames);
  if ('errors' in parsed) return parsed;
  try {
    return { compiled: compile(parsed.ruleset, gatewayNames) };
  } catch (error) {
    if (error instanceof RulesetError) return { errors: [...error.errors] };
    throw error;
  }
}

/** One payment in this many may go first to a half-open gateway, as its probe. */
const PROBE_EVERY = 10;

/**
 * Routing state kept in memory (compiled rulesets, learner, breakers, fee schedules) and the
 * decision for one payment. A merchant's active ruleset is compiled once and replaced on
 * activation, so deciding never reads the database.
 */
export function router(deps: RouterDeps) {
  const compiled = new Map<string, { version: number; compiled: CompiledRuleset } | null>();
  /** The active version each cached entry was loaded from (null: none active), so a stale entry can be found. */
  const loadedVersions = new Map<string, number | null>();
  let probeCounter = 0;
  /** Bumped on every activation, so a load that raced with it is not cached. */
  const generations = new Map<string, number>();

  async function activeRuleset(merchantId: string, accounts: readonly GatewayAccount[]): Promise<{ version: number; compiled: CompiledRuleset } | null> {
    if (!compiled.has(merchantId)) {
      const generation = generations.get(merchantId) ?? 0;
      const row = await deps.repositories.routing.active(merchantId);
      if ((generations.get(merchantId) ?? 0) !== generation) return activeRuleset(merchantId, accounts);
      let entry: { version: number; compiled: CompiledRuleset } | null = null;
      if (row) {
        const result = checkRuleset(row.source, `ruleset v${row.version}`, accounts.map((a) => a.name));
        if ('compiled' in result) entry = { version: row.version, compiled: result.compiled };
        // An account renamed or removed since activation: route by the default until a valid version is activated.
        else deps.logger.error('routing.active_ruleset_invalid', { merchant_id: merchantId, version: row.version, errors: result.errors.length });
      }
      compiled.set(merchantId, entry);
      loadedVersions.set(merchantId, row?.version ?? null);
    }
    return compiled.get(merchantId)!;
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
    const ruleset = await activeRuleset(merchantId, all.map((c) => c.account));
    if (dryRun === null) probeCounter = (probeCounter + 1) % PROBE_EVERY;
    const probe = { every: PROBE_EVERY, counter: dryRun === null ? probeCounter : 1 };
    const explore = dryRun?.explore ?? true;
    const { order, explanation } = decide({ tx, candidates: all, ruleset, explicit, model: deps.learner.of(merchantId), random: deps.random, probe, explore });
    return { order: order as RoutedCandidate[], explanation, candidates: all };
  }

  /** Every request after this uses the merchant's newly activated version. */
  function invalidate(merchantId: string): void {
    generations.set(merchantId, (generations.get(merchantId) ?? 0) + 1);
    compiled.delete(merchantId);
    loadedVersions.delete(merchantId);
  }

  return {
    check: checkRuleset,
    decideFor,
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
    fees: deps.fees,
  };
}

export type Router = ReturnType<typeof router>;
export type { DecisionExplanation };
