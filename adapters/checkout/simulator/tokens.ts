import { openApplePayPaymentData, openGooglePayToken, type OpenResult } from '../../testkit/wallet-tokens.js';
import { cardView, invalid, record, type ApiContext, type ApiResponse } from './api.js';
import { newId } from './ids.js';
import type { TokenRecord } from './state.js';
import { cardFacts } from './test-cards.js';

/** How long Checkout.com keeps a card token usable. */
const TOKEN_LIFETIME_MS = 15 * 60 * 1000;

/**
 * POST /tokens with a wallet token (`type: applepay` with Apple Pay's `paymentData`, `type:
 * googlepay` with Google Pay's token object), authenticated with the account's public key:
 * Checkout.com decrypts it (Apple Pay with the merchant's certificate, Google Pay with its own key
 * for the `checkoutltd` gateway) and answers a card token that pays once. Sandbox tokens decrypt
 * by decoding (testkit/wallet-tokens.ts); the card number inside steers the payment's outcome.
 */
export function createToken(ctx: ApiContext, body: Record<string, unknown>): ApiResponse {
  const type = body['type'];
  if (type !== 'applepay' && type !== 'googlepay') throw invalid('token_type_invalid');
  const data = record(body['token_data']);
  if (data === null) throw invalid('token_data_required');
  const opened: OpenResult = type === 'applepay' ? openApplePayPaymentData(data) : openGooglePayToken(JSON.stringify(data));
  if (!opened.ok) throw invalid('token_data_invalid');
  const { pan, expMonth, expYear } = opened.token;
  const facts = cardFacts(pan);
  const now = ctx.now();
  const token: TokenRecord = {
    id: newId('tok'),
    type,
    card: { bin: pan.slice(0, 6), last4: pan.slice(-4), scheme: facts.scheme, expiryMonth: expMonth, expiryYear: expYear, cardType: facts.cardType, issuerCountry: facts.issuerCountry },
    answer: facts.answer,
    network: facts.network,
    expiresOn: new Date(now.getTime() + TOKEN_LIFETIME_MS).toISOString(),
    used: false,
  };
  ctx.state.tokens.set(token.id, token);
  return {
    status: 201,
    body: {
      type,
      token: token.id,
      expires_on: token.expiresOn,
      ...cardView(token.card),
      token_format: 'cryptogram_3ds',
    },
  };
}

/** A `source: {type: "token"}`'s token, spent: unknown, expired or used ones are refused as Checkout.com does. */
export function spendToken(ctx: ApiContext, id: unknown): TokenRecord {
  const token = typeof id === 'string' ? ctx.state.tokens.get(id) : undefined;
  if (token === undefined || token.used) throw invalid('token_invalid');
  if (Date.parse(token.expiresOn) <= ctx.now().getTime()) throw invalid('token_expired');
  token.used = true;
  return token;
}
