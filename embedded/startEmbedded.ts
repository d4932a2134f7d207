// The whole pipeline in one process, no AWS account: local S3 (s3rver), DynamoDB (dynalite), SQS +
// SNS (fauxqs), provisioned like the CDK stack (bucket, table + GSIs, queue + DLQ with redrive,
// alert topic), S3 → SQS notifications for incoming/, and an SQS event source invoking the real
// ingest handler. Handlers and SDK clients are the Lambda ones; only the endpoints differ.
import { join, resolve } from "node:path";
import { readFile } from "node:fs/promises";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { createIngestHandler, type IngestHandlerOptions } from "../functions/ingest/handler.ts";
import type { IngestOutcome } from "../functions/ingest/ingestObject.ts";
import { createQueryHandler } from "../functions/query/handler.ts";
import type { Alert } from "../functions/shared/alerts.ts";
import { INCOMING_PREFIX, s3NotificationBody } from "../functions/shared/s3Source.ts";
import { createTableInput } from "../functions/shared/tableSchema.ts";
import { applyEnv, EMBEDDED_CREDENTIALS, EMBEDDED_REGION, embeddedEnv, type Endpoints } from "./environment.ts";
import { startDynalite, startFauxqs, startS3rver, type LocalServer } from "./servers.ts";
import { SqsEventSource } from "./sqsEventSource.ts";

export interface EmbeddedOptions {
  /** Folder for S3 objects and the DynamoDB data (kept between runs); null keeps everything in memory / a temp folder. */
  dataDir?: string | null;
  bucket?: string;
  table?: string;
  /** The queue's visibility timeout: longer than any ingest (default 300 s, as a Lambda timeout). */
  visibilityTimeoutSeconds?: number;
  /** Seconds before a failed message is delivered again (default 1, so retries and the DLQ show quickly). */
  retryDelaySeconds?: number;
  /** Deliveries before a message goes to the DLQ (the CDK stack uses 3 too). */
  maxReceiveCount?: number;
  batchSize?: number;
  /** Powertools log level of the handlers (default ERROR: the demo prints its own progress). */
  logLevel?: string;
  /** Start polling the queue immediately (default true). */
  autoStart?: boolean;
  onOutcome?: IngestHandlerOptions["onOutcome"];
  onError?: IngestHandlerOptions["onError"];
  /** Replaces the handler's parse/check/store dependencies (tests); defaults come from the environment. */
  deps?: IngestHandlerOptions["deps"];
}

export interface EmbeddedResources {
  bucket: string;
  table: string;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  topicArn: string;
  alertQueueUrl: string;
}

export interface Embedded {
  endpoints: Endpoints;
  resources: EmbeddedResources;
  env: Record<string, string>;
  dataDir: string | null;
  clients: { s3: S3Client; sqs: SQSClient; sns: SNSClient; dynamodb: DynamoDBClient };
  eventSource: SqsEventSource;
  /** Uploads bytes (or a local file) to incoming/<name>; S3 → SQS notification follows. */
  upload(name: string, body: Uint8Array | string): Promise<{ key: string; versionId?: string }>;
  /** Waits until the queue is empty and nothing is in flight (or the timeout passes). */
  waitForIdle(timeoutMs?: number): Promise<boolean>;
  /** Alerts published so far (read from the SQS queue subscribed to the topic; each returned once). */
  drainAlerts(): Promise<(Alert & { subject?: string })[]>;
  /** Messages in the dead-letter queue (approximate, as SQS reports it). */
  dlqDepth(): Promise<number>;
  /** Invokes the real query handler with a Function URL event. */
  query(path: string, params?: Record<string, string | number | boolean | undefined>): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

async function ensureTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(table)));
  } catch (e) {
    if (!(e instanceof ResourceInUseException) && (e as { name?: string }).name !== "ResourceInUseException") throw e;
  }
  for (let i = 0; i < 100; i++) {
    const d = await client.send(new DescribeTableCommand({ TableName: table }));
    if (d.Table?.TableStatus === "ACTIVE") return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`table ${table} did not become ACTIVE`);
}

export async function startEmbedded(opts: EmbeddedOptions = {}): Promise<Embedded> {
  const dataDir = opts.dataDir === undefined ? resolve(process.cwd(), ".budgetlens") : opts.dataDir === null ? null : resolve(opts.dataDir);
  const bucket = opts.bucket ?? "budgetlens-pdfs";
  const table = opts.table ?? "budgetlens";
  const servers: LocalServer[] = [];
  let restoreEnv: (() => void) | undefined;
  let eventSource: SqsEventSource | undefined;
  try {
    const s3Dir = dataDir ? join(dataDir, "s3") : join((await import("node:os")).tmpdir(), `budgetlens-s3-${process.pid}-${Date.now()}`);
    const dynamo = await startDynalite({ path: dataDir ? join(dataDir, "dynamodb") : undefined }).catch((e: Error) => {
      throw new Error(`could not start the local DynamoDB on ${dataDir}: ${e.message} (is another budgetlens demo running?)`);
    });
    servers.push(dynamo);
    const s3 = await startS3rver({ directory: s3Dir, buckets: [bucket] });
    servers.push(s3);
    const mq = await startFauxqs();
    servers.push(mq);
    const endpoints: Endpoints = { s3: s3.endpoint, dynamodb: dynamo.endpoint, sqs: mq.endpoint, sns: mq.endpoint };

    const cfg = { region: EMBEDDED_REGION, credentials: EMBEDDED_CREDENTIALS };
    const clients = {
      s3: new S3Client({ ...cfg, endpoint: endpoints.s3, forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED" as const, responseChecksumValidation: "WHEN_REQUIRED" as const }),
      sqs: new SQSClient({ ...cfg, endpoint: endpoints.sqs }),
      sns: new SNSClient({ ...cfg, endpoint: endpoints.sns }),
      dynamodb: new DynamoDBClient({ ...cfg, endpoint: endpoints.dynamodb }),
    };

    // Provision what the CDK stack declares.
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
    await ensureTable(clients.dynamodb, table);
    const visibility = opts.visibilityTimeoutSeconds ?? 300;
    const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: "budgetlens-ingest-dlq" }));
    const dlqArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
    const queue = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: "budgetlens-ingest",
        Attributes: {
          VisibilityTimeout: String(visibility),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: String(opts.maxReceiveCount ?? 3) }),
        },
      }),
    );
    const queueArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
    const topic = await clients.sns.send(new CreateTopicCommand({ Name: "budgetlens-alerts" }));
    const alertQueue = await clients.sqs.send(new CreateQueueCommand({ QueueName: "budgetlens-alerts-inbox" }));
    const alertQueueArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: alertQueue.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
    await clients.sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: "sqs", Endpoint: alertQueueArn }));
    const resources: EmbeddedResources = {
      bucket,
      table,
      queueUrl: queue.QueueUrl!,
      queueArn: queueArn!,
      dlqUrl: dlq.QueueUrl!,
      topicArn: topic.TopicArn!,
      alertQueueUrl: alertQueue.QueueUrl!,
    };

    const env = embeddedEnv(endpoints, { table, topicArn: resources.topicArn }, opts.logLevel ?? "ERROR");
    restoreEnv = applyEnv(env);

    // S3 → SQS notification for incoming/, in the shape S3 sends (key URL-encoded).
    s3.onObjectCreated((record) => {
      if (record.s3.bucket.name !== bucket || !record.s3.object.key.startsWith(INCOMING_PREFIX)) return;
      const body = s3NotificationBody({
        bucket,
        key: record.s3.object.key,
        size: record.s3.object.size,
        eTag: record.s3.object.eTag,
        versionId: record.s3.object.versionId,
        eventTime: record.eventTime,
      });
      clients.sqs.send(new SendMessageCommand({ QueueUrl: resources.queueUrl, MessageBody: body })).catch((e: Error) => console.error("S3 notification:", e.message));
    });

    const ingest = createIngestHandler({ onOutcome: opts.onOutcome, onError: opts.onError, deps: opts.deps });
    const es = new SqsEventSource({ sqs: clients.sqs, queueUrl: resources.queueUrl, queueArn: resources.queueArn, handler: ingest, batchSize: opts.batchSize ?? 5, retryDelaySeconds: opts.retryDelaySeconds ?? 1 });
    eventSource = es;
    if (opts.autoStart ?? true) es.start();
    const query = createQueryHandler();

    const queueDepth = async (url: string): Promise<number> => {
      const a = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"] }),
      );
      const v = a.Attributes ?? {};
      return Number(v.ApproximateNumberOfMessages ?? 0) + Number(v.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(v.ApproximateNumberOfMessagesDelayed ?? 0);
    };

    return {
      endpoints,
      resources,
      env,
      dataDir,
      clients,
      eventSource: es,
      async upload(name, body) {
        const bytes = typeof body === "string" ? await readFile(body) : body;
        const key = `${INCOMING_PREFIX}${name}`;
        const out = await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: "application/pdf" }));
        return { key, versionId: out.VersionId };
      },
      async waitForIdle(timeoutMs = 120_000) {
        const deadline = Date.now() + timeoutMs;
        let quiet = 0;
        while (Date.now() < deadline) {
          const depth = await queueDepth(resources.queueUrl);
          quiet = depth === 0 && es.inFlight === 0 ? quiet + 1 : 0;
          if (quiet >= 3) return true; // three quiet looks in a row: nothing left in transit
          await new Promise((r) => setTimeout(r, 100));
        }
        return false;
      },
      async drainAlerts() {
        const alerts: (Alert & { subject?: string })[] = [];
        for (;;) {
          const out = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: resources.alertQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
          const msgs = out.Messages ?? [];
          if (msgs.length === 0) break;
          for (const m of msgs) {
            const envelope = JSON.parse(m.Body ?? "{}") as { Message?: string; Subject?: string };
            alerts.push({ ...(JSON.parse(envelope.Message ?? "{}") as Alert), subject: envelope.Subject });
          }
          await clients.sqs.send(
            new DeleteMessageBatchCommand({ QueueUrl: resources.alertQueueUrl, Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
          );
        }
        return alerts;
      },
      dlqDepth: () => queueDepth(resources.dlqUrl),
      async query(path, params = {}) {
        const qs: Record<string, string> = {};
        for (const [k, v] of Object.entries(params)) if (v !== undefined) qs[k] = String(v);
        const event = {
          version: "2.0",
          routeKey: "$default",
          rawPath: path,
          rawQueryString: new URLSearchParams(qs).toString(),
          headers: {},
          queryStringParameters: qs,
          requestContext: { http: { method: "GET", path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "embedded" } },
          isBase64Encoded: false,
        } as unknown as APIGatewayProxyEventV2;
        const res: APIGatewayProxyStructuredResultV2 = await query(event);
        return { status: res.statusCode ?? 200, body: res.body ? JSON.parse(res.body) : undefined };
      },
      async stop() {
        await es.stop();
        for (const c of Object.values(clients)) c.destroy();
        for (const s of servers.reverse()) await s.stop().catch(() => undefined);
        restoreEnv?.();
      },
    };
  } catch (e) {
    await eventSource?.stop();
    for (const s of servers.reverse()) await s.stop().catch(() => undefined);
    restoreEnv?.();
    throw e;
  }
}

export type { IngestOutcome };
