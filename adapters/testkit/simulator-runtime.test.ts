import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RequestFaults } from './faults.js';
import { readSavedSimulator, SimulatorRuntime, type SimulatorRuntimeOptions } from './simulator-runtime.js';

describe('the simulator runtime', () => {
  let dir: string;
  const runtimes: SimulatorRuntime<unknown>[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-runtime-'));
  });
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.close()));
    await rm(dir, { recursive: true, force: true });
  });

  async function start(options: Partial<SimulatorRuntimeOptions<unknown>>): Promise<SimulatorRuntime<unknown>> {
    const runtime = new SimulatorRuntime<unknown>({
      host: '127.0.0.1',
      port: 0,
      statePath: null,
      serialize: () => ({}),
      handle: async (_req, res) => void res.writeHead(200).end('ok'),
      faults: new RequestFaults(),
      stopSending: () => {},
      ...options,
    });
    runtimes.push(runtime);
    await runtime.listen();
    return runtime;
  }

  it('answers a handler that throws with a 500, in the provider error shape when it has one', async () => {
    const failing = async () => {
      throw new Error('bug');
    };
    const bare = await start({ handle: failing });
    const plain = await fetch(bare.baseUrl);
    expect(plain.status).toBe(500);
    expect(await plain.text()).toBe('');

    const shaped = await start({ handle: failing, internalError: () => ({ headers: { 'content-type': 'application/json' }, body: '{"error":"internal"}' }) });
    const answer = await fetch(shaped.baseUrl);
    expect(answer.status).toBe(500);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(await answer.json()).toEqual({ error: 'internal' });
  });

  it('refuses connections while the fault is set and listens again on the same port once cleared', async () => {
    const runtime = await start({});
    await runtime.setFault({ kind: 'refuse_connections' });
    await expect(fetch(runtime.baseUrl)).rejects.toThrow();
    await runtime.clearFault();
    expect((await fetch(runtime.baseUrl)).status).toBe(200);
  });

  it('stops sending first at close, then writes its state a last time', async () => {
    const statePath = join(dir, 'sim.json');
    const events: string[] = [];
    let state = { n: 1 };
    const runtime = await start({ statePath, serialize: () => (events.push('saved'), state), stopSending: () => events.push('stopped') });
    state = { n: 2 };
    runtime.changed();
    await runtime.close();
    expect(events).toEqual(['stopped', 'saved']);
    expect(JSON.parse(await readFile(statePath, 'utf8'))).toEqual({ n: 2 });
  });

  it("reads a saved state back and refuses another provider's", async () => {
    const statePath = join(dir, 'sim.json');
    expect(await readSavedSimulator(statePath, 'acme', 'Acme')).toBeNull();
    await writeFile(statePath, JSON.stringify({ version: 1, provider: 'acme', n: 3 }));
    expect(await readSavedSimulator(statePath, 'acme', 'Acme')).toEqual({ version: 1, provider: 'acme', n: 3 });
    await expect(readSavedSimulator(statePath, 'other', 'Other')).rejects.toThrow(`${statePath} holds a acme simulator's state, not Other's`);
  });
});
