import { headers } from './api.js';

export interface StreamEvent {
  id: string;
  type: string;
  /** The event's object (a payment, a refund, an alert…): what `data.object` carries in the Event. */
  data: { id?: string; status?: string; amount?: number; currency?: string; created_at?: string; [key: string]: unknown };
}

export type StreamStatus = 'connecting' | 'live' | 'unavailable' | 'closed';

/**
 * Reads GET /v1/events/stream with fetch (so the session travels in the Authorization header,
 * never in the URL) and parses server-sent events. Reconnects with Last-Event-ID after a drop.
 */
export function openStream(onEvent: (event: StreamEvent) => void, onStatus: (status: StreamStatus) => void): () => void {
  const controller = new AbortController();
  let lastId: string | null = null;
  let stopped = false;

  async function run(): Promise<void> {
    while (!stopped) {
      onStatus('connecting');
      try {
        const res = await fetch('/v1/events/stream', {
          headers: { ...headers(true), Accept: 'text/event-stream', ...(lastId ? { 'Last-Event-ID': lastId } : {}) },
          signal: controller.signal,
        });
        // Before the stream is part of the router, /v1/events/stream is read as an event id (400) or not found (404).
        if (res.status === 404 || res.status === 400) return onStatus('unavailable');
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onStatus('live');
        await read(res.body);
      } catch {
        if (stopped) return;
      }
      onStatus('closed');
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
  }

  async function read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        dispatch(block);
      }
    }
  }

  function dispatch(block: string): void {
    let id = '';
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    if (id) lastId = id;
    try {
      // Each message is an Event (`{id, object: 'event', type, data: {object: …}}`): screens get the object.
      // The SSE id is the stream's cursor (the event id and its read's snapshots); screens get the event's own id.
      const event = JSON.parse(data.join('\n')) as { id?: string; data?: { object?: StreamEvent['data'] } };
      onEvent({ id: event.id ?? id, type, data: event.data?.object ?? {} });
    } catch {
      // Not JSON: nothing the console can show.
    }
  }

  void run();
  return () => {
    stopped = true;
    controller.abort();
  };
}
