// Pure analyst helpers: header rebuild, printed rows, paging, exact 元 conversion, sheet names.
import { describe, expect, it } from "vitest";
import { headerGrid, printedRow } from "../../web/js/headerGrid.js";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { requestFromEvent } from "../../functions/query/handler.ts";
import { decodeCursor, encodeCursor, InvalidCursorError, queryBinding } from "../../functions/shared/pageCursor.ts";
import { percentChange, toYuan } from "../../analyst/money.ts";
import { sheetName, toCsv } from "../../analyst/exporters.ts";
import { displayWidth, renderTable } from "../../analyst/textTable.ts";
import type { Row } from "../../parsers/model.ts";

describe("headerGrid", () => {
  it("merges a spanning parent across its children and a short leaf down to the last header row", () => {
    const g = headerGrid([
      { index: 0, path: ["项目"] },
      { index: 1, path: ["本年收入", "合计"] },
      { index: 2, path: ["本年收入", "财政拨款", "小计"] },
      { index: 3, path: ["本年收入", "财政拨款", "一般公共预算"] },
      { index: 4, path: ["上年结转"] },
    ]);
    expect(g.depth).toBe(3);
    const at = (row: number, col: number) => g.cells.find((c) => c.row === row && c.col === col);
    expect(at(0, 0)).toMatchObject({ text: "项目", rowSpan: 3, colSpan: 1 });
    expect(at(0, 1)).toMatchObject({ text: "本年收入", rowSpan: 1, colSpan: 3 });
    expect(at(1, 1)).toMatchObject({ text: "合计", rowSpan: 2, colSpan: 1 });
    expect(at(1, 2)).toMatchObject({ text: "财政拨款", colSpan: 2 });
    expect(at(2, 3)).toMatchObject({ text: "一般公共预算", rowSpan: 1 });
    expect(at(0, 4)).toMatchObject({ text: "上年结转", rowSpan: 3 });
    // Every grid position covered exactly once.
    const covered = new Map<string, number>();
    for (const c of g.cells) for (let r = c.row; r < c.row + c.rowSpan; r++) for (let k = c.col; k < c.col + c.colSpan; k++) covered.set(`${r},${k}`, (covered.get(`${r},${k}`) ?? 0) + 1);
    expect(covered.size).toBe(3 * 5);
    expect([...covered.values()].every((n) => n === 1)).toBe(true);
  });

  it("keeps two adjacent leaves with the same text apart", () => {
    const g = headerGrid([{ index: 0, path: ["金额"] }, { index: 1, path: ["金额"] }]);
    expect(g.cells.map((c) => c.colSpan)).toEqual([1, 1]);
  });
});

describe("printedRow", () => {
  const columns = [
    { index: 0, path: ["类"], role: "code" as const },
    { index: 1, path: ["款"], role: "code" as const },
    { index: 2, path: ["科目名称"], role: "label" as const },
    { index: 3, path: ["合计"], role: "value" as const },
  ];
  it("puts the code's printed parts over the code columns and the label in the label column", () => {
    const row: Row = { index: 0, page: 1, label: ["工资福利支出"], code: { raw: "301 01", code: "30101", level: "款", scheme: "economic" }, isTotal: false, cells: [{ row: 0, column: 3, text: "1,057.99", value: "1057.99", page: 1, box: [1, 2, 3, 4] }] };
    expect(printedRow({ columns }, row).map((c) => c.text)).toEqual(["301", "01", "工资福利支出", "1,057.99"]);
  });
  it("does not repeat the code in the label column when the label path starts with it", () => {
    const row: Row = { index: 0, page: 1, label: ["301 01", "基本工资"], code: { raw: "301 01", code: "30101", level: "款", scheme: "economic" }, isTotal: false, cells: [] };
    expect(printedRow({ columns }, row).map((c) => c.text)).toEqual(["301", "01", "基本工资", ""]);
  });
  it("keeps a one-piece code whole when it does not split over the columns", () => {
    const row: Row = { index: 0, page: 1, label: ["x"], code: { raw: "2080505", code: "2080505", level: "项", scheme: "functional" }, isTotal: false, cells: [] };
    expect(printedRow({ columns }, row).map((c) => c.text)).toEqual(["2080505", "", "x", ""]);
  });
});

describe("page cursor", () => {
  const binding = queryBinding("flags", { severity: "error", year: 2025, limit: 10 });
  const state = { p: 1, k: { pk: "DOC#abc", sk: "FLAG#00001", gsi2pk: "SEV#error", gsi2sk: "2025#某局#abc#00001" } };
  it("round-trips its state for the query it was made for, whatever the page size", () => {
    const c = encodeCursor(state, binding);
    expect(c).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(decodeCursor(c, queryBinding("flags", { year: 2025, severity: "error", limit: 500 }))).toEqual(state);
    const planned = { p: 2, y: ["(unknown)", "2017", "2019"] };
    expect(decodeCursor(encodeCursor(planned, binding), binding)).toEqual(planned);
  });
  it("refuses a cursor of another query, an edited one and garbage", () => {
    const c = encodeCursor(state, binding);
    expect(() => decodeCursor(c, queryBinding("flags", { severity: "error", year: 2024 }))).toThrow(/different query/);
    expect(() => decodeCursor(c, queryBinding("amounts", { severity: "error", year: 2025 }))).toThrow(InvalidCursorError);
    const [v, payload, tag] = c.split(".");
    const edited = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), p: 0 })).toString("base64url");
    expect(() => decodeCursor(`${v}.${edited}.${tag}`, binding)).toThrow(/signature/);
    for (const bad of ["not-a-cursor", "zzz", "v1..", `${c}x`, c.slice(0, -3), Buffer.from("{}").toString("base64url")]) expect(() => decodeCursor(bad, binding)).toThrow(InvalidCursorError);
  });
});

describe("requestFromEvent (the one place a Lambda event is read)", () => {
  const ev = (rawPath: string, stage?: string, q?: Record<string, string>) => ({ rawPath, queryStringParameters: q, requestContext: { stage, http: { method: "GET" } } }) as unknown as APIGatewayProxyEventV2;
  it("reads Function URL and HTTP API events, dropping a named stage and the /api prefix", () => {
    expect(requestFromEvent(ev("/documents", "$default", { year: "2025" }))).toEqual({ method: "GET", path: "/documents", query: { year: "2025" } });
    expect(requestFromEvent(ev("/prod/flags", "prod")).path).toBe("/flags");
    expect(requestFromEvent(ev("/production/flags", "prod")).path).toBe("/production/flags");
    expect(requestFromEvent(ev("/api/documents/x/pdf")).path).toBe("/documents/x/pdf");
    expect(requestFromEvent(ev("/apis")).path).toBe("/apis");
    expect(requestFromEvent(ev("/documents")).query).toEqual({});
  });
});

describe("money", () => {
  it("converts 万元 to 元 exactly", () => {
    expect(toYuan("1057.99", "万元")).toBe("10579900.00");
    expect(toYuan("0.0001", "万元")).toBe("1.00");
    expect(toYuan("-3.5", "万元")).toBe("-35000.00");
    expect(toYuan("91016775.35", "元")).toBe("91016775.35");
    expect(toYuan("12.3", null)).toBe("12.3");
  });
  it("percent change rounds half away from zero", () => {
    expect(percentChange(110n, 100n)).toBe("10.00");
    expect(percentChange(1n, 3n)).toBe("-66.67");
    expect(percentChange(5n, 0n)).toBeUndefined();
  });
});

describe("export helpers", () => {
  it("makes unique Excel-safe sheet names", () => {
    const taken = new Set<string>();
    expect(sheetName("表1", taken)).toBe("表1");
    expect(sheetName("表1", taken)).toBe("表1~2");
    expect(sheetName("a/b:c*d?[e]", taken)).toBe("a_b_c_d__e_");
    expect(sheetName("x".repeat(40), taken).length).toBe(31);
  });
  it("quotes CSV fields with commas, quotes and newlines", () => {
    const csv = toCsv([{ a: '1,057.99', b: 'say "hi"', c: "x\ny" }], ["a", "b", "c"]);
    expect(csv).toBe('\uFEFFa,b,c\r\n"1,057.99","say ""hi""","x\ny"\r\n');
  });
  it("aligns Han text by display width", () => {
    expect(displayWidth("合计ab")).toBe(6);
    const t = renderTable([{ header: "名称" }, { header: "n", align: "right" }], [["合计", 1], ["abc", 22]]);
    expect(t.split("\n")[2]).toBe("合计   1");
  });
});
