// `budgetlens ingest DIR|FILES… [--concurrency N]`: upload PDFs into the pipeline (embedded by
// default, a deployed stack when BUDGETLENS_TABLE/BUDGETLENS_BUCKET are set), follow each to its
// stored record with a progress bar, end with a summary table. Already-stored bytes are skipped.
import type { Command } from "commander";
import { basename } from "node:path";
import cliProgress from "cli-progress";
import { openBackend } from "../analyst/backend.ts";
import { bulkIngest, collectPdfs, CompletionHub, type BulkIngestResult, type FileResult } from "../analyst/bulkIngest.ts";
import { DOC_TYPE_LABEL } from "../analyst/docType.ts";
import { renderTable } from "../analyst/textTable.ts";
import { startIngestWorkers } from "../analyst/ingestWorkers.ts";

interface IngestCliOptions {
  concurrency: string;
  workers?: string;
  dataDir: string;
  table?: string;
  bucket?: string;
  json?: boolean;
  progress: boolean;
}

export function summaryTable(results: readonly FileResult[]): string {
  const rows = results.map((r) => [
    r.department ?? "?",
    r.year ?? "?",
    DOC_TYPE_LABEL[r.docType ?? "unknown"] ?? r.docType,
    r.tables,
    r.cells,
    r.errors,
    r.warnings,
    (r.status === "SKIPPED" ? `skipped (${r.storedStatus ?? "duplicate"})` : r.status) + (r.superseded ? " superseded" : ""),
    basename(r.file),
  ]);
  return renderTable(
    [
      { header: "department", max: 40 },
      { header: "year" },
      { header: "kind" },
      { header: "tables", align: "right" },
      { header: "cells", align: "right" },
      { header: "errors", align: "right" },
      { header: "warnings", align: "right" },
      { header: "status" },
      { header: "file", max: 40 },
    ],
    rows,
  );
}

export function rateLine(res: BulkIngestResult, cpuMs?: number): string {
  const min = res.wallMs / 60_000;
  const docsPerMin = res.processed > 0 && min > 0 ? (res.processed / min).toFixed(1) : "–";
  const pagesPerS = res.pages > 0 ? (res.pages / (res.wallMs / 1000)).toFixed(1) : "–";
  const failed = res.results.filter((r) => r.status !== "COMMITTED" && r.status !== "SKIPPED").length;
  const skipped = res.results.filter((r) => r.status === "SKIPPED").length;
  // Embedded, the whole pipeline runs in this process: its CPU time says what the wall time would be on an idle core.
  const cpu = cpuMs !== undefined && res.processed > 0 ? `; CPU ${(cpuMs / 1000).toFixed(1)} s (${(cpuMs / 1000 / res.processed).toFixed(2)} s/document)` : "";
  return `${res.results.length} file(s): ${res.processed} processed (${failed} failed), ${skipped} already stored; wall ${(res.wallMs / 1000).toFixed(1)} s, ${docsPerMin} documents/min, ${res.pages} pages, ${pagesPerS} pages/s${cpu}`;
}

export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description("upload disclosure PDFs (folders or files) into the pipeline and follow them to the end")
    .argument("<paths...>", "PDF files or folders (searched recursively)")
    .option("--concurrency <n>", "documents in flight at once (uploads; embedded: concurrent ingest invocations)", "4")
    .option("--workers <n>", "embedded: ingest in N worker processes (one core each) instead of in this process")
    .option("--data-dir <dir>", "embedded: where the local servers keep their data", ".budgetlens")
    .option("--table <name>", "deployed stack: DynamoDB table (default $BUDGETLENS_TABLE)")
    .option("--bucket <name>", "deployed stack: S3 bucket (default $BUDGETLENS_BUCKET)")
    .option("--json", "print the per-file results as JSON lines instead of the table")
    .option("--no-progress", "no progress bar")
    .action(async (paths: string[], opts: IngestCliOptions) => {
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
        process.stderr.write("budgetlens ingest: --concurrency must be an integer 1–64\n");
        process.exit(2);
      }
      let files: string[];
      try {
        files = collectPdfs(paths);
      } catch (e) {
        process.stderr.write(`budgetlens ingest: ${(e as Error).message}\n`);
        process.exit(2);
      }
      if (files.length === 0) {
        process.stderr.write("budgetlens ingest: no PDF found\n");
        process.exit(2);
      }
      const workers = opts.workers === undefined ? 0 : Number(opts.workers);
      if (!Number.isInteger(workers) || workers < 0 || workers > 32) {
        process.stderr.write("budgetlens ingest: --workers must be an integer 0–32\n");
        process.exit(2);
      }
      const hub = new CompletionHub();
      const backend = await openBackend({
        dataDir: opts.dataDir,
        table: opts.table,
        bucket: opts.bucket,
        concurrency,
        noLocalIngest: workers > 0,
        onOutcome: (o) => hub.notify(o.docId),
      });
      const pool = workers > 0 && backend.workerEnv ? startIngestWorkers(workers, backend.workerEnv, { onDocument: (id) => hub.notify(id) }) : undefined;
      const showBar = opts.progress && process.stderr.isTTY && !opts.json;
      const bar = showBar
        ? new cliProgress.SingleBar(
            { format: " {bar} {value}/{total} files | done {ok} failed {failed} skipped {skipped} | {pps} pages/s | ETA {eta_formatted} | {last}", hideCursor: true, stream: process.stderr, etaBuffer: 20 },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      process.stderr.write(`budgetlens ingest: ${files.length} PDF(s) → ${backend.describe()}\n`);
      bar?.start(files.length, 0, { ok: 0, failed: 0, skipped: 0, pps: "–", last: "" });
      const cpu0 = process.cpuUsage();
      try {
        const res = await bulkIngest(backend, files, hub, {
          concurrency,
          onProgress: (p) => {
            const pps = p.elapsedMs > 0 ? (p.pages / (p.elapsedMs / 1000)).toFixed(1) : "–";
            if (bar) bar.update(p.done, { ok: p.done - p.failed - p.skipped, failed: p.failed, skipped: p.skipped, pps, last: p.last ? basename(p.last.file).slice(0, 30) : "" });
            else if (p.last && !opts.json) process.stderr.write(`  [${p.done}/${p.total}] ${p.last.status} ${basename(p.last.file)}\n`);
          },
        });
        bar?.stop();
        if (opts.json) for (const r of res.results) process.stdout.write(JSON.stringify(r) + "\n");
        else {
          process.stdout.write(summaryTable(res.results));
          for (const r of res.results) if (r.failure) process.stdout.write(`  ${basename(r.file)}: ${r.failure}\n`);
        }
        const cpu = process.cpuUsage(cpu0);
        process.stderr.write(rateLine(res, backend.mode === "embedded" && !pool ? (cpu.user + cpu.system) / 1000 : undefined) + "\n");
        if (res.results.some((r) => r.status === "TIMEOUT" || r.status === "UPLOAD_ERROR")) process.exitCode = 1;
      } finally {
        bar?.stop();
        await pool?.stop();
        await backend.close();
      }
    });

  // Hidden: one worker process of `ingest --workers N` (started by the command itself).
  program
    .command("ingest-worker", { hidden: true })
    .action(async () => {
      const { runIngestWorker } = await import("../analyst/ingestWorkers.ts");
      await runIngestWorker();
    });
}
