// Uploads files through the embedded pipeline (local S3 → SQS → the real ingest handler → local
// DynamoDB, alerts on SNS) and reports, per file, the stored record's status and failure reason,
// whether an alert was published, and the handler's timings.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { startEmbedded } from "../../embedded/startEmbedded.ts";
import type { IngestOutcome } from "../../functions/ingest/ingestObject.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import { createDocumentClient } from "../../functions/shared/clients.ts";
import type { PdfLimits } from "../../parsers/pdf/limits.ts";

export interface PipelineRow {
  name: string;
  /** Stored META status (COMMITTED / FAILED), or "MISSING" when nothing was stored. */
  status: string;
  failureCode?: string;
  failureMessage?: string;
  alerted: boolean;
  alertKind?: string;
  parseMs?: number;
  totalMs?: number;
  handlerErrors: string[];
}

export interface PipelineReport {
  rows: PipelineRow[];
  idle: boolean;
  dlqDepth: number;
  wallMs: number;
}

export interface PipelineOptions {
  idleTimeoutMs?: number;
  /** PDF limits of the ingest handler (default: its environment's). */
  limits?: Partial<PdfLimits>;
  /** Upload everything before the queue is first polled, so the files arrive in as few batches as batchSize allows (default 5). */
  uploadFirst?: boolean;
}

export async function runPipeline(files: { name: string; path: string }[], opts: PipelineOptions = {}): Promise<PipelineReport> {
  const outcomes = new Map<string, IngestOutcome>();
  const errors = new Map<string, string[]>();
  const t0 = performance.now();
  const env = await startEmbedded({
    dataDir: null,
    logLevel: "SILENT",
    retryDelaySeconds: 0,
    autoStart: !opts.uploadFirst,
    ...(opts.limits ? { deps: { limits: opts.limits } } : {}),
    onOutcome: (o) => outcomes.set(o.key, o),
    onError: (e, r) => {
      const key = (() => {
        try {
          return decodeURIComponent((JSON.parse(r.body) as { Records?: { s3?: { object?: { key?: string } } }[] }).Records?.[0]?.s3?.object?.key ?? "").replace(/\+/g, " ");
        } catch {
          return "?";
        }
      })();
      errors.set(key, [...(errors.get(key) ?? []), String((e as Error)?.message ?? e).slice(0, 200)]);
    },
  });
  try {
    const store = new DocumentStore({ tableName: env.resources.table, client: createDocumentClient() });
    const sha = new Map<string, string>();
    const keys = new Map<string, string>();
    for (const f of files) {
      const bytes = readFileSync(f.path);
      sha.set(f.name, createHash("sha256").update(bytes).digest("hex"));
      const { key } = await env.upload(`hostile/${f.name}.pdf`, new Uint8Array(bytes));
      keys.set(f.name, key);
    }
    if (opts.uploadFirst) env.eventSource.start();
    const idle = await env.waitForIdle(opts.idleTimeoutMs ?? 600_000);
    const alerts = await env.drainAlerts();
    const rows: PipelineRow[] = [];
    for (const f of files) {
      const key = keys.get(f.name)!;
      const out = outcomes.get(key);
      // By the id the handler reported (an upload refused for its size is keyed by its object, not its bytes).
      const meta = await store.getMeta(out?.docId ?? sha.get(f.name)!);
      const alert = alerts.find((a) => a.key === key);
      rows.push({
        name: f.name,
        status: meta?.status ?? "MISSING",
        failureCode: meta?.failure?.code,
        failureMessage: meta?.failure?.message,
        alerted: alert !== undefined,
        alertKind: alert?.kind,
        parseMs: out?.timings.parseMs,
        totalMs: out?.timings.totalMs,
        handlerErrors: errors.get(key) ?? [],
      });
    }
    return { rows, idle, dlqDepth: await env.dlqDepth(), wallMs: Math.round(performance.now() - t0) };
  } finally {
    await env.stop();
  }
}
