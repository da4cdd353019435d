import type { ApplePayToken } from '../../src/domain/payment-method.js';
import { sandboxTestCard } from './test-cards.js';

/**
 * Sandbox wallet tokens. A real Apple Pay or Google Pay token is encrypted for a key only the
 * gateway holds (the merchant's Apple Pay payment-processing certificate registered with it, or
 * the gateway's own Google Pay key), and the gateway decrypts it. A sandbox token has the same
 * structure, but its encrypted part is the decrypted payload in base64: the simulators "decrypt"
 * it by decoding, and refuse anything else as a token they cannot decrypt, as a gateway would.
 *
 * Steering: the device number (DPAN) inside a sandbox token is one of the shared test cards
 * (test-cards.ts), and the payment ends as that card would. Simulators keep no number.
 */

/** What a gateway finds inside a wallet token it decrypted: the card (or device) number and expiry. */
export interface OpenedWalletToken {
  pan: string;
  expMonth: number;
  expYear: number;
}

export type OpenResult = { ok: true; token: OpenedWalletToken } | { ok: false; reason: string };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function fromBase64Json(text: string): unknown {
  if (!BASE64.test(text)) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0))));
  } catch {
    return undefined;
  }
}

function toBase64Json(value: unknown): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Apple Pay's `paymentData` (EC_v1): its structure, then the sandbox payload inside `data`. */
export function openApplePayPaymentData(paymentData: unknown): OpenResult {
  if (!isObject(paymentData) || paymentData.version !== 'EC_v1' || !isText(paymentData.data) || !isText(paymentData.signature)) {
    return { ok: false, reason: 'paymentData must carry version EC_v1, data and signature.' };
  }
  const header = paymentData.header;
  if (!isObject(header) || !isText(header.ephemeralPublicKey) || !isText(header.publicKeyHash) || !isText(header.transactionId)) {
    return { ok: false, reason: 'paymentData.header must carry ephemeralPublicKey, publicKeyHash and transactionId.' };
  }
  const payload = fromBase64Json(paymentData.data);
  if (!isObject(payload) || typeof payload.applicationPrimaryAccountNumber !== 'string' || typeof payload.applicationExpirationDate !== 'string') {
    return { ok: false, reason: 'The Apple Pay token could not be decrypted with the merchant certificate registered here.' };
  }
  const expiry = /^(\d{2})(\d{2})\d{2}$/.exec(payload.applicationExpirationDate);
  if (!expiry) return { ok: false, reason: 'The decrypted Apple Pay token has no valid expiration date.' };
  return { ok: true, token: { pan: payload.applicationPrimaryAccountNumber, expMonth: Number(expiry[2]), expYear: 2000 + Number(expiry[1]) } };
}

/** Google Pay's ECv2 token string: its structure, then the sandbox payload inside `signedMessage`. */
export function openGooglePayToken(token: string): OpenResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(token);
  } catch {
    return { ok: false, reason: 'The Google Pay token is not JSON.' };
  }
  if (!isObject(parsed) || parsed.protocolVersion !== 'ECv2' || !isText(parsed.signature) || !isText(parsed.signedMessage)) {
    return { ok: false, reason: 'The Google Pay token must carry protocolVersion ECv2, signature and signedMessage.' };
  }
  const key = parsed.intermediateSigningKey;
  if (!isObject(key) || !isText(key.signedKey) || !Array.isArray(key.signatures) || key.signatures.length === 0) {
    return { ok: false, reason: 'The Google Pay token must carry intermediateSigningKey with signedKey and signatures.' };
  }
  let message: unknown;
  try {
    message = JSON.parse(parsed.signedMessage);
  } catch {
    return { ok: false, reason: 'The Google Pay signedMessage is not JSON.' };
  }
  const payload = isObject(message) && isText(message.encryptedMessage) ? fromBase64Json(message.encryptedMessage) : undefined;
  const details = isObject(payload) ? payload.paymentMethodDetails : undefined;
  if (!isObject(details) || typeof details.pan !== 'string' || typeof details.expirationMonth !== 'number' || typeof details.expirationYear !== 'number') {
    return { ok: false, reason: 'The Google Pay token could not be decrypted with this gateway\'s key.' };
  }
  return { ok: true, token: { pan: details.pan, expMonth: details.expirationMonth, expYear: details.expirationYear } };
}

const APPLE_NETWORK: Readonly<Record<string, string>> = { visa: 'Visa', mastercard: 'MasterCard', amex: 'AmEx', discover: 'Discover', jcb: 'JCB' };
const GOOGLE_NETWORK: Readonly<Record<string, string>> = { visa: 'VISA', mastercard: 'MASTERCARD', amex: 'AMEX', discover: 'DISCOVER', jcb: 'JCB' };

const hex = (n: number) => Array.from({ length: n }, (_, i) => ((i * 7 + n) % 16).toString(16)).join('');

/** A sandbox Apple Pay token whose device number is this shared test card: the payment ends as the card would. */
export function sandboxApplePayToken(pan: string, expiry = { month: 12, year: new Date().getUTCFullYear() + 3 }): ApplePayToken {
  const card = sandboxTestCard(pan);
  const payload = {
    applicationPrimaryAccountNumber: pan,
    applicationExpirationDate: `${String(expiry.year % 100).padStart(2, '0')}${String(expiry.month).padStart(2, '0')}31`,
    currencyCode: '840',
    transactionAmount: 0,
    deviceManufacturerIdentifier: '040010030273',
    paymentDataType: '3DSecure',
    paymentData: { onlinePaymentCryptogram: btoa('sandbox-cryptogram'), eciIndicator: '7' },
  };
  return {
    paymentData: {
      version: 'EC_v1',
      data: toBase64Json(payload),
      signature: btoa('sandbox-signature'),
      header: { ephemeralPublicKey: btoa('sandbox-ephemeral-key'), publicKeyHash: btoa('sandbox-key-hash'), transactionId: hex(64) },
    },
    paymentMethod: { displayName: `${APPLE_NETWORK[card?.brand ?? 'visa'] ?? 'Visa'} ${pan.slice(-4)}`, network: APPLE_NETWORK[card?.brand ?? 'visa'] ?? 'Visa', type: card?.funding ?? 'credit' },
    transactionIdentifier: hex(64).toUpperCase(),
  };
}

/** A sandbox Google Pay token string (ECv2) whose device number is this shared test card, with the clear facts Google Pay gives beside it. */
export function sandboxGooglePayToken(pan: string, expiry = { month: 12, year: new Date().getUTCFullYear() + 3 }): { token: string; cardNetwork: string; cardDetails: string } {
  const card = sandboxTestCard(pan);
  const payload = {
    messageExpiration: String(Date.UTC(expiry.year, 0, 1)),
    messageId: `sandbox-${pan.slice(-4)}`,
    paymentMethod: 'CARD',
    paymentMethodDetails: { pan, expirationMonth: expiry.month, expirationYear: expiry.year, authMethod: 'CRYPTOGRAM_3DS', cryptogram: btoa('sandbox-cryptogram'), eciIndicator: '07' },
  };
  const signedMessage = JSON.stringify({ encryptedMessage: toBase64Json(payload), ephemeralPublicKey: btoa('sandbox-ephemeral-key'), tag: btoa('sandbox-tag') });
  const token = JSON.stringify({
    signature: btoa('sandbox-signature'),
    intermediateSigningKey: { signedKey: JSON.stringify({ keyValue: btoa('sandbox-key'), keyExpiration: String(Date.UTC(expiry.year, 0, 1)) }), signatures: [btoa('sandbox-key-signature')] },
    protocolVersion: 'ECv2',
    signedMessage,
  });
  return { token, cardNetwork: GOOGLE_NETWORK[card?.brand ?? 'visa'] ?? 'VISA', cardDetails: pan.slice(-4) };
}
