// Worker-thread entry of the isolated parser (see parseInWorker.ts): loads pdfjs once, then parses
// one document per "parse" message and answers with page progress and the result or a typed
// failure. Bundled as its own file (parseWorker.mjs) beside the CLI and the ingest Lambda.
import { parentPort } from "node:worker_threads";
import { getHeapStatistics } from "node:v8";
import { parseDocument } from "../../parsers/index.ts";
import { loadPdfjs } from "../../parsers/pdf/pdfjsRuntime.ts";
import type { ToWorker, FromWorker, SerializedError } from "./parseProtocol.ts";

if (!parentPort) throw new Error("parseWorker.ts runs only as a worker thread (see parseInWorker.ts)");
const port = parentPort;
const send = (m: FromWorker) => port.postMessage(m);

function serializeError(e: unknown): SerializedError {
  const err = e as { name?: unknown; code?: unknown; message?: unknown; page?: unknown } | undefined;
  return {
    name: typeof err?.name === "string" ? err.name : "Error",
    message: typeof err?.message === "string" ? err.message : String(e),
    ...(typeof err?.code === "string" ? { code: err.code } : {}),
    ...(typeof err?.page === "number" ? { page: err.page } : {}),
  };
}

port.on("message", (m: ToWorker) => {
  if (m.type !== "parse") return;
  const { id, bytes, opts } = m;
  void (async () => {
    const t0 = performance.now();
    try {
      const doc = await parseDocument(bytes, { ...opts, onPage: (n, count) => send({ type: "page", id, n, count }) });
      send({ type: "done", id, doc, heapUsedMb: Math.round(getHeapStatistics().used_heap_size / 1048576), workerMs: Math.round(performance.now() - t0) });
    } catch (e) {
      send({ type: "failed", id, error: serializeError(e), heapUsedMb: Math.round(getHeapStatistics().used_heap_size / 1048576) });
    }
  })();
});

// pdfjs takes most of a cold start (seconds under tsx): load it before saying ready, so the parent
// starts the per-page clock only once the parse itself can begin.
await loadPdfjs();
send({ type: "ready" });
