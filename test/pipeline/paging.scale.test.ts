// Paging at district scale: 240 synthetic filings (120 departments × 2 years, 40 re-filed later so
// their first filing is superseded) on dynalite. A page reads about what it serves, whatever the
// partition's size, where the old query read the whole partition for every page (measured:
// test-output/paging-scale.json); walking every page still gives the whole answer.
import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { committedRecord, documentBodyItems, type AmountItem, type BodyItem, type DocumentRecord } from "../../functions/shared/documentItems.ts";
import { DocumentStore } from "../../functions/shared/documentStore.ts";
import * as K from "../../functions/shared/keys.ts";
import { type Paged } from "../../functions/query/queryService.ts";
import { QueryApi } from "../../functions/query/routes.ts";
import { startDynaliteBackend, type Backend } from "./backends.ts";
import { synthBytes, synthCheck, synthParse } from "./syntheticDocument.ts";

const DEPARTMENTS = 120;
const REFILED = 40;

describe("paging at district scale (dynalite)", () => {
  let be: Backend;
  let store: DocumentStore;
  let api: QueryApi;
  const records: DocumentRecord[] = [];
  const bodies: BodyItem[] = [];
  const superseded = new Set<string>();
  const measured: Record<string, unknown>[] = [];

  beforeAll(async () => {
    be = await startDynaliteBackend();
    await be.createTable("scale");
    store = new DocumentStore({ tableName: "scale", client: be.doc, retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 100 } });
    let clock = Date.parse("2026-02-01T00:00:00Z");
    const write = async (dept: string, year: number, variant: string, errors: number) => {
      const doc = await synthParse(synthBytes(dept, year, variant, errors), { fileName: `${dept}-${year}-${variant}.pdf` });
      const flags = synthCheck(doc);
      const body = documentBodyItems(doc, flags);
      await store.putItems(body);
      const at = new Date((clock += 1000)).toISOString();
      const record = committedRecord(doc, flags, { bucket: "b", key: `incoming/${dept}-${year}-${variant}.pdf`, eventTime: at }, at, body);
      await store.commit(record);
      const s = await store.applySeries(record);
      if (s.superseded) superseded.add(s.superseded);
      records.push(record);
      bodies.push(...body);
    };
    const jobs: (() => Promise<void>)[] = [];
    for (let d = 0; d < DEPARTMENTS; d++) for (const year of [2024, 2025]) jobs.push(() => write(`第${String(d).padStart(3, "0")}局`, year, "a", (d + year) % 3));
    for (let d = 0; d < REFILED; d++) jobs.push(() => write(`第${String(d * 3).padStart(3, "0")}局`, 2025, "b", 1));
    // Re-filings last (later uploads); the rest four at a time.
    const first = jobs.slice(0, DEPARTMENTS * 2);
    for (let i = 0; i < first.length; i += 4) await Promise.all(first.slice(i, i + 4).map((j) => j()));
    for (const j of jobs.slice(DEPARTMENTS * 2)) await j();
    api = new QueryApi(store);
  }, 600_000);
  afterAll(async () => {
    mkdirSync("test-output", { recursive: true });
    writeFileSync("test-output/paging-scale.json", JSON.stringify({ documents: records.length, superseded: superseded.size, items: bodies.length, measured }, null, 2));
    await be?.stop();
  });

  async function walk(path: string, q: Record<string, string>, limit: number): Promise<{ items: unknown[]; pages: Paged<unknown>[] }> {
    const items: unknown[] = [];
    const pages: Paged<unknown>[] = [];
    let cursor: string | undefined;
    do {
      const res = await api.handle("GET", path, { ...q, limit: String(limit), ...(cursor ? { cursor } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const p = res.body as Paged<unknown>;
      pages.push(p);
      items.push(...p.items);
      cursor = p.nextCursor;
    } while (cursor);
    return { items, pages };
  }

  const measure = async (label: string, path: string, q: Record<string, string>, limit: number, expected: number, oldRead: number) => {
    const { items, pages } = await walk(path, q, limit);
    expect(items).toHaveLength(expected);
    expect(new Set(items.map((x) => JSON.stringify(x))).size).toBe(expected);
    const reads = pages.map((p) => p.page.read);
    const max = Math.max(...reads);
    measured.push({ query: label, limit, items: items.length, pages: pages.length, readPerPage: { max, mean: Math.round(reads.reduce((a, b) => a + b, 0) / reads.length) }, oldReadPerPage: oldRead, oldReadAllPages: oldRead * pages.length, newReadAllPages: reads.reduce((a, b) => a + b, 0) });
    return { max, pages };
  };

  it("reads about a page per page where the old query read the whole partition", async () => {
    expect(records.length).toBe(DEPARTMENTS * 2 + REFILED);
    expect(superseded.size).toBe(REFILED);
    const served = (id: string) => !superseded.has(id);

    const code208 = (bodies.filter((i) => i.entity === "Amount") as AmountItem[]).filter((a) => a.gsi3pk === K.codeGsi3Pk("functional", "208"));
    const oldAmounts = (await store.queryIndex(K.GSI3, "gsi3pk", K.codeGsi3Pk("functional", "208"))).length;
    expect(oldAmounts).toBe(code208.length);
    const a = await measure("amounts code 208", "/amounts", { code: "208" }, 25, code208.filter((x) => served(x.docId)).length, oldAmounts);
    expect(a.max).toBeLessThanOrEqual(25 * 3);

    const errors = bodies.filter((i) => i.entity === "Flag" && (i as { severity: string }).severity === "error") as { docId: string }[];
    const oldErrors = (await store.queryIndex(K.GSI2, "gsi2pk", K.severityGsi2Pk("error"))).length;
    const e = await measure("flags severity=error", "/flags", { severity: "error" }, 50, errors.filter((x) => served(x.docId)).length, oldErrors);
    expect(e.max).toBeLessThanOrEqual(50 * 3);

    const all = bodies.filter((i) => i.entity === "Flag") as { docId: string }[];
    const oldAll = (await Promise.all(["error", "warning", "info"].map((s) => store.queryIndex(K.GSI2, "gsi2pk", K.severityGsi2Pk(s))))).reduce((n, x) => n + x.length, 0);
    const f = await measure("flags, every severity", "/flags", {}, 100, all.filter((x) => served(x.docId)).length, oldAll);
    expect(f.max).toBeLessThanOrEqual(100 * 3);
    expect(f.max * 3).toBeLessThan(oldAll);

    const oldDocs = (await store.queryIndex(K.GSI2, "gsi2pk", K.DOCS_GSI2_PK)).length;
    const d = await measure("documents", "/documents", {}, 20, records.length, oldDocs);
    expect(d.max).toBeLessThanOrEqual(20);
  }, 600_000);
});
