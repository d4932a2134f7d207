// Re-processing that moves a filing out of its series (SERIES# pointer: one current filing per
// department, year and kind): the upgraded parser reads another department, or refuses the file.
// The filing it had superseded must be current again, the following year's filing checked against
// that one, and the moved filing must not stay hidden as superseded in its new series.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbedded, type Embedded } from "../../embedded/startEmbedded.ts";
import { sha256Hex, type IngestDeps } from "../../functions/ingest/ingestObject.ts";
import { reprocessDocuments } from "../../functions/ingest/reprocess.ts";
import { AlertPublisher } from "../../functions/shared/alerts.ts";
import { createDocumentClient } from "../../functions/shared/clients.ts";
import { checkedAgainstOf } from "../../functions/shared/documentItems.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import { S3Source } from "../../functions/shared/s3Source.ts";
import { QueryService } from "../../functions/query/queryService.ts";
import type { DisclosureDocument } from "../../parsers/model.ts";
import { synthBytes, synthCheck, synthParse } from "./syntheticDocument.ts";

const V2 = "test-parser-series";

// 文化局 2024: FIRST, then MOVED (uploaded later: current, FIRST superseded); 文化局 2025: NEXT.
// 农业局 2024: KEPT, then REFUSED (current, KEPT superseded).
const FIRST = synthBytes("文化局", 2024, "a", 0);
const MOVED = synthBytes("文化局", 2024, "m", 0);
const NEXT = synthBytes("文化局", 2025, "a", 0);
const KEPT = synthBytes("农业局", 2024, "a", 0);
const REFUSED = synthBytes("农业局", 2024, "z", 0);

/** The upgraded parser reads MOVED as 文旅局's filing and refuses variant z; the rest as before. */
async function parseV2(bytes: Uint8Array, opts: { fileName: string }): Promise<DisclosureDocument> {
  const text = new TextDecoder().decode(bytes);
  if (text.includes("|z|")) throw Object.assign(new Error("v2 finds a broken xref"), { name: "PdfError", code: "corrupt" });
  const doc = await synthParse(new TextEncoder().encode(text.replace("文化局|2024|m|", "文旅局|2024|m|")), opts);
  return { ...doc, source: { ...doc.source, sha256: sha256Hex(bytes), bytes: bytes.length } };
}

describe("re-processing that moves a filing out of its series", () => {
  let env: Embedded;
  let store: DocumentStore;
  let query: QueryService;
  const id = { first: sha256Hex(FIRST), moved: sha256Hex(MOVED), next: sha256Hex(NEXT), kept: sha256Hex(KEPT), refused: sha256Hex(REFUSED) };

  const deps = (): IngestDeps => ({
    store,
    source: new S3Source(env.clients.s3),
    alerts: new AlertPublisher(env.clients.sns, env.resources.topicArn),
    parse: parseV2,
    check: synthCheck,
    workerId: "reprocess-series-test",
    leaseWaitMs: 2_000,
    leasePollMs: 50,
  });

  beforeAll(async () => {
    env = await startEmbedded({ dataDir: null, logLevel: "SILENT", deps: { parse: synthParse, check: synthCheck } });
    store = new DocumentStore({ tableName: env.resources.table, client: createDocumentClient(), retireGraceMs: 0 });
    query = new QueryService(store);
    // One at a time: the upload order decides which filing of a series is current.
    for (const [name, bytes] of [["first.pdf", FIRST], ["moved.pdf", MOVED], ["next.pdf", NEXT], ["kept.pdf", KEPT], ["refused.pdf", REFUSED]] as const) {
      await env.upload(name, bytes);
      expect(await env.waitForIdle(60_000)).toBe(true);
    }
    await env.drainAlerts();
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });

  it("before: the later uploads are current, the earlier ones superseded, NEXT checked against MOVED", async () => {
    expect((await store.getSeriesCurrent("文化局", 2024, "budget", true))?.docId).toBe(id.moved);
    expect((await store.getSeriesCurrent("农业局", 2024, "budget", true))?.docId).toBe(id.refused);
    expect((await store.getMeta(id.first))?.supersededBy).toBe(id.moved);
    expect((await store.getMeta(id.kept))?.supersededBy).toBe(id.refused);
    expect((await store.getMeta(id.next))?.checkedAgainst).toBe(checkedAgainstOf(await store.getMeta(id.moved)));
  });

  it("after (a first run killed right after replacing a moved filing's items, then a full run): each filing is in the series it now reads as, the superseded ones are current again, NEXT re-checked", async () => {
    // The first run stops where a killed process would: right after MOVED's items were replaced
    // (it reads as 文旅局's now), before the series step. The next run finds it unchanged.
    let kills = 0;
    const killed = Object.create(store) as DocumentStore;
    killed.replaceDocument = async (...args: Parameters<DocumentStore["replaceDocument"]>) => {
      await store.replaceDocument(...args);
      kills++;
      throw new Error("killed");
    };
    await expect(reprocessDocuments({ mode: "all", version: V2 }, { ...deps(), store: killed })).rejects.toThrow("killed");
    expect(kills).toBe(1);
    expect((await store.getMeta(id.moved))?.department).toBe("文旅局");

    const res = await reprocessDocuments({ mode: "all", version: V2 }, deps());
    const kind = Object.fromEntries(res.outcomes.map((o) => [o.docId, o.kind]));
    expect(kind).toEqual({ [id.first]: "unchanged", [id.moved]: "unchanged", [id.next]: "unchanged", [id.kept]: "unchanged", [id.refused]: "newly_failed" });

    // 文化局 2024: FIRST is current again and served; MOVED is 文旅局's, current there and served.
    expect((await store.getSeriesCurrent("文化局", 2024, "budget", true))?.docId).toBe(id.first);
    expect((await store.getSeriesCurrent("文旅局", 2024, "budget", true))?.docId).toBe(id.moved);
    const first = await store.getMeta(id.first);
    const moved = await store.getMeta(id.moved);
    expect(first?.supersededBy).toBeUndefined();
    expect(moved?.department).toBe("文旅局");
    expect(moved?.supersededBy).toBeUndefined();
    expect(moved?.supersedes).toBeUndefined();
    const served = (await query.documents(2024)).filter((d) => d.current).map((d) => d.docId);
    expect(served).toEqual(expect.arrayContaining([id.first, id.moved, id.kept]));
    expect(served).not.toContain(id.refused);

    // 文化局 2025 was checked against MOVED; now against FIRST, the current 文化局 2024 filing.
    expect((await store.getMeta(id.next))?.checkedAgainst).toBe(checkedAgainstOf(first));

    // 农业局 2024: REFUSED failed; KEPT is current again and served.
    expect((await store.getSeriesCurrent("农业局", 2024, "budget", true))?.docId).toBe(id.kept);
    expect((await store.getMeta(id.kept))?.supersededBy).toBeUndefined();
    expect((await store.getMeta(id.refused))?.status).toBe("FAILED");
  }, 120_000);

  it("a series left empty loses its pointer, and the next year's filing there is checked with no previous year; again with the same parser, nothing moves", async () => {
    const alone = synthBytes("林业局", 2024, "z", 0);
    const following = synthBytes("林业局", 2025, "a", 0);
    for (const [name, bytes] of [["alone.pdf", alone], ["following.pdf", following]] as const) {
      await env.upload(name, bytes);
      expect(await env.waitForIdle(60_000)).toBe(true);
    }
    expect((await store.getSeriesCurrent("林业局", 2024, "budget", true))?.docId).toBe(sha256Hex(alone));
    expect((await store.getMeta(sha256Hex(following)))?.checkedAgainst).toBe(checkedAgainstOf(await store.getMeta(sha256Hex(alone))));
    await reprocessDocuments({ mode: "stale", version: V2 }, deps());
    expect(await store.getSeriesCurrent("林业局", 2024, "budget", true)).toBeUndefined();
    expect((await store.getMeta(sha256Hex(following)))?.checkedAgainst).toBe(checkedAgainstOf(undefined));

    const again = await reprocessDocuments({ mode: "all", version: V2 }, deps());
    expect(again.outcomes.every((o) => o.kind === "unchanged" || o.kind === "still_failed")).toBe(true);
    expect((await store.getSeriesCurrent("文化局", 2024, "budget", true))?.docId).toBe(id.first);
    expect((await store.getSeriesCurrent("文旅局", 2024, "budget", true))?.docId).toBe(id.moved);
    expect((await store.getSeriesCurrent("农业局", 2024, "budget", true))?.docId).toBe(id.kept);
  }, 120_000);
});
