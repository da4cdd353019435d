import { describe, expect, it } from 'vitest';
import { DECLINE_REASONS, decline, type DeclineReason } from '../../domain/decline.js';
import type { AuthorizationOutcome } from '../../domain/outcome.js';
import { attribution, type Attribution } from './attribution.js';

const declined = (reason: DeclineReason): AuthorizationOutcome => ({
  kind: 'declined',
  reference: 'ref',
  decline: decline(reason, 'x'),
});

describe('attribution', () => {
  it.each<[string, AuthorizationOutcome, Attribution]>([
    ['approved', { kind: 'approved', reference: 'ref', captured: false }, 'success'],
    ['requires_action', { kind: 'requires_action', reference: 'ref', nextAction: null }, 'ignored'],
    ['not_processed (refused)', { kind: 'not_processed', reason: 'connection_refused', detail: '' }, 'technical'],
    ['not_processed (rejected)', { kind: 'not_processed', reason: 'rejected', detail: '' }, 'failure'],
    ['not_processed (breaker open: never called)', { kind: 'not_processed', reason: 'breaker_open', detail: '' }, 'ignored'],
    ['unknown (timeout)', { kind: 'unknown', reason: 'timeout', detail: '' }, 'technical'],
    ['unknown (5xx)', { kind: 'unknown', reason: 'server_error', detail: '' }, 'technical'],
    ['unknown (pending at the gateway)', { kind: 'unknown', reason: 'pending_at_gateway', detail: '' }, 'failure'],
  ])('%s → %s', (_name, outcome, expected) => {
    expect(attribution(outcome)).toBe(expected);
  });

  const byReason: Record<DeclineReason, Attribution> = {
    insufficient_funds: 'ignored',
    expired_card: 'ignored',
    invalid_number: 'ignored',
    invalid_cvc: 'ignored',
    lost_or_stolen: 'ignored',
    suspected_fraud: 'ignored',
    restricted_card: 'ignored',
    velocity_exceeded: 'ignored',
    authentication_required: 'ignored',
    invalid_account: 'ignored',
    mandate_invalid: 'ignored',
    payment_expired: 'ignored',
    underpaid: 'ignored',
    do_not_honor: 'failure',
    generic_decline: 'failure',
    issuer_unavailable: 'failure',
    processing_error: 'failure',
    unknown: 'failure',
  };

  it.each(DECLINE_REASONS.map((reason) => [reason, byReason[reason]] as const))('declined %s → %s', (reason, expected) => {
    expect(attribution(declined(reason))).toBe(expected);
  });
});
