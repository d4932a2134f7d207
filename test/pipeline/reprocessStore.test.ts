// The generation swap's storage contract, on dynalite and DynamoDB Local (the official jar; skipped
// only when java is missing): replaceDocument / replaceFlags write a new generation, flip META in one
// conditional update, and every read (documentItems with or without a prefix, queryIndex,
// queryPartitionPage, the QueryService on top) serves the generation META names with the logical
// sort keys. A stale writer loses the flip and leaves nothing behind; the retired generation stays
// (unserved) through the readers' grace and is deleted after it; a reader stalled past the grace
// between META and the items reads again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { committedRecord, documentBodyItems, flagItems, itemsToDocument, type DocumentRecord } from "../../functions/shared/documentItems.ts";
import { DocumentStore, GenerationConflictError } from "../../functions/shared/documentStore.ts";
import * as K from "../../functions/shared/keys.ts";
import { QueryService } from "../../functions/query/queryService.ts";
import { QueryApi } from "../../functions/query/routes.ts";
import type { DisclosureDocument } from "../../parsers/model.ts";
import type { Flag } from "../../reconcile/flag.ts";
import { javaAvailable, startDynaliteBackend, startDynamoDbLocalBackend, type Backend } from "./backends.ts";
import { synthBytes, synthCheck, synthParse } from "./syntheticDocument.ts";

const FAST_RETRY = { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 5 };
const backends: [string, () => Promise<Backend>, boolean][] = [
  ["dynalite", startDynaliteBackend, true],
  ["DynamoDB Local", startDynamoDbLocalBackend, javaAvailable()],
];

/** The same document (same bytes, same id) as another parser version would read it: amounts of variant `variant`. */
async function reading(variant: string, errors: number): Promise<{ doc: DisclosureDocument; flags: Flag[] }> {
  const id = await synthParse(synthBytes("审计局", 2024, "a", 1), { fileName: "a.pdf" });
  const doc = await synthParse(synthBytes("审计局", 2024, variant, errors), { fileName: "a.pdf" });
  const same = { ...doc, source: id.source };
  return { doc: same, flags: synthCheck(same) };
}

describe.each(backends)("generation swap on %s", (_name, start, available) => {
  let be: Backend;
  let tableNo = 0;
  let now = new Date("2026-01-01T00:00:00Z");
  const fresh = async (retireGraceMs: number) => {
    const table = `gen${++tableNo}`;
    await be.createTable(table);
    const store = new DocumentStore({ tableName: table, client: be.doc, retry: FAST_RETRY, retireGraceMs, now: () => now });
    const v1 = await reading("a", 1);
    const body = documentBodyItems(v1.doc, v1.flags);
    await store.putItems(body);
    const record = committedRecord(v1.doc, v1.flags, { bucket: "b", key: "incoming/a.pdf", eventTime: "2024-03-01T00:00:00Z" }, "2024-03-01T00:00:01Z", body);
    await store.commit(record);
    await store.applySeries(record);
    const raw = async () => (await be.doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": K.docPk(record.docId) } }))).Items ?? [];
    return { store, query: new QueryService(store), record, id: record.docId, v1, raw };
  };
  const replacement = async (record: DocumentRecord, variant: string, errors: number) => {
    const v = await reading(variant, errors);
    const items = documentBodyItems(v.doc, v.flags);
    return { v, items, next: committedRecord(v.doc, v.flags, record.source, record.ingestedAt, items) };
  };

  beforeAll(async () => {
    if (available) be = await start();
  }, 120_000);
  afterAll(async () => {
    await be?.stop();
  });

  it.runIf(available)("serves the new generation only, with the keys and shape of a first write; the old one is deleted", async () => {
    const { store, query, record, id, raw } = await fresh(0);
    const r = await replacement(record, "b", 2);
    const { record: updated, swept } = await store.replaceDocument(record, r.next, r.items);
    expect(updated).toMatchObject({ generation: 1, flagGeneration: 1, lastGeneration: 1, ingestedAt: record.ingestedAt, flagCounts: { error: 2, warning: 0, info: 1 } });
    expect(swept).toEqual({ deleted: record.counts!.items - 1, deferred: false, waitMs: 0 });
    // Reads give back exactly what documentBodyItems made (logical sort keys), META first as before.
    const items = await store.documentItems(id);
    expect(items.filter((i) => i.sk !== K.META_SK)).toEqual([...r.items].sort((a, b) => (a.sk < b.sk ? -1 : 1)).map((i) => JSON.parse(JSON.stringify(i))));
    expect(itemsToDocument(updated, items)).toEqual({ document: r.v.doc, flags: r.v.flags });
    expect((await store.documentItems(id, K.rowPrefix("t01"))).map((i) => i.sk)).toEqual(r.items.filter((i) => i.sk.startsWith("ROW#")).map((i) => i.sk));
    expect(await store.documentItems(id, K.SK_PREFIX.flag)).toHaveLength(3);
    expect(await store.documentItems(id, "F")).toHaveLength(3);
    expect(await query.rows(id, "t01").then((x) => x?.rows[1]?.cells[2]?.value)).toBe("101.75");
    expect((await query.amountsByCode("functional", "2080101")).map((a) => a.values[0]!.value)).toEqual(["101.75"]);
    expect(await query.flagsBySeverity("error")).toHaveLength(2);
    // In the table: META and the new generation only.
    const stored = await raw();
    expect(stored).toHaveLength(updated.counts!.items);
    expect(stored.every((i) => i.sk === K.META_SK || String(i.sk).startsWith("G0001#"))).toBe(true);
  });

  it.runIf(available)("through the readers' grace the retired generation stays, unserved by every read; deleted after it", async () => {
    const { store, query, record, id, raw, v1 } = await fresh(60_000);
    // A reader (another store, as in another process) that read META just before the flip.
    const reader = new DocumentStore({ tableName: store.tableName, client: be.doc, retireGraceMs: 60_000, now: () => now });
    expect((await reader.getMeta(id))?.generation).toBeUndefined();
    const r = await replacement(record, "b", 2);
    const { record: updated, swept } = await store.replaceDocument(record, r.next, r.items);
    expect(swept).toMatchObject({ deleted: 0, deferred: true });
    // It goes on with the generation that META named: the old document, whole (kept through the grace).
    expect(itemsToDocument(record, await reader.documentItems(id))).toEqual({ document: v1.doc, flags: v1.flags });
    expect((await reader.documentItems(id, K.SK_PREFIX.flag)).map((f) => f.sk)).toEqual(["FLAG#00001", "FLAG#00002"]);
    expect(await raw()).toHaveLength(record.counts!.items + updated.counts!.items - 1);
    // Both generations are in GSI2 and GSI3: each read keeps the current one.
    expect((await store.queryIndex(K.GSI3, "gsi3pk", K.codeGsi3Pk("functional", "2080101"))).map((a) => a.sk)).toEqual(["G0001#" + K.amountSk("t01", 1, "L")]);
    const page = await store.queryPartitionPage({ index: K.GSI2, pk: K.severityGsi2Pk("error") }, { limit: 10, budget: { items: 100, requests: 10 } });
    expect(page.items.map((i) => i.sk)).toEqual(["G0001#FLAG#00002", "G0001#FLAG#00003"]);
    const paged = await query.amountsPage("functional", "2080101", {}, { limit: 1, binding: "t" });
    expect(paged.items.map((a) => a.values[0]!.value)).toEqual(["101.75"]);
    // (DynamoDB Local hands out a cursor after a full page even at the end; dynalite does not.)
    if (paged.nextCursor) expect((await query.amountsPage("functional", "2080101", {}, { limit: 1, binding: "t", cursor: paged.nextCursor })).items).toEqual([]);
    expect(await query.documentFlags(id)).toHaveLength(3);
    expect(itemsToDocument(updated, await store.documentItems(id)).document).toEqual(r.v.doc);

    now = new Date(now.getTime() + 30_000);
    expect(await store.sweepRetired(id)).toMatchObject({ deleted: 0, deferred: true, waitMs: 30_000 });
    now = new Date(now.getTime() + 30_001);
    expect(await store.sweepRetired(id)).toEqual({ deleted: record.counts!.items - 1, deferred: false, waitMs: 0 });
    expect(await raw()).toHaveLength(updated.counts!.items);
  });

  it.runIf(available)("a writer that read META before another's flip loses its flip and leaves nothing behind", async () => {
    const { store, record, id, raw } = await fresh(0);
    const v = await reading("a", 3);
    const first = await store.replaceFlags(record, flagItems(v.doc, v.flags, id), "2026-01-01T00:00:00Z", { checkedAgainst: "-" });
    expect(first).toMatchObject({ flagGeneration: 1, checkedAgainst: "-", counts: { ...record.counts, flags: 4, items: record.counts!.items + 2 } });
    expect(first.generation).toBeUndefined();
    // A second writer still holding the record as it was before the first flip.
    const stale = await reading("a", 5);
    await expect(store.replaceFlags(record, flagItems(stale.doc, stale.flags, id), "2026-01-01T00:00:01Z")).rejects.toBeInstanceOf(GenerationConflictError);
    const r = await replacement(record, "b", 0);
    await expect(store.replaceDocument(record, r.next, r.items)).rejects.toBeInstanceOf(GenerationConflictError);
    // The winner's flags are served, and the table holds META + body + its flags, nothing of the losers.
    expect((await store.getMeta(id))).toMatchObject({ flagGeneration: 1, lastGeneration: 3, flagCounts: { error: 3 } });
    expect((await store.documentItems(id, K.SK_PREFIX.flag)).map((f) => f.sk)).toEqual(["FLAG#00001", "FLAG#00002", "FLAG#00003", "FLAG#00004"]);
    expect(await raw()).toHaveLength(first.counts!.items);
    // Flags and body of different generations: a whole-document read combines them.
    expect(itemsToDocument(first, await store.documentItems(id)).flags).toEqual(v.flags);
  });
  it.runIf(available)("a reader stalled past the readers' grace between META and its items reads again: whole new items, not a half-deleted old generation", async () => {
    const grace = 60_000;
    const { store, record, id } = await fresh(grace);
    const r = await replacement(record, "b", 2);
    // The reader's own client, held up once before its first Query of the document: meanwhile the
    // writer flips, the readers' grace passes (the shared clock) and the old generation is deleted.
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: be.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } }), {
      marshallOptions: { removeUndefinedValues: true },
    });
    let stalls = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "QueryCommand" && stalls++ === 0) {
          await store.replaceDocument(record, r.next, r.items);
          now = new Date(now.getTime() + grace + 1);
          expect((await store.sweepRetired(id)).deleted).toBeGreaterThan(0);
        }
        return next(args);
      },
      { step: "initialize", name: "stallFirstQuery" },
    );
    const reader = new DocumentStore({ tableName: store.tableName, client, retry: FAST_RETRY, retireGraceMs: grace, now: () => now });
    const items = await reader.documentItems(id);
    expect(stalls).toBeGreaterThan(1);
    const meta = await store.getMeta(id);
    expect(itemsToDocument(meta!, items)).toEqual({ document: r.v.doc, flags: r.v.flags });
    expect(items.filter((i) => i.sk !== K.META_SK).map((i) => i.sk)).toEqual([...r.items].map((i) => i.sk).sort());
    client.destroy();
  });
  it.runIf(available)("the analyst API's model cache follows a replacement: cached by the generations META names, not by docId alone", async () => {
    const { store, record, id, v1 } = await fresh(0);
    const api = new QueryApi(store);
    const cell = (m: Awaited<ReturnType<QueryApi["model"]>>) => m?.model.tables.find((t) => t.id === "t01")?.rows[1]?.cells[2]?.value;
    expect(await api.model(id)).toEqual({ model: v1.doc, flags: v1.flags });
    expect(cell(await api.model(id))).toBe("101.25");
    const r = await replacement(record, "b", 2);
    await store.replaceDocument(record, r.next, r.items);
    expect(await api.model(id)).toEqual({ model: r.v.doc, flags: r.v.flags });
    expect(cell(await api.model(id))).toBe("101.75");
  });
});
