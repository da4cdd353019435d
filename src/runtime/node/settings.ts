/** Reads durations from the environment, refusing anything that is not a whole number of milliseconds. */
type Env = Readonly<Record<string, string | undefined>>;

const MAX_MS = 30 * 24 * 3_600_000;

function parseMs(name: string, text: string): number {
  if (!/^\d{1,10}$/.test(text.trim())) throw new Error(`${name} must be a whole number of milliseconds, got ${JSON.stringify(text)}.`);
  const ms = Number(text.trim());
  if (ms > MAX_MS) throw new Error(`${name} must be at most ${MAX_MS} ms (30 days), got ${ms}.`);
  return ms;
}

export function duration(env: Env, name: string, fallback: number): number {
  const text = env[name];
  return text === undefined || text === '' ? fallback : parseMs(name, text);
}

/** A comma-separated list of milliseconds, such as `30000,120000,600000`. */
export function durationList(env: Env, name: string, fallback: readonly number[]): number[] {
  const text = env[name];
  if (text === undefined || text === '') return [...fallback];
  const list = text.split(',').map((part) => parseMs(name, part));
  if (list.length === 0 || list.length > 20) throw new Error(`${name} must list 1 to 20 delays.`);
  return list;
}
