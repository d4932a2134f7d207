// The hard bound on one parse: parseDocument runs in a worker thread (parseWorker.ts) with a V8
// heap limit, watched from the calling thread. pdfjs parses synchronously for seconds at a time
// (a page of millions of path segments starves every timer of the thread it runs in), so only a
// watchdog in another thread can stop it on time; and an out-of-memory parse in the calling thread
// would kill the process, losing the other documents of the batch. Here either one terminates the
// worker only, and the caller gets a typed PdfError (page_timeout / memory_limit) and goes on.
//
// Bounds, from the document's PdfLimits:
// - memory: the process's RSS (less the calling thread's own heap) is sampled every 50 ms from the
//   calling thread; growth over maxMemoryMb since the parse began kills the worker (memory_limit). V8's own worker heap limit
//   (resourceLimits.maxOldGenerationSizeMb, set to 2 × maxMemoryMb) is only a backstop: it ends
//   the worker cleanly (ERR_WORKER_OUT_OF_MEMORY) when the heap fills with small objects, but a
//   single large allocation over it (an array doubling past the limit: Node 20 and 22) aborts the
//   whole process, and it does not see ArrayBuffers or wasm memory at all;
// - time: a heartbeat. The worker reports every finished page; a silence longer than pageTimeoutMs
//   (+ a grace, so the parser's own softer page_timeout wins when it can fire) kills it. The same
//   window covers opening the file and the table assembly after the last page, so a whole parse is
//   bounded by (pages + 2) × (pageTimeoutMs + grace);
// - the caller's AbortSignal (the Lambda's time budget) kills it at once.
// A worker is kept warm for the next document (loading pdfjs costs 0.3 s bundled, seconds under
// tsx), except after a kill, a page_timeout (the parser may still be busy with the page), when its
// heap stayed large, or after maxDocumentsPerWorker documents.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { PdfError, type PdfErrorCode } from "../../parsers/pdf/errors.ts";
import { resolveLimits, type PdfLimits } from "../../parsers/pdf/limits.ts";
import type { DisclosureDocument } from "../../parsers/model.ts";
import type { ParseOptions } from "../../parsers/index.ts";
import type { FromWorker, SerializedError, ToWorker } from "./parseProtocol.ts";

export const PARSE_WORKER_SETTINGS = Object.freeze({
  /** Added to pageTimeoutMs before the watchdog kills a silent worker. */
  heartbeatGraceMs: 1_000,
  /** A worker that has not loaded pdfjs by then is treated as broken. */
  startupTimeoutMs: 60_000,
  /** Recycle a warm worker after this many documents (pdfjs keeps font and CMap caches). */
  maxDocumentsPerWorker: 50,
  /** Recycle a warm worker whose heap after a document is above this share of its limit. */
  recycleAboveHeapShare: 0.5,
  /** Workers kept idle between documents (at least as many as ever ran at once, so concurrent callers stay warm). */
  idleWorkers: 1,
  /** How often the calling thread samples the process's RSS during a parse. */
  memoryPollMs: 50,
  /** V8 old-generation limit of a worker, as a multiple of maxMemoryMb (backstop; see above). */
  heapLimitFactor: 2,
  /** V8 young generation of a worker (MB; 0 = V8's default). */
  youngGenerationMb: 0,
});

export type ParseWorkerSettings = typeof PARSE_WORKER_SETTINGS;

export interface ParseWorkerPoolOptions {
  /** The worker script (default: resolveWorkerEntry()). */
  entry?: URL;
  settings?: Partial<ParseWorkerSettings>;
}

/** Why a parse ended, for measurements (the promise carries the document or the error). */
export interface ParseRunInfo {
  coldStart: boolean;
  startupMs: number;
  parseMs: number;
  /** parseDocument's time inside the worker (successful parses). */
  workerMs?: number;
  /** Largest growth of the process's RSS over the parse, as sampled. */
  peakRssGrowthMb: number;
  killed?: "timeout" | "memory" | "abort";
}

interface Job {
  onMessage(m: FromWorker): void;
  onError(e: Error): void;
  onExit(code: number): void;
}

class WorkerHandle {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  documents = 0;
  dead = false;
  job: Job | undefined;
  private readyAt = 0;
  readonly startedAt = performance.now();

  constructor(
    readonly heapMb: number,
    entry: URL,
    youngMb: number,
  ) {
    this.worker = new Worker(entry, {
      resourceLimits: { maxOldGenerationSizeMb: heapMb, ...(youngMb > 0 ? { maxYoungGenerationSizeMb: youngMb } : {}) },
      // Not the parent's loader flags (tsx): the entry is plain JavaScript.
      execArgv: [],
      // The worker shares the process's stdout/stderr (pdfjs warnings), not its stdin.
      stdin: false,
    });
    let resolveReady!: () => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    this.ready.catch(() => undefined); // observed by the job that waits on it
    this.worker.on("message", (m: FromWorker) => {
      if (m.type === "ready") {
        this.readyAt = performance.now();
        resolveReady();
        return;
      }
      this.job?.onMessage(m);
    });
    this.worker.on("error", (e: Error) => {
      this.dead = true;
      rejectReady(e);
      this.job?.onError(e);
    });
    this.worker.on("exit", (code) => {
      this.dead = true;
      rejectReady(new Error(`parse worker exited with code ${code} before it was ready`));
      this.job?.onExit(code);
    });
  }

  get startupMs(): number {
    return this.readyAt ? Math.round(this.readyAt - this.startedAt) : 0;
  }

  kill(): Promise<unknown> {
    this.dead = true;
    return this.worker.terminate().catch(() => undefined);
  }
}

/**
 * Where the worker script is: env BUDGETLENS_PARSE_WORKER, else parseWorker.mjs beside this module
 * (the CLI and Lambda bundles ship it there). Running from the TypeScript sources (tsx, vitest),
 * the worker is bundled once with esbuild into node_modules/.cache: a worker under the tsx loader
 * would spend ~7 s transforming pdfjs on every cold start.
 */
export async function resolveWorkerEntry(env: NodeJS.ProcessEnv = process.env): Promise<URL> {
  if (env.BUDGETLENS_PARSE_WORKER) return pathToFileURL(path.resolve(env.BUDGETLENS_PARSE_WORKER));
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new URL("./parseWorker.mjs", here);
  // Computed specifier: bundlers leave it alone (a bundle never takes this branch).
  const builder = new URL("../../scripts/esbuildNode.ts", here).href;
  const { cachedLocalBundle } = (await import(builder)) as typeof import("../../scripts/esbuildNode.ts");
  return pathToFileURL(await cachedLocalBundle(fileURLToPath(new URL("./parseWorker.ts", here)), "parseWorker"));
}

/** Moves the bytes to the worker without a copy when they own their whole buffer; else one copy. */
function transferable(bytes: Uint8Array): Uint8Array {
  const own = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return own ? bytes : bytes.slice();
}

function rebuildError(e: SerializedError): Error {
  if (e.name === "PdfError" && e.code) return new PdfError(e.code as PdfErrorCode, e.message, e.page !== undefined ? { page: e.page } : undefined);
  // NotADisclosureError, ZodError, plain errors: failureOf() reads name and code.
  const err = new Error(e.message) as Error & { code?: string; page?: number };
  err.name = e.name;
  if (e.code !== undefined) err.code = e.code;
  if (e.page !== undefined) err.page = e.page;
  return err;
}

const formatSeconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * Parses in worker threads. `parse` has parseDocument's signature; the bytes are transferred to
 * the worker (the caller's Uint8Array is empty afterwards).
 */
export class ParseWorkerPool {
  private readonly idle: WorkerHandle[] = [];
  private readonly settings: ParseWorkerSettings;
  private entry: Promise<URL> | undefined;
  private nextId = 1;
  /** Details of the last finished parse (tests, benchmarks). */
  lastRun: ParseRunInfo | undefined;
  private active = 0;
  private mostActive = 0;

  constructor(opts: ParseWorkerPoolOptions = {}) {
    this.settings = { ...PARSE_WORKER_SETTINGS, ...opts.settings };
    if (opts.entry) this.entry = Promise.resolve(opts.entry);
  }

  private entryUrl(): Promise<URL> {
    this.entry ??= resolveWorkerEntry();
    return this.entry;
  }

  /** Starts a worker ahead of the first document (loads pdfjs in the background). */
  async warm(limits?: Partial<PdfLimits>): Promise<void> {
    if (this.idle.length > 0) return;
    const h = this.spawn(await this.entryUrl(), Math.ceil(resolveLimits(limits).maxMemoryMb * this.settings.heapLimitFactor));
    h.worker.unref();
    this.idle.push(h);
  }

  /** Stops every idle worker. */
  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((h) => h.kill()));
  }

  readonly parse = async (bytes: Uint8Array, opts: ParseOptions): Promise<DisclosureDocument> => {
    const limits = resolveLimits(opts.limits);
    const entry = await this.entryUrl();
    opts.signal?.throwIfAborted();
    const handle = this.acquire(entry, Math.ceil(limits.maxMemoryMb * this.settings.heapLimitFactor));
    const coldStart = handle.documents === 0;
    this.active++;
    this.mostActive = Math.max(this.mostActive, this.active);
    const id = this.nextId++;
    const window = limits.pageTimeoutMs + this.settings.heartbeatGraceMs;
    const payload: ToWorker = {
      type: "parse",
      id,
      bytes: transferable(bytes),
      opts: { fileName: opts.fileName, limits: opts.limits ?? {}, ...(opts.tableSettings ? { tableSettings: opts.tableSettings } : {}) },
    };

    return new Promise<DisclosureDocument>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let lastPage = 0;
      let settled = false;
      let killing = false;
      let parseStart = 0;
      let peakGrowthBytes = 0;
      const arm = (ms: number, onFire: () => void) => {
        clearTimeout(timer);
        timer = setTimeout(onFire, ms);
      };
      const finish = (info: Pick<ParseRunInfo, "killed" | "workerMs">, keep: boolean, settle: () => void) => {
        if (settled) return;
        settled = true;
        this.active--;
        clearTimeout(timer);
        clearInterval(memoryTimer);
        opts.signal?.removeEventListener("abort", onAbort);
        handle.job = undefined;
        this.lastRun = {
          coldStart,
          startupMs: coldStart ? handle.startupMs : 0,
          parseMs: parseStart ? Math.round(performance.now() - parseStart) : 0,
          peakRssGrowthMb: Math.round(peakGrowthBytes / 1048576),
          ...info,
        };
        if (keep) this.release(handle);
        else if (!handle.dead) void handle.kill();
        settle();
      };
      // A kill settles after the thread is gone, so the next document does not share the CPU with it.
      const kill = (killed: NonNullable<ParseRunInfo["killed"]>, error: unknown) => {
        if (settled || killing) return;
        killing = true;
        clearTimeout(timer);
        clearInterval(memoryTimer);
        void handle.kill().then(() => finish({ killed }, false, () => reject(error)));
      };
      const onAbort = () => kill("abort", opts.signal?.reason ?? new Error("parse aborted"));
      opts.signal?.addEventListener("abort", onAbort, { once: true });

      handle.job = {
        onMessage: (m) => {
          if (killing || m.type === "ready" || m.id !== id) return;
          if (m.type === "page") {
            lastPage = m.n;
            opts.onPage?.(m.n, m.count);
            arm(window, onSilence);
          } else if (m.type === "done") {
            finish({ workerMs: m.workerMs }, this.reusable(handle, m.heapUsedMb), () => resolve(m.doc));
          } else {
            // A page the parser timed out itself may still be running inside pdfjs: do not reuse.
            finish({}, m.error.code !== "page_timeout" && this.reusable(handle, m.heapUsedMb), () => reject(rebuildError(m.error)));
          }
        },
        onError: (e) => {
          const code = (e as { code?: string }).code;
          if (code === "ERR_WORKER_OUT_OF_MEMORY") {
            kill("memory", tooMuchMemory(e));
          } else {
            kill("abort", new Error(`parse worker failed: ${e.message}`, { cause: e }));
          }
        },
        onExit: (code) => kill("abort", new Error(`parse worker exited with code ${code} during the parse`)),
      };
      const tooMuchMemory = (cause?: unknown) =>
        new PdfError("memory_limit", `Reading the PDF needed more than ${limits.maxMemoryMb} MB of memory${lastPage ? ` (after page ${lastPage})` : ""}; it was stopped. The file is too complex or built to exhaust memory.`, {
          page: lastPage + 1,
          ...(cause === undefined ? {} : { cause }),
        });
      let memoryTimer: NodeJS.Timeout | undefined;
      // The process's RSS less this thread's own heap: garbage this thread frees (or makes) while
      // the worker runs does not move the measure.
      const othersRss = () => {
        const m = process.memoryUsage();
        return m.rss - m.heapTotal;
      };
      const watchMemory = () => {
        const baseline = othersRss();
        memoryTimer = setInterval(() => {
          const grown = othersRss() - baseline;
          peakGrowthBytes = Math.max(peakGrowthBytes, grown);
          // RSS is the process's: parses running side by side (embedded ingest with --concurrency)
          // share it, each allowed its budget.
          if (grown > limits.maxMemoryMb * 1048576 * Math.max(1, this.active)) kill("memory", tooMuchMemory());
        }, this.settings.memoryPollMs);
      };
      const onSilence = () => {
        const page = lastPage + 1;
        kill(
          "timeout",
          new PdfError("page_timeout", `Page ${page} did not finish within ${formatSeconds(window)}; the parse was stopped. The page is too complex or built to stall the reader.`, { page }),
        );
      };

      arm(this.settings.startupTimeoutMs, () => kill("timeout", new Error(`parse worker did not start within ${formatSeconds(this.settings.startupTimeoutMs)}`)));
      handle.ready.then(
        () => {
          if (settled || killing) return;
          handle.documents++;
          handle.worker.ref();
          parseStart = performance.now();
          watchMemory();
          arm(window, onSilence);
          handle.worker.postMessage(payload, [payload.bytes.buffer as ArrayBuffer]);
        },
        (e: unknown) => kill("abort", e),
      );
    });
  };

  private reusable(h: WorkerHandle, heapUsedMb: number): boolean {
    return !h.dead && h.documents < this.settings.maxDocumentsPerWorker && heapUsedMb <= h.heapMb * this.settings.recycleAboveHeapShare;
  }

  private acquire(entry: URL, heapMb: number): WorkerHandle {
    while (this.idle.length > 0) {
      const h = this.idle.pop()!;
      if (!h.dead && h.heapMb === heapMb) return h;
      void h.kill();
    }
    return this.spawn(entry, heapMb);
  }

  private spawn(entry: URL, heapMb: number): WorkerHandle {
    return new WorkerHandle(heapMb, entry, this.settings.youngGenerationMb);
  }

  private release(h: WorkerHandle): void {
    if (this.idle.length >= Math.max(this.settings.idleWorkers, this.mostActive)) {
      void h.kill();
      return;
    }
    // An idle worker does not keep the process alive (the CLI exits when its work is done).
    h.worker.unref();
    this.idle.push(h);
  }
}

let shared: ParseWorkerPool | undefined;

/** The process-wide pool (one warm worker reused across documents and Lambda invocations). */
export function sharedParseWorkerPool(): ParseWorkerPool {
  shared ??= new ParseWorkerPool();
  return shared;
}

/** parseDocument in the process-wide worker pool. */
export function parseInWorker(bytes: Uint8Array, opts: ParseOptions): Promise<DisclosureDocument> {
  return sharedParseWorkerPool().parse(bytes, opts);
}

export type ParseFn = (bytes: Uint8Array, opts: ParseOptions) => Promise<DisclosureDocument>;

/**
 * The parser the adapters use: in a worker thread (default), or in this thread when env
 * BUDGETLENS_PARSE_ISOLATION=in-process (debugging with breakpoints; no hard time or memory bound).
 */
export function parserFromEnv(env: NodeJS.ProcessEnv = process.env): ParseFn {
  const mode = env.BUDGETLENS_PARSE_ISOLATION ?? "worker";
  if (mode === "in-process") {
    // The Lambda bundle defines this constant: esbuild then drops the branch and, with it, a second
    // copy of the parser and pdfjs from the handler's file (they live in parseWorker.mjs).
    if (process.env.BUDGETLENS_BUNDLE_WORKER_ONLY === "1") throw new Error("this bundle parses in the worker only (BUDGETLENS_PARSE_ISOLATION=in-process is for the CLI and the sources)");
    else return async (bytes, opts) => (await import("../../parsers/index.ts")).parseDocument(bytes, opts);
  }
  if (mode !== "worker") throw new Error(`BUDGETLENS_PARSE_ISOLATION must be "worker" or "in-process", got ${mode}`);
  return parseInWorker;
}
