// Where the analyst's commands run: the embedded default (local S3 + DynamoDB + queue started in
// this process, the real ingest handler behind them) or a deployed stack (bucket and table named by
// the environment, credentials and region from the usual AWS chain: AWS_PROFILE, AWS_REGION …).
// Both give the same three things: the document store, a way to put a PDF into incoming/, and the
// PDF bytes of a stored document.
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DocumentStore } from "../functions/shared/documentStore.ts";
import { createDocumentClient } from "../functions/shared/clients.ts";
import { INCOMING_PREFIX } from "../functions/shared/s3Source.ts";
import type { IngestOutcome } from "../functions/ingest/ingestObject.ts";
import type { Embedded } from "../embedded/startEmbedded.ts";
import { SqsEventSource } from "../embedded/sqsEventSource.ts";
import { createIngestHandler } from "../functions/ingest/handler.ts";

export interface BackendOptions {
  /** Force a mode; default: "aws" when BUDGETLENS_TABLE (or --table) is set, else "embedded". */
  mode?: "embedded" | "aws";
  /** Embedded data folder (default .budgetlens); null keeps everything in memory. */
  dataDir?: string | null;
  /** Deployed stack: the stack outputs BucketName / TableName. */
  bucket?: string;
  table?: string;
  /**
   * Embedded: concurrent invocations of the local ingest function (one SQS message each), as Lambda
   * scales out over a queue. The parser waits on pdf.js a good part of its wall time, so documents
   * interleave well in one process.
   */
  concurrency?: number;
  /** Embedded: the ingest handler's outcome per object (progress). */
  onOutcome?: (o: IngestOutcome) => void;
  /** Embedded: an ingest that threw (it will be retried, then dead-lettered). */
  onError?: (e: unknown) => void;
  /** Embedded: do not start the local ingest function (query/export/serve only read). */
  readOnly?: boolean;
  /** Embedded: no ingest function in this process (worker processes poll the queue instead). */
  noLocalIngest?: boolean;
}

export interface Backend {
  mode: "embedded" | "aws";
  store: DocumentStore;
  bucket: string;
  /** Puts a PDF under incoming/; the stack's notification starts its ingest. */
  upload(name: string, bytes: Uint8Array): Promise<string>;
  /** The stored PDF of a document (by its S3 key), or undefined. */
  pdf(bucket: string, key: string): Promise<Uint8Array | undefined>;
  /** Embedded: what an ingest worker process needs to reach these servers (endpoints, table, queue). */
  workerEnv?: Record<string, string>;
  /** Embedded: waits until the local queue is drained (true) or the timeout passes. */
  waitForIdle?(timeoutMs: number): Promise<boolean>;
  describe(): string;
  close(): Promise<void>;
}

/** Which mode the environment asks for (BUDGETLENS_TABLE / BUDGETLENS_BUCKET name a deployed stack). */
export function resolveMode(opts: BackendOptions): "embedded" | "aws" {
  if (opts.mode) return opts.mode;
  return opts.table ?? process.env.BUDGETLENS_TABLE ? "aws" : "embedded";
}

export async function openBackend(opts: BackendOptions = {}): Promise<Backend> {
  return resolveMode(opts) === "aws" ? openAws(opts) : openEmbedded(opts);
}

async function openEmbedded(opts: BackendOptions): Promise<Backend> {
  const { startEmbedded } = await import("../embedded/startEmbedded.ts");
  const env: Embedded = await startEmbedded({
    dataDir: opts.dataDir === undefined ? ".budgetlens" : opts.dataDir,
    batchSize: 1,
    autoStart: !opts.readOnly && !opts.noLocalIngest,
    onOutcome: opts.onOutcome,
    onError: opts.onError,
  });
  // More pollers on the same queue = more concurrent "invocations" of the real ingest handler.
  const extra: SqsEventSource[] = [];
  if (!opts.readOnly && !opts.noLocalIngest) {
    for (let i = 1; i < (opts.concurrency ?? 1); i++) {
      const handler = createIngestHandler({ onOutcome: opts.onOutcome, onError: opts.onError ? (e) => opts.onError?.(e) : undefined });
      const es = new SqsEventSource({ sqs: env.clients.sqs, queueUrl: env.resources.queueUrl, queueArn: env.resources.queueArn, handler, batchSize: 1, retryDelaySeconds: 1 });
      es.start();
      extra.push(es);
    }
  }
  // startEmbedded points the SDK's endpoint variables at its servers: the default client finds them.
  const store = new DocumentStore({ tableName: env.resources.table, client: createDocumentClient() });
  const s3 = env.clients.s3;
  return {
    mode: "embedded",
    store,
    bucket: env.resources.bucket,
    workerEnv: { ...env.env, BUDGETLENS_QUEUE_URL: env.resources.queueUrl, BUDGETLENS_QUEUE_ARN: env.resources.queueArn },
    async upload(name, bytes) {
      return (await env.upload(name, bytes)).key;
    },
    pdf: (bucket, key) => getObject(s3, bucket, key),
    async waitForIdle(ms) {
      const idle = await env.waitForIdle(ms);
      return idle && extra.every((e) => e.inFlight === 0);
    },
    describe: () => `embedded (data in ${env.dataDir ?? "memory"}; S3 ${env.endpoints.s3}, DynamoDB ${env.endpoints.dynamodb})`,
    async close() {
      await Promise.all(extra.map((e) => e.stop()));
      await env.stop();
    },
  };
}

async function openAws(opts: BackendOptions): Promise<Backend> {
  const table = opts.table ?? process.env.BUDGETLENS_TABLE;
  const bucket = opts.bucket ?? process.env.BUDGETLENS_BUCKET;
  if (!table) throw new Error("deployed stack: set BUDGETLENS_TABLE (the stack output TableName) or pass --table");
  const store = new DocumentStore({ tableName: table, client: createDocumentClient() });
  const s3 = new S3Client({ maxAttempts: 5 });
  return {
    mode: "aws",
    store,
    bucket: bucket ?? "",
    async upload(name, bytes) {
      if (!bucket) throw new Error("deployed stack: set BUDGETLENS_BUCKET (the stack output BucketName) or pass --bucket to upload");
      const key = `${INCOMING_PREFIX}${name}`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: "application/pdf" }));
      return key;
    },
    pdf: (b, key) => getObject(s3, b, key),
    describe: () => `AWS stack (table ${table}, bucket ${bucket ?? "?"}, region ${process.env.AWS_REGION ?? "from profile"})`,
    async close() {
      s3.destroy();
    },
  };
}

async function getObject(s3: S3Client, bucket: string, key: string): Promise<Uint8Array | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return out.Body ? await out.Body.transformToByteArray() : undefined;
  } catch (e) {
    if ((e as { name?: string }).name === "NoSuchKey") return undefined;
    throw e;
  }
}
