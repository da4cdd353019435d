/**
 * Secrets the router must read back (merchant webhook signing secrets) are kept encrypted at rest
 * with AES-256-GCM under a key from configuration. Web Crypto only, so it runs on Node and Workers.
 *
 * A sealed secret reads `v1.<key id>.<iv>.<ciphertext and tag>` (base64url parts). The key id is
 * derived from the key itself (the first 6 bytes of its SHA-256), so a keyring can hold the new
 * key first and the old ones after it: new secrets are sealed with the first, any listed key opens
 * what it sealed. `context` (say, the endpoint id) is bound as additional data: a ciphertext copied
 * onto another row does not open there.
 */
export interface SecretBox {
  /** The id of the key that seals. */
  keyId(): Promise<string>;
  seal(plaintext: string, context: string): Promise<string>;
  /** Throws when the key is not in the ring or the ciphertext, or its context, was tampered with. */
  open(sealed: string, context: string): Promise<string>;
}

const VERSION = 'v1';
const IV_BYTES = 12;

/** `keys`: base64 (or base64url) encodings of 32 random bytes; the first seals, all open. */
export function createSecretBox(keys: string | readonly string[]): SecretBox {
  const list = typeof keys === 'string' ? [keys] : [...keys];
  if (list.length === 0) throw new Error('secrets key: at least one key is required');
  // Checked at once, so a misconfigured key stops the router at start rather than at first use.
  const raw = list.map((key, i) => {
    const bytes = decodeBase64(key.trim());
    if (!bytes || bytes.length !== 32) throw new Error(`secrets key ${i + 1}: must be 32 bytes, base64-encoded (openssl rand -base64 32)`);
    return bytes;
  });
  let ring: Promise<{ id: string; key: CryptoKey }[]> | undefined;
  const keyring = () =>
    (ring ??= Promise.all(
      raw.map(async (bytes) => ({
        id: encodeBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)).slice(0, 6)),
        key: await crypto.subtle.importKey('raw', bytes, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']),
      })),
    ));

  return {
    async keyId() {
      return (await keyring())[0]!.id;
    },
    async seal(plaintext, context) {
      const { id, key } = (await keyring())[0]!;
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(context) }, key, utf8(plaintext));
      return [VERSION, id, encodeBase64Url(iv), encodeBase64Url(new Uint8Array(sealed))].join('.');
    },
    async open(sealed, context) {
      const [version, id, iv, data, ...rest] = sealed.split('.');
      const ivBytes = decodeBase64(iv ?? '');
      const dataBytes = decodeBase64(data ?? '');
      if (version !== VERSION || !id || rest.length > 0 || !ivBytes || ivBytes.length !== IV_BYTES || !dataBytes) {
        throw new Error('sealed secret: unknown format');
      }
      const entry = (await keyring()).find((k) => k.id === id);
      if (!entry) throw new Error(`sealed secret: sealed with key ${id}, which is not configured`);
      try {
        const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: ivBytes, additionalData: utf8(context) }, entry.key, dataBytes);
        return new TextDecoder().decode(plain);
      } catch {
        throw new Error('sealed secret: does not open (tampered, or sealed for another record)');
      }
    },
  };
}

const utf8 = (text: string) => new TextEncoder().encode(text);

export function encodeBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Standard or URL-safe base64, padded or not; null when it is neither. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return null;
  const plain = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  if (plain.length % 4 === 1) return null;
  try {
    const binary = atob(plain + '='.repeat((4 - (plain.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
