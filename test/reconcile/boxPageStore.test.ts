// boxPage survives storage and every way of reading a flag back: the pure item mapping both ways,
// and the whole path — PDF ingested into the embedded stack (S3 → queue → ingest → DynamoDB),
// then the document model, the document's flags and the cross-department /flags query of the
// analyst API — each returns the narrative flag with page = the sentence's page and boxPage = the
// quoted cell's page, exactly as checkDocument made it.
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "../../parsers/index.ts";
import { checkDocument, type Flag } from "../../reconcile/index.ts";
import { documentBodyItems, committedRecord, flagView, itemsToDocument, type FlagItem } from "../../functions/shared/documentItems.ts";
import { openBackend, type Backend } from "../../analyst/backend.ts";
import { bulkIngest, CompletionHub } from "../../analyst/bulkIngest.ts";
import { AnalystApi } from "../../analyst/api.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const FIXTURE = path.join(repoRoot, "fixtures/pdf/err-narrative-amount.pdf");
const have = existsSync(FIXTURE);

const narrativeBoxed = (flags: readonly Flag[]) => flags.filter((f) => f.rule.startsWith("narrative.") && f.box);

describe.skipIf(!have)("boxPage through storage and query", () => {
  let expected: Flag[];
  let backend: Backend;
  let api: AnalystApi;
  let docId: string;

  beforeAll(async () => {
    // Snapshot: the fixture generator may rewrite fixtures/pdf while tests run.
    const file = path.join(mkdtempSync(path.join(tmpdir(), "bl-boxpage-")), "err-narrative-amount.pdf");
    copyFileSync(FIXTURE, file);
    const doc = await parseDocument(new Uint8Array(readFileSync(file)), { fileName: "err-narrative-amount.pdf" });
    expected = checkDocument(doc);
    expect(narrativeBoxed(expected).some((f) => f.page !== f.boxPage)).toBe(true);
    const hub = new CompletionHub();
    backend = await openBackend({ mode: "embedded", dataDir: null, concurrency: 1, onOutcome: (o) => hub.notify(o.docId) });
    const res = await bulkIngest(backend, [file], hub, { concurrency: 1, pollMs: 200 });
    expect(res.results.map((r) => r.status)).toEqual(["COMMITTED"]);
    docId = res.results[0]!.docId;
    api = new AnalystApi(backend.store);
  }, 180_000);

  afterAll(async () => {
    await backend?.close();
  });

  it("the item mapping keeps boxPage both ways, and the public flag view carries it with the flag's number", async () => {
    const doc = await parseDocument(new Uint8Array(readFileSync(FIXTURE)), { fileName: "err-narrative-amount.pdf" });
    const flags = checkDocument(doc);
    const body = documentBodyItems(doc, flags);
    const meta = committedRecord(doc, flags, { bucket: "b", key: "k", eventTime: "2026-01-01T00:00:00Z" }, "2026-01-01T00:00:00Z", body);
    const back = itemsToDocument(meta, body as unknown as Record<string, unknown>[]);
    expect(back.flags).toEqual(flags);
    const views = body.filter((i): i is FlagItem => i.entity === "Flag").map(flagView);
    views.forEach((v, i) => {
      expect(v.n).toBe(i + 1);
      expect(v.boxPage).toBe(flags[i]!.boxPage);
      expect(v.page).toBe(flags[i]!.page);
    });
  });

  it("the stored model's flags are checkDocument's, boxPage included", async () => {
    const res = await api.handle("GET", `/documents/${docId}/model`, {});
    expect(res.status).toBe(200);
    const stored = (res.body as { flags: Flag[] }).flags;
    expect(stored).toEqual(expected);
    expect(narrativeBoxed(stored).length).toBeGreaterThan(0);
    for (const f of narrativeBoxed(stored)) expect(f.boxPage).toBeTypeOf("number");
  });

  it("the document's flags and the cross-department /flags query return boxPage and page unchanged", async () => {
    const byKey = (f: Flag) => `${f.rule}|${f.message}`;
    const want = new Map(narrativeBoxed(expected).map((f) => [byKey(f), f]));
    const docFlags = ((await api.handle("GET", `/documents/${docId}/flags`, { rule: "narrative" })).body as { items: Flag[] }).items;
    const across = ((await api.handle("GET", "/flags", { rule: "narrative" })).body as { items: (Flag & { n: number; docId: string })[] }).items;
    for (const list of [docFlags, across]) {
      const boxed = list.filter((f) => f.box);
      expect(boxed.length).toBe(want.size);
      for (const f of boxed) {
        const w = want.get(byKey(f))!;
        expect([f.page, f.boxPage, f.box]).toEqual([w.page, w.boxPage, w.box]);
      }
    }
    // n in the cross-department answer is the flag's place in the document model (deep links).
    for (const f of across) expect(byKey(expected[f.n - 1]!)).toBe(byKey(f));
  });
});
