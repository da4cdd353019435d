/**
 * 32-bit FNV-1a over the UTF-16 code units, then murmur3's finalizer: FNV alone leaves
 * the low bits of sequential ids ("pay_1", "pay_2", ...) correlated, and buckets are
 * taken modulo 100.
 */
function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Bucket 0–99 of a payment; the same payment always lands in the same bucket. */
export function splitBucket(paymentId: string): number {
  return stableHash(paymentId) % 100;
}
