import { describe, expect, it } from 'vitest';
import { generateApiKey, isApiKey, keyHint, keyMode } from './api-keys.js';

describe('API keys', () => {
  it('are sk_live_ or sk_test_ and 32 base62 characters, different each time', () => {
    const live = generateApiKey('live');
    const test = generateApiKey('test');
    expect(live).toMatch(/^sk_live_[0-9A-Za-z]{32}$/);
    expect(test).toMatch(/^sk_test_[0-9A-Za-z]{32}$/);
    expect(keyMode(live)).toBe('live');
    expect(keyMode(test)).toBe('test');
    const many = new Set(Array.from({ length: 200 }, () => generateApiKey('test')));
    expect(many.size).toBe(200);
  });

  it('use every base62 character', () => {
    const seen = new Set(Array.from({ length: 300 }, () => generateApiKey('live').slice(8)).join(''));
    expect(seen.size).toBe(62);
  });

  it('show a hint of 6 of their 32 random characters', () => {
    const key = `sk_live_Ab${'0'.repeat(26)}9xYz`;
    expect(keyHint(key)).toBe('sk_live_Ab…9xYz');
  });

  it.each(['', 'sk_live_short', 'sk_sandbox_0123456789abcdefghijklmnopqrstuv', `sk_prod_${'a'.repeat(32)}`, `sk_live_${'a'.repeat(31)}-`, `sk_live_${'a'.repeat(33)}`, ` sk_live_${'a'.repeat(32)}`])(
    'refuses %j as a key',
    (text) => expect(isApiKey(text)).toBe(false),
  );
});
