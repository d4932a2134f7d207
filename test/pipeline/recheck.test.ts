// The across-years re-check on the embedded servers (real ingest handler, s3rver, dynalite, fauxqs):
// a filing stored before its previous year's filing is re-checked when that one arrives. Its flags
// are replaced by a generation swap — a reader at the flip sees old flags with old counts or new
// with new — and errors the re-check adds are alerted again (only those) though the document was
// alerted before. What the flags were checked against is on META: a duplicate delivery does no
// re-check work (no check call, no document read), a real change (a re-filing of the previous
// year) still triggers it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startEmbedded, type Embedded } from "../../embedded/startEmbedded.ts";
import { sha256Hex, type IngestDeps } from "../../functions/ingest/ingestObject.ts";
import type { Alert } from "../../functions/shared/alerts.ts";
import { createDocumentClient } from "../../functions/shared/clients.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import * as K from "../../functions/shared/keys.ts";
import { QueryService } from "../../functions/query/queryService.ts";
import type { DisclosureDocument } from "../../parsers/model.ts";
import type { CheckOptions } from "../../reconcile/index.ts";
import type { Flag } from "../../reconcile/flag.ts";
import { synthBytes, synthCheck, synthParse } from "./syntheticDocument.ts";

const Y2024 = synthBytes("教育局", 2024, "a", 0);
const Y2024_REFILED = synthBytes("教育局", 2024, "b", 0);
const Y2025 = synthBytes("教育局", 2025, "a", 1);
const ID2024 = sha256Hex(Y2024);
const ID2024_REFILED = sha256Hex(Y2024_REFILED);
const ID2025 = sha256Hex(Y2025);

/** synthCheck plus one across-years error naming the previous filing it was checked against. */
function yearsCheck(doc: DisclosureDocument, opts?: CheckOptions): Flag[] {
  const flags = synthCheck(doc);
  const prev = opts?.previous;
  if (prev) flags.push({ severity: "error", rule: "years.total", table: "表3", message: `上年数与 ${prev.source.sha256.slice(0, 8)} 的本年数不符` });
  return flags;
}

/** Counts the whole-document reads (documentItems) the ingest makes. */
class CountingStore extends DocumentStore {
  documentReads = 0;
  override async documentItems(docId: string, skPrefix?: string): Promise<Record<string, unknown>[]> {
    this.documentReads += 1;
    return super.documentItems(docId, skPrefix);
  }
}

describe("across-years re-check: atomic flag swap, alerts for new errors, no work on duplicates", () => {
  let env: Embedded;
  let client: DynamoDBDocumentClient;
  let store: DocumentStore;
  let query: QueryService;
  let handlerStore: CountingStore;
  const checked: string[] = [];
  const handlerDeps: Partial<Omit<IngestDeps, "workerId">> = {
    parse: synthParse,
    check: (doc, opts) => {
      checked.push(`${doc.meta.department}${doc.meta.year}`);
      return yearsCheck(doc, opts);
    },
  };
  const seen: { phase: string; errors: number; metaErrors: number; metaFlags: number; severityIndex: number }[] = [];

  const ingest = async (name: string, bytes: Uint8Array) => {
    await env.upload(name, bytes);
    expect(await env.waitForIdle(60_000)).toBe(true);
  };
  const snapshot = async (phase: string) => {
    const meta = await store.getMeta(ID2025);
    const flags = (await query.documentFlags(ID2025)) ?? [];
    const indexed = (await query.flagsBySeverity("error", { year: 2025 })).filter((f) => f.docId === ID2025);
    seen.push({ phase, errors: flags.filter((f) => f.severity === "error").length, metaErrors: meta?.flagCounts?.error ?? 0, metaFlags: meta?.counts?.flags ?? 0, severityIndex: indexed.length });
  };

  beforeAll(async () => {
    env = await startEmbedded({ dataDir: null, logLevel: "SILENT", deps: handlerDeps });
    client = createDocumentClient();
    store = new DocumentStore({ tableName: env.resources.table, client, retireGraceMs: 0 });
    query = new QueryService(store);
    // The handler's store sees every flip of the 2025 filing's flags: a reader looks just before and after.
    const watching = {
      async send(cmd: { input?: { Key?: { pk?: string }; ExpressionAttributeNames?: Record<string, string> } }) {
        const flip = cmd.input?.Key?.pk === K.docPk(ID2025) && Object.values(cmd.input.ExpressionAttributeNames ?? {}).includes("flagCounts");
        if (flip) await snapshot("before flip");
        const out = await client.send(cmd as never);
        if (flip) await snapshot("after flip");
        return out;
      },
    } as unknown as DynamoDBDocumentClient;
    handlerStore = new CountingStore({ tableName: env.resources.table, client: watching, retireGraceMs: 0 });
    handlerDeps.store = handlerStore; // read by the handler at its first invocation
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  it("2025 first, then 2024: 2025's flags swapped atomically, its new error alerted alone", async () => {
    await ingest("edu-2025.pdf", Y2025);
    expect((await env.drainAlerts()).map((a) => [a.docId, a.kind])).toEqual([[ID2025, "document_errors"]]);
    expect((await store.getMeta(ID2025))?.checkedAgainst).toBe("-");

    await ingest("edu-2024.pdf", Y2024);
    expect(seen).toEqual([
      { phase: "before flip", errors: 1, metaErrors: 1, metaFlags: 2, severityIndex: 1 },
      { phase: "after flip", errors: 2, metaErrors: 2, metaFlags: 3, severityIndex: 2 },
    ]);
    const meta = (await store.getMeta(ID2025))!;
    expect(meta).toMatchObject({ flagGeneration: 1, checkedAgainst: `${ID2024}@0`, flagCounts: { error: 2, warning: 0, info: 1 } });
    expect(meta.recheckedAt).toBeDefined();
    // Old flag items deleted; body untouched (generation 0); item count on META matches the table.
    const raw = (await client.send(new QueryCommand({ TableName: env.resources.table, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": K.docPk(ID2025) } }))).Items ?? [];
    expect(raw).toHaveLength(meta.counts!.items);
    expect(raw.filter((i) => String(i.sk).includes("FLAG#")).map((i) => String(i.sk))).toEqual(["G0001#FLAG#00001", "G0001#FLAG#00002", "G0001#FLAG#00003"]);

    const alerts = await env.drainAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ docId: ID2025, kind: "document_errors", newErrors: { reason: "recheck", count: 1 } });
    expect(alerts[0]!.errors!.map((e) => e.rule)).toEqual(["years.total"]);
    expect(alerts[0]!.subject).toMatch(/1 new reconciliation errors \(recheck\)/);
  });

  it("a duplicate delivery of either filing does no re-check work", async () => {
    checked.length = 0;
    seen.length = 0;
    handlerStore.documentReads = 0;
    await ingest("edu-2025-again.pdf", Y2025);
    await ingest("edu-2024-again.pdf", Y2024);
    expect(checked).toEqual([]);
    expect(handlerStore.documentReads).toBe(0);
    expect(seen).toEqual([]);
    expect(await env.drainAlerts()).toEqual([]);
  });

  it("a document stored before checkedAgainst existed is re-checked once on a duplicate, then not again", async () => {
    await client.send(new UpdateCommand({ TableName: env.resources.table, Key: { pk: K.docPk(ID2025), sk: K.META_SK }, UpdateExpression: "REMOVE checkedAgainst" }));
    checked.length = 0;
    await ingest("edu-2025-legacy.pdf", Y2025);
    expect(checked).toEqual(["教育局2025"]);
    // Same flags: nothing replaced, but what they were checked against is recorded now.
    expect((await store.getMeta(ID2025))).toMatchObject({ flagGeneration: 1, checkedAgainst: `${ID2024}@0` });
    checked.length = 0;
    await ingest("edu-2025-legacy-again.pdf", Y2025);
    expect(checked).toEqual([]);
    expect(await env.drainAlerts()).toEqual([]);
  });

  it("a re-filing of 2024 is a real change: 2025 is re-checked against it, and its new error alerted", async () => {
    checked.length = 0;
    seen.length = 0;
    await ingest("edu-2024-refiled.pdf", Y2024_REFILED);
    expect(checked).toEqual(["教育局2024", "教育局2025"]);
    expect((await store.getMeta(ID2025))).toMatchObject({ flagGeneration: 2, checkedAgainst: `${ID2024_REFILED}@0` });
    expect(seen.map((s) => s.phase)).toEqual(["before flip", "after flip"]);
    const flags = (await query.documentFlags(ID2025))!.filter((f) => f.rule === "years.total");
    expect(flags.map((f) => f.message)).toEqual([`上年数与 ${ID2024_REFILED.slice(0, 8)} 的本年数不符`]);
    const alerts = (await env.drainAlerts()) as Alert[];
    expect(alerts.map((a) => [a.docId, a.newErrors?.count, a.errors?.map((e) => e.message)])).toEqual([[ID2025, 1, [`上年数与 ${ID2024_REFILED.slice(0, 8)} 的本年数不符`]]]);

    checked.length = 0;
    await ingest("edu-2025-third.pdf", Y2025);
    expect(checked).toEqual([]);
  });
});
