import { OBJECTIVES, type ActionSpec, type GatewayRef, type Objective } from './ruleset.js';
import { suggestion, type Located, type YamlSource } from './source.js';
import { checkGateways } from './validate.js';

const ACTIONS = ['route', 'split', 'optimize', 'block'];
const ERROR_CODE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** One action (`route`, `split`, `optimize` or `block`); reports every problem into `src`. */
export function readAction(src: YamlSource, at: Located, what: string, knownGateways?: readonly string[]): ActionSpec | undefined {
  const entries = src.map(at, what, ACTIONS);
  if (entries === undefined) return undefined;
  const [action, ...rest] = entries;
  if (action === undefined) return src.report(at.ref, `${what} needs one action: ${ACTIONS.join(', ')}`);
  if (rest.length > 0) return src.report(rest[0]!.keyRef, `${what} takes one action, got ${entries.map((e) => e.key).join(' and ')}`);
  const value = action.value;
  const checkNames = (kind: ActionSpec['kind'], named: readonly GatewayRef[] | null | undefined) => {
    if (knownGateways !== undefined && named) src.errors.push(...checkGateways(src.file, kind, value.ref, named, knownGateways));
  };
  switch (action.key) {
    case 'route':
      return readRoute(src, value, checkNames);
    case 'split':
      return readSplit(src, value, checkNames);
    case 'optimize':
      return readOptimize(src, value, checkNames);
    default:
      return readBlock(src, value);
  }
}

type CheckNames = (kind: ActionSpec['kind'], named: readonly GatewayRef[] | null | undefined) => void;

/** A non-empty list of distinct gateway names. */
function readGateways(src: YamlSource, at: Located, what: string): GatewayRef[] | undefined {
  const items = src.list(at, what);
  if (items === undefined) return undefined;
  if (items.length === 0) return src.report(at.ref, `${what} must name at least one gateway`);
  const gateways: GatewayRef[] = [];
  for (const item of items) {
    const name = src.string(item, 'a gateway name');
    if (name !== undefined && gateways.some((g) => g.name === name)) src.report(item.ref, `gateway '${name}' is listed twice in ${what}`);
    else if (name !== undefined) gateways.push({ name, at: item.ref });
  }
  return gateways.length === items.length ? gateways : undefined;
}

function readRoute(src: YamlSource, at: Located, checkNames: CheckNames): ActionSpec | undefined {
  const gateways = readGateways(src, at, '`route`');
  checkNames('route', gateways);
  return gateways && { kind: 'route', gateways, at: at.ref };
}

function readSplit(src: YamlSource, at: Located, checkNames: CheckNames): ActionSpec | undefined {
  const entries = src.map(at, '`split` (gateway: weight)');
  if (entries === undefined) return undefined;
  checkNames('split', entries.map((e) => ({ name: e.key, at: e.keyRef })));
  if (entries.length === 0) return src.report(at.ref, '`split` must name at least one gateway');
  const weights: { gateway: GatewayRef; weight: number }[] = [];
  for (const { key, keyRef, value } of entries) {
    const weight = src.integer(value, `the weight of '${key}'`, 1, 100);
    if (weight !== undefined) weights.push({ gateway: { name: key, at: keyRef }, weight });
  }
  if (weights.length < entries.length) return undefined;
  const total = weights.reduce((sum, w) => sum + w.weight, 0);
  if (total !== 100) return src.report(at.ref, `\`split\` weights must sum to 100, got ${total}`);
  return { kind: 'split', weights, at: at.ref };
}

function readOptimize(src: YamlSource, at: Located, checkNames: CheckNames): ActionSpec | undefined {
  const entries = src.map(at, '`optimize`', ['objective', 'among']);
  if (entries === undefined) return undefined;
  const objectiveEntry = entries.find((e) => e.key === 'objective');
  if (objectiveEntry === undefined) return src.report(at.ref, `\`optimize\` needs an \`objective\`: ${OBJECTIVES.join(', ')}`);
  const amongEntry = entries.find((e) => e.key === 'among');
  const among = amongEntry === undefined ? null : readGateways(src, amongEntry.value, '`among`');
  checkNames('optimize', among);
  const name = src.string(objectiveEntry.value, '`objective`');
  const objective = OBJECTIVES.find((o) => o === name);
  if (name !== undefined && objective === undefined) {
    src.report(objectiveEntry.value.ref, `unknown objective '${name}': expected ${OBJECTIVES.join(', ')}${suggestion(name, OBJECTIVES)}`);
  }
  if (objective === undefined || among === undefined) return undefined;
  return { kind: 'optimize', objective: objective as Objective, among, at: at.ref };
}

function readBlock(src: YamlSource, at: Located): ActionSpec | undefined {
  const entries = src.map(at, '`block`', ['code']);
  if (entries === undefined) return undefined;
  const codeEntry = entries.find((e) => e.key === 'code');
  if (codeEntry === undefined) return src.report(at.ref, '`block` needs a `code`, like { code: country_not_supported }');
  const code = src.string(codeEntry.value, 'the block `code`');
  if (code === undefined) return undefined;
  if (!ERROR_CODE.test(code)) return src.report(codeEntry.value.ref, `bad error code '${code}': use snake_case, like country_not_supported`);
  return { kind: 'block', code, at: at.ref };
}
