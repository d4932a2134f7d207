// `npm start` / `budgetlens demo`: the whole pipeline on this machine. Starts the embedded servers,
// uploads the bundled sample PDFs (plus one deliberately truncated copy, to show the failure path)
// to incoming/, lets the real ingest handler process the S3 → SQS events, then prints what was
// stored and flagged — read back through the real query handler — and the alerts that arrived.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import cliProgress from "cli-progress";
import type { IngestOutcome } from "../functions/ingest/ingestObject.ts";
import type { DocumentSummary } from "../functions/query/queryService.ts";
import type { Alert } from "../functions/shared/alerts.ts";
import { startEmbedded, type EmbeddedOptions } from "./startEmbedded.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface DemoOptions {
  dataDir?: string | null;
  /** PDFs to upload; default: every fixtures/pdf/*.pdf. */
  files?: string[];
  /** Also upload a truncated copy of the first PDF to show a FAILED document and its alert (default true). */
  includeBroken?: boolean;
  /** Where lines go (default console.log). */
  out?: (line: string) => void;
  /** Progress bar on a TTY (default: when stdout is a TTY). */
  progress?: boolean;
  timeoutMs?: number;
  embedded?: Omit<EmbeddedOptions, "dataDir" | "onOutcome" | "onError">;
}

export interface DemoResult {
  uploaded: string[];
  outcomes: IngestOutcome[];
  retriedErrors: number;
  alerts: (Alert & { subject?: string })[];
  documents: DocumentSummary[];
  failed: DocumentSummary[];
  dlqDepth: number;
  elapsedMs: number;
}

export function samplePdfs(dir: string = join(repoRoot, "fixtures", "pdf")): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith(".pdf"))
    .sort()
    .map((f) => join(dir, f));
}

const pad = (s: string | number, n: number): string => String(s).padEnd(n).slice(0, Math.max(n, String(s).length));

function describe(o: IngestOutcome): string {
  const name = basename(o.key);
  if (o.status === "FAILED") return `${name}: FAILED (${o.failure?.code}) ${o.failure?.message ?? ""}`;
  if (o.status === "DUPLICATE") return `${name}: already stored (same bytes) → ${o.docId?.slice(0, 12)}`;
  if (o.status === "GONE") return `${name}: object deleted before ingest`;
  const f = o.flagCounts;
  return `${name}: ${o.department ?? "?"} ${o.year ?? "?"} ${o.docType} — ${o.tables} tables, ${o.rows} rows, ${o.cells} cells, ${o.items} items; flags ${f?.error ?? 0} error / ${f?.warning ?? 0} warning / ${f?.info ?? 0} info; ${o.timings.totalMs} ms`;
}

export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const out = opts.out ?? ((l: string) => console.log(l));
  const t0 = performance.now();
  const files = opts.files ?? samplePdfs();
  const uploads: { name: string; bytes: Uint8Array }[] = files.map((f) => ({ name: basename(f), bytes: readFileSync(f) }));
  if ((opts.includeBroken ?? true) && uploads[0]) {
    uploads.push({ name: "demo-truncated-copy.pdf", bytes: uploads[0].bytes.slice(0, Math.min(4096, Math.floor(uploads[0].bytes.length / 3))) });
  }
  if (uploads.length === 0) out("No sample PDFs found in fixtures/pdf/ — nothing to ingest (run `npm run fixtures`).");

  const outcomes: IngestOutcome[] = [];
  let retriedErrors = 0;
  const showBar = (opts.progress ?? process.stdout.isTTY) === true;
  const bar = showBar
    ? new cliProgress.SingleBar({ format: "  ingest [{bar}] {value}/{total} {last}", hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : undefined;
  const log = (line: string): void => {
    if (bar) bar.update({ last: line.slice(0, 60) });
    else out(`  ${line}`);
  };

  out("budgetlens demo — embedded pipeline (no AWS account needed)");
  out("Starting local S3 (s3rver), DynamoDB (dynalite), SQS + SNS (fauxqs)…");
  const env = await startEmbedded({
    ...opts.embedded,
    dataDir: opts.dataDir === undefined ? resolve(".budgetlens") : opts.dataDir,
    onOutcome: (o) => {
      outcomes.push(o);
      bar?.increment();
      log(describe(o));
    },
    onError: (e) => {
      retriedErrors += 1;
      log(`transient error, message will be retried: ${(e as Error).message}`);
    },
  });
  try {
    out(`  S3 ${env.endpoints.s3}  DynamoDB ${env.endpoints.dynamodb}  SQS/SNS ${env.endpoints.sqs}`);
    out(`  data: ${env.dataDir ?? "(in memory)"}  bucket s3://${env.resources.bucket}/incoming/  table ${env.resources.table}`);
    out(`Uploading ${uploads.length} PDF(s) to s3://${env.resources.bucket}/incoming/ …`);
    bar?.start(uploads.length, 0, { last: "" });
    for (const u of uploads) await env.upload(u.name, u.bytes);
    // Idle = queue empty and nothing in flight for a moment: every upload was processed, or dead-lettered.
    await env.waitForIdle(opts.timeoutMs ?? 600_000);
    const settled = new Set(outcomes.map((o) => o.key)).size >= uploads.length;
    bar?.stop();
    if (bar) for (const o of outcomes) out(`  ${describe(o)}`);
    if (!settled) out("  (not every upload produced a record: see the dead-letter queue below)");

    const alerts = await env.drainAlerts();
    const docs = await env.query("/documents");
    const failedRes = await env.query("/documents", { status: "FAILED" });
    const documents = ((docs.body as { items?: DocumentSummary[] }).items ?? []) as DocumentSummary[];
    const failed = ((failedRes.body as { items?: DocumentSummary[] }).items ?? []) as DocumentSummary[];
    const dlqDepth = await env.dlqDepth();

    out("");
    out(`Stored documents (${documents.length}, read back through the query handler):`);
    for (const d of documents) {
      const f = d.flagCounts;
      out(
        `  ${pad(d.department ?? "?", 24)} ${pad(d.year ?? "?", 4)} ${pad(d.docType, 14)} ${pad(`${d.counts?.tables ?? 0} tables`, 10)} ${pad(`${d.counts?.items ?? 0} items`, 11)} flags ${f?.error ?? 0}E/${f?.warning ?? 0}W/${f?.info ?? 0}I${d.current ? "" : "  (superseded)"}  ${d.fileName}`,
      );
    }
    if (failed.length > 0) {
      out(`Failed documents (${failed.length}; the PDF stays in S3, the record says why):`);
      for (const d of failed) out(`  ${d.fileName}: ${d.failure?.code} — ${d.failure?.message}`);
    }
    // Every stored filing's errors, superseded ones included (the samples hold several versions of one department's filing).
    const errors = await env.query("/flags", { severity: "error", includeSuperseded: true });
    const errorItems = (errors.body as { items?: Record<string, unknown>[] }).items ?? [];
    const fileOf = new Map(documents.map((d) => [d.docId, d]));
    out(`Reconciliation errors across departments: ${errorItems.length} (GET /flags?severity=error&includeSuperseded=true)`);
    const shown = 12;
    for (const f of errorItems.slice(0, shown)) {
      const d = fileOf.get(String(f.docId));
      out(
        `  ${d?.fileName ?? String(f.docId).slice(0, 12)}: ${f.rule} ${f.table ?? ""} ${JSON.stringify(f.row ?? [])} expected ${f.expected ?? "-"} actual ${f.actual ?? "-"}${f.page ? ` (p.${f.page})` : ""}`,
      );
    }
    if (errorItems.length > shown) out(`  … ${errorItems.length - shown} more`);
    out(`Alerts received on the SNS topic this run: ${alerts.length}`);
    for (const a of alerts) out(`  ${a.subject ?? a.kind}  (${a.fileName})`);
    if (dlqDepth > 0) out(`Dead-letter queue: ${dlqDepth} message(s) that kept failing (transient errors ${retriedErrors})`);
    const elapsedMs = Math.round(performance.now() - t0);
    out(`Done in ${(elapsedMs / 1000).toFixed(1)} s. Data kept in ${env.dataDir ?? "memory"}; run again and the same bytes are recognised (one copy).`);
    return { uploaded: uploads.map((u) => u.name), outcomes, retriedErrors, alerts, documents, failed, dlqDepth, elapsedMs };
  } finally {
    bar?.stop();
    await env.stop();
  }
}
