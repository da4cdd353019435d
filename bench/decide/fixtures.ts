/**
 * Seeded, programmatic fixtures for the decision benchmark: gateway accounts with realistic
 * capabilities and fee schedules (written as fees.yaml text and read by parseFeeSchedules),
 * rulesets written as YAML text and read by parseRuleset + compile, a warmed learner, and a
 * pool of transactions whose first matching rule sits at a chosen depth.
 *
 * Everything here goes through the production parsers: nothing builds a CompiledRuleset or a
 * FeeSchedule by hand.
 */
import { toAdyenAmount } from '../../adapters/adyen/amounts.js';
import { BRAINTREE_CAPABILITIES } from '../../adapters/braintree/capabilities.js';
import { STRIPE_CAPABILITIES } from '../../adapters/stripe/capabilities.js';
import { amountSteps, type Capabilities } from '../../adapters/testkit/contract.js';
import type { CardBrand } from '../../src/domain/card.js';
import { seededRandom } from '../../src/domain/random.js';
import { accountCapabilities } from '../../src/routing/candidates.js';
import type { GatewayCandidate } from '../../src/routing/decide.js';
import { parseFeeSchedules } from '../../src/routing/fees/parse.js';
import { SuccessRateLearner } from '../../src/routing/learner/learner.js';
import { segmentOf, type Segment } from '../../src/routing/learner/segment.js';
import { compile, evaluate, type CompiledRuleset } from '../../src/routing/rules/compile.js';
import { parseRuleset } from '../../src/routing/rules/parse.js';
import { formatError } from '../../src/routing/rules/source.js';
import type { RoutingTransaction } from '../../src/routing/rules/transaction.js';
import { weighted } from '../lib/sampling.js';

export type Random = () => number;

// ---------------------------------------------------------------- random helpers

export function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)]!;
}


function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function sample<T>(items: readonly T[], count: number, random: Random): T[] {
  return shuffle([...items], random).slice(0, Math.min(count, items.length));
}

function digits(count: number, random: Random): string {
  let out = '';
  for (let i = 0; i < count; i++) out += Math.floor(random() * 10);
  return out;
}

/** Mixes a label into a seed so independent streams do not share a sequence. */
export function streamSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('/')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// ---------------------------------------------------------------- the traffic mix

const CURRENCIES = [['USD', 45], ['EUR', 25], ['GBP', 10], ['CAD', 5], ['AUD', 5], ['JPY', 5], ['BRL', 2], ['MXN', 2], ['SGD', 1]] as const;
const ZERO_DECIMAL = new Set(['JPY']);
const NETWORKS: readonly (readonly [CardBrand, number])[] = [
  ['visa', 55],
  ['mastercard', 30],
  ['amex', 8],
  ['discover', 3],
  ['jcb', 1.5],
  ['unionpay', 1],
  ['maestro', 1],
  ['diners', 0.5],
];
/** Issuer countries with a long tail (Zipf-like weights). */
const COUNTRIES = 'US GB DE FR CA AU JP NL ES IT SE BR MX IE BE CH AT DK NO FI PL PT NZ SG HK IN AE ZA KR TW IL CZ GR HU RO CL CO AR TR TH'.split(' ');
const COUNTRY_WEIGHTS = COUNTRIES.map((c, rank) => [c, 1 / (rank + 1)] as const);
const CARD_TYPES = [['credit', 60], ['debit', 35], ['prepaid', 4], [null, 1]] as const;
const CHANNELS = ['web', 'app', 'moto'] as const;

/** A BIN of the network's real ranges; 30 % are 8-digit BINs. */
function binFor(network: CardBrand, random: Random): string {
  let head: string;
  switch (network) {
    case 'visa':
      head = `4${digits(3, random)}`;
      break;
    case 'mastercard':
      head = random() < 0.85 ? `5${1 + Math.floor(random() * 5)}${digits(2, random)}` : String(2221 + Math.floor(random() * 500));
      break;
    case 'amex':
      head = `${pick(['34', '37'], random)}${digits(2, random)}`;
      break;
    case 'discover':
      head = random() < 0.5 ? '6011' : `65${digits(2, random)}`;
      break;
    case 'jcb':
      head = `35${28 + Math.floor(random() * 62)}`;
      break;
    case 'unionpay':
      head = `62${digits(2, random)}`;
      break;
    case 'maestro':
      head = pick(['6759', '6761', '6763', '5018', '5020'], random);
      break;
    default:
      head = `36${digits(2, random)}`;
  }
  return head + digits(random() < 0.3 ? 4 : 2, random);
}

/** Amount in minor units: log-normal around 40 major units, clamped to 0.50–20 000. */
function amountFor(currency: string, random: Random): number {
  const u1 = 1 - random();
  const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
  const major = Math.min(20_000, Math.max(0.5, Math.exp(Math.log(40) + 1.3 * normal)));
  return ZERO_DECIMAL.has(currency) ? Math.max(1, Math.round(major * 100)) : Math.round(major * 100);
}

/** Merchant ids m_0000–m_9999 of a platform's sub-merchants; rules only ever name m_0000–m_8999. */
function merchantId(random: Random): string {
  return `m_${digits(4, random)}`;
}

export function randomTransaction(id: number, random: Random): RoutingTransaction {
  const currency = weighted(CURRENCIES, random);
  const network = weighted(NETWORKS, random);
  const issuer = random() < 0.02 ? null : weighted(COUNTRY_WEIGHTS, random);
  const initiator = random() < 0.2 ? 'merchant' : 'customer';
  return {
    paymentId: `pay_${id.toString(36)}_${digits(6, random)}`,
    amount: amountFor(currency, random),
    currency,
    paymentMethod: 'card',
    card: { network, type: weighted(CARD_TYPES, random), bin: binFor(network, random), issuerCountry: issuer },
    billingCountry: issuer !== null && random() < 0.9 ? issuer : pick(COUNTRIES, random),
    captureMethod: random() < 0.85 ? 'automatic' : 'manual',
    initiator,
    metadata: {
      merchant: merchantId(random),
      channel: pick(CHANNELS, random),
      product: `${initiator === 'merchant' ? 'sub' : 'one'}_${digits(3, random)}`,
      order: `ord_${digits(10, random)}`,
    },
  };
}

function withCurrency(tx: RoutingTransaction, currency: string, random: Random): void {
  if (tx.currency === currency) return;
  tx.currency = currency;
  tx.amount = amountFor(currency, random);
}

// ---------------------------------------------------------------- gateway accounts

/**
 * Adyen's card capabilities as adapters/adyen/adapter.ts declares them (ADYEN_CAPABILITIES),
 * restated because importing that module loads the Adyen SDK.
 */
const ADYEN_CAPABILITIES: Capabilities = {
  ...BRAINTREE_CAPABILITIES,
  cardNetworks: ['visa', 'mastercard', 'amex', 'discover', 'diners', 'jcb', 'unionpay', 'maestro'],
  multipleCapture: true,
  idempotency: true,
  asyncModifications: true,
  amountLimits: { min: 1, max: Number.MAX_SAFE_INTEGER },
  amountSteps: amountSteps(toAdyenAmount),
};

const PROVIDERS = [
  { provider: 'stripe', capabilities: STRIPE_CAPABILITIES, base: { bps: 290, fixed: 30 }, cross: 150, fx: 100 },
  { provider: 'adyen', capabilities: ADYEN_CAPABILITIES, base: { bps: 130, fixed: 12 }, cross: 110, fx: 60 },
  { provider: 'braintree', capabilities: BRAINTREE_CAPABILITIES, base: { bps: 259, fixed: 49 }, cross: 100, fx: 100 },
] as const;

/** Account regions: the country, the currencies the account may present (null: any) and settle. */
const REGIONS = [
  { region: 'us', country: 'US', currencies: null, settlement: ['USD'] },
  { region: 'eu', country: 'NL', currencies: ['EUR', 'GBP', 'USD', 'CHF', 'SEK', 'DKK', 'NOK', 'PLN'], settlement: ['EUR', 'GBP'] },
  { region: 'uk', country: 'GB', currencies: ['GBP', 'EUR', 'USD'], settlement: ['GBP'] },
  { region: 'ca', country: 'CA', currencies: ['CAD', 'USD'], settlement: ['CAD', 'USD'] },
  { region: 'apac', country: 'SG', currencies: ['SGD', 'AUD', 'JPY', 'HKD', 'NZD', 'USD'], settlement: ['SGD', 'USD'] },
  { region: 'au', country: 'AU', currencies: ['AUD', 'NZD'], settlement: ['AUD'] },
  { region: 'jp', country: 'JP', currencies: ['JPY', 'USD'], settlement: ['JPY'] },
  { region: 'latam', country: 'BR', currencies: ['BRL', 'MXN', 'USD'], settlement: ['BRL', 'USD'] },
  { region: 'global', country: 'US', currencies: null, settlement: ['USD', 'EUR'] },
  { region: 'mx', country: 'MX', currencies: ['MXN', 'USD'], settlement: ['MXN'] },
] as const;

/** Currencies priced in a fee schedule of an account that presents any currency. */
const ANY_CURRENCY_PRICES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY', 'BRL', 'MXN', 'SGD'];

export interface GatewaySet {
  candidates: GatewayCandidate[];
  names: string[];
  feesYaml: string;
  /** What is not plain: breaker states. */
  notes: string[];
}

/**
 * `count` gateway accounts over Stripe, Adyen and Braintree, regional accounts narrowing the
 * provider's capabilities the way `accountCapabilities` does for a merchant's settings. Every
 * account has a fee schedule (fees.yaml text through parseFeeSchedules). With 10 or more
 * accounts one breaker is half-open; with 30 one is also open.
 */
export function gatewaySet(count: number, seed = 1): GatewaySet {
  const random = seededRandom(streamSeed('gateways', count, seed));
  const accounts: { name: string; provider: (typeof PROVIDERS)[number]; region: (typeof REGIONS)[number]; capabilities: Capabilities }[] = [];
  for (let i = 0; i < count; i++) {
    const provider = PROVIDERS[i % PROVIDERS.length]!;
    // The first three: stripe-us, adyen-eu, braintree-uk; later accounts rotate through the regions.
    const region = REGIONS[(i + Math.floor(i / PROVIDERS.length)) % REGIONS.length]!;
    const base = `${provider.provider}-${region.region}`;
    const same = accounts.filter((a) => a.name === base || a.name.startsWith(`${base}-`)).length;
    const name = same === 0 ? base : `${base}-${same + 1}`;
    // Some regional accounts also restrict the issuer countries they serve (a domestic-only acquirer).
    const countries = region.region === 'jp' || region.region === 'mx' ? [region.country] : undefined;
    const capabilities = accountCapabilities(provider.capabilities, {
      ...(region.currencies ? { currencies: [...region.currencies] } : {}),
      ...(countries ? { countries } : {}),
    });
    accounts.push({ name, provider, region, capabilities });
  }

  const jitter = (bps: number) => Math.max(0, Math.round(bps * (0.85 + 0.3 * random())));
  const lines = ['gateways:'];
  for (const { name, provider, region } of accounts) {
    const currencies = region.currencies ?? ANY_CURRENCY_PRICES;
    lines.push(`  ${name}:`, `    country: ${region.country}`, `    settlement_currencies: [${region.settlement.join(', ')}]`, '    prices:');
    for (const c of currencies) {
      lines.push(`      ${c}: { percent_bps: ${jitter(provider.base.bps)}, fixed: ${provider.base.fixed} }`);
    }
    lines.push('    card_networks:', '      amex:');
    for (const c of currencies.slice(0, 3)) lines.push(`        ${c}: { percent_bps: ${jitter(340)}, fixed: ${provider.base.fixed} }`);
    if (provider.provider === 'adyen') {
      lines.push('    card_types:', '      debit:');
      for (const c of currencies.slice(0, 4)) lines.push(`        ${c}: { percent_bps: ${jitter(80)}, fixed: ${provider.base.fixed} }`);
    }
    lines.push(`    cross_border_bps: ${provider.cross}`, `    fx_markup_bps: ${provider.fx}`);
  }
  const feesYaml = `${lines.join('\n')}\n`;
  const parsed = parseFeeSchedules(feesYaml, `generated-fees-${count}.yaml`);
  if ('errors' in parsed) throw new Error(`generated fee schedules do not parse:\n${parsed.errors.map(formatError).join('\n')}`);

  const notes: string[] = [];
  const candidates: GatewayCandidate[] = accounts.map((a, i) => {
    let health: GatewayCandidate['health'] = 'closed';
    if (count >= 10 && i === count - 1) health = 'half_open';
    if (count >= 30 && i === count - 2) health = 'open';
    if (health !== 'closed') notes.push(`${a.name} ${health}`);
    return {
      accountId: `gwa_${String(i).padStart(3, '0')}`,
      name: a.name,
      provider: a.provider.provider,
      capabilities: a.capabilities,
      health,
      fees: parsed.schedules.get(a.name) ?? null,
    };
  });
  return { candidates, names: candidates.map((c) => c.name), feesYaml, notes };
}

// ---------------------------------------------------------------- rulesets

/** One generated rule: its YAML and how to make a transaction satisfy it. */
interface RuleSpec {
  id: string;
  family: 'block' | 'bin' | 'amount' | 'merchant' | 'country';
  when: string;
  /** Mutates a transaction so every condition holds. */
  satisfy: (tx: RoutingTransaction, random: Random) => void;
}

const BIN_BLOCKS: Record<string, string[]> = {
  visa: Array.from({ length: 1000 }, (_, i) => `4${String(i).padStart(3, '0')}`),
  mastercard: Array.from({ length: 500 }, (_, i) => `5${String(100 + i)}`),
  amex: [...Array.from({ length: 100 }, (_, i) => `34${String(i).padStart(2, '0')}`), ...Array.from({ length: 100 }, (_, i) => `37${String(i).padStart(2, '0')}`)],
};
const BIN_NETWORKS = [['visa', 60], ['mastercard', 32], ['amex', 8]] as const;
const AMOUNT_CURRENCIES = [['USD', 45], ['EUR', 25], ['GBP', 12], ['CAD', 6], ['AUD', 6], ['JPY', 6]] as const;
/** Log-spaced amount band edges in major units, 0.5 to 20 000: 40 bands per currency. */
const BAND_EDGES = Array.from({ length: 41 }, (_, i) => 0.5 * Math.pow(40_000, i / 40));

const q = (s: string) => `'${s}'`;
const list = (items: readonly string[], quote = false) => `[${items.map((s) => (quote ? q(s) : s)).join(', ')}]`;

/** Rule families: narrow rules with a discriminating condition (BIN block, amount band, sub-merchant, issuer country) plus a second condition. */
class RuleFactory {
  private readonly binBlocks: Record<string, string[]>;
  private readonly amountBands: Record<string, number[]>;
  private readonly merchantBlocks: string[];
  private readonly countries: string[];

  constructor(private readonly random: Random) {
    this.binBlocks = Object.fromEntries(Object.entries(BIN_BLOCKS).map(([k, v]) => [k, shuffle([...v], random)]));
    this.amountBands = Object.fromEntries(AMOUNT_CURRENCIES.map(([c]) => [c, shuffle(Array.from({ length: 40 }, (_, i) => i), random)]));
    // Three-digit blocks m_000–m_899 (ten sub-merchants each); m_9xxx is never named by a rule.
    this.merchantBlocks = shuffle(Array.from({ length: 900 }, (_, i) => `m_${String(i).padStart(3, '0')}`), random);
    this.countries = shuffle(COUNTRIES.slice(3), random);
  }

  block(): RuleSpec {
    return {
      id: 'block-sanctioned',
      family: 'block',
      when: `{ country.billing: { in: ['KP', 'IR', 'SY', 'CU'] } }`,
      satisfy: (tx, random) => {
        tx.billingCountry = pick(['KP', 'IR', 'SY', 'CU'], random);
      },
    };
  }

  next(index: number): RuleSpec {
    const r = this.random;
    const family = weighted([['bin', 30], ['amount', 30], ['merchant', 30], ['country', this.countries.length > 0 ? 10 : 0]] as const, r);
    switch (family) {
      case 'bin':
        return this.binRule(index);
      case 'amount':
        return this.amountRule(index);
      case 'country':
        return this.countryRule(index);
      default:
        return this.merchantRule(index);
    }
  }

  private binRule(index: number): RuleSpec {
    const r = this.random;
    const network = weighted(BIN_NETWORKS, r);
    const blockPrefix = this.binBlocks[network]!.pop();
    if (blockPrefix === undefined) return this.merchantRule(index);
    const variant = weighted([['prefix', 40], ['range', 30], ['in', 30]] as const, r);
    let condition: string;
    let bin: (random: Random) => string;
    if (variant === 'prefix') {
      condition = `card.bin: { prefix: [${q(blockPrefix)}] }`;
      bin = (random) => blockPrefix + digits(random() < 0.3 ? 4 : 2, random);
    } else if (variant === 'range') {
      const lo = Math.floor(r() * 50);
      const hi = lo + 10 + Math.floor(r() * 40);
      const from = `${blockPrefix}${String(lo).padStart(2, '0')}`;
      const to = `${blockPrefix}${String(hi).padStart(2, '0')}`;
      condition = `card.bin: { range: [${q(from)}, ${q(to)}] }`;
      bin = (random) => `${blockPrefix}${String(lo + Math.floor(random() * (hi - lo + 1))).padStart(2, '0')}` + (random() < 0.3 ? digits(2, random) : '');
    } else {
      const bins = Array.from({ length: 2 + Math.floor(r() * 5) }, (_, i) => `${blockPrefix}${String(i * 13 + Math.floor(r() * 13)).padStart(2, '0')}${r() < 0.2 ? digits(2, r) : ''}`);
      condition = `card.bin: { in: ${list(bins, true)} }`;
      bin = (random) => {
        const listed = pick(bins, random);
        return listed.length === 8 ? listed : listed + (random() < 0.3 ? digits(2, random) : '');
      };
    }
    const second = weighted([['network', 50], ['currency', 30], ['none', 20]] as const, r);
    const currencies = second === 'currency' ? sample(['USD', 'EUR', 'GBP', 'CAD', 'AUD'], 1 + Math.floor(r() * 2), r) : [];
    const when =
      second === 'network' ? `{ card.network: ${network}, ${condition} }` : second === 'currency' ? `{ currency: { in: ${list(currencies)} }, ${condition} }` : `{ ${condition} }`;
    return {
      id: `bin-${network}-${blockPrefix}-${index}`,
      family: 'bin',
      when,
      satisfy: (tx, random) => {
        tx.card.network = network as CardBrand;
        tx.card.bin = bin(random);
        if (currencies.length > 0) withCurrency(tx, pick(currencies, random), random);
      },
    };
  }

  private amountRule(index: number): RuleSpec {
    const r = this.random;
    const currency = weighted(AMOUNT_CURRENCIES, r);
    const band = this.amountBands[currency]!.pop();
    if (band === undefined) return this.merchantRule(index);
    const scale = ZERO_DECIMAL.has(currency) ? 1 : 100;
    const lo = Math.round(BAND_EDGES[band]! * scale);
    const hi = Math.max(lo + 1, Math.round(BAND_EDGES[band + 1]! * scale));
    const second = weighted([['networks', 30], ['debit', 20], ['issuer', 20], ['merchant_initiated', 15], ['manual', 15]] as const, r);
    let condition: string;
    let apply: (tx: RoutingTransaction, random: Random) => void;
    switch (second) {
      case 'networks': {
        const networks = sample(['visa', 'mastercard', 'amex', 'discover'] as CardBrand[], 1 + Math.floor(r() * 2), r);
        condition = `card.network: { in: ${list(networks)} }`;
        apply = (tx, random) => {
          if (!networks.includes(tx.card.network)) {
            tx.card.network = pick(networks, random);
            tx.card.bin = binFor(tx.card.network, random);
          }
        };
        break;
      }
      case 'debit':
        condition = 'card.type: debit';
        apply = (tx) => {
          tx.card.type = 'debit';
        };
        break;
      case 'issuer': {
        // US, GB, DE only: the country family takes the others, so neither can shadow the other.
        const countries = sample(COUNTRIES.slice(0, 3), 1 + Math.floor(r() * 2), r);
        condition = `country.issuer: { in: ${list(countries, true)} }`;
        apply = (tx, random) => {
          tx.card.issuerCountry = pick(countries, random);
        };
        break;
      }
      case 'merchant_initiated':
        condition = 'initiator: merchant';
        apply = (tx, random) => {
          tx.initiator = 'merchant';
          tx.metadata.product = `sub_${digits(3, random)}`;
        };
        break;
      default:
        condition = 'capture_method: manual';
        apply = (tx) => {
          tx.captureMethod = 'manual';
        };
    }
    return {
      id: `amount-${currency.toLowerCase()}-${band}-${index}`,
      family: 'amount',
      when: `{ amount: { gte: ${lo}, lt: ${hi}, currency: ${currency} }, ${condition} }`,
      satisfy: (tx, random) => {
        tx.currency = currency;
        tx.amount = lo + Math.floor(random() * (hi - lo));
        apply(tx, random);
      },
    };
  }

  private merchantRule(index: number): RuleSpec {
    const r = this.random;
    const block = this.merchantBlocks.pop()!;
    const usePrefix = r() < 0.4;
    const ids = usePrefix ? [] : sample(Array.from({ length: 10 }, (_, i) => `${block}${i}`), 1 + Math.floor(r() * 4), r);
    const condition = usePrefix ? `metadata.merchant: { prefix: [${block}] }` : `metadata.merchant: { in: ${list(ids)} }`;
    const second = weighted([['currency', 40], ['subscription', 30], ['none', 30]] as const, r);
    const currencies = second === 'currency' ? sample(['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY'], 1 + Math.floor(r() * 3), r) : [];
    const when =
      second === 'currency'
        ? `{ ${condition}, currency: { in: ${list(currencies)} } }`
        : second === 'subscription'
          ? `{ ${condition}, initiator: merchant, metadata.product: { prefix: [sub_] } }`
          : `{ ${condition} }`;
    return {
      id: `merchant-${block.replace('_', '')}-${index}`,
      family: 'merchant',
      when,
      satisfy: (tx, random) => {
        tx.metadata.merchant = usePrefix ? `${block}${Math.floor(random() * 10)}` : pick(ids, random);
        if (currencies.length > 0) withCurrency(tx, pick(currencies, random), random);
        if (second === 'subscription') {
          tx.initiator = 'merchant';
          tx.metadata.product = `sub_${digits(3, random)}`;
        }
      },
    };
  }

  private countryRule(index: number): RuleSpec {
    const r = this.random;
    const countries = this.countries.splice(0, 1 + Math.floor(r() * 2));
    const currency = pick(['USD', 'EUR', 'GBP'], r);
    return {
      id: `issuer-${countries.join('-').toLowerCase()}-${index}`,
      family: 'country',
      when: `{ country.issuer: { in: ${list(countries, true)} }, currency: ${currency} }`,
      satisfy: (tx, random) => {
        tx.card.issuerCountry = pick(countries, random);
        withCurrency(tx, currency, random);
      },
    };
  }
}

/** An action over the merchant's gateways: route 35 %, split 20 %, optimize 45 %. */
function actionYaml(names: readonly string[], random: Random): string {
  const kind = weighted([['route', 35], ['split', 20], ['optimize', 45]] as const, random);
  if (kind === 'route') return `{ route: ${list(sample(names, Math.min(names.length, 2 + Math.floor(random() * 2)), random))} }`;
  if (kind === 'split') {
    const [a, b, c] = sample(names, 3, random);
    if (c !== undefined && random() < 0.3) return `{ split: { ${a}: 50, ${b}: 30, ${c}: 20 } }`;
    const w = pick([50, 60, 70, 80, 90], random);
    return `{ split: { ${a}: ${w}, ${b}: ${100 - w} } }`;
  }
  const objective = weighted([['expected_value', 50], ['cost', 30], ['success_rate', 20]] as const, random);
  if (random() < 0.5) return `{ optimize: { objective: ${objective} } }`;
  return `{ optimize: { objective: ${objective}, among: ${list(sample(names, Math.min(names.length, 2 + Math.floor(random() * 3)), random))} } }`;
}

export interface GeneratedRuleset {
  yaml: string;
  compiled: CompiledRuleset;
  specs: RuleSpec[];
  /** Rule count per family. */
  families: Record<string, number>;
}

/**
 * `count` rules as YAML text, through parseRuleset (with the shadowing check) and compile.
 * The conditions depend only on the seed and the count, so every gateway set gets the same
 * rules; the actions name that set's gateways. With 50 or more rules the first is a
 * block rule for sanctioned billing countries, as in the sandbox ruleset.
 */
export function generateRuleset(count: number, names: readonly string[], seed = 1): GeneratedRuleset {
  const conditions = new RuleFactory(seededRandom(streamSeed('rules', count, seed)));
  const actions = seededRandom(streamSeed('actions', count, names.length, seed));
  const specs: RuleSpec[] = [];
  for (let i = 0; i < count; i++) specs.push(i === 0 && count >= 50 ? conditions.block() : conditions.next(i));
  const lines = ['# generated by bench/decide/fixtures.ts', 'rules:'];
  for (const spec of specs) {
    const then = spec.family === 'block' ? '{ block: { code: country_not_supported } }' : actionYaml(names, actions);
    lines.push(`  - id: ${spec.id}`, `    when: ${spec.when}`, `    then: ${then}`);
  }
  lines.push('default: { optimize: { objective: expected_value } }');
  const yaml = `${lines.join('\n')}\n`;
  const parsed = parseRuleset(yaml, `generated-${count}.yaml`, names);
  if ('errors' in parsed) throw new Error(`generated ruleset does not parse:\n${parsed.errors.slice(0, 10).map(formatError).join('\n')}`);
  const families: Record<string, number> = {};
  for (const s of specs) families[s.family] = (families[s.family] ?? 0) + 1;
  return { yaml, compiled: compile(parsed.ruleset, names), specs, families };
}

// ---------------------------------------------------------------- the transaction pool

/** Index of the rule that decides `tx` (0-based), or -1 for the default. */
export function matchedDepth(compiled: CompiledRuleset, tx: RoutingTransaction): number {
  const { ruleId } = evaluate(compiled, tx);
  if (ruleId === null) return -1;
  return compiled.rules.findIndex((r) => r.id === ruleId);
}

export interface Pool {
  txs: RoutingTransaction[];
  /** Per transaction: the index of the rule that decides it, -1 for the default. */
  depths: Int32Array;
  /** How traffic was aimed, for the output. */
  aim: string;
}

/**
 * `size` transactions: 80 % aimed at a rule in the middle fifth of the list (40–60 %),
 * 10 % at a rule anywhere, 10 % at the default. A transaction aimed at rule d is a random
 * transaction changed to satisfy rule d, kept only if rule d really is the first match (up to
 * 50 tries; an earlier rule may also match by chance). The depths actually reached are
 * measured with `evaluate` and reported.
 */
export function transactionPool(ruleset: GeneratedRuleset, size: number, seed = 1): Pool {
  const n = ruleset.specs.length;
  const random = seededRandom(streamSeed('pool', n, seed));
  const firstRule = ruleset.specs[0]?.family === 'block' ? 1 : 0; // never aim at the block rule
  const midLo = Math.max(firstRule, Math.floor(n * 0.4));
  const midHi = Math.max(midLo + 1, Math.ceil(n * 0.6));
  const txs: RoutingTransaction[] = [];
  const depths = new Int32Array(size);
  let id = 0;
  for (let i = 0; i < size; i++) {
    const roll = random();
    const target = roll < 0.1 || n === 0 ? -1 : roll < 0.2 ? firstRule + Math.floor(random() * (n - firstRule)) : midLo + Math.floor(random() * (midHi - midLo));
    let tx!: RoutingTransaction;
    let depth = -2;
    for (let attempt = 0; attempt < 50 && depth !== target; attempt++) {
      tx = randomTransaction(id++, random);
      if (target >= 0) ruleset.specs[target]!.satisfy(tx, random);
      depth = matchedDepth(ruleset.compiled, tx);
    }
    txs.push(tx);
    depths[i] = depth;
  }
  return {
    txs,
    depths,
    aim: `80 % aimed at rules ${midLo + 1}–${midHi} of ${n}, 10 % at any rule, 10 % at the default`,
  };
}

// ---------------------------------------------------------------- a warmed learner

/**
 * A learner in steady state: `updates` outcomes over random transactions, each for a random
 * gateway of the set that could take it, with true approval rates of 80–95 % per gateway.
 */
export function warmedLearner(candidates: readonly GatewayCandidate[], updates: number, seed = 1): SuccessRateLearner {
  const random = seededRandom(streamSeed('learner', candidates.length, seed));
  const learner = new SuccessRateLearner();
  const rates = new Map(candidates.map((c) => [c.accountId, 0.8 + 0.15 * random()]));
  const segments: { seg: Segment; tx: RoutingTransaction }[] = Array.from({ length: 4000 }, (_, i) => {
    const tx = randomTransaction(i, random);
    return { tx, seg: segmentOf({ paymentMethod: tx.paymentMethod, network: tx.card.network, currency: tx.currency, issuerCountry: tx.card.issuerCountry, amount: tx.amount }) };
  });
  for (let i = 0; i < updates; i++) {
    const { seg } = segments[Math.floor(random() * segments.length)]!;
    const gateway = candidates[Math.floor(random() * candidates.length)]!.accountId;
    learner.update(gateway, seg, random() < rates.get(gateway)! ? 'success' : 'failure');
  }
  return learner;
}

export function segmentOfTx(tx: RoutingTransaction): Segment {
  return segmentOf({ paymentMethod: tx.paymentMethod, network: tx.card.network, currency: tx.currency, issuerCountry: tx.card.issuerCountry, amount: tx.amount });
}

// ---------------------------------------------------------------- the learner's workload

export interface LearnerWorkload {
  gateways: string[];
  txs: RoutingTransaction[];
  segments: Segment[];
  /** 1 = success, 0 = failure; 85 % successes. Index with `i & 0xffff`. */
  outcomes: Uint8Array;
  /** Random indices into `segments`/`txs`. Index with `i & 0xffff`. */
  segmentPicks: Uint16Array;
  /** Random indices into `gateways`; 65 521 (a prime) long so it does not cycle with the others. Index with `i % 65_521`. */
  gatewayPicks: Uint8Array;
  /** Distinct segments among `segments`. */
  distinctSegments: number;
}

/**
 * The learner's benchmark traffic, as in src/routing/learner/memory.test.ts: 10 gateways and a
 * pool of 5 000 transactions (their segments drawn from the benchmark's traffic mix: 9
 * currencies, 8 networks, 40 issuer countries, 4 amount bands), 85 % successes.
 */
export function learnerWorkload(gateways = 10, size = 5_000, seed = 1): LearnerWorkload {
  const random = seededRandom(streamSeed('learner-workload', gateways, size, seed));
  const txs = Array.from({ length: size }, (_, i) => randomTransaction(i, random));
  const segments = txs.map(segmentOfTx);
  const outcomes = new Uint8Array(1 << 16);
  for (let i = 0; i < outcomes.length; i++) outcomes[i] = random() < 0.85 ? 1 : 0;
  const segmentPicks = new Uint16Array(1 << 16).map(() => Math.floor(random() * size));
  const gatewayPicks = new Uint8Array(65_521).map(() => Math.floor(random() * gateways));
  return {
    gateways: Array.from({ length: gateways }, (_, i) => `gateway-${i}`),
    txs,
    segments,
    outcomes,
    segmentPicks,
    gatewayPicks,
    distinctSegments: new Set(segments.map((s) => JSON.stringify(s))).size,
  };
}
