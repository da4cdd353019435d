import { sampleBeta } from './beta.js';
import { KeySpace, LEVELS, type InternedValues, type Level } from './keys.js';
import type { Segment } from './segment.js';

export interface LearnerConfig {
  /** γ: a cell's counts are multiplied by it before each of its own updates. */
  decay: number;
  /** Per update to *other* gateways in the same scope, beyond `idleGrace`: stale evidence fades. */
  idleDecay: number;
  /** Updates elsewhere a cell may miss before it starts to fade: a gateway with a fair share never does. */
  idleGrace: number;
  /** Beta prior added to every cell's counts. */
  prior: { alpha: number; beta: number };
  /** Effective sample size a level needs to answer. */
  minSamples: number;
  /** Over this many samples above `minSamples`, a level's answer moves from its parent's mean to its own. */
  blendSamples: number;
}

/**
 * γ = 0.97: counts saturate at an effective sample size of 1/(1−γ) ≈ 33, which is the
 * variance of a plain moving average over (1+γ)/(1−γ) ≈ 66 observations. 0.98 (a 100-window)
 * was tried first: a drop from 0.9 to 0.5 then took a median 50 updates to show, and more
 * than 60 in a quarter of seeded runs; 0.97 shows it in a median 34.
 *
 * Prior Beta(4, 1): mean 0.8 with the weight of five observations, wide enough that a new
 * gateway's draws beat a 0.9 incumbent about a third of the time until it has data.
 *
 * Idle fading 0.98 per update missed beyond 20: a gateway starved by an outage is offered
 * ~8 % of traffic and, once recovered, wins back most of it within ~100–270 transactions
 * (30 seeded runs of the two-gateway router in `router-simulation.test.ts`).
 *
 * minSamples 20, blended over the next 10: a segment answers on its own after ~30 updates.
 */
export const DEFAULT_LEARNER_CONFIG: Readonly<LearnerConfig> = Object.freeze({
  decay: 0.97,
  idleDecay: 0.98,
  idleGrace: 20,
  prior: Object.freeze({ alpha: 4, beta: 1 }),
  minSamples: 20,
  blendSamples: 10,
});

export type EstimateLevel = Level | 'prior';

export interface Estimate {
  /** Posterior mean success probability. */
  p: number;
  /** Effective sample size of the level that answered (decayed counts, prior excluded). */
  n: number;
  level: EstimateLevel;
}

export interface LearnerSnapshot {
  version: 1;
  values: InternedValues;
  /** Flat [cellKey, successes, failures, tick] quadruples. */
  cells: number[];
  /** Flat [peerKey, tick] pairs. */
  peers: number[];
}

const INITIAL_CAPACITY = 1024;
const ANY_SEGMENT: Segment = { paymentMethod: 'card', network: null, currency: 'XXX', issuerCountry: null, amountBand: 'under_10' };
const GATEWAY_LEVEL = LEVELS.length - 1;

/**
 * Success rate per gateway account × segment, for a non-stationary world.
 *
 * Each cell holds discounted counts (successes, failures): before each update they are
 * multiplied by γ, so old evidence fades as new evidence comes. The posterior is
 * Beta(α0 + s, β0 + f).
 *
 * Back-off: levels run from the full segment through (network, currency) and network to the
 * gateway alone. The finest level with n ≥ minSamples (T) answers; while n < T + blendSamples (B)
 * its mean is blended linearly with its parent's, with weight (n − T)/B on its own, so the
 * answer moves smoothly from the parent's as a segment fills up. When even the gateway level
 * is below the threshold, the level is 'prior' and the answer is the prior updated by the
 * gateway's few counts.
 *
 * Exploration floor: γ only fades a cell when it gets traffic, so a gateway that Thompson
 * sampling has starved would keep a stale low estimate forever and never be tried again after
 * it recovers. Each level therefore counts the updates in its scope across all gateways (its
 * peers); a cell that has missed more than `idleGrace` of them fades by `idleDecay` per further
 * miss, back toward the optimistic prior, until its draws win traffic again and fresh outcomes
 * decide. A gateway that keeps a fair share of traffic never fades this way.
 *
 * State is numbers only: per-dimension interned strings, mixed-radix numeric keys, and
 * struct-of-arrays counts. `estimate` and `sample` build no strings, arrays or intermediate
 * objects: per-level keys and counts go through reused scratch fields.
 */
export class SuccessRateLearner {
  private readonly config: LearnerConfig;
  private keys = new KeySpace();
  private cellIndex = new Map<number, number>();
  private peerTicks = new Map<number, number>();
  private successes = new Float64Array(INITIAL_CAPACITY);
  private failures = new Float64Array(INITIAL_CAPACITY);
  /** The cell's peer tick right after its last update. */
  private ticks = new Float64Array(INITIAL_CAPACITY);
  // Scratch outputs of `readLevel` and `resolve`, so the hot path does not allocate.
  private levelS = 0;
  private levelN = 0;
  private answerP = 0;
  private answerN = 0;
  private answerLevel: EstimateLevel = 'prior';

  constructor(config: Partial<LearnerConfig> = {}) {
    this.config = { ...DEFAULT_LEARNER_CONFIG, ...config };
    const { decay, idleDecay, idleGrace, prior, minSamples, blendSamples } = this.config;
    const fraction = (x: number) => x > 0 && x <= 1;
    if (!fraction(decay) || !fraction(idleDecay) || !(idleGrace >= 0) || !(prior.alpha > 0 && prior.beta > 0)) {
      throw new RangeError('learner config: decays must be in (0, 1], idleGrace ≥ 0 and the prior positive');
    }
    if (!(minSamples >= 0 && blendSamples > 0)) throw new RangeError('learner config: minSamples ≥ 0, blendSamples > 0');
  }

  estimate(gateway: string, segment: Segment): Estimate {
    this.resolve(gateway, segment);
    return { p: this.answerP, n: this.answerN, level: this.answerLevel };
  }

  /** The gateway's estimate across all its segments, for health reports. */
  overall(gateway: string): Estimate {
    // Only the gateway level is read, and its key depends on the gateway alone.
    this.keys.resolve(gateway, ANY_SEGMENT, false);
    this.readLevel(GATEWAY_LEVEL);
    return { p: this.posteriorMean(), n: this.levelN, level: this.levelN >= this.config.minSamples ? 'gateway' : 'prior' };
  }

  /** A Thompson draw from the same posterior `estimate` describes; `random` is uniform in [0, 1). */
  sample(gateway: string, segment: Segment, random: () => number): number {
    this.resolve(gateway, segment);
    const weight = this.answerN + this.config.prior.alpha + this.config.prior.beta;
    return sampleBeta(this.answerP * weight, (1 - this.answerP) * weight, random);
  }

  update(gateway: string, segment: Segment, outcome: 'success' | 'failure' | 'ignored'): void {
    if (outcome === 'ignored') return;
    const won = outcome === 'success' ? 1 : 0;
    this.keys.resolve(gateway, segment, true);
    for (let level = 0; level < LEVELS.length; level++) {
      const peer = this.keys.peers[level]!;
      const tick = (this.peerTicks.get(peer) ?? 0) + 1;
      this.peerTicks.set(peer, tick);
      const cell = this.cellFor(this.keys.cells[level]!, tick - 1);
      const factor = this.config.decay * this.idleFactor(tick - 1 - this.ticks[cell]!);
      this.successes[cell] = this.successes[cell]! * factor + won;
      this.failures[cell] = this.failures[cell]! * factor + (1 - won);
      this.ticks[cell] = tick;
    }
  }

  stats(): { cells: number } {
    return { cells: this.cellIndex.size };
  }

  snapshot(): LearnerSnapshot {
    const cells: number[] = [];
    for (const [key, cell] of this.cellIndex) {
      cells.push(key, this.successes[cell]!, this.failures[cell]!, this.ticks[cell]!);
    }
    const peers: number[] = [];
    for (const [key, tick] of this.peerTicks) peers.push(key, tick);
    return { version: 1, values: this.keys.values(), cells, peers };
  }

  /** Replaces all state with a snapshot's; throws, changing nothing, when it is malformed. */
  restore(snapshot: LearnerSnapshot): void {
    if (snapshot.version !== 1 || snapshot.cells.length % 4 !== 0 || snapshot.peers.length % 2 !== 0) {
      throw new Error('learner snapshot: unsupported version or malformed arrays');
    }
    const keys = new KeySpace();
    keys.load(snapshot.values);
    const count = snapshot.cells.length / 4;
    const capacity = Math.max(INITIAL_CAPACITY, count);
    const successes = new Float64Array(capacity);
    const failures = new Float64Array(capacity);
    const ticks = new Float64Array(capacity);
    const cellIndex = new Map<number, number>();
    for (let cell = 0; cell < count; cell++) {
      cellIndex.set(snapshot.cells[cell * 4]!, cell);
      successes[cell] = snapshot.cells[cell * 4 + 1]!;
      failures[cell] = snapshot.cells[cell * 4 + 2]!;
      ticks[cell] = snapshot.cells[cell * 4 + 3]!;
    }
    const peerTicks = new Map<number, number>();
    for (let i = 0; i < snapshot.peers.length; i += 2) peerTicks.set(snapshot.peers[i]!, snapshot.peers[i + 1]!);
    this.keys = keys;
    this.cellIndex = cellIndex;
    this.peerTicks = peerTicks;
    this.successes = successes;
    this.failures = failures;
    this.ticks = ticks;
  }

  private idleFactor(missed: number): number {
    return missed > this.config.idleGrace ? this.config.idleDecay ** (missed - this.config.idleGrace) : 1;
  }

  private cellFor(key: number, tick: number): number {
    const known = this.cellIndex.get(key);
    if (known !== undefined) return known;
    const cell = this.cellIndex.size;
    if (cell === this.successes.length) this.grow();
    this.cellIndex.set(key, cell);
    this.ticks[cell] = tick;
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
    this.ticks = widen(this.ticks);
  }

  /** Sets the answer fields: finest level with enough data, blended with its parent near the threshold. */
  private resolve(gateway: string, segment: Segment): void {
    this.keys.resolve(gateway, segment, false);
    const { minSamples, blendSamples } = this.config;
    for (let level = 0; level < LEVELS.length; level++) {
      this.readLevel(level);
      const n = this.levelN;
      if (n < minSamples) continue;
      let p = this.posteriorMean();
      if (level < GATEWAY_LEVEL && n < minSamples + blendSamples) {
        const own = p;
        this.readLevel(level + 1);
        const weight = (n - minSamples) / blendSamples;
        p = weight * own + (1 - weight) * this.posteriorMean();
      }
      this.setAnswer(p, n, LEVELS[level]!);
      return;
    }
    this.readLevel(GATEWAY_LEVEL);
    this.setAnswer(this.posteriorMean(), this.levelN, 'prior');
  }

  private setAnswer(p: number, n: number, level: EstimateLevel): void {
    this.answerP = p;
    this.answerN = n;
    this.answerLevel = level;
  }

  /** Effective counts of one level's cell after idle fading, into `levelS` and `levelN`. */
  private readLevel(level: number): void {
    const key = this.keys.cells[level]!;
    const cell = key < 0 ? undefined : this.cellIndex.get(key);
    if (cell === undefined) {
      this.levelS = 0;
      this.levelN = 0;
      return;
    }
    const factor = this.idleFactor((this.peerTicks.get(this.keys.peers[level]!) ?? 0) - this.ticks[cell]!);
    this.levelS = this.successes[cell]! * factor;
    this.levelN = (this.successes[cell]! + this.failures[cell]!) * factor;
  }

  private posteriorMean(): number {
    const { alpha, beta } = this.config.prior;
    return (alpha + this.levelS) / (alpha + beta + this.levelN);
  }
}
