// Ingest Lambda: SQS batch of S3 notifications → ingestObject per object. Partial batch failures
// (Powertools BatchProcessor): a message whose object hit a transient error is reported back and
// redelivered by SQS, then dead-lettered after maxReceiveCount; the others are acknowledged.
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { AlertPublisher } from "../shared/alerts.ts";
import { createDocumentClient, createS3Client, createSnsClient, requireEnv } from "../shared/clients.ts";
import { DocumentStore } from "../shared/documentStore.ts";
import { objectsFromMessageBody, S3Source } from "../shared/s3Source.ts";
import { parserFromEnv, sharedParseWorkerPool } from "../shared/parseInWorker.ts";
import { ingestObject, type IngestDeps, type IngestOutcome } from "./ingestObject.ts";
import { RetiredSweeper } from "./retiredSweeper.ts";
import type { PdfLimits } from "../../parsers/pdf/limits.ts";

export interface IngestHandlerOptions {
  /** Overrides of the default dependencies (built from the environment on first use). */
  deps?: Partial<Omit<IngestDeps, "workerId">>;
  /** Called for every object processed (the embedded runner shows progress with it). */
  onOutcome?: (outcome: IngestOutcome) => void;
  /** Called when one object's ingest threw (the message will be retried). */
  onError?: (error: unknown, record: SQSRecord) => void;
  logger?: Logger;
}

/** PDF limits from BUDGETLENS_MAX_BYTES / _MAX_PAGES / _PAGE_TIMEOUT_MS / _MAX_MEMORY_MB (unset: defaults). */
export function limitsFromEnv(env: NodeJS.ProcessEnv): Partial<PdfLimits> {
  const read = (name: string) => (env[name] && Number.isFinite(Number(env[name])) ? Number(env[name]) : undefined);
  const limits: Partial<PdfLimits> = {};
  const maxBytes = read("BUDGETLENS_MAX_BYTES");
  const maxPages = read("BUDGETLENS_MAX_PAGES");
  const pageTimeoutMs = read("BUDGETLENS_PAGE_TIMEOUT_MS");
  const maxMemoryMb = read("BUDGETLENS_MAX_MEMORY_MB");
  if (maxBytes !== undefined) limits.maxBytes = maxBytes;
  if (maxPages !== undefined) limits.maxPages = maxPages;
  if (pageTimeoutMs !== undefined) limits.pageTimeoutMs = pageTimeoutMs;
  if (maxMemoryMb !== undefined) limits.maxMemoryMb = maxMemoryMb;
  return limits;
}

/**
 * Dependencies from the environment: TABLE_NAME, ALERT_TOPIC_ARN (optional), PDF limits, SDK
 * endpoint variables, BUDGETLENS_PARSE_ISOLATION (the parse runs in a worker thread unless
 * "in-process": a hung page or a memory hog is stopped there without losing the batch).
 */
export function defaultIngestDeps(): Omit<IngestDeps, "workerId"> {
  const topicArn = process.env.ALERT_TOPIC_ARN;
  return {
    limits: limitsFromEnv(process.env),
    source: new S3Source(createS3Client()),
    store: new DocumentStore({ tableName: requireEnv("TABLE_NAME"), client: createDocumentClient() }),
    alerts: topicArn ? new AlertPublisher(createSnsClient(), topicArn) : undefined,
    // pdfjs is loaded in the parse worker (or, in-process, on first use); tests may inject their own parse/check.
    parse: parserFromEnv(process.env),
    check: (doc, o) => {
      if (!core.check) throw new Error("reconciliation module not loaded");
      return core.check(doc, o);
    },
  };
}

/** checkDocument is synchronous; its module is imported before the first batch. */
const core: { check?: IngestDeps["check"] } = {};
async function loadCheck(): Promise<void> {
  core.check ??= (await import("../../reconcile/index.ts")).checkDocument;
}

export function createIngestHandler(opts: IngestHandlerOptions = {}): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const logger = opts.logger ?? new Logger({ serviceName: "budgetlens-ingest" });
  let deps: Omit<IngestDeps, "workerId"> | undefined;
  const processor = new BatchProcessor(EventType.SQS);
  // Flag generations replaced by re-checks, deleted by this container once the readers' grace has passed.
  const ownSweeper = new RetiredSweeper();
  const sweep = async ({ sweeper, store }: Pick<IngestDeps, "sweeper" | "store">): Promise<void> => {
    if (sweeper && sweeper.size > 0) await sweeper.runDue(store, (level, message, data) => logger[level](message, data)).catch((e: unknown) => logger.warn("sweep failed", { error: String(e) }));
  };

  return async (event, context) => {
    if (!deps) {
      deps = { ...defaultIngestDeps(), ...opts.deps };
      // Cold start: the parse worker loads pdfjs while the first object is fetched and leased.
      if (!opts.deps?.parse && (process.env.BUDGETLENS_PARSE_ISOLATION ?? "worker") === "worker") void sharedParseWorkerPool().warm(deps.limits).catch(() => undefined);
      if (!opts.deps?.check) await loadCheck();
    }
    const resolved = { ...deps, sweeper: deps.sweeper ?? ownSweeper };
    await sweep(resolved);
    const recordHandler = async (record: SQSRecord): Promise<IngestOutcome[]> => {
      const outcomes: IngestOutcome[] = [];
      try {
        for (const ref of objectsFromMessageBody(record.body)) {
          const outcome = await ingestObject(ref, {
            ...resolved,
            workerId: `${context.awsRequestId}:${record.messageId}`,
            remainingMs: resolved.remainingMs ?? (() => context.getRemainingTimeInMillis()),
            log: (level, message, data) => logger[level](message, data),
          });
          outcomes.push(outcome);
          opts.onOutcome?.(outcome);
        }
      } catch (e) {
        logger.error("ingest failed; message will be retried", { messageId: record.messageId, error: e as Error });
        opts.onError?.(e, record);
        throw e;
      }
      return outcomes;
    };
    // Sequential: parsing is CPU- and memory-bound (one vCPU-ish at 2 GB), and a duplicate later in
    // the batch then finds the committed document instead of waiting on the first one's lease.
    const response = await processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false, processInParallel: false });
    await sweep(resolved);
    return response;
  };
}

export const handler = createIngestHandler();
