import { isCurrency } from '../../domain/currency.js';
import { PAYMENT_METHOD_TYPES } from '../../domain/payment-method.js';
import { CARD_NETWORKS } from '../rules/conditions.js';
import { sortErrors, type Parsed } from '../rules/parse.js';
import { suggestion, YamlSource, type Located } from '../rules/source.js';
import type { FeeSchedule, Price } from './schedule.js';

const GATEWAY_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const COUNTRY = /^[A-Z]{2}$/;
const CARD_TYPES = ['credit', 'debit', 'prepaid'];
const SCHEDULE_FIELDS = ['country', 'settlement_currencies', 'prices', 'payment_methods', 'card_networks', 'card_types', 'cross_border_bps', 'fx_markup_bps'];
const MAX_BPS = 10_000;

/** Parses a fee schedule file (`gateways: { <account name>: schedule }`), reporting every error with its line and column. */
export function parseFeeSchedules(text: string, file: string): Parsed<{ schedules: ReadonlyMap<string, FeeSchedule> }> {
  const src = new YamlSource(file, text);
  if (!src.ok) return { errors: src.errors };
  const schedules = new Map<string, FeeSchedule>();
  const root = src.map(src.root, 'the fee file', ['gateways']);
  const gateways = root?.find((e) => e.key === 'gateways');
  if (root !== undefined && gateways === undefined) src.report(src.root.ref, 'the fee file needs `gateways`, a mapping from gateway account name to its schedule');
  for (const { key, keyRef, value } of (gateways && src.map(gateways.value, '`gateways`')) ?? []) {
    if (!GATEWAY_NAME.test(key)) src.report(keyRef, `bad gateway account name '${key}': use lower case letters, digits, '-' and '_'`);
    const schedule = readSchedule(src, key, value);
    if (schedule !== undefined) schedules.set(key, schedule);
  }
  if (!src.ok) return { errors: sortErrors(src.errors) };
  return { schedules };
}

function readSchedule(src: YamlSource, gateway: string, at: Located): FeeSchedule | undefined {
  const entries = src.map(at, `the schedule of '${gateway}'`, SCHEDULE_FIELDS);
  if (entries === undefined) return undefined;
  const field = (key: string) => entries.find((e) => e.key === key)?.value;
  const required = (key: string) => field(key) ?? src.report(at.ref, `the schedule of '${gateway}' needs \`${key}\``);

  const countryAt = required('country');
  const country = countryAt && src.string(countryAt, '`country`');
  if (countryAt && country !== undefined && !COUNTRY.test(country)) {
    src.report(countryAt.ref, `bad country '${country}': expected an ISO 3166 alpha-2 code in upper case, like US`);
  }
  const settlementAt = required('settlement_currencies');
  const settlement = settlementAt && readCurrencies(src, settlementAt);
  const pricesAt = required('prices');
  const prices = pricesAt && readPrices(src, pricesAt);
  const methodPrices = readOverrides(src, field('payment_methods'), 'payment method', PAYMENT_METHOD_TYPES);
  const networkPrices = readOverrides(src, field('card_networks'), 'card network', CARD_NETWORKS);
  const cardTypePrices = readOverrides(src, field('card_types'), 'card type', CARD_TYPES);
  const crossBorderAt = field('cross_border_bps');
  const fxAt = field('fx_markup_bps');
  const crossBorderBps = crossBorderAt ? src.integer(crossBorderAt, '`cross_border_bps`', 0, MAX_BPS) : 0;
  const fxMarkupBps = fxAt ? src.integer(fxAt, '`fx_markup_bps`', 0, MAX_BPS) : 0;
  if (
    country === undefined ||
    settlement === undefined ||
    prices === undefined ||
    methodPrices === undefined ||
    networkPrices === undefined ||
    cardTypePrices === undefined ||
    crossBorderBps === undefined ||
    fxMarkupBps === undefined
  ) {
    return undefined;
  }
  return { gateway, country, settlementCurrencies: settlement, prices, methodPrices, networkPrices, cardTypePrices, crossBorderBps, fxMarkupBps };
}

function readCurrencies(src: YamlSource, at: Located): Set<string> | undefined {
  const items = src.list(at, '`settlement_currencies`');
  if (items === undefined) return undefined;
  if (items.length === 0) return src.report(at.ref, '`settlement_currencies` must list at least one currency');
  const currencies = new Set<string>();
  for (const item of items) {
    const code = src.string(item, 'a currency');
    if (code !== undefined && checkCurrency(src, code, item)) currencies.add(code);
  }
  return currencies.size === items.length ? currencies : undefined;
}

function checkCurrency(src: YamlSource, code: string, at: Located): boolean {
  if (isCurrency(code)) return true;
  const hint = isCurrency(code.toUpperCase()) ? ` (did you mean '${code.toUpperCase()}'?)` : '';
  src.report(at.ref, `unknown currency '${code}': expected an ISO 4217 code${hint}`);
  return false;
}

/** `{ <currency>: { percent_bps, fixed, cap? } }` */
function readPrices(src: YamlSource, at: Located): Map<string, Price> | undefined {
  const entries = src.map(at, 'prices (currency: { percent_bps, fixed, cap })');
  if (entries === undefined) return undefined;
  const prices = new Map<string, Price>();
  for (const { key, keyRef, value } of entries) {
    const currencyOk = checkCurrency(src, key, { node: null, ref: keyRef });
    const price = readPrice(src, key, value);
    if (currencyOk && price !== undefined) prices.set(key, price);
  }
  return prices.size === entries.length ? prices : undefined;
}

function readPrice(src: YamlSource, currency: string, at: Located): Price | undefined {
  const entries = src.map(at, `the ${currency} price`, ['percent_bps', 'fixed', 'cap']);
  if (entries === undefined) return undefined;
  const percentAt = entries.find((e) => e.key === 'percent_bps')?.value;
  const fixedAt = entries.find((e) => e.key === 'fixed')?.value;
  const capAt = entries.find((e) => e.key === 'cap')?.value;
  if (percentAt === undefined || fixedAt === undefined) {
    return src.report(at.ref, `the ${currency} price needs \`percent_bps\` (basis points) and \`fixed\` (minor units)`);
  }
  const percentBps = src.integer(percentAt, '`percent_bps`', 0, MAX_BPS);
  const fixed = src.integer(fixedAt, '`fixed` (minor units)', 0);
  if (capAt === undefined) return percentBps === undefined || fixed === undefined ? undefined : { percentBps, fixed };
  const cap = src.integer(capAt, '`cap` (minor units)', 0);
  if (cap !== undefined && fixed !== undefined && cap < fixed) return src.report(capAt.ref, `\`cap\` (${cap}) is below \`fixed\` (${fixed}): every ${currency} payment would pay the cap`);
  return percentBps === undefined || fixed === undefined || cap === undefined ? undefined : { percentBps, fixed, cap };
}

/** `{ <network or card type>: { <currency>: price } }`; absent means no overrides. */
function readOverrides(
  src: YamlSource,
  at: Located | undefined,
  what: string,
  allowed: readonly string[],
): Map<string, Map<string, Price>> | undefined {
  const overrides = new Map<string, Map<string, Price>>();
  if (at === undefined) return overrides;
  const entries = src.map(at, `${what} overrides`);
  if (entries === undefined) return undefined;
  let ok = true;
  for (const { key, keyRef, value } of entries) {
    if (!allowed.includes(key)) {
      src.report(keyRef, `unknown ${what} '${key}': expected one of ${allowed.join(', ')}${suggestion(key, allowed)}`);
      ok = false;
      continue;
    }
    const prices = readPrices(src, value);
    if (prices === undefined) ok = false;
    else overrides.set(key, prices);
  }
  return ok ? overrides : undefined;
}
