import { describe, expect, it } from 'vitest';
import { decline } from '../../domain/decline.js';
import type { AuthorizationOutcome } from '../../domain/outcome.js';
import { merchantLearners, type RecordedOutcome } from '../../routing/merchant-learners.js';
import { tx } from '../../routing/rules/test-helpers.js';
import { decodeOutcome, encodeOutcome } from './learning-sync.js';

const OUTCOMES: AuthorizationOutcome[] = [
  { kind: 'approved', reference: 'pi_1', captured: true },
  { kind: 'requires_action', reference: 'pi_2', nextAction: { type: 'redirect', url: 'https://acs.example/3ds' } },
  { kind: 'declined', reference: 'pi_3', decline: decline('do_not_honor', '05', '01') },
  { kind: 'declined', reference: null, decline: decline('insufficient_funds', '51') },
  { kind: 'not_processed', reason: 'connection_refused', detail: 'ECONNREFUSED 10.0.0.7:443' },
  { kind: 'unknown', reason: 'timeout', detail: 'no answer in 10 s' },
];

/** Through the wire as a notification carries it: JSON text. */
const overTheWire = (recorded: RecordedOutcome) => decodeOutcome(JSON.parse(JSON.stringify(encodeOutcome(recorded))));

describe('learner outcomes between instances', () => {
  it('teach the other learner exactly what they taught the one that recorded them', () => {
    const here = merchantLearners();
    const there = merchantLearners();
    const facts = [tx(), tx({ amount: 250_000, currency: 'EUR', card: { network: 'mastercard', type: 'debit', issuerCountry: 'DE' } }), tx({ card: { type: null, issuerCountry: null }, threeDSecure: 'required' })];
    for (let round = 0; round < 30; round++) {
      for (const [i, outcome] of OUTCOMES.entries()) {
        const recorded: RecordedOutcome = { merchantId: 'mer_a', accountId: `gwa_${i % 3}`, tx: facts[(round + i) % facts.length]!, outcome };
        here.of(recorded.merchantId).record(recorded.accountId, recorded.tx, recorded.outcome);
        there.apply(overTheWire(recorded)!);
      }
    }
    expect(there.snapshots()).toEqual(here.snapshots());
  });

  it("carry no payment id, metadata, references or gateway messages", () => {
    const recorded: RecordedOutcome = {
      merchantId: 'mer_a',
      accountId: 'gwa_a',
      tx: tx({ paymentId: 'pay_secretish', metadata: { order: 'ord_42' } }),
      outcome: { kind: 'not_processed', reason: 'rejected', detail: 'Invalid API key sk_live_abc' },
    };
    const text = JSON.stringify(encodeOutcome(recorded));
    for (const absent of ['pay_secretish', 'ord_42', 'sk_live_abc']) expect(text).not.toContain(absent);
    expect(overTheWire(recorded)).toMatchObject({ merchantId: 'mer_a', accountId: 'gwa_a', outcome: { kind: 'not_processed', reason: 'rejected' } });
  });

  it('refuse items that are not an outcome, whatever they hold', () => {
    const good = encodeOutcome({ merchantId: 'mer_a', accountId: 'gwa_a', tx: tx(), outcome: OUTCOMES[0]! });
    const hostile: unknown[] = [
      null,
      'mer_a',
      [],
      {},
      { ...good, m: '' },
      { ...good, a: 'x'.repeat(65) },
      { ...good, t: { ...good.t, amount: -1 } },
      { ...good, t: { ...good.t, amount: 1.5 } },
      { ...good, t: { ...good.t, currency: 'usd' } },
      { ...good, t: { ...good.t, bin: '4242424242424242' } },
      { ...good, o: { kind: 'approved' } },
      { ...good, o: { kind: 'declined', reason: 'not_a_reason', code: '05', advice: null } },
      { ...good, o: { kind: 'charged_twice' } },
      JSON.parse('{"__proto__": {"m": "mer_a"}}'),
    ];
    for (const item of hostile) expect(decodeOutcome(item)).toBeNull();
    expect(decodeOutcome(good)).not.toBeNull();
  });
});
