// What Lambda's SQS event source mapping does, for the embedded runner: long-poll the queue, hand
// the batch to the handler as a real SQSEvent, delete the messages it did not report in
// batchItemFailures, leave the others to reappear after the visibility timeout (the queue's
// RedrivePolicy then moves them to the DLQ after maxReceiveCount, as on AWS).
import { randomUUID } from "node:crypto";
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsHandler;
  functionName?: string;
  batchSize?: number;
  region?: string;
  /** Long-poll wait per receive, seconds (1 keeps stop() prompt). */
  waitTimeSeconds?: number;
  /**
   * Seconds until a failed message is delivered again. Lambda leaves it to the queue's visibility
   * timeout (minutes on AWS); the embedded runner shortens it so retries and the DLQ show quickly.
   */
  retryDelaySeconds?: number;
}

export interface BatchReport {
  received: number;
  failed: number;
}

function lambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: "2048",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "embedded",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function toRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const a = m.Attributes ?? {};
  return {
    messageId: m.MessageId ?? randomUUID(),
    receiptHandle: m.ReceiptHandle ?? "",
    body: m.Body ?? "",
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? "1",
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? "embedded",
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

export class SqsEventSource {
  private running = false;
  private loop: Promise<void> | undefined;
  inFlight = 0;

  constructor(private readonly o: SqsEventSourceOptions) {}

  /** One receive → invoke → delete cycle. */
  async pollOnce(waitTimeSeconds = this.o.waitTimeSeconds ?? 1): Promise<BatchReport> {
    const out = await this.o.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.o.queueUrl,
        MaxNumberOfMessages: this.o.batchSize ?? 5,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ["All"],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return { received: 0, failed: 0 };
    this.inFlight += messages.length;
    try {
      const region = this.o.region ?? "us-east-1";
      const event: SQSEvent = { Records: messages.map((m) => toRecord(m, this.o.queueArn, region)) };
      let failedIds: Set<string>;
      try {
        const res = await this.o.handler(event, lambdaContext(this.o.functionName ?? "budgetlens-ingest", 300_000));
        failedIds = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch {
        failedIds = new Set(event.Records.map((r) => r.messageId)); // the whole invocation failed
      }
      const done = event.Records.filter((r) => !failedIds.has(r.messageId));
      if (done.length > 0) {
        await this.o.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.o.queueUrl,
            Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
      }
      const failed = event.Records.filter((r) => failedIds.has(r.messageId));
      if (failed.length > 0 && this.o.retryDelaySeconds !== undefined) {
        await this.o.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.o.queueUrl,
            Entries: failed.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle, VisibilityTimeout: this.o.retryDelaySeconds })),
          }),
        );
      }
      return { received: messages.length, failed: failedIds.size };
    } finally {
      this.inFlight -= messages.length;
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.pollOnce();
        } catch (e) {
          if (this.running) console.error("embedded event source:", (e as Error).message);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
