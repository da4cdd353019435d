/**
 * Braintree's webhook signature: hex(HMAC-SHA1(key = SHA1(privateKey), bt_payload)), with Web
 * Crypto so it runs on Workers as well as on Node.
 */

const encoder = new TextEncoder();

async function hmacKey(privateKey: string): Promise<CryptoKey> {
  const keyBytes = await crypto.subtle.digest('SHA-1', encoder.encode(privateKey));
  return crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-1' }, false, ['sign', 'verify']);
}

export async function signPayload(privateKey: string, payload: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(privateKey), encoder.encode(payload)));
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether `hexSignature` signs `payload` (or `payload` plus a newline, which the SDK also
 * accepts since senders append one). `crypto.subtle.verify` compares in constant time.
 */
export async function verifyPayload(privateKey: string, payload: string, hexSignature: string): Promise<boolean> {
  if (!/^[0-9a-fA-F]{40}$/.test(hexSignature)) return false;
  const signature = Uint8Array.from(hexSignature.match(/../g)!, (pair) => parseInt(pair, 16));
  const key = await hmacKey(privateKey);
  for (const data of [payload, `${payload}\n`]) {
    if (await crypto.subtle.verify('HMAC', key, signature, encoder.encode(data))) return true;
  }
  return false;
}
