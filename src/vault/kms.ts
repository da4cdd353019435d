import { createSecretBox, decodeBase64, encodeBase64Url } from '../domain/secret-box.js';

/** A data key as stored: wrapped by the key-encryption key `keyId`. */
export interface WrappedKey {
  keyId: string;
  wrapped: string;
}

/**
 * Where the vault's key-encryption keys (KEKs) live. The vault hands it only data keys, never card
 * data, so a cloud KMS (AWS KMS Encrypt/Decrypt, Google Cloud KMS, Azure Key Vault wrapKey, Vault
 * Transit) plugs in here: `wrap` and `unwrap` become its calls, and `keyId` its key version.
 */
export interface KeyManagement {
  /** The KEK new data keys are wrapped with. */
  currentKeyId(): Promise<string>;
  /** `context` (the record's id) is bound to the wrapping: a wrapped key copied onto another record does not unwrap there. */
  wrap(dataKey: Uint8Array, context: string): Promise<WrappedKey>;
  /** Throws when `keyId` is not held or the wrapped key, or its context, was tampered with. */
  unwrap(key: WrappedKey, context: string): Promise<Uint8Array<ArrayBuffer>>;
}

/**
 * The local KMS: KEKs from configuration (base64 of 32 bytes each, newest first), AES-256-GCM
 * through Web Crypto. The first wraps; every listed one unwraps, so during a rotation instances
 * that already have the new KEK and instances that do not yet both read every record.
 */
export function localKms(keys: string | readonly string[]): KeyManagement {
  const box = createSecretBox(keys);
  return {
    currentKeyId: () => box.keyId(),
    async wrap(dataKey, context) {
      const sealed = await box.seal(encodeBase64Url(dataKey), context);
      return { keyId: sealed.split('.')[1]!, wrapped: sealed };
    },
    async unwrap(key, context) {
      if (key.wrapped.split('.')[1] !== key.keyId) throw new Error('wrapped data key: its key id does not match the record');
      const raw = decodeBase64(await box.open(key.wrapped, context));
      if (!raw || raw.length !== 32) throw new Error('wrapped data key: not a 32-byte key');
      return raw;
    },
  };
}
