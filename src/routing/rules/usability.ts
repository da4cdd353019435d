import type { Capabilities } from '../../../adapters/testkit/contract.js';
import type { ActionSpec, Condition, GatewayRef, Ruleset } from './ruleset.js';
import { errorAt, type LocatedError, type SourceRef } from './source.js';
import { actionGateways } from './validate.js';

/** One of the merchant's gateway accounts as the usability check sees it. */
export interface RulesAccount {
  name: string;
  provider: string;
  /** Why routing cannot use it at all, or null when it can. */
  unusable: 'disabled' | 'no_adapter' | null;
  /** What the account can take (its provider's capabilities narrowed by its settings); null without an adapter. */
  capabilities: Capabilities | null;
  /** It has a fee schedule, so the `cost` objective can compare it. */
  priced: boolean;
}

type Report = (at: SourceRef, message: string) => void;

/** Gateways named by the ruleset that are disabled or have no working adapter: routing would set the whole ruleset aside. */
export function accountErrors(ruleset: Ruleset, accounts: readonly RulesAccount[]): LocatedError[] {
  const byName = new Map(accounts.map((a) => [a.name, a]));
  return collect(ruleset, (label, _conditions, action, report) => {
    for (const ref of actionGateways(action)) {
      const account = byName.get(ref.name);
      if (account?.unusable === 'disabled') report(ref.at, `${label}: gateway account '${ref.name}' is disabled`);
      if (account?.unusable === 'no_adapter') {
        report(ref.at, `${label}: gateway account '${ref.name}' (provider '${account.provider}') has no working adapter here: its provider is not available or its credentials are not configured`);
      }
    }
  });
}

/**
 * What would make routing set aside or misuse a ruleset that parses and compiles: the
 * `accountErrors`, actions whose every gateway can never take a payment the rule matches (each
 * such payment would fail with no eligible gateway), split arms that could never receive their
 * share, and `cost` comparisons over gateways without a fee schedule (they would look free).
 * Judged on static capabilities; only certain impossibilities are reported.
 */
export function usabilityErrors(ruleset: Ruleset, accounts: readonly RulesAccount[]): LocatedError[] {
  const byName = new Map(accounts.map((a) => [a.name, a]));
  const usable = (ref: GatewayRef) => byName.get(ref.name)?.unusable === null;
  const why = (ref: GatewayRef, conditions: readonly Condition[]) => refusal(byName.get(ref.name)!.capabilities!, conditions);
  const capabilityErrors = collect(ruleset, (label, conditions, action, report) => {
    switch (action.kind) {
      case 'route':
      case 'optimize': {
        const named = (action.kind === 'route' ? action.gateways : (action.among ?? [])).filter(usable);
        const reasons = named.map((ref) => ({ ref, reason: why(ref, conditions) }));
        if (reasons.length > 0 && reasons.every((r) => r.reason !== null)) {
          const detail = reasons.map((r) => `'${r.ref.name}' (${r.reason})`).join(', ');
          report(action.at, `${label}: no gateway of its \`${action.kind}\` can take a payment the rule matches: ${detail}`);
        }
        if (action.kind === 'optimize' && action.objective === 'cost') {
          const compared = action.among ? action.among.filter(usable).map((ref) => ref.name) : accounts.filter((a) => a.unusable === null).map((a) => a.name);
          const unpriced = compared.filter((name) => !byName.get(name)!.priced);
          if (unpriced.length > 0) {
            const names = unpriced.map((n) => `'${n}'`).join(', ');
            report(action.at, `${label}: objective \`cost\` compares fees, but ${names} ${unpriced.length === 1 ? 'has' : 'have'} no fee schedule (fees.yaml) and would look free`);
          }
        }
        break;
      }
      case 'split':
        for (const { gateway } of action.weights.filter((w) => usable(w.gateway))) {
          const reason = why(gateway, conditions);
          if (reason !== null) report(gateway.at, `${label}: split arm '${gateway.name}' can never take a payment the rule matches (${reason}), so the split could not keep its weights`);
        }
        break;
      case 'block':
        break;
    }
  });
  return [...accountErrors(ruleset, accounts), ...capabilityErrors];
}

/** Runs `check` over every rule's action and the default's, collecting what it reports. */
function collect(ruleset: Ruleset, check: (label: string, conditions: readonly Condition[], action: ActionSpec, report: Report) => void): LocatedError[] {
  const errors: LocatedError[] = [];
  const report: Report = (at, message) => errors.push(errorAt(ruleset.file, at, message));
  for (const rule of ruleset.rules) check(`rule '${rule.id}'`, rule.conditions, rule.then, report);
  check('the default', [], ruleset.default, report);
  return errors;
}

/** A condition that rules the gateway out for every payment meeting all of `conditions`, described; null if none does. */
function refusal(caps: Capabilities, conditions: readonly Condition[]): string | null {
  for (const condition of conditions) {
    if (condition.kind === 'amount') {
      if (!takes(caps.currencies, [condition.currency])) return `currency ${condition.currency} not supported`;
      if (condition.max < caps.amountLimits.min || condition.min > caps.amountLimits.max) {
        return `amounts ${caps.amountLimits.min}–${caps.amountLimits.max} only`;
      }
    }
    if (condition.kind !== 'set' || condition.negated) continue;
    const values = [...condition.values];
    // An unknown issuer country passes the country check, so a rule that allows it can always be served.
    if (values.includes(null)) continue;
    const known = values as string[];
    const list = known.join(', ');
    switch (condition.field) {
      case 'currency':
        if (!takes(caps.currencies, known)) return `currency ${list} not supported`;
        break;
      case 'country.issuer':
        if (!takes(caps.countries, known)) return `issuer country ${list} not served`;
        break;
      case 'payment_method':
        if (!takes(caps.paymentMethods, known)) return `payment_method ${list} not supported`;
        break;
      case 'card.network':
        if (!takes(caps.cardNetworks, known)) return `card.network ${list} not supported`;
        break;
      case 'capture_method':
        if (!takes(caps.captureMethods, known)) return `capture_method ${list} not supported`;
        break;
      default:
        break;
    }
  }
  return null;
}

function takes(supported: readonly string[] | '*', values: readonly string[]): boolean {
  return supported === '*' || values.some((v) => supported.includes(v));
}
