import { INTERNED_DIMENSIONS, LEVELS, gatewayOfCell, levelOfCell, levelOfPeer, withGateway, type InternedValues } from './keys.js';
import type { LearnerSnapshot } from './learner.js';

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');
const isNumberArray = (value: unknown, tuple: number): value is number[] =>
  Array.isArray(value) && value.length % tuple === 0 && value.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);

/** The levels of a snapshot that does not name them: those before 2026-11-30. */
const LEVELS_BEFORE_COUNTRY: readonly string[] = ['segment', 'network_currency', 'network', 'gateway'];

/**
 * A stored snapshot checked for shape; throws (saying what, never the data) when it is not one.
 * Cells of a level whose meaning changed since the snapshot was saved are left out: their keys
 * would name other cells now (the rest of what was learned stays).
 */
export function parseSnapshot(value: unknown): LearnerSnapshot {
  if (typeof value !== 'object' || value === null) throw new Error('learner snapshot: not an object');
  const { version, values, cells, peers, fast, gateways: health, spread, restarts, rescue, levels } = value as Record<string, unknown>;
  if (version !== 1) throw new Error('learner snapshot: unsupported version');
  if (typeof values !== 'object' || values === null) throw new Error('learner snapshot: values missing');
  for (const dimension of INTERNED_DIMENSIONS) {
    if (!isStringArray((values as Record<string, unknown>)[dimension])) throw new Error(`learner snapshot: ${dimension} values malformed`);
  }
  if (!isNumberArray(cells, 4)) throw new Error('learner snapshot: cells malformed');
  if (!isNumberArray(peers, 2)) throw new Error('learner snapshot: peers malformed');
  // The short memory and the health filter came later: a snapshot without them is from before.
  if (fast !== undefined && (!isNumberArray(fast, 3) || fast.length !== (cells.length / 4) * 3)) throw new Error('learner snapshot: fast counts malformed');
  if (health !== undefined && !isNumberArray(health, 4)) throw new Error('learner snapshot: gateway health malformed');
  if (spread !== undefined && !isSpread(spread, cells.length / 4)) throw new Error('learner snapshot: spread malformed');
  if (restarts !== undefined && !isRestarts(restarts, cells.length / 4)) throw new Error('learner snapshot: restarts malformed');
  if (rescue !== undefined && !(isNumberArray(rescue, 4) && rescue.length === 4)) throw new Error('learner snapshot: rescue tallies malformed');
  if (levels !== undefined && !isStringArray(levels)) throw new Error('learner snapshot: levels malformed');
  const gateways = (values as InternedValues).gateway.length;
  for (let i = 0; i < cells.length; i += 4) {
    if (!Number.isInteger(cells[i]) || gatewayOfCell(cells[i]!) >= gateways) throw new Error('learner snapshot: a cell names no gateway');
  }
  for (let i = 0; i < (health?.length ?? 0); i += 4) {
    if (!Number.isInteger(health![i]) || health![i]! >= gateways || health![i + 1]! > 1) throw new Error('learner snapshot: gateway health malformed');
  }
  const saved = levels ?? LEVELS_BEFORE_COUNTRY;
  const same = (level: number) => saved[level] === LEVELS[level];
  const keptPeers: number[] = [];
  for (let i = 0; i < peers.length; i += 2) if (same(levelOfPeer(peers[i]!))) keptPeers.push(peers[i]!, peers[i + 1]!);
  return retainCells(
    {
      version,
      values: values as InternedValues,
      cells,
      peers: keptPeers,
      ...(fast === undefined ? {} : { fast }),
      ...(health === undefined ? {} : { gateways: health }),
      ...(spread === undefined ? {} : { spread }),
      ...(restarts === undefined ? {} : { restarts }),
      ...(rescue === undefined ? {} : { rescue }),
      levels: [...LEVELS],
    },
    (key) => same(levelOfCell(key)),
  );
}

/** The snapshot with only the cells `keep` accepts, and their per-cell arrays. */
function retainCells(snapshot: LearnerSnapshot, keep: (key: number) => boolean): LearnerSnapshot {
  const kept: number[] = [];
  for (let cell = 0; cell < snapshot.cells.length / 4; cell++) if (keep(snapshot.cells[cell * 4]!)) kept.push(cell);
  if (kept.length === snapshot.cells.length / 4) return snapshot;
  const pick = (array: number[] | undefined, width: number) => array && kept.flatMap((cell) => array.slice(cell * width, cell * width + width));
  const [fast, spread, restarts] = [pick(snapshot.fast, 3), pick(snapshot.spread, 2), pick(snapshot.restarts, 2)];
  return {
    ...snapshot,
    cells: pick(snapshot.cells, 4)!,
    ...(fast ? { fast } : {}),
    ...(spread ? { spread } : {}),
    ...(restarts ? { restarts } : {}),
  };
}

/** [stamp, drop] per cell: a stamp is a restart count, drop 0 or 1. */
function isRestarts(value: unknown, cells: number): value is number[] {
  if (!isNumberArray(value, 2) || value.length !== cells * 2) return false;
  for (let i = 0; i < value.length; i += 2) if (!Number.isInteger(value[i]) || (value[i + 1] !== 0 && value[i + 1] !== 1)) return false;
  return true;
}

/** [sum, weight] per cell: a sum of departures beyond noise may be negative, its weight not. */
function isSpread(value: unknown, cells: number): value is number[] {
  if (!Array.isArray(value) || value.length !== cells * 2) return false;
  for (let i = 0; i < value.length; i += 2) {
    const [sum, weight] = [value[i], value[i + 1]];
    if (typeof sum !== 'number' || !Number.isFinite(sum) || typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) return false;
  }
  return true;
}

/**
 * The snapshot with only the cells (and health) of the gateways `keep` accepts; the others' ids leave the
 * interned values too, and the kept ones are renumbered. Traffic counts (peers) stay: they
 * are the scope's, not any one gateway's.
 */
export function retainGateways(snapshot: LearnerSnapshot, keep: (gateway: string) => boolean): LearnerSnapshot {
  const renumbered = new Map<number, number>();
  const gateways: string[] = [];
  snapshot.values.gateway.forEach((gateway, id) => {
    if (!keep(gateway)) return;
    renumbered.set(id, gateways.length);
    gateways.push(gateway);
  });
  if (gateways.length === snapshot.values.gateway.length) return snapshot;
  const cells: number[] = [];
  const fast: number[] = [];
  const spread: number[] = [];
  const restarts: number[] = [];
  for (let i = 0, j = 0, k = 0; i < snapshot.cells.length; i += 4, j += 3, k += 2) {
    const gateway = renumbered.get(gatewayOfCell(snapshot.cells[i]!));
    if (gateway === undefined) continue;
    cells.push(withGateway(snapshot.cells[i]!, gateway), snapshot.cells[i + 1]!, snapshot.cells[i + 2]!, snapshot.cells[i + 3]!);
    if (snapshot.fast) fast.push(snapshot.fast[j]!, snapshot.fast[j + 1]!, snapshot.fast[j + 2]!);
    if (snapshot.spread) spread.push(snapshot.spread[k]!, snapshot.spread[k + 1]!);
    if (snapshot.restarts) restarts.push(snapshot.restarts[k]!, snapshot.restarts[k + 1]!);
  }
  const health: number[] = [];
  for (let i = 0; i < (snapshot.gateways?.length ?? 0); i += 4) {
    const gateway = renumbered.get(snapshot.gateways![i]!);
    if (gateway !== undefined) health.push(gateway, snapshot.gateways![i + 1]!, snapshot.gateways![i + 2]!, snapshot.gateways![i + 3]!);
  }
  return {
    ...snapshot,
    values: { ...snapshot.values, gateway: gateways },
    cells,
    ...(snapshot.fast ? { fast } : {}),
    ...(snapshot.gateways ? { gateways: health } : {}),
    ...(snapshot.spread ? { spread } : {}),
    ...(snapshot.restarts ? { restarts } : {}),
  };
}
