// Messages between parseInWorker.ts (the calling thread) and parseWorker.ts (the worker thread).
import type { DisclosureDocument } from "../../parsers/model.ts";
import type { ParseOptions } from "../../parsers/index.ts";

/** What crosses the thread boundary of ParseOptions: plain data only (callbacks and the signal stay with the caller). */
export type WorkerParseOptions = Pick<ParseOptions, "fileName" | "limits" | "tableSettings">;

export type ToWorker = { type: "parse"; id: number; bytes: Uint8Array; opts: WorkerParseOptions };

/** An error as the worker saw it: enough to rebuild a PdfError / NotADisclosureError with its code. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  page?: number;
}

export type FromWorker =
  | { type: "ready" }
  | { type: "page"; id: number; n: number; count: number }
  /** workerMs: parseDocument's own time inside the worker (the rest of the caller's wait is transport and startup). */
  | { type: "done"; id: number; doc: DisclosureDocument; heapUsedMb: number; workerMs: number }
  | { type: "failed"; id: number; error: SerializedError; heapUsedMb: number };
