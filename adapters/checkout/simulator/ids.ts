import { randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Checkout.com's ids: a type prefix and 26 lower-case base-32 characters (`pay_…`, `act_…`, `evt_…`, `sid_…`, `src_…`, `tok_…`). */
export function newId(prefix: 'pay' | 'act' | 'evt' | 'sid' | 'src' | 'req' | 'tok'): string {
  const bytes = randomBytes(26);
  let id = '';
  for (const byte of bytes) id += BASE32[byte & 31];
  return `${prefix}_${id}`;
}
