/**
 * A subscription source that can hand its events straight to a sink, in order, as they come: each call
 * hands over the events that arrived together (a live batch), oldest first. The WebSocket server attaches
 * one per subscriber (see server.ts): each event is executed and serialized once per selection, and every
 * subscriber's frames of a batch are written at once, in one write, with no promise per subscriber and event.
 * `next()` of an attached source settles only when the stream ends, so the protocol loop (graphql-ws) still
 * owns the subscription's lifecycle: completion, errors, and `return()` when the client stops.
 */
export interface LiveSource<T> extends AsyncIterableIterator<T> {
  attach(sink: (values: T[]) => void): void;
  return(): Promise<IteratorResult<T>>;
}

export function isLiveSource(x: unknown): x is LiveSource<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { attach?: unknown }).attach === 'function';
}
