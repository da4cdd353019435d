import { describe, expect, it } from 'vitest';
import { hashApiKey } from './api-keys.js';
import { cardFingerprint, keyedDigest } from './card.js';
import { hmacSha256, sha256, webDigests } from './digest.js';

describe('digests', () => {
  const texts = ['', 'network\u00004242424242424242', 'idempotency\u0000POST /v1/payments\n{"a":"ü","b":"😀"}', 'x'.repeat(10_000)];

  it('gives the bytes Web Crypto gives (what the Worker computes), for SHA-256 and HMAC-SHA-256', async () => {
    for (const text of texts) {
      expect(Buffer.from(await sha256(text)).toString('hex')).toBe(Buffer.from(await webDigests.sha256(text)).toString('hex'));
      for (const secret of ['s', 'fingerprint-secret', 'sécret', 'k'.repeat(100)]) {
        expect(Buffer.from(await hmacSha256(secret, text)).toString('hex')).toBe(Buffer.from(await webDigests.hmacSha256(secret, text)).toString('hex'));
      }
    }
  });

  it('keeps the fingerprints, request hashes and key hashes already stored (values computed with Web Crypto before)', async () => {
    expect(await cardFingerprint('4242 4242-4242-4242', 'fingerprint-secret', 'merchant:mer_123')).toBe('YWhwMMrTYQA-OuJj3PckV3');
    expect(await cardFingerprint('4242424242424242', 'fingerprint-secret', 'network')).toBe('OUGcHNQh_Zoac0WVJbpkrL');
    expect(await keyedDigest('sécret', 'idempotency\u0000POST /v1/payments\n{"a":"ü"}')).toBe('YovaMsjO3wLAfTWFpSs5Ej5p-WrcmRPu2Yd2ZLW2qug');
    expect(await hashApiKey('sk_test_0123456789abcdefghijABCDEFGHIJ01')).toBe('ff954b0334c6ead9d066c1f97fd7264cb3b552f0cc29128afaab6eb94efb5660');
  });
});
