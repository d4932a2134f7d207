// End to end on the embedded servers with the real parser and reconciliation and the bundled
// sample PDFs: upload → S3 event → SQS → ingest handler → DynamoDB → query handler → SNS alert.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { startEmbedded, type Embedded } from "../../embedded/startEmbedded.ts";
import { samplePdfs } from "../../embedded/demo.ts";
import type { IngestOutcome } from "../../functions/ingest/ingestObject.ts";
import { itemBytes, ITEM_SETTINGS } from "../../functions/shared/documentItems.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import { createDocumentClient } from "../../functions/shared/clients.ts";
import { s3NotificationBody } from "../../functions/shared/s3Source.ts";
import type { DocumentSummary } from "../../functions/query/queryService.ts";
import { sha256Hex } from "../../functions/ingest/ingestObject.ts";

// A bounded selection keeps the suite fast as fixtures grow: the clean samples plus a few with planted errors.
const MAX_FILES = 6;
const all = samplePdfs();
const planted = all.filter((p) => basename(p).startsWith("err-"));
const pdfs = [...all.filter((p) => !planted.includes(p)).slice(0, MAX_FILES - 2), ...planted.slice(0, 2)];

describe.runIf(pdfs.length > 0)("pipeline end to end on the embedded servers (real parser, sample PDFs)", () => {
  let env: Embedded;
  const outcomes: IngestOutcome[] = [];
  const errors: unknown[] = [];
  const outcomesFor = (key: string) => outcomes.filter((o) => o.key === key);
  const files = pdfs.map((p) => ({ name: basename(p), bytes: new Uint8Array(readFileSync(p)) }));

  beforeAll(async () => {
    env = await startEmbedded({ dataDir: null, logLevel: "SILENT", onOutcome: (o) => outcomes.push(o), onError: (e) => errors.push(e) });
    for (const f of files) await env.upload(f.name, f.bytes);
    expect(await env.waitForIdle(240_000)).toBe(true);
  }, 300_000);
  afterAll(async () => {
    await env?.stop();
  });

  it("stores every sample PDF once, committed, and serves it through the query handler", async () => {
    expect(errors).toEqual([]);
    for (const f of files) {
      const [o, ...more] = outcomesFor(`incoming/${f.name}`);
      expect(more).toEqual([]);
      expect(o?.status, `${f.name}: ${JSON.stringify(o?.failure)}`).toBe("COMMITTED");
      expect(o?.docId).toBe(sha256Hex(f.bytes));
      const doc = await env.query(`/documents/${o!.docId}`);
      expect(doc.status).toBe(200);
      const body = doc.body as DocumentSummary & { tables: { id: string; rowCount: number }[] };
      expect(body.status).toBe("COMMITTED");
      expect(body.counts?.tables).toBe(o!.tables);
      expect(body.tables).toHaveLength(o!.tables!);
      const withRows = body.tables.find((t) => t.rowCount > 0);
      expect(withRows, "a sample document has a table with rows").toBeDefined();
      const rows = await env.query(`/documents/${o!.docId}/tables/${withRows!.id}/rows`);
      expect((rows.body as { rows: unknown[] }).rows).toHaveLength(withRows!.rowCount);
    }
    const all = ((await env.query("/documents")).body as { items: DocumentSummary[] }).items;
    expect(all.map((d) => d.fileName).sort()).toEqual(files.map((f) => f.name).sort());
    // One current document per department, year and type; the others name their successor.
    const series = new Map<string, DocumentSummary[]>();
    for (const d of all) series.set(`${d.department}|${d.year}|${d.docType}`, [...(series.get(`${d.department}|${d.year}|${d.docType}`) ?? []), d]);
    for (const docs of series.values()) {
      const current = docs.filter((d) => d.current);
      expect(current).toHaveLength(1);
      expect(current[0]!.uploadedAt).toBe(docs.map((d) => d.uploadedAt).sort().at(-1));
      // Each superseded document names a later upload of its series (the one current when it was processed).
      const byId = new Map(docs.map((d) => [d.docId, d]));
      for (const d of docs.filter((x) => !x.current)) expect(byId.get(d.supersededBy!)!.uploadedAt > d.uploadedAt).toBe(true);
    }
  });

  it("keeps every item under the size budget and reports items per document", async () => {
    const store = new DocumentStore({ tableName: env.resources.table, client: createDocumentClient() });
    for (const o of outcomes.filter((x) => x.status === "COMMITTED")) {
      const items = await store.documentItems(o.docId!);
      expect(items.length).toBe(o.items); // body items + META, nothing left over
      for (const it of items) expect(itemBytes(it)).toBeLessThan(ITEM_SETTINGS.maxItemBytes);
    }
  });

  it("alerts exactly for the documents whose reconciliation found errors", async () => {
    const alerts = await env.drainAlerts();
    const withErrors = outcomes.filter((o) => o.status === "COMMITTED" && (o.flagCounts?.error ?? 0) > 0).map((o) => o.docId).sort();
    expect(alerts.filter((a) => a.kind === "document_errors").map((a) => a.docId).sort()).toEqual(withErrors);
    for (const a of alerts) expect(a.errors?.every((f) => f.severity === "error")).toBe(true);
    // Flags by severity across departments agree with the per-document counts.
    const all = (await env.query("/flags", { severity: "error", includeSuperseded: true })).body as { items: { docId: string }[] };
    expect(all.items).toHaveLength(outcomes.reduce((n, o) => n + (o.flagCounts?.error ?? 0), 0));
    // By default only current documents count: a later upload for the same department/year replaces an earlier one.
    const docs = ((await env.query("/documents")).body as { items: DocumentSummary[] }).items;
    const current = new Set(docs.filter((d) => d.current).map((d) => d.docId));
    const currentFlags = (await env.query("/flags", { severity: "error" })).body as { items: { docId: string }[] };
    expect(currentFlags.items).toHaveLength(outcomes.filter((o) => current.has(o.docId!)).reduce((n, o) => n + (o.flagCounts?.error ?? 0), 0));
  });

  it("answers amounts by classification code across departments", async () => {
    const store = new DocumentStore({ tableName: env.resources.table, client: createDocumentClient() });
    const committed = outcomes.filter((o) => o.status === "COMMITTED");
    const amounts = (await Promise.all(committed.map((o) => store.documentItems(o.docId!, "AMT#")))).flat();
    if (amounts.length === 0) return; // the parser found no coded rows in these samples
    const code = String(amounts[0]!.code);
    const scheme = String(amounts[0]!.scheme);
    const res = await env.query("/amounts", { code, scheme, includeSuperseded: true });
    expect(res.status).toBe(200);
    const expected = amounts.filter((a) => a.code === code && a.scheme === scheme).length;
    expect((res.body as { items: unknown[] }).items).toHaveLength(expected);
  });

  it("leaves exactly one document for duplicate deliveries and re-uploads of the same bytes", async () => {
    const f = files[0]!;
    const key = `incoming/${f.name}`;
    const body = s3NotificationBody({ bucket: env.resources.bucket, key, size: f.bytes.length });
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: env.resources.queueUrl, MessageBody: body }));
    await env.clients.sqs.send(new SendMessageCommand({ QueueUrl: env.resources.queueUrl, MessageBody: body }));
    await env.upload(`copy of ${f.name}`, f.bytes);
    expect(await env.waitForIdle(60_000)).toBe(true);
    expect(outcomesFor(key).map((o) => o.status)).toEqual(["COMMITTED", "DUPLICATE", "DUPLICATE"]);
    expect(outcomesFor(`incoming/copy of ${f.name}`).map((o) => o.status)).toEqual(["DUPLICATE"]);
    const all = (await env.query("/documents")).body as { items: DocumentSummary[] };
    expect(all.items.filter((d) => d.docId === sha256Hex(f.bytes))).toHaveLength(1);
    expect(await env.drainAlerts()).toEqual([]); // the alert was sent once, at first ingest
  });

  it("records a corrupt PDF as FAILED with the reason, keeps the object, alerts once, never retries it", async () => {
    const truncated = files[0]!.bytes.slice(0, 3000);
    const { key } = await env.upload("truncated.pdf", truncated);
    await env.upload("not-a-pdf.pdf", new TextEncoder().encode("this is a text file, not a PDF"));
    expect(await env.waitForIdle(60_000)).toBe(true);
    const [o] = outcomesFor(key);
    expect(o?.status).toBe("FAILED");
    expect(outcomesFor(key)).toHaveLength(1);
    expect(["corrupt", "not_pdf"]).toContain(o!.failure!.code);
    expect(outcomesFor("incoming/not-a-pdf.pdf")[0]?.failure?.code).toBe("not_pdf");
    const failed = (await env.query("/documents", { status: "FAILED" })).body as { items: DocumentSummary[] };
    expect(failed.items.map((d) => d.fileName).sort()).toEqual(["not-a-pdf.pdf", "truncated.pdf"]);
    const doc = (await env.query(`/documents/${o!.docId}`)).body as DocumentSummary;
    expect(doc.status).toBe("FAILED");
    expect(doc.failure?.message).toBeTruthy();
    await env.clients.s3.send(new HeadObjectCommand({ Bucket: env.resources.bucket, Key: key })); // still there
    const alerts = await env.drainAlerts();
    expect(alerts.filter((a) => a.kind === "document_failed").map((a) => a.fileName).sort()).toEqual(["not-a-pdf.pdf", "truncated.pdf"]);
    expect(await env.dlqDepth()).toBe(0);
  });
});
