import { AMOUNT_BANDS, type AmountBand, type Segment } from './segment.js';

/**
 * Back-off levels, finest first: a segment (network, currency, issuer country, amount band)
 * borrows from its network in its issuer country, which borrows from the network. Until
 * 2026-11-30 the second level was the network in the payment's currency (`network_currency`):
 * approval follows the issuer more than the payment's currency, and a segment's other
 * currencies and amount bands are its likeliest alike siblings (bench/README.md, "The last
 * targets of issue 10").
 */
export const LEVELS = ['segment', 'network_country', 'network', 'gateway'] as const;
export type Level = (typeof LEVELS)[number];

/**
 * Cell keys are mixed-radix numbers built from interned ids, so a lookup allocates no string:
 * level | method | network | currency | country | band | gateway. The radixes multiply to
 * 2^50, inside Number.MAX_SAFE_INTEGER; a dimension that outgrows its radix throws.
 */
const RADIX = {
  method: 32,
  network: 64,
  currency: 512,
  country: 512,
  band: 8,
  gateway: 65536,
} as const;

const PEER_LEVEL_RADIX = RADIX.method * RADIX.network * RADIX.currency * RADIX.country * RADIX.band;

/** A peer key's level (index into LEVELS): its highest digit. */
export function levelOfPeer(key: number): number {
  return Math.floor(key / PEER_LEVEL_RADIX);
}

/** A cell key's level: its peer key's, the gateway digit below it. */
export function levelOfCell(key: number): number {
  return levelOfPeer(Math.floor(key / RADIX.gateway));
}

/** The gateway's interned id within a cell key: its lowest digit. */
export function gatewayOfCell(key: number): number {
  return key % RADIX.gateway;
}

/** The same cell key with another gateway id. */
export function withGateway(key: number, gateway: number): number {
  return key - (key % RADIX.gateway) + gateway;
}

export const INTERNED_DIMENSIONS = ['gateway', 'method', 'network', 'currency', 'country'] as const;
type InternedDimension = (typeof INTERNED_DIMENSIONS)[number];

const NO_NETWORK = '';
const NO_COUNTRY = '';

class Interner {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly dimension: InternedDimension,
    private readonly capacity: number,
  ) {}

  /** -1 when never interned: reads never grow the tables. */
  id(value: string): number {
    return this.ids.get(value) ?? -1;
  }

  intern(value: string): number {
    const known = this.ids.get(value);
    if (known !== undefined) return known;
    if (this.values.length >= this.capacity) {
      throw new RangeError(`learner: more than ${this.capacity} distinct ${this.dimension} values`);
    }
    this.ids.set(value, this.values.length);
    this.values.push(value);
    return this.values.length - 1;
  }
}

const BAND_IDS: ReadonlyMap<AmountBand, number> = new Map(AMOUNT_BANDS.map((band, i) => [band, i]));

export type InternedValues = Record<InternedDimension, string[]>;

/**
 * Resolves a gateway and segment to per-level keys. `resolve` fills the reusable `peers` and
 * `cells` arrays (index = level) instead of allocating; a key is -1 when a value it needs was
 * never interned, i.e. that level has no data.
 */
export class KeySpace {
  /** Key of a level's traffic across all gateways: the scope idle decay is counted in. */
  readonly peers = new Float64Array(LEVELS.length);
  /** Key of one gateway's cell at each level. */
  readonly cells = new Float64Array(LEVELS.length);
  private interners: Record<InternedDimension, Interner> = KeySpace.emptyInterners();
  /**
   * A decision reads every gateway for one segment: its peer keys are kept for the next read of
   * the same segment object, so only the gateway is looked up. Interning may give a value that
   * was unknown an id, so a resolve that interns forgets them.
   */
  private readSegment: Segment | null = null;

  private static emptyInterners(): Record<InternedDimension, Interner> {
    return {
      gateway: new Interner('gateway', RADIX.gateway),
      method: new Interner('method', RADIX.method),
      network: new Interner('network', RADIX.network),
      currency: new Interner('currency', RADIX.currency),
      country: new Interner('country', RADIX.country),
    };
  }

  /** Looks the keys up; with `intern`, unseen values are added first. */
  resolve(gateway: string, segment: Segment, intern: boolean): void {
    const g = this.lookup('gateway', gateway, intern);
    if (!intern && segment === this.readSegment) {
      for (let level = 0; level < LEVELS.length; level++) {
        const peer = this.peers[level]!;
        this.cells[level] = peer >= 0 && g >= 0 ? peer * RADIX.gateway + g : -1;
      }
      return;
    }
    this.readSegment = intern ? null : segment;
    const m = this.lookup('method', segment.paymentMethod, intern);
    const n = this.lookup('network', segment.network ?? NO_NETWORK, intern);
    const c = this.lookup('currency', segment.currency, intern);
    const k = this.lookup('country', segment.issuerCountry ?? NO_COUNTRY, intern);
    const b = BAND_IDS.get(segment.amountBand);
    if (b === undefined) throw new RangeError(`unknown amount band: ${segment.amountBand}`);
    this.fill(0, g, m >= 0 && n >= 0 && c >= 0 && k >= 0, m, n, c, k, b);
    this.fill(1, g, m >= 0 && n >= 0 && k >= 0, m, n, 0, k, 0);
    this.fill(2, g, m >= 0 && n >= 0, m, n, 0, 0, 0);
    this.fill(3, g, true, 0, 0, 0, 0, 0);
  }

  private lookup(dimension: InternedDimension, value: string, intern: boolean): number {
    return intern ? this.interners[dimension].intern(value) : this.interners[dimension].id(value);
  }

  private fill(level: number, g: number, known: boolean, m: number, n: number, c: number, k: number, b: number): void {
    if (!known) {
      this.peers[level] = -1;
      this.cells[level] = -1;
      return;
    }
    const peer = ((((level * RADIX.method + m) * RADIX.network + n) * RADIX.currency + c) * RADIX.country + k) * RADIX.band + b;
    this.peers[level] = peer;
    this.cells[level] = g >= 0 ? peer * RADIX.gateway + g : -1;
  }

  values(): InternedValues {
    const out = {} as InternedValues;
    for (const dimension of INTERNED_DIMENSIONS) out[dimension] = [...this.interners[dimension].values];
    return out;
  }

  /** Replaces the tables; ids are positions, so the keys stored beside them stay valid. */
  load(values: InternedValues): void {
    const interners = KeySpace.emptyInterners();
    for (const dimension of INTERNED_DIMENSIONS) {
      values[dimension].forEach((value, position) => {
        if (interners[dimension].intern(value) !== position) throw new Error(`learner snapshot: duplicate ${dimension} value`);
      });
    }
    this.interners = interners;
    this.readSegment = null;
  }
}
