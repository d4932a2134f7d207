// An upload refused as too large is recorded FAILED too_large without being downloaded (its record
// is keyed by the S3 object, as its bytes were never read). Once the byte limit is raised,
// `reprocess` must read it: ingested like a new upload (stored under its content's id, served),
// the refusal record removed; while it is still over the limit it is reported, not silently left out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbedded, type Embedded } from "../../embedded/startEmbedded.ts";
import { sha256Hex, type IngestDeps } from "../../functions/ingest/ingestObject.ts";
import { reprocessDocuments, selectDocuments } from "../../functions/ingest/reprocess.ts";
import { AlertPublisher } from "../../functions/shared/alerts.ts";
import { createDocumentClient } from "../../functions/shared/clients.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import { S3Source } from "../../functions/shared/s3Source.ts";
import { QueryService } from "../../functions/query/queryService.ts";
import { synthBytes, synthCheck, synthParse } from "./syntheticDocument.ts";

const SMALL = synthBytes("统计局", 2024, "a", 0);
const BIG = synthBytes("审计局", 2024, "a", 0);
const LIMIT = 16; // bytes: every synthetic upload is over it

describe("an upload refused as too large, after the byte limit is raised", () => {
  let env: Embedded;
  let store: DocumentStore;
  const deps = (maxBytes?: number): IngestDeps => ({
    store,
    source: new S3Source(env.clients.s3),
    alerts: new AlertPublisher(env.clients.sns, env.resources.topicArn),
    parse: synthParse,
    check: synthCheck,
    workerId: "reprocess-oversized-test",
    leaseWaitMs: 2_000,
    leasePollMs: 50,
    ...(maxBytes === undefined ? {} : { limits: { maxBytes } }),
  });

  beforeAll(async () => {
    env = await startEmbedded({ dataDir: null, logLevel: "SILENT", deps: { parse: synthParse, check: synthCheck, limits: { maxBytes: LIMIT } } });
    store = new DocumentStore({ tableName: env.resources.table, client: createDocumentClient(), retireGraceMs: 0 });
    await env.upload("big.pdf", BIG);
    await env.upload("small.pdf", SMALL);
    expect(await env.waitForIdle(60_000)).toBe(true);
    await env.drainAlerts();
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });

  const refusals = async () => (await selectDocuments(store, { mode: "all" })).filter((m) => m.failure?.code === "too_large");

  it("still over the limit: selected and reported skipped with the reason, the record kept", async () => {
    expect(await refusals()).toHaveLength(2);
    const res = await reprocessDocuments({ mode: "all" }, deps(LIMIT));
    expect(res.selected).toBe(2);
    expect(res.skipped).toBe(2);
    for (const o of res.outcomes) expect(o.reason).toMatch(/still over the byte limit/);
    expect(await refusals()).toHaveLength(2);
  });

  it("a dry run under the raised limit reads them and writes nothing", async () => {
    const res = await reprocessDocuments({ mode: "all" }, deps(), { dryRun: true });
    expect(res.nowSucceeded).toBe(2);
    expect(res.outcomes.map((o) => o.ingestedAs).sort()).toEqual([sha256Hex(BIG), sha256Hex(SMALL)].sort());
    expect(await refusals()).toHaveLength(2);
    expect(await store.getMeta(sha256Hex(SMALL))).toBeUndefined();
  });

  it("under the raised limit, by the default run (--stale: refusals are not any parser's output, every run looks at them): each becomes a served document of its own, the refusal records go, and nothing is left to do", async () => {
    const before = (await refusals()).map((m) => m.docId);
    const res = await reprocessDocuments({ mode: "stale" }, deps());
    expect(res.nowSucceeded).toBe(2);
    const byRefusal = Object.fromEntries(res.outcomes.map((o) => [o.docId, o.ingestedAs]));
    expect(Object.keys(byRefusal).sort()).toEqual([...before].sort());
    expect(Object.values(byRefusal).sort()).toEqual([sha256Hex(BIG), sha256Hex(SMALL)].sort());
    expect(await refusals()).toHaveLength(0);
    for (const id of before) expect(await store.getMeta(id)).toBeUndefined();
    const small = await store.getMeta(sha256Hex(SMALL));
    expect(small).toMatchObject({ status: "COMMITTED", department: "统计局", year: 2024 });
    expect(small?.source.key).toMatch(/small\.pdf$/);
    const served = (await new QueryService(store).documents(2024)).filter((d) => d.current).map((d) => d.docId);
    expect(served.sort()).toEqual([sha256Hex(BIG), sha256Hex(SMALL)].sort());

    const again = await reprocessDocuments({ mode: "all" }, deps());
    expect(again.outcomes.map((o) => o.kind)).toEqual(["unchanged", "unchanged"]);
  }, 60_000);
});
