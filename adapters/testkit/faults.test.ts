import { describe, expect, it } from 'vitest';
import { RequestFaults, validateFault } from './faults.js';

describe('RequestFaults', () => {
  it('applies to every request until cleared', () => {
    const faults = new RequestFaults();
    faults.set({ kind: 'hang' });
    expect(faults.take('POST', '/a')).toEqual({ kind: 'hang' });
    expect(faults.take('GET', '/b')).toEqual({ kind: 'hang' });
    expect(faults.remaining).toBeNull();
    faults.clear();
    expect(faults.take('POST', '/a')).toBeNull();
    expect(faults.remaining).toBe(0);
  });

  it('matches method (any case) and path prefix, and only matching requests use up its times', () => {
    const faults = new RequestFaults();
    faults.set({ kind: 'http_error', status: 503 }, { times: 2, method: 'post', pathPrefix: '/v1/refunds' });
    expect(faults.take('GET', '/v1/refunds')).toBeNull();
    expect(faults.take('POST', '/v1/charges')).toBeNull();
    expect(faults.take('POST', '/v1/refunds/re_1')).toMatchObject({ kind: 'http_error' });
    expect(faults.remaining).toBe(1);
    expect(faults.take('POST', '/v1/refunds')).toMatchObject({ kind: 'http_error' });
    expect(faults.active).toBeNull();
    expect(faults.take('POST', '/v1/refunds')).toBeNull();
  });

  it('refuses what no simulator can apply', () => {
    const faults = new RequestFaults();
    expect(() => faults.set({ kind: 'http_error', status: 418 as 500 })).toThrow(RangeError);
    expect(() => faults.set({ kind: 'hang' }, { times: 0 })).toThrow(RangeError);
    expect(() => faults.set({ kind: 'hang' }, { times: 1.5 })).toThrow(RangeError);
    expect(() => validateFault({ kind: 'refuse_connections' }, { pathPrefix: '/' })).toThrow(/no times, method or pathPrefix/);
    expect(() => validateFault({ kind: 'refuse_connections' })).not.toThrow();
  });
});
