/** One server-sent message, or a comment (`: ping`). */
export interface StreamMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** The event a message's SSE id names: a cursor (`evt_…/<from>/<to>`) or, from a replay after a plain id, the id itself. */
export function eventIdOf(message: StreamMessage | null): string | undefined {
  return message?.id?.split('/')[0];
}

/** Reads a `text/event-stream` answer message by message, as a fetch()-based client (the console) does. */
export function readStream(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const parse = (block: string): StreamMessage => {
    const message: StreamMessage = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) message.comment = line.slice(1).trim();
      const match = /^(id|event|data): ?(.*)$/.exec(line);
      if (match) message[match[1] as 'id' | 'event' | 'data'] = match[2];
    }
    return message;
  };
  return {
    /** The next message; null once the stream has ended. */
    async next(): Promise<StreamMessage | null> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          return parse(block);
        }
        const { value, done } = await reader.read();
        if (done) return null;
        buffer += value;
      }
    },
    /** The next message that is an event, skipping comments. */
    async nextEvent(): Promise<StreamMessage | null> {
      for (;;) {
        const message = await this.next();
        if (message === null || message.event !== undefined) return message;
      }
    },
    close: () => reader.cancel(),
  };
}
