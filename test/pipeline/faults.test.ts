// Faults on the wire, against the local servers: the ingest handler's DynamoDB and SNS clients talk
// to dynalite and fauxqs through a fault-injecting proxy (test/pipeline/faultProxy.ts), so the SDK's
// own error parsing and retries meet real throttling answers, unprocessed batches and a dead SNS.
// The parser is the synthetic one (exact, fast); storage, queues and alerts are the real ones.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Context, SQSEvent } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startEmbedded, type Embedded } from "../../embedded/startEmbedded.ts";
import { EMBEDDED_CREDENTIALS, EMBEDDED_REGION } from "../../embedded/environment.ts";
import { createIngestHandler } from "../../functions/ingest/handler.ts";
import type { IngestOutcome } from "../../functions/ingest/ingestObject.ts";
import { sha256Hex } from "../../functions/ingest/ingestObject.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import { s3NotificationBody } from "../../functions/shared/s3Source.ts";
import { allUnprocessed, DYNAMODB_THROTTLED, startFaultProxy, type FaultProxy } from "./faultProxy.ts";
import { synthBytes, synthCheck, synthParse } from "./syntheticDocument.ts";

describe("faults on the wire (embedded servers behind a fault proxy)", () => {
  let env: Embedded;
  let dynamo: FaultProxy;
  let sns: FaultProxy;
  /** A store that reads the table directly, bypassing the proxy: what an analyst would see. */
  let truth: DocumentStore;
  const outcomes: IngestOutcome[] = [];
  const errors: string[] = [];
  let onError: () => void = () => undefined;

  beforeAll(async () => {
    env = await startEmbedded({
      dataDir: null,
      logLevel: "SILENT",
      retryDelaySeconds: 0,
      maxReceiveCount: 5,
      autoStart: false,
      onOutcome: (o) => outcomes.push(o),
      onError: (e) => {
        errors.push(`${(e as Error).name}: ${(e as Error).message}`);
        onError();
      },
      deps: { parse: synthParse, check: synthCheck, remainingMs: () => 120_000 },
    });
    dynamo = await startFaultProxy(env.endpoints.dynamodb);
    sns = await startFaultProxy(env.endpoints.sns);
    // The handler builds its clients on first use, from these variables (restored by env.stop()).
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    process.env.AWS_ENDPOINT_URL_SNS = sns.endpoint;
    const direct = DynamoDBDocumentClient.from(new DynamoDBClient({ region: EMBEDDED_REGION, credentials: EMBEDDED_CREDENTIALS, endpoint: env.endpoints.dynamodb }));
    truth = new DocumentStore({ tableName: env.resources.table, client: direct });
    env.eventSource.start();
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
    await dynamo?.stop();
    await sns?.stop();
  });
  beforeEach(() => {
    dynamo.setRule(() => "forward");
    sns.setRule(() => "forward");
    onError = () => undefined;
    errors.length = 0;
    dynamo.faulted.clear();
    sns.faulted.clear();
  });

  const outcomesOf = (docId: string) => outcomes.filter((o) => o.docId === docId).map((o) => o.status);
  /** Items stored under the document (META included), to compare with the count its META records. */
  const storedItems = async (docId: string) => (await truth.documentItems(docId)).length;

  it("absorbs a burst of ProvisionedThroughputExceeded on BatchWriteItem: committed whole, first delivery", async () => {
    let left = 3;
    dynamo.setRule((r) => (r.operation === "BatchWriteItem" && left-- > 0 ? DYNAMODB_THROTTLED : "forward"));
    const bytes = synthBytes("财政局", 2024, "throttle-burst", 1);
    await env.upload("throttle-burst.pdf", bytes);
    expect(await env.waitForIdle(60_000)).toBe(true);
    const id = sha256Hex(bytes);
    expect(dynamo.faulted.get("BatchWriteItem")).toBe(3);
    expect(outcomesOf(id)).toEqual(["COMMITTED"]);
    expect(errors).toEqual([]);
    const meta = await truth.getMeta(id);
    expect(meta?.status).toBe("COMMITTED");
    expect(await storedItems(id)).toBe(meta!.counts!.items);
  }, 90_000);

  it("sustained throttling: nothing is visible, the message comes back, and the retry commits it whole", async () => {
    let throttling = true;
    let visibleWhileThrottled: number | undefined;
    dynamo.setRule((r) => (throttling && r.operation === "BatchWriteItem" ? DYNAMODB_THROTTLED : "forward"));
    const bytes = synthBytes("审计局", 2024, "throttle-sustained", 0);
    const id = sha256Hex(bytes);
    onError = () => {
      // The SDK gave up on this delivery. Before throttling ends, the document must not be visible.
      void env.query("/documents").then((res) => {
        visibleWhileThrottled = ((res.body as { items: { docId: string }[] }).items ?? []).filter((d) => d.docId === id).length;
        throttling = false;
      });
    };
    await env.upload("throttle-sustained.pdf", bytes);
    expect(await env.waitForIdle(110_000)).toBe(true);
    expect(errors.some((e) => /ProvisionedThroughputExceeded/.test(e))).toBe(true);
    expect(visibleWhileThrottled).toBe(0);
    expect(dynamo.faulted.get("BatchWriteItem")).toBeGreaterThanOrEqual(8); // the SDK's own retries, all throttled
    expect(outcomesOf(id)).toEqual(["COMMITTED"]);
    const meta = await truth.getMeta(id);
    expect(meta?.status).toBe("COMMITTED");
    expect(await storedItems(id)).toBe(meta!.counts!.items);
    expect(await env.dlqDepth()).toBe(0);
  }, 120_000);

  it("retries batches DynamoDB hands back as UnprocessedItems until every item is written", async () => {
    let left = 4;
    dynamo.setRule((r) => (r.operation === "BatchWriteItem" && left-- > 0 ? allUnprocessed(r) : "forward"));
    const bytes = synthBytes("卫健委", 2024, "unprocessed", 0);
    await env.upload("unprocessed.pdf", bytes);
    expect(await env.waitForIdle(60_000)).toBe(true);
    const id = sha256Hex(bytes);
    expect(dynamo.faulted.get("BatchWriteItem")).toBe(4);
    expect(outcomesOf(id)).toEqual(["COMMITTED"]);
    const meta = await truth.getMeta(id);
    expect(await storedItems(id)).toBe(meta!.counts!.items);
  }, 90_000);

  it("SNS unavailable: the document is stored and queryable at once; the alert is retried and sent exactly once when SNS is back", async () => {
    let snsDown = true;
    sns.setRule(() => (snsDown ? "reset" : "forward"));
    const bytes = synthBytes("民政局", 2024, "sns-down", 2); // two reconciliation errors: an alert is due
    const id = sha256Hex(bytes);
    let storedWhileDown: string | undefined;
    onError = () => {
      void truth.getMeta(id).then((m) => {
        storedWhileDown = m ? `${m.status}:${m.alertedAt ?? "not alerted"}` : "missing";
        snsDown = false;
      });
    };
    await env.upload("sns-down.pdf", bytes);
    expect(await env.waitForIdle(90_000)).toBe(true);
    expect(sns.faulted.get("/")).toBeGreaterThanOrEqual(1);
    expect(errors.some((e) => /socket hang up|ECONNRESET|network|closed/i.test(e))).toBe(true);
    expect(storedWhileDown).toBe("COMMITTED:not alerted");
    // First delivery stored it; the redelivery found it and sent the pending alert.
    const seen = outcomes.filter((o) => o.docId === id);
    expect(seen.map((o) => o.status)).toEqual(["DUPLICATE"]);
    expect(seen[0]!.alerted).toBe(true);
    const alerts = (await env.drainAlerts()).filter((a) => a.docId === id);
    expect(alerts.map((a) => a.kind)).toEqual(["document_errors"]);
    expect((await truth.getMeta(id))?.alertedAt).toBeDefined();
  }, 120_000);

  it("the same event delivered twice at the same moment to two workers: one writes, the other finds it; one document, one alert", async () => {
    // Delivered straight to two separate handler instances (two Lambda containers) starting
    // together, the parse slowed so they overlap; the event source is paused meanwhile.
    await env.eventSource.stop();
    const fresh = synthBytes("教育局", 2024, "concurrent", 1);
    const freshId = sha256Hex(fresh);
    const { key: freshKey } = await env.upload("concurrent.pdf", fresh);
    const slowParse: typeof synthParse = async (b, o) => {
      await new Promise((r) => setTimeout(r, 400));
      return synthParse(b, o);
    };
    const twin = () => createIngestHandler({ onOutcome: (o) => outcomes.push(o), deps: { parse: slowParse, check: synthCheck, remainingMs: () => 60_000, leasePollMs: 50 } });
    const event = (n: number): SQSEvent => ({
      Records: [{ messageId: `m${n}`, receiptHandle: `r${n}`, body: s3NotificationBody({ bucket: env.resources.bucket, key: freshKey, size: fresh.length }), attributes: {} as never, messageAttributes: {}, md5OfBody: "", eventSource: "aws:sqs", eventSourceARN: env.resources.queueArn, awsRegion: EMBEDDED_REGION }],
    });
    const context = (n: number) => ({ awsRequestId: `req-${n}`, getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;
    const [a, b] = await Promise.all([twin()(event(1), context(1)), twin()(event(2), context(2))]);
    expect(a.batchItemFailures).toEqual([]);
    expect(b.batchItemFailures).toEqual([]);
    expect(outcomesOf(freshId).sort()).toEqual(["COMMITTED", "DUPLICATE"]);
    const docs = (await env.query("/documents")).body as { items: { docId: string }[] };
    expect(docs.items.filter((d) => d.docId === freshId)).toHaveLength(1);
    const meta = await truth.getMeta(freshId);
    expect(await storedItems(freshId)).toBe(meta!.counts!.items);
    // The upload's own notification, left in the queue while the event source was paused.
    env.eventSource.start();
    expect(await env.waitForIdle(60_000)).toBe(true);
    expect(outcomesOf(freshId).sort()).toEqual(["COMMITTED", "DUPLICATE", "DUPLICATE"]);
    expect((await env.drainAlerts()).filter((x) => x.docId === freshId)).toHaveLength(1);
  }, 150_000);
});
