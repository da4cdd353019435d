import { decodeBase64, encodeBase64Url } from '../domain/secret-box.js';
import type { KeyManagement, WrappedKey } from './kms.js';

/** What the vault seals of a card: the number and the holder's name. Expiry is kept in the clear (it is shown and updated); the CVC is never kept. */
export interface SealedCardData {
  number: string;
  holderName: string | null;
}

export interface Envelope {
  sealedCard: string;
  key: WrappedKey;
}

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * Envelope encryption: a fresh AES-256-GCM data key per record seals the card, and the KMS wraps
 * that key. `context` (the record's id and merchant) is additional data for both, so neither a
 * sealed card nor a wrapped key opens on another row.
 */
export async function sealCard(kms: KeyManagement, card: SealedCardData, context: string): Promise<Envelope> {
  const dataKey = crypto.getRandomValues(new Uint8Array(32));
  const key = await importKey(dataKey);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify({ number: card.number, holder_name: card.holderName }));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(context) }, key, plaintext));
  const wrapped = await kms.wrap(dataKey, context);
  dataKey.fill(0);
  return { sealedCard: [VERSION, encodeBase64Url(iv), encodeBase64Url(sealed)].join('.'), key: wrapped };
}

export async function openCard(kms: KeyManagement, envelope: Envelope, context: string): Promise<SealedCardData> {
  const [version, iv, data, ...rest] = envelope.sealedCard.split('.');
  const ivBytes = decodeBase64(iv ?? '');
  const dataBytes = decodeBase64(data ?? '');
  if (version !== VERSION || rest.length > 0 || !ivBytes || ivBytes.length !== IV_BYTES || !dataBytes) throw new Error('sealed card: unknown format');
  const dataKey = await kms.unwrap(envelope.key, context);
  const key = await importKey(dataKey);
  dataKey.fill(0);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: ivBytes, additionalData: utf8(context) }, key, dataBytes);
  } catch {
    throw new Error('sealed card: does not open (tampered, or sealed for another record)');
  }
  const parsed = JSON.parse(new TextDecoder().decode(plain)) as { number: string; holder_name: string | null };
  return { number: parsed.number, holderName: parsed.holder_name };
}

/** A data key moved to the KMS's current KEK; the sealed card is untouched. */
export async function rewrapKey(kms: KeyManagement, key: WrappedKey, context: string): Promise<WrappedKey> {
  const dataKey = await kms.unwrap(key, context);
  const wrapped = await kms.wrap(dataKey, context);
  dataKey.fill(0);
  return wrapped;
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const importKey = (raw: Uint8Array<ArrayBuffer>) => crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
