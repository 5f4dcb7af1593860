import { Kind, print, visit, type DocumentNode, type ExecutionResult } from 'graphql';

// Live fan-out: how one stored event reaches every subscriber of a stream on this instance, executed and
// encoded once per selection and written as ready-made graphql-transport-ws frames.

/**
 * Results of one event, per selection. The live hubs hand the same event object to every subscriber of a
 * stream, and what a subscriber receives depends only on the event and its selection: subscription root
 * fields return their event (their arguments choose the stream at subscribe time, where authorization is
 * checked), and the fields below read the event itself, never the subscriber. So the first subscriber to
 * take an event executes it; the others with the same selection reuse that result.
 */
const executed = new WeakMap<object, Map<string, ExecutionResult | Promise<ExecutionResult>>>();

export function sharedExecution(payload: unknown, key: string, run: () => ExecutionResult | Promise<ExecutionResult>): ExecutionResult | Promise<ExecutionResult> {
  if (typeof payload !== 'object' || payload === null) return run();
  let byKey = executed.get(payload);
  if (!byKey) executed.set(payload, (byKey = new Map()));
  let r = byKey.get(key);
  if (!r) byKey.set(key, (r = run()));
  return r;
}

/** Where a subscription's frames go when its source is live (see attachFrames). */
export interface LiveChannel {
  id: string;
  sendFrames(head: Buffer, bodies: Buffer[], tail: Buffer): void;
}

/** The `payload` of a `next` message, serialized and UTF-8 encoded once per event and selection. */
const serialized = new WeakMap<object, Map<string, Buffer | Promise<Buffer>>>();
const encode = (r: ExecutionResult) => Buffer.from(JSON.stringify(r), 'utf8');

export function sharedPayload(payload: unknown, key: string, run: () => ExecutionResult | Promise<ExecutionResult>): Buffer | Promise<Buffer> {
  if (typeof payload !== 'object' || payload === null) {
    const r = run();
    return r instanceof Promise ? r.then(encode) : encode(r);
  }
  let byKey = serialized.get(payload);
  if (!byKey) serialized.set(payload, (byKey = new Map()));
  let s = byKey.get(key);
  if (s === undefined) {
    const r = run();
    byKey.set(key, (s = r instanceof Promise ? r.then(encode) : encode(r)));
  }
  return s;
}

const FRAME_TAIL = Buffer.from('}');

/**
 * Writes each event of a live source as a graphql-transport-ws `next` message straight to the socket, in
 * order: the same message graphql-ws would send (`{id, type: "next", payload: result}`), built from the
 * event's shared serialized result; the events handed over together leave in one write. graphql-ws keeps
 * the subscription (its iteration waits for the end and then sends `complete`; the client's `complete` or a
 * closed socket returns the source).
 */
export function attachFrames<T extends { attach(sink: (values: unknown[]) => void): void; next(): Promise<IteratorResult<unknown>> }>(source: T, live: LiveChannel, payloadOf: (v: unknown) => Buffer | Promise<Buffer>): T {
  const head = Buffer.from(`{"id":${JSON.stringify(live.id)},"type":"next","payload":`, 'utf8');
  let pending: Promise<void> | undefined;
  source.attach((values) => {
    const bodies = values.map(payloadOf);
    if (!pending && !bodies.some((b) => b instanceof Promise)) return live.sendFrames(head, bodies as Buffer[], FRAME_TAIL);
    // A result still being computed: later frames wait for it, so the order holds.
    const written: Promise<void> = (pending ?? Promise.resolve()).then(() => Promise.all(bodies)).then((ready) => live.sendFrames(head, ready, FRAME_TAIL));
    pending = written;
    written
      .finally(() => {
        if (pending === written) pending = undefined;
      })
      .catch(() => undefined);
  });
  // The end of the stream waits for the frames still being computed: graphql-ws sends `complete` when
  // `next()` reports done, and a client drops a `next` that comes after it (the session's last event).
  const next = source.next.bind(source);
  source.next = async () => {
    const r = await next();
    if (r.done) while (pending) await pending.catch(() => undefined);
    return r;
  };
  return source;
}

/**
 * What decides a subscription's per-event result: the operation's text and the variables used below the
 * root fields. Variables used only as root field arguments (the session, `afterSeq`) choose the stream,
 * not the shape of each event, so subscribers resuming from different points still share.
 */
export function selectionKey(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown> | undefined): string {
  const rootArgVars = new Set<string>();
  const usedBelow = new Set<string>();
  let depth = 0;
  let inRootArgs = 0;
  let inOperation = false;
  visit(document, {
    // Fragments count as "below": only the operation's own root fields choose the stream.
    OperationDefinition: { enter: () => void ((depth = 0), (inOperation = true)), leave: () => void (inOperation = false) },
    SelectionSet: { enter: () => void depth++, leave: () => void depth-- },
    Argument: {
      enter: () => void (inOperation && depth === 1 && inRootArgs++),
      leave: () => void (inOperation && depth === 1 && inRootArgs--),
    },
    Variable: (node, _key, parent) => {
      // Declarations in the operation header are not uses.
      if (parent && !Array.isArray(parent) && (parent as { kind?: string }).kind === Kind.VARIABLE_DEFINITION) return;
      (inRootArgs > 0 ? rootArgVars : usedBelow).add(node.name.value);
    },
  });
  const vars = Object.entries(variables ?? {})
    .filter(([name]) => usedBelow.has(name) || !rootArgVars.has(name))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `${operationName ?? ''}\n${print(document)}\n${JSON.stringify(vars)}`;
}

/** Maps each event to its result; no extra promise when the result is at hand (the usual case). */
export function mapResults(source: AsyncGenerator<unknown>, fn: (payload: unknown) => ExecutionResult | Promise<ExecutionResult>): AsyncGenerator<ExecutionResult> {
  const step = (r: IteratorResult<unknown>): IteratorResult<ExecutionResult> | Promise<IteratorResult<ExecutionResult>> => {
    if (r.done) return { done: true, value: undefined };
    const v = fn(r.value);
    return v instanceof Promise ? v.then((value) => ({ done: false, value })) : { done: false, value: v };
  };
  return {
    next: () => source.next().then(step),
    return: async (v?: unknown) => {
      await source.return(v as never);
      return { done: true, value: undefined };
    },
    throw: (e?: unknown) => source.throw(e) as never,
    [Symbol.asyncIterator]() {
      return this;
    },
    async [Symbol.asyncDispose]() {
      await source.return(undefined as never);
    },
  } as AsyncGenerator<ExecutionResult>;
}

