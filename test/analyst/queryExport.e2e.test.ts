// Query and export on real ingested data: fixture PDFs go through the embedded stack (s3rver →
// queue → the real ingest handler → dynalite); the analyst API, the exporters and the bulk-ingest
// bookkeeping are then checked against the stored document models.
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import { openBackend, type Backend } from "../../analyst/backend.ts";
import { bulkIngest, CompletionHub, type BulkIngestResult } from "../../analyst/bulkIngest.ts";
import { AnalystApi } from "../../analyst/api.ts";
import { collect, toCsv, toJsonl, toXlsx, CELL_COLUMNS, FLAG_COLUMNS, type ExportDocument } from "../../analyst/exporters.ts";
import { summaryTable } from "../../cli/ingestCommand.ts";
import { loadForExport } from "../../cli/exportCommand.ts";
import { getAll, openClient } from "../../analyst/client.ts";
import { startServer } from "../../analyst/server.ts";
import { createAnalystHandler } from "../../analyst/lambdaHandler.ts";
import { S3Client } from "@aws-sdk/client-s3";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { DisclosureDocument } from "../../parsers/model.ts";
import type { Flag } from "../../reconcile/flag.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const NAMES = ["health-2024.pdf", "health-2025.pdf", "err-total-off.pdf"];
// Snapshot the fixtures first: the generator may rewrite fixtures/pdf while the test runs.
const SNAP = mkdtempSync(join(tmpdir(), "bl-analyst-"));
const FILES = NAMES.map((f) => {
  copyFileSync(join(repoRoot, "fixtures/pdf", f), join(SNAP, f));
  return join(SNAP, f);
});
const HEALTH = "乌鲁木齐市沙依巴克区卫生健康委员会";

/** Minimal RFC 4180 reader (the exporter's own output back into rows). */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const s = text.replace(/^\uFEFF/, "");
  const endField = (): void => {
    row.push(field);
    field = "";
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") endField();
    else if (ch === "\n") {
      endField();
      rows.push(row);
      row = [];
    } else if (ch !== "\r") field += ch;
  }
  return rows;
}

describe("analyst API and exports over ingested fixtures", () => {
  let backend: Backend;
  let api: AnalystApi;
  let first: BulkIngestResult;
  const hub = new CompletionHub();
  const get = async (path: string, q: Record<string, string> = {}) => api.handle("GET", path, q);
  const body = async <T>(path: string, q: Record<string, string> = {}): Promise<T> => {
    const r = await get(path, q);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as T;
  };

  beforeAll(async () => {
    backend = await openBackend({ mode: "embedded", dataDir: null, concurrency: 4, onOutcome: (o) => hub.notify(o.docId) });
    first = await bulkIngest(backend, FILES, hub, { concurrency: 4, pollMs: 200 });
    api = new AnalystApi(backend.store);
  }, 240_000);
  afterAll(async () => backend?.close());

  it("bulk ingest stores every file and a re-run skips the same bytes without uploading", async () => {
    expect(first.results.map((r) => r.status)).toEqual(["COMMITTED", "COMMITTED", "COMMITTED"]);
    expect(first.processed).toBe(3);
    for (const r of first.results) {
      const meta = await backend.store.getMeta(r.docId);
      expect(r.tables).toBe(meta!.counts!.tables);
      expect(r.errors).toBe(meta!.flagCounts!.error);
    }
    let uploads = 0;
    const counting = { ...backend, upload: async (n: string, b: Uint8Array) => (uploads++, backend.upload(n, b)) };
    const again = await bulkIngest(counting, FILES, hub, { concurrency: 4, pollMs: 200 });
    expect(uploads).toBe(0);
    expect(again.results.map((r) => r.status)).toEqual(["SKIPPED", "SKIPPED", "SKIPPED"]);
    expect(again.results.map((r) => r.storedStatus)).toEqual(["COMMITTED", "COMMITTED", "COMMITTED"]);
    const table = summaryTable(first.results);
    expect(table.split("\n")[0]).toMatch(/department\s+year\s+kind\s+tables\s+cells\s+errors\s+warnings\s+status/);
    expect(table).toContain(HEALTH);
  });

  it("lists documents by department, year and kind, paginated in a stable order, with clear validation errors", async () => {
    const all = await body<{ items: { docId: string; docType: string; department: string }[]; total: number }>("/documents");
    expect(all.total).toBe(3);
    expect((await body<{ total: number }>("/documents", { kind: "决算" })).total).toBe(0);
    expect((await body<{ total: number }>("/documents", { kind: "预算" })).total).toBe(3);
    const health = await body<{ items: { year: number }[] }>("/documents", { department: HEALTH });
    expect(health.items.map((d) => d.year).sort()).toEqual([2024, 2025]);
    expect((await body<{ items: unknown[] }>("/documents", { department: HEALTH, year: "2025" })).items).toHaveLength(1);

    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const p = await body<{ items: { docId: string }[]; nextCursor?: string }>("/documents", { limit: "1", ...(cursor ? { cursor } : {}) });
      walked.push(...p.items.map((d) => d.docId));
      cursor = p.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all.items.map((d) => d.docId));

    const bad: Record<string, string>[] = [{ limit: "0" }, { limit: "abc" }, { kind: "季报" }, { cursor: "zzz" }, { year: "20x5" }, { bogus: "1" }];
    for (const q of bad) {
      const r = await get("/documents", q);
      expect(r.status, JSON.stringify(q)).toBe(400);
      expect((r.body as { error: string }).error).toBe("invalid request");
    }
    expect((await get("/documents/abc/tables")).status).toBe(400);
    expect((await get(`/documents/${"0".repeat(64)}/model`)).status).toBe(404);
  });

  it("serves a document's tables, rows and cells as stored", async () => {
    const id = first.results[0]!.docId;
    const tables = await body<{ items: { id: string; rowCount: number }[] }>(`/documents/${id}/tables`);
    const { model } = await body<{ model: DisclosureDocument }>(`/documents/${id}/model`);
    expect(tables.items.map((t) => t.id)).toEqual(model.tables.map((t) => t.id));
    const t = model.tables[0]!;
    const rows = await body<{ rows: DisclosureDocument["tables"][0]["rows"] }>(`/documents/${id}/tables/${t.id}/rows`);
    expect(rows.rows).toEqual(t.rows);
  });

  it("finds flags across departments by severity, rule and year", async () => {
    const all = await body<{ items: (Flag & { docId: string; year: number })[]; total: number }>("/flags", { limit: "1000" });
    const expected = (await Promise.all(first.results.map(async (r) => (await backend.store.getMeta(r.docId))!.counts!.flags))).reduce((a, b) => a + b, 0);
    expect(all.total).toBe(expected);
    const sevs = all.items.map((f) => f.severity);
    expect(sevs).toEqual([...sevs].sort((a, b) => ["error", "warning", "info"].indexOf(a) - ["error", "warning", "info"].indexOf(b)));
    const errTotal = first.results.find((r) => r.file.endsWith("err-total-off.pdf"))!;
    const sums = await body<{ items: (Flag & { docId: string })[] }>("/flags", { severity: "error", rule: "sum" });
    expect(sums.items.length).toBeGreaterThan(0);
    expect(sums.items.every((f) => f.rule.startsWith("sum.") && f.severity === "error")).toBe(true);
    expect(sums.items.some((f) => f.docId === errTotal.docId)).toBe(true);
    const y2024 = await body<{ items: { year: number }[] }>("/flags", { year: "2024" });
    expect(y2024.items.every((f) => f.year === 2024)).toBe(true);
    expect((await get("/flags", { severity: "fatal" })).status).toBe(400);
  });

  it("finds one classification code across departments and years, with the printed amounts", async () => {
    const res = await body<{ items: { docId: string; department: string; year: number; table: string; page: number; values: { column: number; value: string }[] }[] }>("/amounts", { code: "2080505" });
    const depts = new Set(res.items.map((r) => `${r.department} ${r.year}`));
    expect(depts.has(`${HEALTH} 2024`) && depts.has(`${HEALTH} 2025`)).toBe(true);
    // Every amount served is a cell of the stored model on that row.
    for (const a of res.items.slice(0, 20)) {
      const { model } = (await api.model(a.docId))!;
      const cells = model.tables.filter((t) => t.number === a.table).flatMap((t) => t.rows.flatMap((r) => r.cells));
      for (const v of a.values) expect(cells.some((c) => c.column === v.column && c.value === v.value && c.page === a.page)).toBe(true);
    }
    expect((await get("/amounts", { code: "20805055" })).status).toBe(400);
  });

  it("puts a department's rows side by side year over year, with exact changes in 元", async () => {
    const yoy = await body<{ years: number[]; tables: { kind: string; rows: { code?: string; values: Record<string, Record<string, { value: string; yuan: string }>>; changes: Record<string, { yuan: string }[]> }[] }[] }>(`/departments/${encodeURIComponent(HEALTH)}/years`);
    expect(yoy.years).toEqual([2024, 2025]);
    const t = yoy.tables.find((x) => x.kind === "expenditure_summary")!;
    const row = t.rows.find((r) => r.code === "2080505")!;
    const [path, byYear] = Object.entries(row.values)[0]!;
    // Recompute the change from the two stored models' own cells.
    const cellOf = async (year: number): Promise<string> => {
      const d = first.results.find((r) => r.year === year && r.department === HEALTH)!;
      const { model } = (await api.model(d.docId))!;
      const table = model.tables.find((x) => x.kind === "expenditure_summary")!;
      const r = table.rows.find((x) => x.code?.code === "2080505")!;
      const col = table.columns.find((c) => c.path.join(" / ").replace(/\s+/g, "") === path.replace(/\s+/g, "")) ?? table.columns.find((c) => c.role === "value")!;
      return r.cells.find((c) => c.column === col.index)!.value!;
    };
    const [v24, v25] = [await cellOf(2024), await cellOf(2025)];
    expect(byYear["2024"]!.value).toBe(v24);
    expect(byYear["2025"]!.value).toBe(v25);
    const cents = (s: string) => BigInt(Math.round(Number(s) * 100));
    expect(cents(row.changes[path]![0]!.yuan)).toBe(cents(v25) - cents(v24));
    const head = await body<{ items: { year: number; inService?: number; computed: { inService?: number } }[] }>(`/departments/${encodeURIComponent(HEALTH)}/headcount`);
    expect(head.items.map((h) => h.year)).toEqual([2024, 2025]);
    const [h24, h25] = head.items;
    expect(h24!.inService).toBeGreaterThan(0);
    expect(h25!.inService).toBeGreaterThan(0);
    expect(h25!.computed.inService).toBe(h25!.inService! - h24!.inService!);
    expect((await get(`/departments/${encodeURIComponent(HEALTH)}/years`, { kind: "决算" })).status).toBe(404);
  });

  it("exports tidy cells and flags as CSV, JSON Lines and XLSX (printed tables with merged headers)", async () => {
    const docs: ExportDocument[] = [];
    for (const r of first.results) {
      const m = (await api.model(r.docId))!;
      docs.push({ docId: r.docId, model: m.model, flags: m.flags });
    }
    const { cells, flags } = collect(docs);
    const valueCells = docs.reduce((n, d) => n + d.model.tables.reduce((m, t) => m + t.rows.reduce((k, r) => k + r.cells.filter((c) => t.columns.find((x) => x.index === c.column)?.role !== "label" && t.columns.find((x) => x.index === c.column)?.role !== "code").length, 0), 0), 0);
    expect(cells.length).toBe(valueCells);
    expect(flags.length).toBe(docs.reduce((n, d) => n + d.flags.length, 0));

    const csv = readCsv(toCsv(cells, CELL_COLUMNS));
    expect(csv[0]).toEqual([...CELL_COLUMNS]);
    expect(csv.length - 1).toBe(cells.length);
    const col = (name: string) => CELL_COLUMNS.indexOf(name as (typeof CELL_COLUMNS)[number]);
    // A 万元 cell: amount in 元 is the printed value × 10000, exactly.
    const wan = csv.slice(1).find((r) => r[col("unit")] === "万元" && r[col("value")] !== "" && r[col("value")]!.includes("."))!;
    expect(wan).toBeDefined();
    const [i, f = ""] = wan[col("value")]!.split(".");
    expect(wan[col("amountYuan")]).toBe(`${BigInt(i + f.padEnd(4, "0").slice(0, 4))}.${f.padEnd(4, "0").slice(4).padEnd(2, "0")}`.replace(/^(-?)0+(\d)/, "$1$2"));
    expect(Number(wan[col("page")])).toBeGreaterThan(0);
    expect(wan[col("department")]).not.toBe("");
    expect(wan[col("column")]).not.toBe("");
    const fcsv = readCsv(toCsv(flags, FLAG_COLUMNS));
    expect(fcsv.length - 1).toBe(flags.length);

    const jsonl = toJsonl(cells).trim().split("\n").map((l) => JSON.parse(l) as { amountYuan: string });
    expect(jsonl).toHaveLength(cells.length);

    const wb = new ExcelJS.Workbook();
    const one = docs.find((d) => d.docId === first.results.find((r) => r.file.endsWith("err-total-off.pdf"))!.docId)!;
    await wb.xlsx.load(Buffer.from(await toXlsx([one])) as never);
    const names = wb.worksheets.map((w) => w.name);
    expect(names.slice(0, 2)).toEqual(["cells", "flags"]);
    expect(names).toContain("表1");
    expect(wb.getWorksheet("flags")!.rowCount - 1).toBe(one.flags.length);
    const t2 = one.model.tables.find((t) => t.number === "表2")!;
    const ws = wb.getWorksheet("表2")!;
    const merges = (ws.model as unknown as { merges: string[] }).merges;
    expect(merges.length).toBeGreaterThan(0); // the printed multi-level header stays merged
    // The first data row's first amount is where the printed table has it.
    const depth = Math.max(...t2.columns.map((c) => c.path.length));
    const firstRow = t2.rows[0]!;
    const cell = firstRow.cells.find((c) => c.value !== null)!;
    const colPos = t2.columns.findIndex((c) => c.index === cell.column);
    expect(ws.getCell(3 + depth, colPos + 1).value).toBe(Number(cell.value));
  });

  it("answers the same API as a Lambda, and hands out a document's PDF as a presigned URL", async () => {
    const handler = createAnalystHandler({ api, s3: new S3Client({ forcePathStyle: true }) });
    const event = (rawPath: string, q: Record<string, string> = {}) =>
      ({ rawPath, queryStringParameters: q, requestContext: { http: { method: "GET" } } }) as unknown as APIGatewayProxyEventV2;
    const docs = await handler(event("/api/documents", { kind: "预算" }));
    expect(docs.statusCode).toBe(200);
    expect((JSON.parse(String(docs.body)) as { total: number }).total).toBe(3);
    expect((await handler(event("/documents", { limit: "-1" }))).statusCode).toBe(400);
    const pdf = await handler(event(`/api/documents/${first.results[0]!.docId}/pdf`));
    expect(pdf.statusCode).toBe(302);
    const url = String(pdf.headers?.location);
    expect(url).toContain("X-Amz-Signature=");
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    expect(bytes.length).toBe((await backend.store.getMeta(first.results[0]!.docId))!.bytes);
  });

  it("the CLI's HTTP client (--api) pages through a running server and loads documents for export", async () => {
    const server = await startServer({ api, pdf: (b, k) => backend.pdf(b, k) });
    const client = await openClient({ apiUrl: `${server.url}/api` });
    try {
      const flags = await getAll<{ rule: string }>(client, "/flags", { severity: "error" });
      const direct = (await body<{ total: number }>("/flags", { severity: "error" })).total;
      expect(flags).toHaveLength(direct);
      const docs = await loadForExport(client, { department: HEALTH, kind: "预算" });
      expect(docs.map((d) => d.model.meta.year).sort()).toEqual([2024, 2025]);
      expect(docs.every((d) => d.model.tables.length > 0)).toBe(true);
      const bad = await client.get("/documents", { limit: "5000" });
      expect(bad.status).toBe(400);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
