import { describe, expect, it } from 'vitest';
import { createSecretBox, decodeBase64, encodeBase64Url } from './secret-box.js';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');

describe('secret box (AES-256-GCM)', () => {
  it('seals and opens, never leaving the plaintext in the sealed text', async () => {
    const box = createSecretBox(key(1));
    const sealed = await box.seal('whsec_top_secret', 'we_1');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('whsec_top_secret');
    expect(sealed.split('.')[1]).toBe(await box.keyId());
    expect(await box.open(sealed, 'we_1')).toBe('whsec_top_secret');
  });

  it('uses a fresh IV each time', async () => {
    const box = createSecretBox(key(1));
    expect(await box.seal('same', 'ctx')).not.toBe(await box.seal('same', 'ctx'));
  });

  it('refuses a ciphertext moved to another record, or tampered with', async () => {
    const box = createSecretBox(key(1));
    const sealed = await box.seal('whsec_x', 'we_1');
    await expect(box.open(sealed, 'we_2')).rejects.toThrow(/does not open/);
    const parts = sealed.split('.');
    const data = decodeBase64(parts[3]!)!;
    data[0]! ^= 1;
    await expect(box.open([...parts.slice(0, 3), encodeBase64Url(data)].join('.'), 'we_1')).rejects.toThrow(/does not open/);
    await expect(box.open('v2.x.y.z', 'we_1')).rejects.toThrow(/unknown format/);
  });

  it('rotates: the first key seals, older keys still open what they sealed', async () => {
    const old = createSecretBox(key(1));
    const sealedBefore = await old.seal('whsec_old', 'we_1');
    const ring = createSecretBox([key(2), key(1)]);
    expect(await ring.open(sealedBefore, 'we_1')).toBe('whsec_old');
    const sealedAfter = await ring.seal('whsec_new', 'we_1');
    expect(sealedAfter.split('.')[1]).toBe(await createSecretBox(key(2)).keyId());
    await expect(old.open(sealedAfter, 'we_1')).rejects.toThrow(/not configured/);
  });

  it('refuses a key that is not 32 bytes of base64, without repeating it', () => {
    expect(() => createSecretBox('too-short')).toThrow(/32 bytes/);
    expect(() => createSecretBox(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => createSecretBox('!'.repeat(44))).toThrow(/32 bytes/);
    expect(() => createSecretBox([])).toThrow();
    try {
      createSecretBox('not-a-real-key-value');
    } catch (error) {
      expect((error as Error).message).not.toContain('not-a-real-key-value');
    }
    // base64url (as the sandbox generates it) is accepted too.
    expect(() => createSecretBox(Buffer.alloc(32, 250).toString('base64url'))).not.toThrow();
  });
});
