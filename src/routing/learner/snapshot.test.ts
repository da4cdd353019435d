import { describe, expect, it } from 'vitest';
import { SuccessRateLearner } from './learner.js';
import type { Segment } from './segment.js';
import { parseSnapshot, retainGateways } from './snapshot.js';

const US_VISA: Segment = { paymentMethod: 'card', network: 'visa', currency: 'USD', issuerCountry: 'US', amountBand: 'under_100' };
const EU_MC: Segment = { paymentMethod: 'card', network: 'mastercard', currency: 'EUR', issuerCountry: 'FR', amountBand: 'under_1000' };

function taught(): SuccessRateLearner {
  const learner = new SuccessRateLearner();
  for (let i = 0; i < 40; i++) {
    learner.update('gwa_x', US_VISA, i % 2 === 0 ? 'success' : 'failure');
    learner.update('gwa_y', US_VISA, i % 5 === 0 ? 'failure' : 'success');
    learner.update('gwa_z', EU_MC, i % 3 === 0 ? 'failure' : 'success');
    learner.update('gwa_y', EU_MC, 'success');
  }
  return learner;
}

describe('learner snapshots', () => {
  it('keep the chosen gateways exactly and forget the others, ids included', () => {
    const learner = taught();
    const kept = retainGateways(learner.snapshot(), (gateway) => gateway !== 'gwa_x');
    expect(kept.values.gateway).toEqual(['gwa_y', 'gwa_z']);
    expect(JSON.stringify(kept)).not.toContain('gwa_x');
    const restored = new SuccessRateLearner();
    restored.restore(parseSnapshot(JSON.parse(JSON.stringify(kept))));
    for (const gateway of ['gwa_y', 'gwa_z']) {
      for (const segment of [US_VISA, EU_MC]) expect(restored.estimate(gateway, segment)).toEqual(learner.estimate(gateway, segment));
      expect(restored.overall(gateway)).toEqual(learner.overall(gateway));
    }
    expect(restored.estimate('gwa_x', US_VISA)).toEqual({ p: 0.5, n: 0, level: 'prior' });
  });

  it('keep a gateway’s health with its cells', () => {
    const learner = taught();
    for (let i = 0; i < 2; i++) learner.update('gwa_y', US_VISA, 'technical');
    const restored = new SuccessRateLearner();
    restored.restore(parseSnapshot(JSON.parse(JSON.stringify(retainGateways(learner.snapshot(), (gateway) => gateway !== 'gwa_x')))));
    expect(restored.estimate('gwa_y', US_VISA)).toEqual(learner.estimate('gwa_y', US_VISA));
    expect(restored.estimate('gwa_y', US_VISA).p).toBeLessThan(0.1);
  });

  it('load a snapshot from before the short memory and the health filter, with the same estimates', () => {
    const learner = taught();
    const { fast: _fast, gateways: _gateways, ...old } = learner.snapshot();
    const restored = new SuccessRateLearner();
    restored.restore(parseSnapshot(JSON.parse(JSON.stringify(old))));
    for (const gateway of ['gwa_x', 'gwa_y', 'gwa_z']) {
      for (const segment of [US_VISA, EU_MC]) expect(restored.estimate(gateway, segment)).toEqual(learner.estimate(gateway, segment));
    }
    // And it learns on from there: a new snapshot carries the new fields.
    restored.update('gwa_x', US_VISA, 'success');
    expect(restored.snapshot()).toMatchObject({ fast: expect.any(Array), gateways: expect.any(Array) });
  });

  it('load a snapshot from before the network-in-country level without its second level, whose keys meant network and currency', () => {
    const learner = taught();
    const current = learner.snapshot();
    const { levels: _levels, ...old } = current;
    const parsed = parseSnapshot(JSON.parse(JSON.stringify(old)));
    // Two segments over three gateways: four second-level cells (x, y and z, y) and their two traffic counts go.
    expect(parsed.cells.length / 4).toBe(current.cells.length / 4 - 4);
    expect(parsed.fast!.length / 3).toBe(parsed.cells.length / 4);
    expect(parsed.peers.length / 2).toBe(current.peers.length / 2 - 2);
    const restored = new SuccessRateLearner();
    restored.restore(parsed);
    // Segments and networks are as they were…
    for (const gateway of ['gwa_x', 'gwa_y', 'gwa_z']) expect(restored.overall(gateway)).toEqual(learner.overall(gateway));
    expect(restored.estimate('gwa_y', US_VISA).level).toBe('segment');
    // …but another amount band in the US is no longer answered from a cell the old key named.
    const usLarge: Segment = { ...US_VISA, amountBand: 'from_1000' };
    expect(learner.estimate('gwa_y', usLarge).level).toBe('network_country');
    expect(restored.estimate('gwa_y', usLarge).level).toBe('network');
    // A snapshot that names the current levels keeps everything.
    expect(parseSnapshot(JSON.parse(JSON.stringify(current))).cells).toEqual(current.cells);
  });

  it('refuse levels that are not names', () => {
    expect(() => parseSnapshot({ ...taught().snapshot(), levels: [1, 2] })).toThrow('levels malformed');
  });

  it('keeps what the learner heard of its segments’ spread across a restart', () => {
    // Networks 10 pp apart at one gateway: their spread keeps a small network's borrowed evidence low.
    const learner = new SuccessRateLearner();
    [0.95, 0.85, 0.75].forEach((rate, k) => {
      for (let i = 0; i < 1_000; i++) learner.update('gwa_x', { ...US_VISA, network: `n${k}` }, i % 100 < rate * 100 ? 'success' : 'failure');
    });
    for (let i = 0; i < 20; i++) learner.update('gwa_x', US_VISA, 'success');
    const restored = new SuccessRateLearner();
    restored.restore(parseSnapshot(JSON.parse(JSON.stringify(learner.snapshot()))));
    expect(restored.posterior('gwa_x', US_VISA)).toEqual(learner.posterior('gwa_x', US_VISA));
    expect(restored.snapshot().spread).toEqual(learner.snapshot().spread);
    // And both go on alike: the spread restored is the one later outcomes add to.
    for (const l of [learner, restored]) for (let i = 0; i < 50; i++) l.update('gwa_x', { ...US_VISA, network: 'n2' }, i % 2 ? 'success' : 'failure');
    expect(restored.posterior('gwa_x', US_VISA)).toEqual(learner.posterior('gwa_x', US_VISA));
  });

  it('keeps which cells restarted on a drop, so a degraded segment is still re-tried sooner after a restart', () => {
    const learner = new SuccessRateLearner();
    for (let i = 0; i < 600; i++) learner.update('gwa_x', US_VISA, i % 10 === 0 ? 'failure' : 'success');
    for (let i = 0; i < 60; i++) learner.update('gwa_x', US_VISA, i % 10 < 7 ? 'failure' : 'success');
    const restored = new SuccessRateLearner();
    restored.restore(parseSnapshot(JSON.parse(JSON.stringify(learner.snapshot()))));
    expect(restored.snapshot().restarts).toEqual(learner.snapshot().restarts);
    expect(learner.snapshot().restarts).toContain(1);
    // Past the degraded grace (50 updates elsewhere), both fade the degraded gateway alike.
    for (const l of [learner, restored]) for (let i = 0; i < 120; i++) l.update('gwa_y', US_VISA, 'success');
    expect(restored.posterior('gwa_x', US_VISA)).toEqual(learner.posterior('gwa_x', US_VISA));
    // And a restart after the restore comes after every restart before it.
    for (const l of [learner, restored]) for (let i = 0; i < 80; i++) l.update('gwa_x', US_VISA, 'success');
    expect(restored.snapshot()).toEqual(learner.snapshot());
  });

  it('load a snapshot from before the restart stamps, with the same estimates', () => {
    const learner = taught();
    const { restarts: _restarts, ...old } = learner.snapshot();
    const restored = new SuccessRateLearner();
    restored.restore(parseSnapshot(JSON.parse(JSON.stringify(old))));
    for (const gateway of ['gwa_x', 'gwa_y', 'gwa_z']) {
      for (const segment of [US_VISA, EU_MC]) expect(restored.estimate(gateway, segment)).toEqual(learner.estimate(gateway, segment));
    }
  });

  it('returns the same snapshot when every gateway is kept', () => {
    const snapshot = taught().snapshot();
    expect(retainGateways(snapshot, () => true)).toBe(snapshot);
  });

  it.each([
    ['null', null],
    ['a version it does not know', { ...taught().snapshot(), version: 2 }],
    ['missing interned values', { ...taught().snapshot(), values: { gateway: [] } }],
    ['a cell array cut short', { ...taught().snapshot(), cells: [1, 2, 3] }],
    ['negative counts', { ...taught().snapshot(), cells: [0, -1, 0, 0] }],
    ['peers that are not numbers', { ...taught().snapshot(), peers: ['a', 1] }],
    ['fast counts that do not match the cells', { ...taught().snapshot(), fast: [1, 2, 3] }],
    ['health naming no gateway', { ...taught().snapshot(), gateways: [99, 0, 0, 0] }],
    ['a probability of being down above 1', { ...taught().snapshot(), gateways: [0, 2, 0, 0] }],
    ['spread that does not match the cells', { ...taught().snapshot(), spread: [0, 1] }],
    ['a negative spread weight', { ...taught().snapshot(), spread: taught().snapshot().spread!.map((v, i) => (i % 2 ? -1 : v)) }],
    ['a spread that is not a number', { ...taught().snapshot(), spread: taught().snapshot().spread!.map(() => 'x') }],
    ['restarts that do not match the cells', { ...taught().snapshot(), restarts: [0, 0] }],
    ['a drop flag other than 0 or 1', { ...taught().snapshot(), restarts: taught().snapshot().restarts!.map((v, i) => (i % 2 ? 2 : v)) }],
    ['a fractional restart stamp', { ...taught().snapshot(), restarts: taught().snapshot().restarts!.map((v, i) => (i % 2 ? v : 0.5)) }],
  ])('refuses %s', (_case, value) => {
    expect(() => parseSnapshot(value)).toThrow(/^learner snapshot: /);
  });
});
