import { CARD_FUNDINGS } from '../../domain/card.js';
import { CARD_NETWORKS } from '../rules/conditions.js';
import { binRange, parseBin } from '../rules/bins.js';
import { sortErrors, type Parsed } from '../rules/parse.js';
import { suggestion, YamlSource, type Located } from '../rules/source.js';
import { type BinFacts, type BinRange } from './table.js';

export const BIN_OVERRIDES_FILE = 'bins.overrides.yaml';

const ENTRY_FIELDS = ['bin', 'range', 'network', 'type', 'country'];
const FACT_FIELDS = ['network', 'type', 'country'];
const NETWORKS = CARD_NETWORKS.filter((n) => n !== 'unknown');
const COUNTRY = /^[A-Z]{2}$/;

/**
 * Parses the operator's BIN overrides (`bins: [{ bin | range, network?, type?, country? }]`),
 * reporting every error with its line and column. Each entry's facts win over gateway reports
 * and the public table for the BINs it covers; the facts it leaves out still come from them.
 */
export function parseBinOverrides(text: string, file: string): Parsed<{ ranges: BinRange[] }> {
  const src = new YamlSource(file, text);
  if (!src.ok) return { errors: src.errors };
  const ranges: BinRange[] = [];
  if (!src.isNull(src.root)) {
    const root = src.map(src.root, 'the BIN overrides file', ['bins']);
    const bins = root?.find((e) => e.key === 'bins');
    if (root !== undefined && bins === undefined) src.report(src.root.ref, 'the BIN overrides file needs `bins`, a list of { bin or range, and network, type or country }');
    for (const item of (bins && !src.isNull(bins.value) && src.list(bins.value, '`bins`')) || []) {
      const range = readEntry(src, item);
      if (range !== undefined) ranges.push(range);
    }
  }
  if (!src.ok) return { errors: sortErrors(src.errors) };
  return { ranges };
}

function readEntry(src: YamlSource, at: Located): BinRange | undefined {
  const entries = src.map(at, 'a BIN override', ENTRY_FIELDS);
  if (entries === undefined) return undefined;
  const field = (key: string) => entries.find((e) => e.key === key)?.value;
  const binAt = field('bin');
  const rangeAt = field('range');
  if ((binAt === undefined) === (rangeAt === undefined)) {
    return src.report(at.ref, 'a BIN override names exactly one of `bin` (6–8 digits) or `range: [from, to]`');
  }
  if (!entries.some((e) => FACT_FIELDS.includes(e.key))) {
    return src.report(at.ref, 'a BIN override sets at least one of `network`, `type` or `country`');
  }
  const keys = binAt ? readBin(src, binAt) : readRange(src, rangeAt!);
  const network = readChoice(src, field('network'), 'network', NETWORKS);
  const type = readChoice(src, field('type'), 'type', CARD_FUNDINGS);
  const countryAt = field('country');
  const country = countryAt && src.string(countryAt, '`country`');
  if (countryAt && country !== undefined && !COUNTRY.test(country)) {
    src.report(countryAt.ref, `bad country '${country}': expected an ISO 3166 alpha-2 code in upper case, like US`);
    return undefined;
  }
  if (keys === undefined || network === undefined || type === undefined || (countryAt && country === undefined)) return undefined;
  const facts: BinFacts = { network: network as BinFacts['network'], type: type as BinFacts['type'], issuerCountry: country ?? null };
  return { from: keys.lo, to: keys.hi, facts };
}

function readBin(src: YamlSource, at: Located): { lo: number; hi: number } | undefined {
  const text = src.text(at, '`bin`');
  if (text === undefined) return undefined;
  return parseBin(text) ?? src.report(at.ref, `bad BIN '${text}': expected a BIN of 6–8 digits`);
}

function readRange(src: YamlSource, at: Located): { lo: number; hi: number } | undefined {
  const items = src.list(at, '`range`');
  if (items === undefined) return undefined;
  if (items.length !== 2) return src.report(at.ref, '`range` must be [from, to]');
  const [from, to] = items.map((item) => src.text(item, 'a BIN'));
  if (from === undefined || to === undefined) return undefined;
  const range = binRange(from, to);
  return typeof range === 'string' ? src.report(at.ref, `bad BIN range [${from}, ${to}]: ${range}`) : range;
}

/** null when the entry leaves the fact out; undefined on an error (reported). */
function readChoice(src: YamlSource, at: Located | undefined, what: string, allowed: readonly string[]): string | null | undefined {
  if (at === undefined) return null;
  const value = src.string(at, `\`${what}\``);
  if (value === undefined) return undefined;
  if (allowed.includes(value)) return value;
  return src.report(at.ref, `unknown ${what} '${value}': expected one of ${allowed.join(', ')}${suggestion(value, allowed)}`);
}
