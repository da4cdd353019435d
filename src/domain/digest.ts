import type * as NodeCrypto from 'node:crypto';

/**
 * SHA-256 and HMAC-SHA-256 on the hot path (card fingerprints, request hashes, API-key hashes).
 * Where the runtime has node:crypto (Node), its synchronous one-shot functions: no key import and
 * no promise per call. Elsewhere (the Worker), Web Crypto. Both give the same bytes.
 * `process.getBuiltinModule` keeps node:crypto out of the Worker's bundle: nothing imports it.
 */
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  | typeof NodeCrypto
  | undefined;

const encoder = new TextEncoder();

/** The Web Crypto versions, whatever the runtime: what the Worker runs, and what Node's must equal. */
export const webDigests = {
  async sha256(text: string): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  },
  async hmacSha256(secret: string, text: string): Promise<Uint8Array> {
    const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
  },
};

export async function sha256(text: string): Promise<Uint8Array> {
  return nodeCrypto ? nodeCrypto.createHash('sha256').update(text, 'utf8').digest() : webDigests.sha256(text);
}

export async function hmacSha256(secret: string, text: string): Promise<Uint8Array> {
  return nodeCrypto ? nodeCrypto.createHmac('sha256', secret).update(text, 'utf8').digest() : webDigests.hmacSha256(secret, text);
}
