// Re-processing stored documents after a parser upgrade, on the embedded servers (s3rver, dynalite,
// fauxqs): the stored PDFs are fetched from S3 again and run through the ingest analysis with an
// "upgraded" parser and checker; the items are replaced by a generation swap. Readers (the real
// QueryService) see the old items or the new, never a mix — checked at the very moment of the flip.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startEmbedded, type Embedded } from "../../embedded/startEmbedded.ts";
import { sha256Hex, type IngestDeps } from "../../functions/ingest/ingestObject.ts";
import { reprocessDocuments, selectDocuments } from "../../functions/ingest/reprocess.ts";
import { AlertPublisher, type Alert } from "../../functions/shared/alerts.ts";
import { createDocumentClient } from "../../functions/shared/clients.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import * as K from "../../functions/shared/keys.ts";
import { PARSER_VERSION } from "../../functions/shared/parserVersion.ts";
import { S3Source } from "../../functions/shared/s3Source.ts";
import { QueryService } from "../../functions/query/queryService.ts";
import type { DisclosureDocument } from "../../parsers/model.ts";
import type { Flag } from "../../reconcile/flag.ts";
import { synthBytes, synthCheck, synthParse } from "./syntheticDocument.ts";

const V2 = "test-parser-v2";
const bytesOf = (s: string) => new TextEncoder().encode(s);

// The stored documents (parser v1 = synthParse / synthCheck):
const SAME = synthBytes("财政局", 2024, "a", 0); //          v2 reads it the same          → unchanged
const BETTER = synthBytes("教育局", 2025, "a", 1); //        v2 reads other amounts + 1 more error → reprocessed
const UNREADABLE = bytesOf("SYNTHV2|卫生健康委员会|2025|a|2"); // v1 refuses, v2 reads (2 errors) → now succeeded
const BROKEN = synthBytes("民政局", 2024, "z", 0); //        v2 refuses it                  → newly failed

/** The upgraded parser: reads the SYNTHV2 format, refuses variant z, reads 教育局's amounts as variant b. */
async function parseV2(bytes: Uint8Array, opts: { fileName: string }): Promise<DisclosureDocument> {
  const text = new TextDecoder().decode(bytes);
  if (text.includes("|z|")) throw Object.assign(new Error("v2 finds a broken xref"), { name: "PdfError", code: "corrupt" });
  const doc = await synthParse(bytesOf(text.replace(/^SYNTHV2\|/, "SYNTH|").replace("教育局|2025|a|", "教育局|2025|b|")), opts);
  return { ...doc, source: { ...doc.source, sha256: sha256Hex(bytes), bytes: bytes.length } };
}

/** The upgraded rules: one more error on 教育局. */
function checkV2(doc: DisclosureDocument): Flag[] {
  const flags = synthCheck(doc);
  if (doc.meta.department === "教育局") flags.push({ severity: "error", rule: "cross.total", table: "表3", message: "表3 合计 ≠ 表1 支出合计 (v2)" });
  return flags;
}

describe("reprocess after a parser upgrade", () => {
  let env: Embedded;
  let client: DynamoDBDocumentClient;
  let store: DocumentStore;
  let query: QueryService;
  const ids = { same: sha256Hex(SAME), better: sha256Hex(BETTER), unreadable: sha256Hex(UNREADABLE), broken: sha256Hex(BROKEN) };

  const deps = (over: Partial<IngestDeps> = {}): IngestDeps => ({
    store,
    source: new S3Source(env.clients.s3),
    alerts: new AlertPublisher(env.clients.sns, env.resources.topicArn),
    parse: parseV2,
    check: checkV2,
    workerId: "reprocess-test",
    leaseWaitMs: 2_000,
    leasePollMs: 50,
    ...over,
  });
  /** Every stored item of a document, raw (generation prefixes and all). */
  const rawItems = async (docId: string) =>
    (await client.send(new QueryCommand({ TableName: env.resources.table, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": K.docPk(docId) } }))).Items ?? [];

  beforeAll(async () => {
    env = await startEmbedded({ dataDir: null, logLevel: "SILENT", deps: { parse: synthParse, check: synthCheck } });
    client = createDocumentClient();
    store = new DocumentStore({ tableName: env.resources.table, client, retireGraceMs: 0 });
    query = new QueryService(store);
    for (const [name, bytes] of [["same.pdf", SAME], ["better.pdf", BETTER], ["unreadable.pdf", UNREADABLE], ["broken.pdf", BROKEN]] as const) await env.upload(name, bytes);
    expect(await env.waitForIdle(60_000)).toBe(true);
    await env.drainAlerts();
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });

  it("records the parser version on every stored document; --stale selects those of another version", async () => {
    for (const id of Object.values(ids)) expect((await store.getMeta(id))?.parserVersion).toBe(PARSER_VERSION);
    expect(await selectDocuments(store, { mode: "stale" })).toHaveLength(0);
    expect((await selectDocuments(store, { mode: "stale", version: V2 })).map((m) => m.docId).sort()).toEqual(Object.values(ids).sort());
    expect((await selectDocuments(store, { mode: "all", department: "教育局" })).map((m) => m.docId)).toEqual([ids.better]);
    expect((await selectDocuments(store, { mode: "all", year: 2024 })).map((m) => m.docId).sort()).toEqual([ids.same, ids.broken].sort());
  });

  it("a dry run reports what would change and writes nothing", async () => {
    const before = await rawItems(ids.better);
    const res = await reprocessDocuments({ mode: "stale", version: V2 }, deps(), { dryRun: true });
    expect({ reprocessed: res.reprocessed, unchanged: res.unchanged, newlyFailed: res.newlyFailed, nowSucceeded: res.nowSucceeded }).toEqual({ reprocessed: 1, unchanged: 1, newlyFailed: 1, nowSucceeded: 1 });
    expect(res.itemsWritten).toBe(0);
    expect(await rawItems(ids.better)).toEqual(before);
    expect((await store.getMeta(ids.same))?.parserVersion).toBe(PARSER_VERSION);
    expect(await env.drainAlerts()).toEqual([]);
  });

  it("replaces items by a generation swap: readers see old or new at the flip, counts and alerts for new errors only", async () => {
    const oldRows = (await query.rows(ids.better, "t01"))!.rows;
    const oldFlags = (await query.documentFlags(ids.better))!;
    const oldAmounts = (await query.amountsByCode("functional", "2080101", { year: 2025, department: "教育局" })).filter((a) => a.docId === ids.better);
    expect(oldAmounts.map((a) => a.values[0]!.value)).toEqual(["101.25"]);

    // A reader at the instant of each flip (the UpdateItem setting `generation`), before and after it.
    const seen: { phase: string; docId: string; errors: number; metaErrors: number; amounts: string[]; rowValue?: string }[] = [];
    const snapshot = async (phase: string, docId: string) => {
      const meta = await store.getMeta(docId);
      const flags = (await query.documentFlags(docId)) ?? [];
      const amounts = (await query.amountsPage("functional", "2080101", { year: 2025, department: "教育局" }, { limit: 10, binding: "t" })).items.filter((a) => a.docId === docId);
      const rows = await query.rows(docId, "t01");
      seen.push({ phase, docId, errors: flags.filter((f) => f.severity === "error").length, metaErrors: meta?.flagCounts?.error ?? 0, amounts: amounts.map((a) => a.values[0]!.value), rowValue: rows?.rows[1]?.cells[2]?.value ?? undefined });
    };
    const watching: DynamoDBDocumentClient = {
      async send(cmd: { input?: { UpdateExpression?: string; Key?: { pk?: string } } }) {
        const flip = cmd.input?.UpdateExpression?.includes("#s") && cmd.input.Key?.pk === K.docPk(ids.better) && JSON.stringify(cmd.input).includes('"generation"');
        if (flip) await snapshot("before flip", ids.better);
        const out = await client.send(cmd as never);
        if (flip) await snapshot("after flip", ids.better);
        return out;
      },
    } as unknown as DynamoDBDocumentClient;
    const swapping = new DocumentStore({ tableName: env.resources.table, client: watching, retireGraceMs: 0 });

    const res = await reprocessDocuments({ mode: "stale", version: V2 }, deps({ store: swapping }));
    const byId = Object.fromEntries(res.outcomes.map((o) => [o.docId, o]));
    expect(byId[ids.same]!.kind).toBe("unchanged");
    expect(byId[ids.better]!.kind).toBe("reprocessed");
    expect(byId[ids.unreadable]!.kind).toBe("now_succeeded");
    expect(byId[ids.broken]!.kind).toBe("newly_failed");
    expect({ reprocessed: res.reprocessed, unchanged: res.unchanged, newlyFailed: res.newlyFailed, nowSucceeded: res.nowSucceeded, skipped: res.skipped }).toEqual({ reprocessed: 1, unchanged: 1, newlyFailed: 1, nowSucceeded: 1, skipped: 0 });
    // 教育局 gains the v2 error; 卫生健康委员会 gains its info flag and 2 errors (it had none, being failed).
    expect(byId[ids.better]).toMatchObject({ flagsAdded: 1, flagsRemoved: 0 });
    expect(byId[ids.unreadable]).toMatchObject({ flagsAdded: 3, flagsRemoved: 0 });
    expect(byId[ids.broken]).toMatchObject({ flagsAdded: 0, flagsRemoved: 1, itemsWritten: 0 });
    expect(res.flagsAdded).toBe(4);

    // At the flip: old flags with old counts and old amounts just before; all new just after.
    expect(seen).toEqual([
      { phase: "before flip", docId: ids.better, errors: 1, metaErrors: 1, amounts: ["101.25"], rowValue: "101.25" },
      { phase: "after flip", docId: ids.better, errors: 2, metaErrors: 2, amounts: ["101.75"], rowValue: "101.75" },
    ]);
    expect(oldRows[1]!.cells[2]!.value).toBe("101.25");
    expect(oldFlags.filter((f) => f.severity === "error")).toHaveLength(1);

    // The old generation is gone (grace 0): META + exactly the new items, all under the new prefix.
    const meta = (await store.getMeta(ids.better))!;
    expect(meta).toMatchObject({ parserVersion: V2, generation: 1, flagGeneration: 1, status: "COMMITTED" });
    expect(meta.reprocessedAt).toBeDefined();
    const raw = await rawItems(ids.better);
    expect(raw).toHaveLength(meta.counts!.items);
    expect(raw.filter((i) => i.sk !== K.META_SK).every((i) => String(i.sk).startsWith("G0001#"))).toBe(true);
    expect(await store.documentItems(ids.better)).toHaveLength(meta.counts!.items);

    // The failed-then-read document is served now; the newly failed one is not, and has no items left.
    expect((await query.document(ids.unreadable))?.status).toBe("COMMITTED");
    expect((await query.documentFlags(ids.unreadable))?.filter((f) => f.severity === "error")).toHaveLength(2);
    expect((await store.getMeta(ids.broken))).toMatchObject({ status: "FAILED", failure: { code: "corrupt" }, gsi1pk: K.FAILED_GSI1_PK });
    expect((await store.getMeta(ids.broken))?.counts).toBeUndefined();
    expect(await rawItems(ids.broken)).toHaveLength(1);
    expect(await query.tables(ids.broken)).toBeUndefined();
    expect(await store.getSeriesCurrent("卫生健康委员会", 2025, "budget", true)).toMatchObject({ docId: ids.unreadable });

    // Alerts: 教育局 only its new error; the now-read filing its errors; the newly failed one its failure.
    const alerts = (await env.drainAlerts()) as Alert[];
    const of = (id: string) => alerts.filter((a) => a.docId === id);
    expect(alerts).toHaveLength(3);
    expect(of(ids.better)[0]).toMatchObject({ kind: "document_errors", newErrors: { reason: "reprocess", count: 1 } });
    expect(of(ids.better)[0]!.errors!.map((e) => e.rule)).toEqual(["cross.total"]);
    expect(of(ids.unreadable)[0]).toMatchObject({ kind: "document_errors", newErrors: { reason: "reprocess", count: 2 } });
    expect(of(ids.broken)[0]).toMatchObject({ kind: "document_failed", failure: { code: "corrupt" } });
  });

  it("is idempotent: nothing stale after the run; --all again finds every document unchanged and alerts nothing", async () => {
    expect(await selectDocuments(store, { mode: "stale", version: V2 })).toHaveLength(0);
    const res = await reprocessDocuments({ mode: "all", version: V2 }, deps());
    expect(res.selected).toBe(4);
    expect(res.unchanged).toBe(4);
    expect(res.itemsWritten + res.flagsAdded + res.flagsRemoved + res.alerts).toBe(0);
    expect(await env.drainAlerts()).toEqual([]);
    expect((await store.getMeta(ids.better))?.generation).toBe(1);
  });

  it("back to the old parser: the documents return to their first result, the re-failed one stays alerted once", async () => {
    const res = await reprocessDocuments({ mode: "stale", version: PARSER_VERSION }, deps({ parse: synthParse, check: synthCheck }));
    const byId = Object.fromEntries(res.outcomes.map((o) => [o.docId, o]));
    expect(byId[ids.better]).toMatchObject({ kind: "reprocessed", flagsAdded: 0, flagsRemoved: 1 });
    expect(byId[ids.unreadable]!.kind).toBe("newly_failed");
    expect(byId[ids.broken]!.kind).toBe("now_succeeded");
    expect((await query.amountsByCode("functional", "2080101", { year: 2025, department: "教育局" })).map((a) => a.values[0]!.value)).toEqual(["101.25"]);
    // No new error anywhere (教育局 lost one; 民政局 reads clean): only 卫生健康委员会's failure is news.
    const alerts = await env.drainAlerts();
    expect(alerts.map((a) => [a.docId, a.kind])).toEqual([[ids.unreadable, "document_failed"]]);
    expect((await store.getMeta(ids.better))).toMatchObject({ generation: 2, flagGeneration: 2 });
    expect(await rawItems(ids.better)).toHaveLength((await store.getMeta(ids.better))!.counts!.items);
  });

  it("a reader polling all through a run sees each read whole: all old or all new, never part of either", async () => {
    // v3 reads 教育局 with other amounts and 3 errors; the readers' grace keeps the retired generation.
    const parseV3 = async (bytes: Uint8Array, opts: { fileName: string }) => {
      const doc = await synthParse(bytesOf(new TextDecoder().decode(bytes).replace("教育局|2025|a|1", "教育局|2025|b|3")), opts);
      return { ...doc, source: { ...doc.source, sha256: sha256Hex(bytes), bytes: bytes.length } };
    };
    const graceful = new DocumentStore({ tableName: env.resources.table, client, retireGraceMs: 60_000 });
    // Each read on its own is whole; two reads may straddle the flip (old flags, then new rows), so they are kept apart.
    const observed = { flags: new Set<string>(), rows: new Set<string>() };
    let running = true;
    const reader = (async () => {
      let reads = 0;
      while (running || reads < 3) {
        const flags = (await query.documentFlags(ids.better))!;
        observed.flags.add(`${flags.length} flags, ${flags.filter((f) => f.severity === "error").length} errors`);
        const rows = (await query.rows(ids.better, "t01"))!.rows;
        observed.rows.add(`${rows.length} rows .${[...new Set(rows.map((r) => r.cells[2]!.value!.split(".")[1]))].join("/.")}`);
        reads += 1;
      }
      return reads;
    })();
    const res = await reprocessDocuments({ mode: "all", department: "教育局", version: "test-parser-v3" }, deps({ store: graceful, parse: parseV3, check: synthCheck }), { sweep: false });
    running = false;
    const reads = await reader;
    expect(res.reprocessed).toBe(1);
    expect(reads).toBeGreaterThanOrEqual(3);
    if (process.env.BUDGETLENS_TEST_VERBOSE) console.log(`reader: ${reads} reads during the run`, observed);
    // Old then new; never a count, an error tally or a set of rows of neither.
    expect([...observed.flags]).toEqual(["2 flags, 1 errors", "4 flags, 3 errors"]);
    expect([...observed.rows]).toEqual(["40 rows .25", "40 rows .75"]);
    // The retired generation is still stored (grace), not served; a sweep after the grace deletes it.
    const meta = (await store.getMeta(ids.better))!;
    expect((await rawItems(ids.better)).length).toBeGreaterThan(meta.counts!.items);
    const later = new DocumentStore({ tableName: env.resources.table, client, retireGraceMs: 60_000, now: () => new Date(Date.now() + 61_000) });
    expect((await later.sweepRetired(ids.better)).deleted).toBeGreaterThan(0);
    expect(await rawItems(ids.better)).toHaveLength(meta.counts!.items);
    await env.drainAlerts();
  });
});
