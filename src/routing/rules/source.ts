import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';

/** An error in an ops-edited file, pointing at the line and column (both 1-based) of the offending node. */
export interface LocatedError {
  file: string;
  line: number;
  column: number;
  message: string;
  /** Where in the document, e.g. `rules[2].then.split.stripe`. */
  path: string;
}

/** A place in a source file, kept on parsed values so later checks can still point at them. */
export interface SourceRef {
  line: number;
  column: number;
  path: string;
}

export function formatError(error: LocatedError): string {
  return `${error.file}:${error.line}:${error.column}: ${error.message}`;
}

export function errorAt(file: string, at: SourceRef, message: string): LocatedError {
  return { file, line: at.line, column: at.column, message, path: at.path };
}

/** One YAML node together with its document path. */
export interface Located {
  node: Node | null;
  ref: SourceRef;
}

export interface MapEntry {
  key: string;
  keyRef: SourceRef;
  value: Located;
}

/**
 * A parsed YAML document plus the errors found while reading it. Readers report into
 * `errors` and return undefined on bad input, so one pass collects every error.
 */
export class YamlSource {
  readonly errors: LocatedError[] = [];
  readonly root: Located;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    text: string,
  ) {
    const doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false });
    for (const error of doc.errors) {
      const { line, col } = this.lines.linePos(error.pos[0]);
      this.errors.push({ file, line, column: col, message: error.message, path: '' });
    }
    this.root = { node: doc.errors.length > 0 ? null : (doc.contents as Node | null), ref: this.ref(doc.contents as Node | null, '') };
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }

  report(at: SourceRef, message: string): undefined {
    this.errors.push(errorAt(this.file, at, message));
    return undefined;
  }

  ref(node: Node | null | undefined, path: string, fallback?: SourceRef): SourceRef {
    const offset = node?.range?.[0];
    if (offset === undefined) return fallback ?? { line: 1, column: 1, path };
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col, path };
  }

  /** Entries of a mapping; keys outside `allowed` are reported, with a suggestion for near misses. */
  map(at: Located, what: string, allowed?: readonly string[]): MapEntry[] | undefined {
    if (!isMap(at.node)) return this.report(at.ref, `${what} must be a mapping (key: value)`);
    const entries: MapEntry[] = [];
    for (const pair of at.node.items as Pair<Node | null, Node | null>[]) {
      const keyNode = pair.key;
      const keyRef = this.ref(keyNode, at.ref.path, at.ref);
      if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
        this.report(keyRef, `${what}: keys must be plain strings`);
        continue;
      }
      const key = keyNode.value;
      const path = joinPath(at.ref.path, key);
      if (allowed !== undefined && !allowed.includes(key)) {
        this.report({ ...keyRef, path }, `unknown field '${key}' in ${what}${suggestion(key, allowed)}`);
        continue;
      }
      entries.push({ key, keyRef: { ...keyRef, path }, value: { node: pair.value, ref: this.ref(pair.value, path, { ...keyRef, path }) } });
    }
    return entries;
  }

  /** Items of a sequence. */
  list(at: Located, what: string): Located[] | undefined {
    if (!isSeq(at.node)) return this.report(at.ref, `${what} must be a list`);
    return (at.node.items as (Node | null)[]).map((node, i) => {
      const path = `${at.ref.path}[${i}]`;
      return { node, ref: this.ref(node, path, { ...at.ref, path }) };
    });
  }

  string(at: Located, what: string): string | undefined {
    if (isScalar(at.node) && typeof at.node.value === 'string' && at.node.value !== '') return at.node.value;
    return this.report(at.ref, `${what} must be a non-empty string${describe(at.node)}`);
  }

  /** A scalar read as text whatever YAML typed it as, so `bin: 424242` and `KP` both work. */
  text(at: Located, what: string): string | undefined {
    if (isScalar(at.node) && (typeof at.node.value === 'string' || typeof at.node.value === 'number')) {
      const source = (at.node as { source?: unknown }).source;
      return typeof source === 'string' && typeof at.node.value === 'number' ? source : String(at.node.value);
    }
    return this.report(at.ref, `${what} must be a value${describe(at.node)}`);
  }

  integer(at: Located, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const value = isScalar(at.node) ? at.node.value : undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      return this.report(at.ref, `${what} must be an integer${describe(at.node)}`);
    }
    if (value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
      return this.report(at.ref, `${what} must be ${range}, got ${value}`);
    }
    return value;
  }

  isNull(at: Located): boolean {
    return at.node === null || (isScalar(at.node) && at.node.value === null);
  }
}

function describe(node: Node | null): string {
  if (node === null || (isScalar(node) && node.value === null)) return ', got nothing';
  if (isMap(node)) return ', got a mapping';
  if (isSeq(node)) return ', got a list';
  if (isScalar(node)) return `, got ${JSON.stringify(node.value)}`;
  return '';
}

export function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** " (did you mean 'x'?)" for the closest candidate within a small edit distance, or one the word begins, else "". */
export function suggestion(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  if (best === undefined || bestDistance > tolerance) {
    best = word.length >= 3 ? candidates.find((c) => c.toLowerCase().startsWith(word.toLowerCase())) : undefined;
  }
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}

/** Optimal string alignment distance: edits plus adjacent transpositions ("thne" → "then" is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}
