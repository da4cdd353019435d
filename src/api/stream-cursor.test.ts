import { describe, expect, it } from 'vitest';
import { formatCursor, MAX_LAST_EVENT_ID, parseLastEventId } from './stream-cursor.js';

const ID = 'evt_01M8QANAJQADGT8PWYXKKV0BHA';

describe('stream cursors', () => {
  it('round-trips a cursor, and takes a plain event id', () => {
    const read = { from: '100:105:101,103', to: '104:108:' };
    expect(parseLastEventId(formatCursor(ID, read))).toEqual({ id: ID, ...read });
    expect(parseLastEventId(ID)).toEqual({ id: ID });
  });

  it.each([
    ['a snapshot that is not one', `${ID}/100:105/104:108:`],
    ['a negative transaction', `${ID}/100:105:-1/104:108:`],
    ['a transaction beyond 20 digits', `${ID}/100:105:${'9'.repeat(21)}/104:108:`],
    ['a third snapshot', `${ID}/1:2:/1:2:/1:2:`],
    ['a trailing newline', `${ID}/1:2:/1:2:\n`],
  ])('refuses %s', (_name, value) => {
    expect(parseLastEventId(value)).toBeNull();
  });

  it('sends the plain event id when a cursor would be longer than a Last-Event-ID may be', () => {
    const crowded = `1:9:${Array.from({ length: MAX_LAST_EVENT_ID / 4 }, (_, i) => 10 + i).join(',')}`;
    const sent = formatCursor(ID, { from: crowded, to: crowded });
    expect(sent).toBe(ID);
    expect(parseLastEventId(sent)).toEqual({ id: ID });
  });
});
