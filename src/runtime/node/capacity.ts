import { readFile } from 'node:fs/promises';
import { capacityFromLoadBench, DEFAULT_INSTANCE_CAPACITY, type InstanceCapacity } from '../../analytics/capacity.js';

const LOAD_RESULTS = 'bench/results/load.json';

/**
 * The per-instance capacity the forecast's capacity answer divides by: SWITCHYARD_INSTANCE_CAPACITY
 * (payments/s) when set, else what `npm run bench:load` measured on this checkout, else a default.
 */
export async function loadInstanceCapacity(env: Readonly<Record<string, string | undefined>>): Promise<InstanceCapacity> {
  const configured = env.SWITCHYARD_INSTANCE_CAPACITY;
  if (configured !== undefined && configured !== '') {
    const value = Number(configured);
    if (!Number.isFinite(value) || value <= 0) throw new Error('SWITCHYARD_INSTANCE_CAPACITY must be a positive number of payments per second');
    return { paymentsPerSecond: value, source: 'configured: SWITCHYARD_INSTANCE_CAPACITY' };
  }
  const text = await readFile(new URL(`../../../${LOAD_RESULTS}`, import.meta.url), 'utf8').catch(() => null);
  const measured = text === null ? null : capacityFromLoadBench(safeJson(text), LOAD_RESULTS);
  return measured ?? DEFAULT_INSTANCE_CAPACITY;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
