import type { CommitSnapshot, StreamCursor } from '../store/events.js';

/**
 * A stream message's SSE id: `<event id>/<from>/<to>`, the event and the two snapshots of the
 * read that delivered it (store/events.ts StreamCursor), so a reconnection replays exactly what
 * the client had not got, late committers included. A plain event id (what streams sent before)
 * is still taken: it replays the events after it by id.
 */
const EVENT_ID = '(evt_[0-9A-Za-z]{1,60})';
// `xmin:xmax:xip,…` (pg_snapshot); xid8 values are below 2^64, 20 digits at most.
const SNAPSHOT = '([0-9]{1,20}:[0-9]{1,20}:(?:[0-9]{1,20}(?:,[0-9]{1,20})*)?)';
export const LAST_EVENT_ID_PATTERN = `^${EVENT_ID}(?:/${SNAPSHOT}/${SNAPSHOT})?$`;
const LAST_EVENT_ID = new RegExp(LAST_EVENT_ID_PATTERN);
/**
 * A snapshot lists the writing transactions in progress when it was taken: at most one per
 * connection the server allows (max_connections, 100 by default), so cursors stay far below this;
 * one that would not is sent as the plain event id (a replay by id) rather than refused later.
 */
export const MAX_LAST_EVENT_ID = 8_192;

export type LastEventId = { id: string; from?: undefined } | StreamCursor;

/** The cursor or plain event id a Last-Event-ID names; null when it is neither. */
export function parseLastEventId(value: string): LastEventId | null {
  if (value.length > MAX_LAST_EVENT_ID) return null;
  const match = LAST_EVENT_ID.exec(value);
  if (!match) return null;
  const [, id, from, to] = match as unknown as [string, string, string | undefined, string | undefined];
  return from !== undefined && to !== undefined ? { id, from, to } : { id };
}

export function formatCursor(id: string, read: { from: CommitSnapshot; to: CommitSnapshot }): string {
  const cursor = `${id}/${read.from}/${read.to}`;
  return cursor.length <= MAX_LAST_EVENT_ID ? cursor : id;
}
