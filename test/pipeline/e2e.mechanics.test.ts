// Failure handling through the real handlers and the local servers, with a synthetic parser so each
// case is exact and fast: transient errors → retries → DLQ; a crash mid-write → nothing visible,
// then a clean retry; supersession; S3 test events; input validation of the query endpoint.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { startEmbedded, type Embedded } from "../../embedded/startEmbedded.ts";
import type { IngestOutcome } from "../../functions/ingest/ingestObject.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import { createDocumentClient } from "../../functions/shared/clients.ts";
import { QueryService, type DocumentSummary } from "../../functions/query/queryService.ts";
import { S3Source, s3NotificationBody, type S3ObjectRef } from "../../functions/shared/s3Source.ts";
import { createS3Client } from "../../functions/shared/clients.ts";
import type { BodyItem } from "../../functions/shared/documentItems.ts";
import { synthBytes, synthCheck, synthParse } from "./syntheticDocument.ts";

describe("pipeline failure handling (embedded servers, synthetic parser)", () => {
  let env: Embedded;
  const outcomes: IngestOutcome[] = [];
  const errors: { message: string; messageId: string }[] = [];
  /** Keys whose fetch throws (a transient S3 failure that never clears). */
  const poisoned = new Set<string>();
  /** Crash once, after writing this many body items, for these document keys. */
  const crashAfter = new Map<string, number>();
  const seenAtCrash: { documents: DocumentSummary[]; flags: number; tables: unknown }[] = [];

  beforeAll(async () => {
    // Deps that wrap the real ones built from the embedded environment.
    let store: DocumentStore | undefined;
    let source: S3Source | undefined;
    const lazyStore = () => (store ??= new DocumentStore({ tableName: process.env.TABLE_NAME!, client: createDocumentClient(), retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 10 } }));
    const crashingStore = new Proxy({} as DocumentStore, {
      get(_t, prop: keyof DocumentStore) {
        const s = lazyStore();
        if (prop === "putItems") {
          return async (items: readonly BodyItem[]) => {
            const docId = String(items[0]?.docId);
            const meta = [...crashAfter.entries()].find(([k]) => k === docId);
            if (meta) {
              crashAfter.delete(docId);
              await s.putItems(items.slice(0, meta[1]));
              const q = new QueryService(s);
              seenAtCrash.push({ documents: await q.documents(), flags: (await q.flagsBySeverity("error")).length, tables: await q.tables(docId) });
              throw new Error("simulated crash in the middle of the write");
            }
            return s.putItems(items);
          };
        }
        const v = s[prop];
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(s) : v;
      },
    });
    env = await startEmbedded({
      dataDir: null,
      logLevel: "SILENT",
      retryDelaySeconds: 0,
      maxReceiveCount: 3,
      onOutcome: (o) => outcomes.push(o),
      onError: (e, r) => errors.push({ message: (e as Error).message, messageId: r.messageId }),
      deps: {
        // "HANG" never finishes parsing; every invocation "has" 32 s left, so the parse budget is 2 s.
        parse: (bytes, o) => (new TextDecoder().decode(bytes) === "HANG" ? new Promise(() => undefined) : synthParse(bytes, o)),
        remainingMs: () => 32_000,
        check: synthCheck,
        store: crashingStore,
        source: {
          fetch: (ref: S3ObjectRef) => {
            if (poisoned.has(ref.key)) throw Object.assign(new Error("S3 is having a bad day"), { name: "InternalError" });
            return (source ??= new S3Source(createS3Client())).fetch(ref);
          },
        },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it("retries a transient failure, then dead-letters the message after maxReceiveCount — no record, no alert", async () => {
    poisoned.add("incoming/poison.pdf");
    await env.upload("poison.pdf", synthBytes("药监局", 2024));
    expect(await env.waitForIdle(30_000)).toBe(true);
    expect(errors.filter((e) => e.message === "S3 is having a bad day")).toHaveLength(3);
    expect(await env.dlqDepth()).toBe(1);
    expect(outcomes.filter((o) => o.key === "incoming/poison.pdf")).toEqual([]);
    expect(await env.drainAlerts()).toEqual([]);
  });

  it("shows nothing of a document that crashed mid-write, and the retry writes it whole", async () => {
    const bytes = synthBytes("水务局", 2024, "a", 1);
    const docId = (await import("../../functions/ingest/ingestObject.ts")).sha256Hex(bytes);
    crashAfter.set(docId, 37);
    await env.upload("water.pdf", bytes);
    expect(await env.waitForIdle(30_000)).toBe(true);
    expect(seenAtCrash).toHaveLength(1);
    expect(seenAtCrash[0]!.documents.filter((d) => d.docId === docId)).toEqual([]);
    expect(seenAtCrash[0]!.flags).toBe(0);
    expect(seenAtCrash[0]!.tables).toBeUndefined();
    const mine = outcomes.filter((o) => o.key === "incoming/water.pdf");
    expect(mine.map((o) => o.status)).toEqual(["COMMITTED"]);
    const store = new DocumentStore({ tableName: env.resources.table, client: createDocumentClient() });
    expect(await store.documentItems(docId)).toHaveLength(mine[0]!.items!); // no leftovers, no lease
    const alerts = await env.drainAlerts();
    expect(alerts.map((a) => [a.kind, a.docId])).toEqual([["document_errors", docId]]);
  });

  it("records a parse that would outlive the invocation as FAILED (timeout) instead of timing out into the DLQ", async () => {
    const { key } = await env.upload("endless.pdf", new TextEncoder().encode("HANG"));
    expect(await env.waitForIdle(30_000)).toBe(true);
    const mine = outcomes.filter((o) => o.key === key);
    expect(mine.map((o) => [o.status, o.failure?.code])).toEqual([["FAILED", "timeout"]]);
    expect(mine[0]!.timings.parseMs).toBeGreaterThanOrEqual(1_900);
    expect((await env.drainAlerts()).map((a) => [a.kind, a.failure?.code])).toEqual([["document_failed", "timeout"]]);
    expect(await env.dlqDepth()).toBe(1); // still only the poison message
  });

  it("supersedes an earlier upload for the same department and year; both stay queryable", async () => {
    await env.upload("audit-v1.pdf", synthBytes("审计局", 2025, "a", 1));
    expect(await env.waitForIdle(30_000)).toBe(true);
    await env.upload("audit-v2.pdf", synthBytes("审计局", 2025, "b", 2));
    expect(await env.waitForIdle(30_000)).toBe(true);
    const docs = ((await env.query("/documents", { department: "审计局", year: 2025 })).body as { items: DocumentSummary[] }).items;
    expect(docs.map((d) => [d.fileName, d.current])).toEqual([
      ["audit-v2.pdf", true],
      ["audit-v1.pdf", false],
    ]);
    expect(docs[1]!.supersededBy).toBe(docs[0]!.docId);
    expect(docs[0]!.supersedes).toBe(docs[1]!.docId);
    const flags = (await env.query("/flags", { severity: "error", department: "审计局", year: 2025 })).body as { items: { docId: string }[] };
    expect(flags.items.map((f) => f.docId)).toEqual([docs[0]!.docId, docs[0]!.docId]);
    const old = await env.query(`/documents/${docs[1]!.docId}/flags`, { severity: "error" });
    expect((old.body as { items: unknown[] }).items).toHaveLength(1);
    const cmp = (await env.query("/compare", { code: "2080105", year: 2025, department: "审计局" })).body as { entries: { value: string }[] };
    expect(cmp.entries.map((e) => e.value)).toEqual(["105.75"]); // variant b's 合计, the current filing
    await env.drainAlerts();
  });

  it("acknowledges S3's test event, ignores objects outside incoming/ and objects deleted before ingest", async () => {
    const before = outcomes.length;
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: env.resources.queueUrl, MessageBody: JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: env.resources.bucket }) }));
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: env.resources.queueUrl, MessageBody: s3NotificationBody({ bucket: env.resources.bucket, key: "exports/x.pdf" }) }));
    expect(await env.waitForIdle(30_000)).toBe(true);
    expect(outcomes.length).toBe(before);
    // An object deleted before its event was processed: nothing to store, nothing to retry.
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: env.resources.queueUrl, MessageBody: s3NotificationBody({ bucket: env.resources.bucket, key: "incoming/deleted-meanwhile.pdf" }) }));
    expect(await env.waitForIdle(30_000)).toBe(true);
    expect(outcomes.slice(before).map((o) => [o.key, o.status])).toEqual([["incoming/deleted-meanwhile.pdf", "GONE"]]);
    expect(await env.dlqDepth()).toBe(1); // only the poison message from the first test
  });

  it("pages flags and amounts with an opaque cursor", async () => {
    const all = (await env.query("/flags", { severity: "error", includeSuperseded: true })).body as { items: { docId: string; message: string }[]; nextCursor?: string };
    expect(all.items.length).toBeGreaterThanOrEqual(4); // water 1 + audit v1 1 + audit v2 2
    expect(all.nextCursor).toBeUndefined();
    const paged: { docId: string; message: string }[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = (await env.query("/flags", { severity: "error", includeSuperseded: true, limit: 1, cursor })).body as { items: { docId: string; message: string }[]; nextCursor?: string };
      paged.push(...res.items);
      cursor = res.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    expect(paged).toEqual(all.items);
    expect(pages).toBeGreaterThanOrEqual(all.items.length);
    const amounts = (await env.query("/amounts", { code: "2080101", includeSuperseded: true, limit: 1 })).body as { items: unknown[]; nextCursor?: string };
    expect(amounts.items).toHaveLength(1);
    expect(amounts.nextCursor).toBeTruthy();
    expect((await env.query("/flags", { severity: "error", cursor: "bm9wZQ" })).status).toBe(400);
    expect((await env.query("/flags", { severity: "error", cursor: amounts.nextCursor })).status).toBe(400); // another query's cursor
  });

  it("validates query input (400), unknown routes (404) and methods (405)", async () => {
    expect((await env.query("/flags", { limit: 0 })).status).toBe(400);
    expect((await env.query("/flags", { severity: "fatal" })).status).toBe(400);
    expect((await env.query("/documents/not-a-hash")).status).toBe(400);
    expect((await env.query("/amounts", { code: "20801x" })).status).toBe(400);
    expect((await env.query("/documents", { year: 1900 })).status).toBe(400);
    expect((await env.query("/documents", { bogus: 1 })).status).toBe(400);
    expect((await env.query(`/documents/${"0".repeat(64)}`)).status).toBe(404);
    expect((await env.query("/nothing")).status).toBe(404);
    const { QueryApi } = await import("../../functions/query/routes.ts");
    const api = new QueryApi(new DocumentStore({ tableName: env.resources.table, client: createDocumentClient() }));
    expect((await api.handle("POST", "/documents", {})).status).toBe(405);
  });
});
