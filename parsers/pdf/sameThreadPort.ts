// The message port between pdfjs's API and its parser when both run in this thread.
//
// In Node pdfjs runs its parser as a "fake worker" in the same thread, joined to the API by a
// LoopbackPort whose postMessage structuredClones every message, as a real worker boundary would.
// For a page's operator list that clone is the most expensive single step of a parse: every
// showText carries an array of glyph objects, and each is copied into a plain object (~10% of a
// 300-page parse, more than all our layout code). Nothing needs that copy here: the parser and the
// API share one heap and nothing mutates a chunk's operators once they are sent.
//
// This port delivers operator-list chunks without a deep copy, and copies every other message as
// LoopbackPort does (a plain-data deep copy where the message is plain data, else structuredClone). What a chunk needs instead (pdfjs 5.x, OperatorList.flush): the
// parser empties its fnArray/argsArray in place right after sending them, so those two arrays are
// copied (shallowly); the per-operator argument arrays, glyph objects and typed arrays are created
// fresh for each operator or are immutable cached glyphs, and the typed arrays are ones pdfjs
// transfers (the sender gives them up), so they are handed over as they are. Delivery stays
// asynchronous (a microtask), in order, as with LoopbackPort.
//
// A test (test/parsers/sameThreadPort.test.ts) parses the fixtures and real filings both ways and
// requires identical pages, so a pdfjs upgrade that changes these facts fails loudly.

type Listener = (event: { data: unknown }) => void;

const RESOLVED = Promise.resolve();

/** pdfjs's StreamKind.ENQUEUE: a stream chunk (the operator list is streamed in chunks). */
const STREAM_ENQUEUE = 4;

interface OperatorListChunk {
  fnArray: unknown[];
  argsArray: unknown[];
  [key: string]: unknown;
}

function isOperatorListChunk(msg: unknown): msg is { chunk: OperatorListChunk; stream: number } {
  if (typeof msg !== "object" || msg === null) return false;
  const m = msg as { stream?: unknown; chunk?: unknown };
  if (m.stream !== STREAM_ENQUEUE || typeof m.chunk !== "object" || m.chunk === null) return false;
  const c = m.chunk as Partial<OperatorListChunk>;
  return Array.isArray(c.fnArray) && Array.isArray(c.argsArray);
}

/** The message as the receiver should see it: a snapshot taken at send time. */
export function snapshotMessage(msg: unknown, transfer?: Transferable[]): unknown {
  if (isOperatorListChunk(msg)) {
    const { chunk } = msg;
    return { ...msg, chunk: { ...chunk, fnArray: chunk.fnArray.slice(), argsArray: chunk.argsArray.slice() } };
  }
  if (!transfer?.length) {
    const copy = copyPlainData(msg, 0);
    if (copy !== NOT_PLAIN) return copy;
  }
  return structuredClone(msg, transfer ? { transfer } : undefined);
}

const NOT_PLAIN = Symbol("not plain data");

/**
 * What structuredClone makes of a message made only of primitives, arrays, sets and ordinary
 * objects (class instances such as pdfjs's Ref included: like structuredClone, their own
 * enumerable properties are copied into plain objects), or NOT_PLAIN when the message holds
 * anything else (typed arrays, errors, maps, functions…, or nesting deeper than any pdfjs
 * message), which is left to structuredClone itself. Most control messages (GetPage, stream
 * pulls, render starts) are plain, and for them structuredClone's fixed cost per call dominates.
 */
function copyPlainData(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== "object") return typeof value === "function" || typeof value === "symbol" ? NOT_PLAIN : value;
  if (depth > 16) return NOT_PLAIN;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const c = copyPlainData(value[i], depth + 1);
      if (c === NOT_PLAIN) return NOT_PLAIN;
      out[i] = c;
    }
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    for (const v of value) {
      const c = copyPlainData(v, depth + 1);
      if (c === NOT_PLAIN) return NOT_PLAIN;
      out.add(c);
    }
    return out;
  }
  if (Object.prototype.toString.call(value) !== "[object Object]") return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const c = copyPlainData((value as Record<string, unknown>)[key], depth + 1);
    if (c === NOT_PLAIN) return NOT_PLAIN;
    out[key] = c;
  }
  return out;
}

export class SameThreadPort {
  readonly #listeners = new Set<Listener>();
  #closed = false;

  postMessage(msg: unknown, transfer?: Transferable[]): void {
    if (this.#closed) return;
    const event = { data: snapshotMessage(msg, transfer) };
    // One microtask per message, queued in send order (as LoopbackPort does).
    void RESOLVED.then(() => {
      for (const listener of [...this.#listeners]) listener.call(this, event);
    });
  }

  addEventListener(name: string, listener: Listener): void {
    if (name === "message") this.#listeners.add(listener);
  }

  removeEventListener(name: string, listener: Listener): void {
    if (name === "message") this.#listeners.delete(listener);
  }

  terminate(): void {
    this.#closed = true;
    this.#listeners.clear();
  }
}
