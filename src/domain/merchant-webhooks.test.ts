import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MAX_DELIVERY_ATTEMPTS,
  newSigningSecret,
  retryDelayMs,
  RETRY_DELAYS_MS,
  signatureHeader,
  subscribes,
  urlIssue,
  urlPolicyIssue,
} from './merchant-webhooks.js';

describe('merchant webhook rules', () => {
  it('accepts absolute http(s) URLs only, without credentials, at most 2048 characters', () => {
    for (const ok of ['https://example.com/hook', 'http://127.0.0.1:8080/x?y=1', 'https://[2001:db8::1]/h', `https://example.com/${'a'.repeat(2028)}`]) {
      expect(urlIssue(ok), ok).toBeNull();
    }
    const bad = [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:text/plain,hi',
      'file:///etc/passwd',
      'ftp://example.com/',
      '/relative/path',
      'example.com/hook',
      'http:example.com',
      'https://',
      'https://user:pass@example.com/',
      'https://user@example.com/',
      'https://exa mple.com/',
      'https://example.com/\nHost: evil',
      ' https://example.com/',
      `https://example.com/${'a'.repeat(2029)}`,
      `https://example.com/${'é'.repeat(1000)}`, // 6000 characters once percent-encoded
    ];
    for (const value of bad) expect(urlIssue(value), value).toMatch(/url/);
    expect(urlIssue('https://user:hunter2@example.com/')).not.toContain('hunter2');
  });

  it('in production (strict) wants https to a public host; the sandbox (local) takes any http(s)', () => {
    expect(urlPolicyIssue('https://hooks.example.com/x', 'strict')).toBeNull();
    expect(urlPolicyIssue('https://93.184.215.14/x', 'strict')).toBeNull();
    for (const value of [
      'http://hooks.example.com/x',
      'https://localhost/x',
      'https://api.localhost/x',
      'https://127.0.0.1/x',
      'https://10.1.2.3/x',
      'https://172.20.0.1/x',
      'https://192.168.1.1/x',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/x',
      'https://0.0.0.0/x',
      'https://[::1]/x',
      'https://[fd00::1]/x',
      'https://[fe80::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://2130706433/x', // 127.0.0.1 written as one number
      'https://0x7f.1/x',
    ]) {
      expect(urlPolicyIssue(value, 'strict'), value).not.toBeNull();
    }
    expect(urlPolicyIssue('http://127.0.0.1:9999/x', 'local')).toBeNull();
  });

  it('matches "*" and listed types', () => {
    expect(subscribes(['*'], 'refund.failed')).toBe(true);
    expect(subscribes(['payment.succeeded'], 'payment.succeeded')).toBe(true);
    expect(subscribes(['payment.succeeded'], 'payment.failed')).toBe(false);
  });

  it('retries for at least 3 days: 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, then every 12 h', () => {
    const minutes = RETRY_DELAYS_MS.map((ms) => ms / 60_000);
    expect(minutes).toEqual([1, 5, 30, 120, 300, 600, 720, 720, 720, 720, 720]);
    const total = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
    const beforeLast = total - RETRY_DELAYS_MS.at(-1)!;
    expect(beforeLast).toBeLessThan(3 * 24 * 3_600_000);
    expect(total).toBeGreaterThanOrEqual(3 * 24 * 3_600_000);
    expect(MAX_DELIVERY_ATTEMPTS).toBe(12);
    expect(retryDelayMs(1)).toBe(60_000);
    expect(retryDelayMs(11)).toBe(12 * 3_600_000);
    expect(retryDelayMs(12)).toBeNull();
  });

  it('signs t.body with HMAC-SHA256 under the secret, as node:crypto computes it', async () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const body = '{"id":"evt_1","object":"event"}';
    const header = await signatureHeader(secret, new Date('2026-06-01T12:00:00.900Z'), body);
    const t = Math.floor(Date.parse('2026-06-01T12:00:00Z') / 1000);
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`);
  });
});
