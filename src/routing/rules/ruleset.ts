import type { Objective } from '../scoring/score.js';
import type { SourceRef } from './source.js';

/** Fields compared against a set of values (equals, in, not_in). */
export type SetField =
  | 'currency'
  | 'country.billing'
  | 'country.issuer'
  | 'payment_method'
  | 'card.network'
  | 'card.type'
  | 'capture_method'
  | 'initiator';

/** Card BINs as an inclusive interval over 8-digit numbers; a card matches only if its BIN has at least `digits` digits. */
export interface BinInterval {
  lo: number;
  hi: number;
  digits: number;
}

/**
 * One condition of a rule. `null` in a set stands for an unknown value (no issuer country,
 * no card type): `in` never matches it and `not_in` always does.
 */
export type Condition =
  | { kind: 'set'; field: SetField; values: ReadonlySet<string | null>; negated: boolean }
  | { kind: 'metadata'; key: string; values: ReadonlySet<string>; prefixes: readonly string[]; negated: boolean }
  | { kind: 'amount'; currency: string; min: number; max: number }
  | { kind: 'bin'; intervals: readonly BinInterval[]; negated: boolean };

export { OBJECTIVES, type Objective } from '../scoring/score.js';

export interface GatewayRef {
  name: string;
  at: SourceRef;
}

export type ActionSpec =
  | { kind: 'route'; gateways: readonly GatewayRef[]; at: SourceRef }
  | { kind: 'split'; weights: ReadonlyArray<{ gateway: GatewayRef; weight: number }>; at: SourceRef }
  | { kind: 'optimize'; objective: Objective; among: readonly GatewayRef[] | null; at: SourceRef }
  | { kind: 'block'; code: string; at: SourceRef };

export interface Rule {
  id: string;
  /** All must hold; none means the rule matches every transaction. */
  conditions: readonly Condition[];
  then: ActionSpec;
  at: SourceRef;
}

/** A parsed ruleset: source positions are kept so compile-time checks can point at the file. */
export interface Ruleset {
  file: string;
  rules: readonly Rule[];
  default: ActionSpec;
}
