import type { Attribution } from './attribution.js';
import { sampleBeta } from './beta.js';
import { KeySpace, LEVELS, gatewayOfCell, type InternedValues, type Level } from './keys.js';
import type { Segment } from './segment.js';

/** A two-state (up, down) filter per gateway, fed by whether the gateway answered at all. */
export interface HealthConfig {
  /** Chance, before each answer, that the gateway has just gone down. */
  changePrior: number;
  /** Chance of a technical failure (refused, timed out) from a gateway that is up, and one that is down. */
  faultWhenUp: number;
  faultWhenDown: number;
  /** Per update elsewhere in the merchant's traffic, the chance a down gateway has come back. */
  recovery: number;
}

export interface LearnerConfig {
  /** γ of the long memory: a cell's counts are multiplied by it before each of its own updates. */
  decay: number;
  /** γ of the short memory the change detector compares the long one with. */
  fastDecay: number;
  /** Standard deviations between the short and long memory's means that count as a change. */
  changeThreshold: number;
  /** Per update to *other* gateways in the same scope, beyond `idleGrace`: stale evidence fades. */
  idleDecay: number;
  /** Updates elsewhere a cell may miss before it starts to fade: a gateway with a fair share never does. */
  idleGrace: number;
  /** The idle grace of a cell whose last restart, or a coarser cell's on its path, was a drop. */
  degradedGrace: number;
  /** A finer cell whose last restart was a drop borrows at most this many times its own evidence from its parent. */
  degradedShrinkage: number;
  /** Beta prior of the gateway level. */
  prior: { alpha: number; beta: number };
  /** Pseudo-observations of its parent's mean a finer level starts from (hierarchical shrinkage). */
  shrinkage: number;
  /**
   * Above 0: the shrinkage weight is estimated per parent cell, James-Stein style, as p(1 − p) / τ²
   * with τ² the spread of its children's rates beyond sampling noise, capped at this (and
   * floored at `shrinkage` when children differ). 0: the fixed `shrinkage`.
   */
  shrinkageMax: number;
  /** Effective sample size a level needs to be named as the one that answered (explanations only). */
  minSamples: number;
  /**
   * Thompson draws come from the posterior with its weight multiplied by this (`posterior`
   * reports the same): 1 is plain Thompson sampling, above 1 draws are narrower and a gateway
   * that is probably worse is explored less.
   */
  drawWeight: number;
  health: HealthConfig;
}

/**
 * Chosen in the routing lab (bench/README.md, "The learner"), against decision-engine's SR v3:
 *
 * - Long memory γ = 0.998 (≈ 500 effective samples): gateways 1–3 pp apart are told apart and
 *   Thompson draws narrow as evidence grows. A short memory (0.95, ≈ 20) runs beside it; when
 *   their means differ by more than 5 σ on the Bernoulli likelihood ratio (`changed`) the long
 *   memory restarts from the short one, so a real change is followed within tens of updates
 *   instead of hundreds. The normal test at 4 σ (until 2026-11-30) restarted on chance runs of
 *   declines: at a 95 % rate, ten declines in about fifty outcomes cut a gateway's evidence from 300
 *   outcomes to 20 at 0.70, starving it for a thousand payments; the lab's stationary regret fell
 *   from 0.18 to 0.04 pp and segments' from 0.78 to 0.34 when those restarts stopped.
 * - A change detected at any level restarts every finer cell under it the same way (lazily: each
 *   restart takes a stamp from one counter, and a cell behind the latest stamp on its path keeps
 *   only its short memory), so a gateway-wide drop is not rediscovered segment by segment, nor a
 *   network's at one gateway country by country.
 * - A cell whose last restart was a drop, or under one that was, is a degraded cell: it may
 *   recover, so it fades after 50 missed updates (`degradedGrace`) instead of 500 and is re-tried
 *   every few dozen payments; a gateway that was always worse is not. A degraded finer cell
 *   borrows at most its own evidence from its parent (`degradedShrinkage` 1), so a segment that
 *   dropped alone is not held up by its gateway's other segments. In the lab (2026-11-30, seeds
 *   1–3) segment_outage's regret fell from 0.47 to 0.10 pp and its recovery from 48,803–71,261
 *   transactions to 295–898, other scenarios unchanged; the router simulation's recovered gateway
 *   regains 60 % of traffic in 50 transactions instead of 675.
 * - Hierarchical shrinkage: each level's estimate starts from its parent's mean with the weight
 *   of k observations (or the parent's own evidence, if less), so a segment departs from its
 *   gateway only as far as its own data says. k is estimated per parent from how much its
 *   children's rates differ beyond noise (James-Stein: p(1 − p) / τ², between `shrinkage` = 200
 *   and `shrinkageMax` = 2 000): alike segments borrow nearly all of their parent's evidence and
 *   are explored as little as it is. In the lab this cut regret on every scenario (stationary
 *   0.43 → 0.18 pp, close 0.57 → 0.36, segments 0.91 → 0.78), together with the two below.
 *   A segment's parent is its network in its issuer's country (`LEVELS`): approval follows the
 *   issuer, and a segment's other currencies and amount bands borrow from it (until 2026-11-30
 *   the parent was the network in the payment's currency; alone it cut sparse's regret from 0.86
 *   to 0.51 pp but raised low_traffic's from 0.38 to 0.54, the narrower draws below undo that).
 * - Draws at twice the posterior's weight (`drawWeight` 2, since 2026-11-30; 1 before): plain
 *   Thompson sampling explores more than the lab's changes need, since the change test, not
 *   exploration, is what notices a gateway that got worse. Together with the network-in-country
 *   parent, sparse's regret 0.86 → 0.45 pp and low_traffic's 0.38 → 0.40 (20 seeds: 0.40 → 0.32).
 * - Idle grace 500 (150 before): a gateway starved for being worse is re-tried less often. The
 *   cost: a segment or gateway that recovers from a soft degradation is found again later.
 * - Prior Beta(1, 1) at the gateway level: with little data the first outcomes decide sooner.
 * - Health: technical failures (refused, timed out) feed a per-gateway up/down filter; two in a
 *   row make "down" near certain and the gateway's draws 0, without waiting for its success rate
 *   to fall. While down, the chance it came back grows with the merchant's traffic, so it is
 *   retried about once every few dozen payments, and any answer from it marks it up again.
 *   Declines say the gateway is up: only its success rate hears them.
 */
export const DEFAULT_LEARNER_CONFIG: Readonly<LearnerConfig> = Object.freeze({
  decay: 0.998,
  fastDecay: 0.95,
  changeThreshold: 5,
  idleDecay: 0.98,
  idleGrace: 500,
  degradedGrace: 50,
  degradedShrinkage: 1,
  prior: Object.freeze({ alpha: 1, beta: 1 }),
  shrinkage: 200,
  shrinkageMax: 2000,
  minSamples: 20,
  drawWeight: 2,
  health: Object.freeze({ changePrior: 0.001, faultWhenUp: 0.01, faultWhenDown: 0.98, recovery: 0.002 }),
});

export type EstimateLevel = Level | 'prior';

export interface Estimate {
  /** Posterior mean success probability, the chance the gateway is down taken into account. */
  p: number;
  /** Effective sample size of the level that answered (decayed counts, prior excluded). */
  n: number;
  level: EstimateLevel;
}

/** The distribution a Thompson draw comes from: 0 with probability `down`, else Beta(mean·weight, (1 − mean)·weight). */
export interface Posterior {
  mean: number;
  weight: number;
  down: number;
}

export interface LearnerSnapshot {
  version: 1;
  values: InternedValues;
  /** Flat [cellKey, successes, failures, tick] quadruples: the long memory. */
  cells: number[];
  /** Flat [peerKey, tick] pairs. */
  peers: number[];
  /** Flat [fastSuccesses, fastFailures, epoch] triples, one per cell in `cells` order; absent in older snapshots. */
  fast?: number[];
  /** Flat [gatewayId, pDown, healthTick, epoch] quadruples; absent in older snapshots. */
  gateways?: number[];
  /** Flat [spreadSum, spreadWeight] pairs, one per cell in `cells` order (adaptive shrinkage); absent in older snapshots. */
  spread?: number[];
  /** Flat [stamp, drop] pairs, one per cell in `cells` order: its own last restart and whether it was a drop (0 or 1); absent in older snapshots. */
  restarts?: number[];
  /**
   * The merchant's rescue tallies, [failures, cascaded, approved, expected] (`RescueRate`, saved
   * beside the learner by `merchantLearners`; the learner itself ignores them); absent in older snapshots.
   */
  rescue?: number[];
  /** The levels the cell keys were made with (LEVELS); absent: saved before network_country replaced network_currency. */
  levels?: string[];
}

/** What the learner hears about one attempt: `technical` is a failure the gateway did not answer. */
export type LearnerOutcome = Attribution | 'technical';

const INITIAL_CAPACITY = 1024;
const ANY_SEGMENT: Segment = { paymentMethod: 'card', network: null, currency: 'XXX', issuerCountry: null, amountBand: 'under_10' };
const GATEWAY_LEVEL = LEVELS.length - 1;
/** Rates are clamped this far from 0 and 1 in the change test, so a cell at 0 % or 100 % still has a finite threshold. */
const RATE_FLOOR = 0.0025;

function clampRate(x: number): number {
  return x < RATE_FLOOR ? RATE_FLOOR : x > 1 - RATE_FLOOR ? 1 - RATE_FLOOR : x;
}

/**
 * Success rate per gateway account × segment, for a non-stationary world.
 *
 * Each cell holds two sets of discounted counts (successes, failures): a long memory (γ =
 * `decay`) that estimates, and a short one (`fastDecay`) that watches for change (see
 * DEFAULT_LEARNER_CONFIG). Levels run from the full segment through (network, currency) and
 * network to the gateway alone; the gateway level's posterior is Beta(α0 + s, β0 + f), and each
 * finer level's mean is (s + k·parent) / (n + k) with k = min(k_parent, parent's weight), k_parent
 * fixed (`shrinkage`) or estimated from the spread of the parent's children (`shrinkageMax`).
 *
 * Exploration floor: γ only fades a cell when it gets traffic, so a gateway that Thompson
 * sampling has starved would keep a stale estimate forever. Each level therefore counts the
 * updates in its scope across all gateways (its peers); a cell that has missed more than
 * `idleGrace` of them fades by `idleDecay` per further miss, widening its draws until they win
 * traffic again and fresh outcomes decide. A gateway that keeps a fair share never fades.
 *
 * State is numbers only: per-dimension interned strings, mixed-radix numeric keys, and
 * struct-of-arrays counts. `estimate` and `sample` build no strings, arrays or intermediate
 * objects: per-level keys and counts go through reused scratch fields.
 */
export class SuccessRateLearner {
  private readonly config: LearnerConfig;
  /** 1 / Var(short mean − long mean) per unit of p(1 − p): the change test's sample size. */
  private readonly effectiveN: number;
  private keys = new KeySpace();
  private cellIndex = new Map<number, number>();
  private peerTicks = new Map<number, number>();
  private successes: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private failures: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private fastSuccesses: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private fastFailures: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /** The cell's peer tick right after its last update. */
  private ticks: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /**
   * The latest restart among the cell's coarser cells (its gateway's epoch, or a finer ancestor's
   * stamp) the cell has caught up with: behind it, the long memory restarts from the short.
   */
  private epochs: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /** The stamp of the cell's own last restart (0: none); stamps and gateway epochs share one counter. */
  private stamps: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private restartCount = 0;
  /** The latest restart stamp among the coarser cells `readLevel` has read for this resolve. */
  private readAbove = 0;
  /** Per cell as a parent: decayed sums of its children's squared departures beyond noise, and of their weights. */
  private spreadSum: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private spreadWeight: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /** Per cell: 1 when its own last restart, since it last caught up with a coarser cell's, was a drop. */
  private drops: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /** Whether a coarser level of the cell being read or updated last restarted on a drop. */
  private degradedAbove = false;
  /** The cell `readLevel` last read (−1: none). */
  private levelCell = -1;
  /** Whether that cell's own last restart was a drop, with no later restart above it since. */
  private levelDegraded = false;
  /** Per interned gateway id: P(down) after its last answer, the gateway-level tick then, and its epoch. */
  private pDown: number[] = [];
  private healthTicks: number[] = [];
  private gatewayEpochs: number[] = [];
  // Scratch outputs of `readLevel` and `resolve`, so the hot path does not allocate.
  private levelS = 0;
  private levelN = 0;
  private answerP = 0;
  private answerW = 0;
  private answerN = 0;
  private answerDown = 0;
  private answerShrunkP = 0;
  private answerShrunkW = 0;
  private answerLevel: EstimateLevel = 'prior';
  /** What the answer fields hold: decide() asks `estimate` then `sample` of the same gateway and segment (segments are never mutated). */
  private answeredGateway: string | null = null;
  private answeredSegment: Segment | null = null;
  /** Each level's peer tick for `tickedSegment`: the same for every gateway a decision reads, until an update. */
  private readonly segmentTicks = new Float64Array(LEVELS.length);
  private tickedSegment: Segment | null = null;

  constructor(config: Partial<LearnerConfig> = {}) {
    this.config = { ...DEFAULT_LEARNER_CONFIG, ...config };
    this.effectiveN = 1 / ((1 - this.config.fastDecay) / (1 + this.config.fastDecay) + (1 - this.config.decay) / (1 + this.config.decay));
    const { decay, fastDecay, changeThreshold, idleDecay, idleGrace, degradedGrace, degradedShrinkage, prior, shrinkage, minSamples, health } = this.config;
    const fraction = (x: number) => x > 0 && x <= 1;
    const probability = (x: number) => x >= 0 && x <= 1;
    if (!fraction(decay) || !fraction(fastDecay) || !fraction(idleDecay) || !(idleGrace >= 0 && degradedGrace >= 0) || !(prior.alpha > 0 && prior.beta > 0)) {
      throw new RangeError('learner config: decays must be in (0, 1], idleGrace and degradedGrace ≥ 0 and the prior positive');
    }
    if (!(degradedShrinkage >= 0)) throw new RangeError('learner config: degradedShrinkage ≥ 0');
    if (!(this.config.drawWeight > 0)) throw new RangeError('learner config: drawWeight > 0');
    if (!(changeThreshold > 0 && shrinkage >= 0 && minSamples >= 0 && this.config.shrinkageMax >= 0)) {
      throw new RangeError('learner config: changeThreshold > 0, shrinkage, shrinkageMax and minSamples ≥ 0');
    }
    if (![health.changePrior, health.recovery].every(probability) || !(health.faultWhenUp > 0 && health.faultWhenUp < health.faultWhenDown && health.faultWhenDown < 1)) {
      throw new RangeError('learner config: health probabilities in [0, 1], 0 < faultWhenUp < faultWhenDown < 1');
    }
  }

  estimate(gateway: string, segment: Segment): Estimate {
    this.resolve(gateway, segment);
    return { p: this.answerP * (1 - this.answerDown), n: this.answerN, level: this.answerLevel };
  }

  /** What `sample` draws from, for computing choice probabilities without drawing. */
  posterior(gateway: string, segment: Segment): Posterior {
    this.resolve(gateway, segment);
    return { mean: this.answerP, weight: this.answerW * this.config.drawWeight, down: this.answerDown };
  }

  /** The gateway's estimate across all its segments, for health reports. */
  overall(gateway: string): Estimate {
    // Only the gateway level is read, and its key depends on the gateway alone.
    this.keys.resolve(gateway, ANY_SEGMENT, false);
    this.loadTicks(ANY_SEGMENT);
    this.degradedAbove = false;
    this.readLevel(GATEWAY_LEVEL);
    const p = this.gatewayMean() * (1 - this.downNow());
    return { p, n: this.levelN, level: this.levelN >= this.config.minSamples ? 'gateway' : 'prior' };
  }

  /**
   * A Thompson draw from the same posterior `estimate` describes; `random` is uniform in [0, 1).
   * The gateway's state is drawn first: down (with the filter's probability) draws 0.
   */
  sample(gateway: string, segment: Segment, random: () => number): number {
    this.resolve(gateway, segment);
    if (this.answerDown > 0 && random() < this.answerDown) return 0;
    const weight = this.answerW * this.config.drawWeight;
    return sampleBeta(this.answerP * weight, (1 - this.answerP) * weight, random);
  }

  update(gateway: string, segment: Segment, outcome: LearnerOutcome): void {
    if (outcome === 'ignored') return;
    this.answeredSegment = null;
    this.tickedSegment = null;
    const won = outcome === 'success' ? 1 : 0;
    const { decay, fastDecay } = this.config;
    this.keys.resolve(gateway, segment, true);
    this.degradedAbove = false;
    const g = gatewayOfCell(this.keys.cells[GATEWAY_LEVEL]!);
    while (this.gatewayEpochs.length <= g) {
      this.pDown.push(0);
      this.healthTicks.push(0);
      this.gatewayEpochs.push(0);
    }
    if (outcome === 'technical' && this.heardDown(this.downNow()) >= 0.5) {
      // Down: the filter hears it, the success rate keeps what it knew from before the outage.
      this.hear(g, this.tickPeer(this.keys.peers[GATEWAY_LEVEL]!), true);
      return;
    }
    // Coarsest first, so a change a level detects restarts the finer cells under it in this same
    // update; each finer cell's departure from its parent's estimate before this update (p, w)
    // joins the parent's spread.
    let p = 0;
    let w = 0;
    let parent = -1;
    let above = this.gatewayEpochs[g]!;
    for (let level = GATEWAY_LEVEL; level >= 0; level--) {
      const tick = this.tickPeer(this.keys.peers[level]!);
      const cell = this.cellFor(this.keys.cells[level]!, tick - 1, above);
      this.catchUp(cell, above);
      const idle = this.idleFactor(tick - 1 - this.ticks[cell]!, this.drops[cell] === 1);
      if (this.drops[cell] === 1) this.degradedAbove = true;
      const s0 = this.successes[cell]! * idle;
      const n0 = (this.successes[cell]! + this.failures[cell]!) * idle;
      if (level === GATEWAY_LEVEL) {
        const { alpha, beta } = this.config.prior;
        p = (alpha + s0) / (alpha + beta + n0);
        w = alpha + beta + n0;
      } else if (n0 > 0 && this.config.shrinkageMax > 0) {
        this.hearSpread(parent, s0, n0, p);
        this.shrink(s0, n0, p, w, parent, cell);
        p = this.answerShrunkP;
        w = this.answerShrunkW;
      }
      parent = cell;
      this.successes[cell] = this.successes[cell]! * decay * idle + won;
      this.failures[cell] = this.failures[cell]! * decay * idle + (1 - won);
      this.fastSuccesses[cell] = this.fastSuccesses[cell]! * fastDecay * idle + won;
      this.fastFailures[cell] = this.fastFailures[cell]! * fastDecay * idle + (1 - won);
      this.ticks[cell] = tick;
      const direction = this.changed(cell);
      if (direction !== 0) {
        this.drops[cell] = direction < 0 ? 1 : 0;
        this.successes[cell] = this.fastSuccesses[cell]!;
        this.failures[cell] = this.fastFailures[cell]!;
        const stamp = ++this.restartCount;
        this.epochs[cell] = stamp;
        this.stamps[cell] = stamp;
        if (level === GATEWAY_LEVEL) this.gatewayEpochs[g] = stamp;
      }
      if (this.stamps[cell]! > above) above = this.stamps[cell]!;
      if (level === GATEWAY_LEVEL) this.hear(g, tick, outcome === 'technical');
    }
  }

  stats(): { cells: number } {
    return { cells: this.cellIndex.size };
  }

  snapshot(): LearnerSnapshot {
    const cells: number[] = [];
    const fast: number[] = [];
    const spread: number[] = [];
    const restarts: number[] = [];
    for (const [key, cell] of this.cellIndex) {
      cells.push(key, this.successes[cell]!, this.failures[cell]!, this.ticks[cell]!);
      fast.push(this.fastSuccesses[cell]!, this.fastFailures[cell]!, this.epochs[cell]!);
      spread.push(this.spreadSum[cell]!, this.spreadWeight[cell]!);
      restarts.push(this.stamps[cell]!, this.drops[cell]!);
    }
    const peers: number[] = [];
    for (const [key, tick] of this.peerTicks) peers.push(key, tick);
    const gateways: number[] = [];
    this.gatewayEpochs.forEach((epoch, g) => gateways.push(g, this.pDown[g]!, this.healthTicks[g]!, epoch));
    return { version: 1, values: this.keys.values(), cells, peers, fast, gateways, spread, restarts, levels: [...LEVELS] };
  }

  /**
   * Replaces all state with a snapshot's; throws, changing nothing, when it is malformed. A
   * snapshot from before the short memory and the health filter starts both from the long
   * memory's counts and "up".
   */
  restore(snapshot: LearnerSnapshot): void {
    const count = snapshot.cells.length / 4;
    if (
      snapshot.version !== 1 ||
      snapshot.cells.length % 4 !== 0 ||
      snapshot.peers.length % 2 !== 0 ||
      (snapshot.fast !== undefined && snapshot.fast.length !== count * 3) ||
      (snapshot.gateways !== undefined && snapshot.gateways.length % 4 !== 0) ||
      (snapshot.spread !== undefined && snapshot.spread.length !== count * 2) ||
      (snapshot.restarts !== undefined && snapshot.restarts.length !== count * 2)
    ) {
      throw new Error('learner snapshot: unsupported version or malformed arrays');
    }
    const keys = new KeySpace();
    keys.load(snapshot.values);
    const capacity = Math.max(INITIAL_CAPACITY, count);
    const arrays = Array.from({ length: 10 }, () => new Float64Array(capacity));
    const [successes, failures, fastSuccesses, fastFailures, ticks, epochs, spreadSum, spreadWeight, stamps, drops] = arrays as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const cellIndex = new Map<number, number>();
    for (let cell = 0; cell < count; cell++) {
      cellIndex.set(snapshot.cells[cell * 4]!, cell);
      successes[cell] = snapshot.cells[cell * 4 + 1]!;
      failures[cell] = snapshot.cells[cell * 4 + 2]!;
      ticks[cell] = snapshot.cells[cell * 4 + 3]!;
      if (snapshot.spread) {
        spreadSum[cell] = snapshot.spread[cell * 2]!;
        spreadWeight[cell] = snapshot.spread[cell * 2 + 1]!;
      }
      if (snapshot.restarts) {
        stamps[cell] = snapshot.restarts[cell * 2]!;
        drops[cell] = snapshot.restarts[cell * 2 + 1]! === 1 ? 1 : 0;
      }
      if (snapshot.fast) {
        fastSuccesses[cell] = snapshot.fast[cell * 3]!;
        fastFailures[cell] = snapshot.fast[cell * 3 + 1]!;
        epochs[cell] = snapshot.fast[cell * 3 + 2]!;
      } else {
        // The short memory holds at most 1/(1 − fastDecay) samples: the long one's mean at that weight.
        const n = successes[cell]! + failures[cell]!;
        const scale = n === 0 ? 0 : Math.min(1, 1 / (1 - this.config.fastDecay) / n);
        fastSuccesses[cell] = successes[cell]! * scale;
        fastFailures[cell] = failures[cell]! * scale;
      }
    }
    const gatewayCount = snapshot.values.gateway.length;
    const pDown = new Array<number>(gatewayCount).fill(0);
    const healthTicks = new Array<number>(gatewayCount).fill(0);
    const gatewayEpochs = new Array<number>(gatewayCount).fill(0);
    for (let i = 0; i < (snapshot.gateways?.length ?? 0); i += 4) {
      const g = snapshot.gateways![i]!;
      if (!Number.isInteger(g) || g >= gatewayCount || snapshot.gateways![i + 1]! > 1) throw new Error('learner snapshot: malformed gateway health');
      pDown[g] = snapshot.gateways![i + 1]!;
      healthTicks[g] = snapshot.gateways![i + 2]!;
      gatewayEpochs[g] = snapshot.gateways![i + 3]!;
    }
    const peerTicks = new Map<number, number>();
    for (let i = 0; i < snapshot.peers.length; i += 2) peerTicks.set(snapshot.peers[i]!, snapshot.peers[i + 1]!);
    this.answeredSegment = null;
    this.tickedSegment = null;
    this.keys = keys;
    this.cellIndex = cellIndex;
    this.peerTicks = peerTicks;
    this.successes = successes;
    this.failures = failures;
    this.fastSuccesses = fastSuccesses;
    this.fastFailures = fastFailures;
    this.ticks = ticks;
    this.epochs = epochs;
    this.spreadSum = spreadSum;
    this.spreadWeight = spreadWeight;
    this.stamps = stamps;
    this.drops = drops;
    // Epochs and stamps share one counter: the next restart must come after every one restored.
    let restartCount = 0;
    for (const epoch of gatewayEpochs) restartCount = Math.max(restartCount, epoch);
    for (let cell = 0; cell < count; cell++) restartCount = Math.max(restartCount, epochs[cell]!, stamps[cell]!);
    this.restartCount = restartCount;
    this.pDown = pDown;
    this.healthTicks = healthTicks;
    this.gatewayEpochs = gatewayEpochs;
  }

  /** Counts one more update in a scope; answers its new tick. */
  private tickPeer(peer: number): number {
    const tick = (this.peerTicks.get(peer) ?? 0) + 1;
    this.peerTicks.set(peer, tick);
    return tick;
  }

  /** `degraded`: the cell's own last restart was a drop; a drop of a coarser cell on its path (`degradedAbove`) counts too. */
  private idleFactor(missed: number, degraded: boolean): number {
    const grace = degraded || this.degradedAbove ? this.config.degradedGrace : this.config.idleGrace;
    return missed > grace ? this.config.idleDecay ** (missed - grace) : 1;
  }

  /**
   * One child's departure from its parent (cell `parent`, mean p) joins the parent's spread
   * estimate: (m − p)² less the sampling variance p(1 − p) / n expected of a child that does not
   * differ, weighted by the child's evidence and decayed like the long memory.
   */
  private hearSpread(parent: number, s: number, n: number, p: number): void {
    if (n < 1) return;
    const gap = s / n - p;
    const weight = Math.min(n, 1 / (1 - this.config.decay));
    this.spreadSum[parent] = this.spreadSum[parent]! * this.config.decay + weight * (gap * gap - (p * (1 - p)) / n);
    this.spreadWeight[parent] = this.spreadWeight[parent]! * this.config.decay + weight;
  }

  /** The parent's weight a child of cell `parent` (mean p) is shrunk with: fixed, or p(1 − p) / τ². */
  private shrinkageOf(parent: number, p: number): number {
    const { shrinkage, shrinkageMax } = this.config;
    if (shrinkageMax === 0 || parent < 0 || this.spreadWeight[parent]! === 0) return shrinkageMax === 0 ? shrinkage : shrinkageMax;
    const tau2 = this.spreadSum[parent]! / this.spreadWeight[parent]!;
    const noise = p * (1 - p);
    return tau2 * shrinkageMax <= noise ? shrinkageMax : Math.max(shrinkage, noise / tau2);
  }

  /** A finer level's shrunk mean and weight into the shrink fields: its own s of n plus k of the parent's mean p (weight w). */
  private shrink(s: number, n: number, p: number, w: number, parent: number, cell: number): void {
    let k = Math.min(this.shrinkageOf(parent, p), w);
    if (cell >= 0 && this.drops[cell] === 1) k = Math.min(k, this.config.degradedShrinkage * n);
    this.answerShrunkP = (s + k * p) / (n + k);
    this.answerShrunkW = n + k;
  }

  /**
   * The short memory's mean departs from the long one's by more than `changeThreshold` σ, measured
   * on the Bernoulli likelihood ratio: n·KL(short ‖ long) > z²/2, n the effective sample size of
   * the difference of the two exponentially weighted means. For small gaps this is the normal test
   * (gap² > z²·p(1 − p)/n); at approval rates near 1 it is stricter on the failure side, where the
   * normal approximation understates how often a run of declines happens by chance.
   */
  private changed(cell: number): -1 | 0 | 1 {
    const fs = this.fastSuccesses[cell]!;
    const fn = fs + this.fastFailures[cell]!;
    const s = this.successes[cell]!;
    const n = s + this.failures[cell]!;
    // Only once the short memory is near full and the long one holds more.
    const { fastDecay } = this.config;
    if (fn < 0.5 / (1 - fastDecay) || n <= fn) return 0;
    const q = clampRate(fs / fn);
    const p = clampRate(s / n);
    const z = this.config.changeThreshold;
    const limit = (z * z) / 2 / this.effectiveN;
    // KL(q ‖ p) ≤ (q − p)² / (p(1 − p)): most updates are settled without logarithms.
    if ((q - p) * (q - p) <= limit * p * (1 - p)) return 0;
    if (q * Math.log(q / p) + (1 - q) * Math.log((1 - q) / (1 - p)) <= limit) return 0;
    return q > p ? 1 : -1;
  }

  /** A cell behind a coarser cell's restart forgets its long memory (the short one stays) before it is updated. */
  private catchUp(cell: number, epoch: number): void {
    if (this.epochs[cell]! >= epoch) return;
    this.successes[cell] = Math.min(this.successes[cell]!, this.fastSuccesses[cell]!);
    this.failures[cell] = Math.min(this.failures[cell]!, this.fastFailures[cell]!);
    this.epochs[cell] = epoch;
    this.drops[cell] = 0;
  }

  /**
   * The up/down filter hears one attempt at tick `tick`. An answer (approved or declined) shows
   * the gateway up: P(down) 0. A technical failure is Bayes' rule on the two states' fault rates.
   */
  private hear(g: number, tick: number, technical: boolean): void {
    this.pDown[g] = technical ? this.heardDown(this.downAt(g, tick)) : 0;
    this.healthTicks[g] = tick;
  }

  /** P(down) after one more technical failure, from `before` (at least the chance it just went down). */
  private heardDown(before: number): number {
    const { changePrior, faultWhenUp, faultWhenDown } = this.config.health;
    const prior = Math.max(changePrior, before);
    const down = prior * faultWhenDown;
    return down / (down + (1 - prior) * faultWhenUp);
  }

  /** P(down) at gateway-level tick `tick`: the chance of having come back grows with every update since. */
  private downAt(g: number, tick: number): number {
    const p = this.pDown[g] ?? 0;
    return p === 0 ? 0 : p * (1 - this.config.health.recovery) ** (tick - this.healthTicks[g]!);
  }

  /** P(down) now for the gateway `keys` resolved to (0 for one never heard from). */
  private downNow(): number {
    const key = this.keys.cells[GATEWAY_LEVEL]!;
    if (key < 0) return 0;
    return this.downAt(gatewayOfCell(key), this.peerTicks.get(this.keys.peers[GATEWAY_LEVEL]!) ?? 0);
  }

  /** Reads the peer ticks of the segment `keys` resolved, unless they are already held for it. */
  private loadTicks(segment: Segment): void {
    if (segment === this.tickedSegment) return;
    for (let level = 0; level < LEVELS.length; level++) this.segmentTicks[level] = this.peerTicks.get(this.keys.peers[level]!) ?? 0;
    this.tickedSegment = segment;
  }

  private cellFor(key: number, tick: number, epoch: number): number {
    const known = this.cellIndex.get(key);
    if (known !== undefined) return known;
    const cell = this.cellIndex.size;
    if (cell === this.successes.length) this.grow();
    this.cellIndex.set(key, cell);
    this.ticks[cell] = tick;
    this.epochs[cell] = epoch;
    return cell;
  }

  private grow(): void {
    const widen = (array: Float64Array) => {
      const wider = new Float64Array(array.length * 2);
      wider.set(array);
      return wider;
    };
    this.successes = widen(this.successes);
    this.failures = widen(this.failures);
    this.fastSuccesses = widen(this.fastSuccesses);
    this.fastFailures = widen(this.fastFailures);
    this.ticks = widen(this.ticks);
    this.epochs = widen(this.epochs);
    this.stamps = widen(this.stamps);
    this.spreadSum = widen(this.spreadSum);
    this.spreadWeight = widen(this.spreadWeight);
    this.drops = widen(this.drops);
  }

  /** Sets the answer fields: the gateway's posterior, shrunk level by level toward the segment's own data. */
  private resolve(gateway: string, segment: Segment): void {
    if (segment === this.answeredSegment && gateway === this.answeredGateway) return;
    this.keys.resolve(gateway, segment, false);
    this.loadTicks(segment);
    const { minSamples, prior } = this.config;
    this.degradedAbove = false;
    this.readLevel(GATEWAY_LEVEL);
    this.degradedAbove = this.levelDegraded;
    let p = this.gatewayMean();
    let w = prior.alpha + prior.beta + this.levelN;
    let level: EstimateLevel = this.levelN >= minSamples ? 'gateway' : 'prior';
    let n = this.levelN;
    let parent = this.levelCell;
    for (let l = GATEWAY_LEVEL - 1; l >= 0; l--) {
      this.readLevel(l);
      const cell = this.levelCell;
      if (this.levelDegraded) this.degradedAbove = true;
      if (this.levelN > 0) {
        this.shrink(this.levelS, this.levelN, p, w, parent, this.levelDegraded ? cell : -1);
        p = this.answerShrunkP;
        w = this.answerShrunkW;
        if (this.levelN >= minSamples) {
          level = LEVELS[l]!;
          n = this.levelN;
        }
      }
      parent = cell;
    }
    this.answerP = p;
    this.answerW = w;
    this.answerN = n;
    this.answerLevel = level;
    const key = this.keys.cells[GATEWAY_LEVEL]!;
    this.answerDown = key < 0 ? 0 : this.downAt(gatewayOfCell(key), this.segmentTicks[GATEWAY_LEVEL]!);
    this.answeredGateway = gateway;
    this.answeredSegment = segment;
  }

  /** Effective long-memory counts of one level's cell after idle fading and any epoch restart, into `levelS`, `levelN` and `levelCell`. */
  private readLevel(level: number): void {
    const key = this.keys.cells[level]!;
    const cell = key < 0 ? undefined : this.cellIndex.get(key);
    if (cell === undefined) {
      this.levelS = 0;
      this.levelN = 0;
      this.levelCell = -1;
      this.levelDegraded = false;
      if (level === GATEWAY_LEVEL) this.readAbove = 0;
      return;
    }
    this.levelCell = cell;
    let s = this.successes[cell]!;
    let f = this.failures[cell]!;
    if (level === GATEWAY_LEVEL) this.readAbove = this.gatewayEpochs[gatewayOfCell(key)]!;
    const current = this.epochs[cell]! >= this.readAbove;
    if (current && this.stamps[cell]! > this.readAbove) this.readAbove = this.stamps[cell]!;
    if (!current) {
      s = Math.min(s, this.fastSuccesses[cell]!);
      f = Math.min(f, this.fastFailures[cell]!);
    }
    this.levelDegraded = current && this.drops[cell] === 1;
    const factor = this.idleFactor(this.segmentTicks[level]! - this.ticks[cell]!, this.levelDegraded);
    this.levelS = s * factor;
    this.levelN = (s + f) * factor;
  }

  private gatewayMean(): number {
    const { alpha, beta } = this.config.prior;
    return (alpha + this.levelS) / (alpha + beta + this.levelN);
  }
}
