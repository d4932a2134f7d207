// The storage contract, run against dynalite (embedded default) and DynamoDB Local (the official
// jar; skipped only when java is missing): commit marker, round trip, idempotency, UnprocessedItems
// retries, leases, supersession with crash repair, item size limits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchWriteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { committedRecord, documentBodyItems, itemBytes, itemsToDocument, ITEM_SETTINGS, type BodyItem } from "../../functions/shared/documentItems.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import * as K from "../../functions/shared/keys.ts";
import { RetryableError } from "../../functions/shared/retry.ts";
import { QueryService } from "../../functions/query/queryService.ts";
import type { DisclosureDocument } from "../../parsers/model.ts";
import { javaAvailable, startDynaliteBackend, startDynamoDbLocalBackend, type Backend } from "./backends.ts";
import { synthBytes, synthCheck, synthParse } from "./syntheticDocument.ts";

const FAST_RETRY = { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 5 };

async function synth(department: string, year: number, variant: string, errors = 0): Promise<{ doc: DisclosureDocument; flags: ReturnType<typeof synthCheck> }> {
  const doc = await synthParse(synthBytes(department, year, variant, errors), { fileName: `${department}-${year}-${variant}.pdf` });
  return { doc, flags: synthCheck(doc) };
}

const source = (key: string, eventTime: string) => ({ bucket: "b", key, eventTime });

/**
 * A client whose BatchWriteItem leaves part of each batch unprocessed for the first `times` calls
 * (`stuck`: writes nothing and returns the whole batch unprocessed, as under sustained throttling).
 */
function flakyClient(inner: DynamoDBDocumentClient, times: number, stuck = false): DynamoDBDocumentClient & { calls: number } {
  const wrapper = {
    calls: 0,
    async send(cmd: unknown) {
      if (cmd instanceof BatchWriteCommand && wrapper.calls < times) {
        wrapper.calls += 1;
        const [table, reqs] = Object.entries(cmd.input.RequestItems ?? {})[0]!;
        if (stuck) return { UnprocessedItems: { [table]: reqs } };
        const half = Math.ceil(reqs.length / 2);
        await inner.send(new BatchWriteCommand({ RequestItems: { [table]: reqs.slice(0, half) } }));
        return { UnprocessedItems: reqs.length > half ? { [table]: reqs.slice(half) } : {} };
      }
      return inner.send(cmd as never);
    },
  };
  return wrapper as unknown as DynamoDBDocumentClient & { calls: number };
}

const backends: [string, () => Promise<Backend>, boolean][] = [
  ["dynalite", startDynaliteBackend, true],
  ["DynamoDB Local", startDynamoDbLocalBackend, javaAvailable()],
];

describe.each(backends)("document store contract on %s", (_name, start, available) => {
  let be: Backend;
  let tableNo = 0;
  const fresh = async (opts: { client?: DynamoDBDocumentClient; leaseSeconds?: number; now?: () => Date } = {}) => {
    const table = `contract${++tableNo}`;
    await be.createTable(table);
    const store = new DocumentStore({ tableName: table, client: opts.client ?? be.doc, retry: FAST_RETRY, leaseSeconds: opts.leaseSeconds, now: opts.now });
    return { store, query: new QueryService(store), table };
  };

  beforeAll(async () => {
    if (available) be = await start();
  }, 60_000);
  afterAll(async () => {
    await be?.stop();
  });

  it.runIf(available)("serves nothing of a document until its META commit marker is written", async () => {
    const { store, query } = await fresh();
    const { doc, flags } = await synth("财政局", 2024, "a", 2);
    const body = documentBodyItems(doc, flags);
    await store.putItems(body);
    const id = doc.source.sha256;
    expect(await query.documents()).toEqual([]);
    expect(await query.flagsBySeverity("error")).toEqual([]);
    expect(await query.amountsByCode("functional", "2080101")).toEqual([]);
    expect(await query.tables(id)).toBeUndefined();
    expect(await query.document(id)).toBeUndefined();

    expect(await store.commit(committedRecord(doc, flags, source("incoming/a.pdf", "2024-03-01T00:00:00Z"), "2024-03-01T00:00:01Z", body))).toBe(true);
    expect((await query.documents()).map((d) => d.docId)).toEqual([id]);
    expect(await query.flagsBySeverity("error")).toHaveLength(2);
    const amounts = await query.amountsByCode("functional", "2080101");
    expect(amounts).toHaveLength(1);
    expect(amounts[0]!.values.map((v) => [v.path, v.value])).toEqual([
      [["合计"], "101.25"],
      [["基本支出"], "1057.99"],
    ]);
    expect(await query.tables(id)).toHaveLength(1);
    expect((await query.rows(id, "t01"))?.rows).toHaveLength(40);
  });

  it.runIf(available)("round-trips the document model exactly and refuses a second commit", async () => {
    const { store } = await fresh();
    const { doc, flags } = await synth("教育局", 2025, "a", 1);
    const body = documentBodyItems(doc, flags);
    await store.putItems(body);
    const record = committedRecord(doc, flags, source("incoming/x.pdf", "2025-01-01T00:00:00Z"), "2025-01-01T00:00:01Z", body);
    expect(await store.commit(record)).toBe(true);
    expect(await store.commit({ ...record, ingestedAt: "later" })).toBe(false);
    const meta = await store.getMeta(doc.source.sha256);
    expect(meta?.ingestedAt).toBe("2025-01-01T00:00:01Z");
    const back = itemsToDocument(meta!, await store.documentItems(doc.source.sha256));
    expect(back.document).toEqual(doc);
    expect(back.flags).toEqual(flags);
  });

  it.runIf(available)("retries UnprocessedItems with backoff until every item is written", async () => {
    const flaky = flakyClient(be.doc, 4);
    const { store } = await fresh({ client: flaky });
    const { doc, flags } = await synth("卫健委", 2024, "a");
    const body = documentBodyItems(doc, flags);
    const stats = await store.putItems(body);
    expect(flaky.calls).toBe(4);
    expect(stats.unprocessedRetries).toBeGreaterThanOrEqual(3);
    const stored = await store.documentItems(doc.source.sha256);
    expect(stored.map((i) => i.sk).sort()).toEqual(body.map((i) => i.sk).sort());
  });

  it.runIf(available)("gives up with a RetryableError when writes stay unprocessed (SQS redelivers)", async () => {
    const { store } = await fresh({ client: flakyClient(be.doc, Number.POSITIVE_INFINITY, true) });
    const { doc, flags } = await synth("卫健委", 2024, "b");
    await expect(store.putItems(documentBodyItems(doc, flags))).rejects.toBeInstanceOf(RetryableError);
  });

  it.runIf(available)("lets one worker at a time hold a document's lease, until it expires", async () => {
    let now = new Date("2025-01-01T00:00:00Z");
    const { store } = await fresh({ leaseSeconds: 60, now: () => now });
    expect(await store.acquireLease("d1", "w1")).toBe(true);
    expect(await store.acquireLease("d1", "w2")).toBe(false);
    expect(await store.acquireLease("d1", "w1")).toBe(true); // re-entrant for its owner
    now = new Date(now.getTime() + 61_000);
    expect(await store.acquireLease("d1", "w2")).toBe(true);
    await store.releaseLease("d1", "w1"); // not the owner any more: no effect
    expect(await store.acquireLease("d1", "w3")).toBe(false);
    await store.releaseLease("d1", "w2");
    expect(await store.acquireLease("d1", "w3")).toBe(true);
  });

  it.runIf(available)("removes a crashed attempt's leftovers but never a committed META", async () => {
    const { store } = await fresh();
    const { doc, flags } = await synth("民政局", 2024, "a");
    const body = documentBodyItems(doc, flags);
    await store.putItems(body.slice(0, 30)); // a crash after 30 items
    expect(await store.deleteUncommittedBody(doc.source.sha256)).toBe(30);
    expect(await store.documentItems(doc.source.sha256)).toEqual([]);
  });

  it.runIf(available)("supersedes by upload time: the later upload is current, both stay queryable, a late older one is superseded", async () => {
    const { store, query } = await fresh();
    const write = async (variant: string, eventTime: string) => {
      const { doc, flags } = await synth("审计局", 2024, variant, 1);
      const body = documentBodyItems(doc, flags);
      await store.putItems(body);
      const record = committedRecord(doc, flags, source(`incoming/${variant}.pdf`, eventTime), eventTime, body);
      await store.commit(record);
      return { id: doc.source.sha256, record, series: await store.applySeries(record) };
    };
    const a = await write("a", "2024-03-01T00:00:00.000Z");
    const b = await write("b", "2024-03-05T00:00:00.000Z");
    expect(b.series).toEqual({ current: b.id, superseded: a.id });
    const late = await write("c", "2024-02-01T00:00:00.000Z"); // an older upload whose event arrives last
    expect(late.series).toEqual({ current: b.id, superseded: late.id });
    expect((await store.getSeriesCurrent("审计局", 2024, "budget"))?.docId).toBe(b.id);

    const docs = await query.documentsByDepartment("审计局", 2024);
    expect(docs.map((d) => [d.docId, d.current]).sort()).toEqual([[a.id, false], [b.id, true], [late.id, false]].sort());
    expect((await query.flagsBySeverity("error", { year: 2024 })).map((f) => f.docId)).toEqual([b.id]);
    expect(await query.flagsBySeverity("error", { year: 2024, includeSuperseded: true })).toHaveLength(3);
    expect((await query.document(a.id))?.supersededBy).toBe(b.id);
    expect(await query.rows(a.id, "t01")).toBeDefined();

    // A crash after the pointer moved but before the old META was marked: re-running repairs it.
    await be.doc.send(new UpdateCommand({ TableName: store.tableName, Key: { pk: K.docPk(a.id), sk: K.META_SK }, UpdateExpression: "REMOVE supersededBy" }));
    expect(await store.applySeries(b.record)).toEqual({ current: b.id, superseded: a.id });
    expect((await store.getMeta(a.id))?.supersededBy).toBe(b.id);
    // Same call again: nothing changes (idempotent).
    expect(await store.applySeries(b.record)).toEqual({ current: b.id, superseded: a.id });
    const pointer = await be.doc.send(new GetCommand({ TableName: store.tableName, Key: { pk: K.seriesPk("审计局", 2024, "budget"), sk: K.CURRENT_SK } }));
    expect(pointer.Item?.docId).toBe(b.id);
  });

  it.runIf(available)("splits a row over the item size budget and merges it back", async () => {
    const { store } = await fresh();
    const { doc, flags } = await synth("住建局", 2024, "a");
    const row = doc.tables[0]!.rows[3]!;
    const long = "很长的绩效指标说明".repeat(2000); // ~54 KB of UTF-8 per cell
    row.cells = Array.from({ length: 12 }, (_, c) => ({ row: 3, column: c % 4, text: long, value: null, page: 2, box: [0, 0, 1, 1] as [number, number, number, number] }));
    const body: BodyItem[] = documentBodyItems(doc, flags);
    const parts = body.filter((i) => i.sk.startsWith(K.rowPrefix("t01") + "00003"));
    expect(parts.length).toBeGreaterThan(1);
    for (const item of body) expect(itemBytes(item)).toBeLessThanOrEqual(ITEM_SETTINGS.maxItemBytes);
    await store.putItems(body);
    const record = committedRecord(doc, flags, source("incoming/big.pdf", "2024-01-01T00:00:00Z"), "2024-01-01T00:00:00Z", body);
    await store.commit(record);
    const back = itemsToDocument(record, await store.documentItems(doc.source.sha256));
    expect(back.document.tables[0]!.rows[3]!.cells).toEqual(row.cells);
    expect(back.document).toEqual(doc);
  });
});
