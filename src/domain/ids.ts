import { monotonicFactory } from 'ulidx';

const ulid = monotonicFactory();

export type IdPrefix = 'pay' | 'pm' | 'cus' | 'att' | 're' | 'gwa' | 'mer' | 'key' | 'aud' | 'job' | 'evt' | 'we' | 'req' | 'op';

/** Type-prefixed, time-ordered ids: sorting by id sorts by creation time. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid()}`;
}

export function hasPrefix(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(`${prefix}_`) && id.length > prefix.length + 1;
}
