// `budgetlens ingest --workers N`: N worker processes (the CLI's hidden ingest-worker command, from
// the TypeScript sources through tsx) against the embedded default ingest a handful of fixtures plus
// a broken PDF. The result equals an in-process run of the same files: same documents, statuses
// and stored items. A re-run uploads nothing; the same bytes sent twice meanwhile are handled by two
// processes and still stored once.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { openBackend, type Backend } from "../../analyst/backend.ts";
import { bulkIngest, CompletionHub, type FileResult } from "../../analyst/bulkIngest.ts";
import { startIngestWorkers, type WorkerOutcome } from "../../analyst/ingestWorkers.ts";
import { AnalystApi } from "../../analyst/api.ts";
import type { DocumentRecord } from "../../functions/shared/documentItems.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
// health-2024/2025: one department in consecutive years, finished in whatever order the workers
// happen to reach them; the re-check after each commit makes the stored flags the same anyway.
const NAMES = ["health-2024.pdf", "health-2025.pdf", "err-total-off.pdf", "civil-2025.pdf", "urban-2024.pdf"];
const SNAP = mkdtempSync(join(tmpdir(), "bl-workers-"));
const FILES = NAMES.map((f) => {
  copyFileSync(join(repoRoot, "fixtures/pdf", f), join(SNAP, f));
  return join(SNAP, f);
});
// A PDF cut short: the parser refuses it (FAILED) in either run.
writeFileSync(join(SNAP, "truncated.pdf"), readFileSync(FILES[0]!).subarray(0, 1500));
FILES.push(join(SNAP, "truncated.pdf"));

interface Snapshot {
  results: Pick<FileResult, "file" | "docId" | "status" | "storedStatus" | "department" | "year" | "tables" | "cells" | "errors" | "warnings">[];
  /** Per document: the META's content fields and every stored item but META (sorted by sk). */
  docs: Record<string, { meta: Partial<DocumentRecord>; items: Record<string, unknown>[] }>;
}

async function snapshot(backend: Backend, results: FileResult[]): Promise<Snapshot> {
  const docs: Snapshot["docs"] = {};
  for (const r of results) {
    const meta = (await backend.store.getMeta(r.docId))!;
    const items = (await backend.store.documentItems(r.docId)).filter((i) => i.sk !== "META" && i.sk !== "LEASE").sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    docs[r.docId] = {
      meta: { status: meta.status, department: meta.department, year: meta.year, docType: meta.docType, pageCount: meta.pageCount, counts: meta.counts, flagCounts: meta.flagCounts, failure: meta.failure ? { code: meta.failure.code, message: "" } : undefined, supersededBy: meta.supersededBy },
      items,
    };
  }
  return {
    results: results.map((r) => ({ file: basename(r.file), docId: r.docId, status: r.status, storedStatus: r.storedStatus, department: r.department, year: r.year, tables: r.tables, cells: r.cells, errors: r.errors, warnings: r.warnings })),
    docs,
  };
}

describe("ingest --workers N (worker processes on the embedded default)", () => {
  it("stores the same documents as the in-process run, and nothing twice", async () => {
    // The reference: in process.
    let reference: Snapshot;
    {
      const hub = new CompletionHub();
      const backend = await openBackend({ mode: "embedded", dataDir: null, concurrency: 2, onOutcome: (o) => hub.notify(o.docId) });
      try {
        const run = await bulkIngest(backend, FILES, hub, { concurrency: 4, pollMs: 200 });
        reference = await snapshot(backend, run.results);
      } finally {
        await backend.close();
      }
    }
    expect(reference.results.map((r) => r.status)).toEqual(["COMMITTED", "COMMITTED", "COMMITTED", "COMMITTED", "COMMITTED", "FAILED"]);

    // The same files through two worker processes.
    const hub = new CompletionHub();
    const backend = await openBackend({ mode: "embedded", dataDir: null, noLocalIngest: true });
    const outcomes: WorkerOutcome[] = [];
    const pool = startIngestWorkers(2, backend.workerEnv!, {
      entry: join(repoRoot, "cli/main.ts"),
      execArgv: ["--import", "tsx"],
      onDocument: (id) => hub.notify(id),
      onOutcome: (o) => outcomes.push(o),
    });
    try {
      expect(pool.pids.every((p) => p > 0 && p !== process.pid)).toBe(true);
      const run = await bulkIngest(backend, FILES, hub, { concurrency: 4, pollMs: 200 });
      const got = await snapshot(backend, run.results);
      expect(got.results).toEqual(reference.results);
      expect(got.docs).toEqual(reference.docs);
      // The work was done by the workers (both of them, given six files), one outcome per upload.
      expect(outcomes).toHaveLength(FILES.length);
      expect(new Set(outcomes.map((o) => o.pid)).size).toBe(2);

      // A re-run: every file recognised, nothing uploaded.
      let uploads = 0;
      const counting = { ...backend, upload: async (n: string, b: Uint8Array) => (uploads++, backend.upload(n, b)) };
      const again = await bulkIngest(counting, FILES, hub, { concurrency: 4, pollMs: 200 });
      expect(uploads).toBe(0);
      expect(again.results.map((r) => r.status)).toEqual(FILES.map(() => "SKIPPED"));

      // The same bytes uploaded twice more under other names: handled (by the workers), stored once.
      const dup = run.results[0]!;
      const before = outcomes.length;
      await backend.upload("copy-a/health-2024.pdf", new Uint8Array(readFileSync(FILES[0]!)));
      await backend.upload("copy-b/health-2024.pdf", new Uint8Array(readFileSync(FILES[0]!)));
      const deadline = Date.now() + 120_000;
      while (outcomes.length < before + 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(outcomes.slice(before).map((o) => [o.status, o.docId])).toEqual([
        ["DUPLICATE", dup.docId],
        ["DUPLICATE", dup.docId],
      ]);
      const after = await snapshot(backend, run.results);
      expect(after.docs).toEqual(got.docs);
      const listed = (await new AnalystApi(backend.store).handle("GET", "/documents", { limit: "1000" })).body as { items: { docId: string }[] };
      expect(listed.items.map((d) => d.docId).sort()).toEqual(run.results.filter((r) => r.status === "COMMITTED").map((r) => r.docId).sort());
    } finally {
      await pool.stop();
      await backend.close();
    }
  }, 600_000);
});
