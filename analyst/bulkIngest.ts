// Bulk ingest: many PDFs into the pipeline, followed to the end. Each file's SHA-256 is its document
// id, so bytes already stored are recognised before any upload (a re-run costs one GetItem per file).
// Progress is reported as documents finish; the result has one line per file for the summary table.
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { DocumentRecord } from "../functions/shared/documentItems.ts";
import type { Backend } from "./backend.ts";

export const INGEST_SETTINGS = Object.freeze({
  /** How often a deployed stack is asked whether a document is stored yet. */
  pollMs: 2000,
  /** Give up on a document that never shows up (it may be in the dead-letter queue). */
  timeoutMs: 30 * 60_000,
});

export type FileStatus = "COMMITTED" | "FAILED" | "SKIPPED" | "TIMEOUT" | "UPLOAD_ERROR";

export interface FileResult {
  file: string;
  docId: string;
  /** COMMITTED / FAILED: processed this run; SKIPPED: the same bytes were stored already. */
  status: FileStatus;
  /** The stored record's own status (for SKIPPED: what the earlier run produced). */
  storedStatus?: DocumentRecord["status"];
  department?: string;
  year?: number;
  docType?: string;
  pages?: number;
  tables?: number;
  cells?: number;
  errors?: number;
  warnings?: number;
  infos?: number;
  failure?: string;
  superseded?: boolean;
}

export interface Progress {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  pages: number;
  elapsedMs: number;
  last?: FileResult;
}

export interface BulkIngestOptions {
  concurrency?: number;
  onProgress?: (p: Progress) => void;
  timeoutMs?: number;
  pollMs?: number;
}

export interface BulkIngestResult {
  results: FileResult[];
  wallMs: number;
  processed: number;
  pages: number;
}

/** PDFs named by the arguments: files as given, folders searched recursively; sorted, de-duplicated. */
export function collectPdfs(args: readonly string[]): string[] {
  const out = new Set<string>();
  for (const a of args) {
    const p = resolve(a);
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const f of readdirSync(p, { recursive: true }) as string[]) if (f.toLowerCase().endsWith(".pdf")) out.add(join(p, f));
    } else out.add(p);
  }
  return [...out].sort();
}

export function resultFromRecord(file: string, status: FileStatus, r: DocumentRecord): FileResult {
  return {
    file,
    docId: r.docId,
    status,
    storedStatus: r.status,
    department: r.department,
    year: r.year,
    docType: r.docType,
    pages: r.pageCount,
    tables: r.counts?.tables,
    cells: r.counts?.cells,
    errors: r.flagCounts?.error,
    warnings: r.flagCounts?.warning,
    infos: r.flagCounts?.info,
    failure: r.failure ? `${r.failure.code}: ${r.failure.message}` : undefined,
    superseded: r.supersededBy !== undefined,
  };
}

/** A small promise pool: at most `n` of `fn` running at once. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

/**
 * Uploads every file whose bytes are not stored yet and waits until each has a record.
 * `hub` lets an embedded backend report a finished document at once (see CompletionHub).
 */
export async function bulkIngest(backend: Backend, files: readonly string[], hub: CompletionHub, opts: BulkIngestOptions = {}): Promise<BulkIngestResult> {
  const t0 = performance.now();
  const results: FileResult[] = new Array(files.length);
  const progress: Progress = { total: files.length, done: 0, failed: 0, skipped: 0, pages: 0, elapsedMs: 0 };
  const report = (r: FileResult): void => {
    progress.done += 1;
    if (r.status === "SKIPPED") progress.skipped += 1;
    else {
      progress.pages += r.pages ?? 0;
      if (r.status !== "COMMITTED") progress.failed += 1;
    }
    progress.elapsedMs = performance.now() - t0;
    progress.last = r;
    opts.onProgress?.({ ...progress });
  };
  opts.onProgress?.({ ...progress });

  const waits: Promise<void>[] = [];
  const seen = new Map<string, number>();
  const poller = new MetaPoller(backend, opts.pollMs ?? INGEST_SETTINGS.pollMs);
  hub.onNotify = () => poller.poke();
  await pool(files, opts.concurrency ?? 4, async (file, i) => {
    const bytes = new Uint8Array(await readFile(file));
    const docId = createHash("sha256").update(bytes).digest("hex");
    const earlier = seen.get(docId);
    seen.set(docId, i);
    const stored = earlier === undefined ? await backend.store.getMeta(docId) : undefined;
    if (stored || earlier !== undefined) {
      // Same bytes already stored (or twice in this run): nothing to upload.
      const r = stored ? resultFromRecord(file, "SKIPPED", stored) : { file, docId, status: "SKIPPED" as const };
      results[i] = r;
      report(r);
      return;
    }
    try {
      await backend.upload(uniqueName(file, docId), bytes);
    } catch (e) {
      results[i] = { file, docId, status: "UPLOAD_ERROR", failure: (e as Error).message };
      report(results[i]);
      return;
    }
    waits.push(
      poller.wait(docId, opts.timeoutMs ?? INGEST_SETTINGS.timeoutMs).then((rec) => {
        results[i] = rec ? resultFromRecord(file, rec.status, rec) : { file, docId, status: "TIMEOUT" };
        report(results[i]!);
      }),
    );
  });
  await Promise.all(waits);
  // A later upload of the same department/year/kind supersedes an earlier one after it finished:
  // read the final state once for the summary.
  const finals = await backend.store.getMetas(results.filter((r) => r.storedStatus).map((r) => r.docId));
  for (const r of results) {
    const m = finals.get(r.docId);
    if (m) r.superseded = m.supersededBy !== undefined;
  }
  const processed = results.filter((r) => r.status === "COMMITTED" || r.status === "FAILED");
  return { results, wallMs: Math.round(performance.now() - t0), processed: processed.length, pages: processed.reduce((n, r) => n + (r.pages ?? 0), 0) };
}

/** incoming/<hash>/<name>: records show the file name as given; the hash folder keeps same-named files apart. */
function uniqueName(file: string, docId: string): string {
  return `${docId.slice(0, 12)}/${basename(file)}`;
}

/**
 * Waits for documents' META records. Pending documents are looked up together (BatchGetItem of up
 * to 100 keys) every poll, so following hundreds of uploads on a deployed stack costs a few
 * requests per poll, not one per document; an embedded outcome wakes the poller at once.
 */
class MetaPoller {
  private readonly pending = new Map<string, { resolve: (r: DocumentRecord | undefined) => void; deadline: number }>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;

  constructor(
    private readonly backend: Backend,
    private readonly pollMs: number,
  ) {}

  wait(docId: string, timeoutMs: number): Promise<DocumentRecord | undefined> {
    return new Promise((resolve) => {
      this.pending.set(docId, { resolve, deadline: Date.now() + timeoutMs });
      this.schedule(this.pollMs);
    });
  }

  /** Look now (an embedded outcome arrived). */
  poke(): void {
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.running) {
      if (ms === 0) this.again = true;
      return;
    }
    if (this.timer && ms > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (this.pending.size === 0) return;
    this.running = true;
    try {
      const found = await this.backend.store.getMetas(this.pending.keys());
      const now = Date.now();
      for (const [id, w] of [...this.pending]) {
        const r = found.get(id);
        if (r || now > w.deadline) {
          this.pending.delete(id);
          w.resolve(r);
        }
      }
    } finally {
      this.running = false;
      const soon = this.again;
      this.again = false;
      if (this.pending.size > 0) this.schedule(soon ? 0 : this.pollMs);
    }
  }
}

/** Lets the embedded ingest handler's outcome callback wake the waiting bulk ingest at once. */
export class CompletionHub {
  onNotify: (() => void) | undefined;
  notify(docId: string | undefined): void {
    if (docId) this.onNotify?.();
  }
}
