import { describe, expect, it } from 'vitest';
import { CardTokenCache } from './card-tokens.js';

const START = Date.parse('2026-03-01T12:00:00Z');

describe('CardTokenCache', () => {
  it('keeps an attempt\'s token until the expires_on Checkout.com gave it', () => {
    let now = START;
    const cache = new CardTokenCache(() => now);
    cache.set('pay_1:attempt:1', 'tok_a', new Date(START + 60_000).toISOString());
    now += 59_999;
    expect(cache.get('pay_1:attempt:1')).toBe('tok_a');
    now += 1;
    expect(cache.get('pay_1:attempt:1')).toBeNull();
  });

  it('holds a token without a readable expires_on for Checkout.com\'s 15 minutes', () => {
    let now = START;
    const cache = new CardTokenCache(() => now);
    cache.set('pay_1:attempt:1', 'tok_a', 'not a date');
    now += 15 * 60 * 1000 - 1;
    expect(cache.get('pay_1:attempt:1')).toBe('tok_a');
    now += 1;
    expect(cache.get('pay_1:attempt:1')).toBeNull();
  });

  it('holds at most its limit, dropping the oldest', () => {
    const cache = new CardTokenCache(() => START, 2);
    const later = new Date(START + 60_000).toISOString();
    cache.set('k1', 'tok_1', later);
    cache.set('k2', 'tok_2', later);
    cache.set('k3', 'tok_3', later);
    expect([cache.get('k1'), cache.get('k2'), cache.get('k3')]).toEqual([null, 'tok_2', 'tok_3']);
  });

  it('forgets an attempt that has its answer', () => {
    const cache = new CardTokenCache(() => START);
    cache.set('k1', 'tok_1', new Date(START + 60_000).toISOString());
    cache.forget('k1');
    expect(cache.get('k1')).toBeNull();
  });
});
