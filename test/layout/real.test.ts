// Layout facts checked by eye against the rendered pages (pdftoppm -r 60) of the real filings in
// /work/shared/real, one page per producer family. Skips when the folder is absent.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openPdf } from "../../parsers/pdf/loadPdf.ts";
import { layoutPage } from "../../parsers/layout/layoutPage.ts";
import type { PageLayout, RawCell, RawTable } from "../../parsers/layout/rawTable.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const realDir = process.env.BUDGETLENS_REAL_DIR ?? path.resolve(repoRoot, "../shared/real");
const haveReal = existsSync(realDir);

/** Lays out one page; `withoutRulings` drops the rulings so that the stream path must find the table. */
async function layoutOf(file: string, pageNumber: number, withoutRulings = false): Promise<{ layout: PageLayout; rotation: number }> {
  const pdf = await openPdf(new Uint8Array(await readFile(path.join(realDir, file))));
  try {
    const page = await pdf.readPage(pageNumber);
    return { layout: layoutPage(withoutRulings ? { ...page, rulings: [] } : page), rotation: page.rotation };
  } finally {
    await pdf.close();
  }
}

const cellAt = (t: RawTable, row: number, col: number): RawCell => {
  const c = t.cells.find((x) => x.row <= row && row < x.row + x.rowSpan && x.col <= col && col < x.col + x.colSpan);
  if (!c) throw new Error(`no cell at ${row},${col}`);
  return c;
};
/** Cell text with its lines joined (wrapped labels) and blanks removed, as downstream normalises it. */
const text = (t: RawTable, row: number, col: number): string => cellAt(t, row, col).lines.join("").replace(/\s+/g, "");
const shape = (t: RawTable) => [t.rowEdges.length - 1, t.colEdges.length - 1];
const span = (t: RawTable, row: number, col: number) => {
  const c = cellAt(t, row, col);
  return [c.row, c.col, c.rowSpan, c.colSpan];
};

describe.skipIf(!haveReal)("layout on real filings", () => {
  it("WPS 表格 (Shanghai 2026 budget p11): 收入预算总表 with 类/款/项 codes and merged headers", async () => {
    const { layout } = await layoutOf("shanghai-putuo-2026-dept_budget.pdf", 11);
    expect(layout.tables).toHaveLength(1);
    const t = layout.tables[0]!;
    expect(t.method).toBe("lattice");
    expect(shape(t)).toEqual([25, 9]);
    expect([text(t, 0, 0), span(t, 0, 0)]).toEqual(["项目", [0, 0, 1, 4]]);
    expect([text(t, 0, 4), span(t, 0, 4)]).toEqual(["收入预算", [0, 4, 1, 5]]);
    expect([text(t, 2, 0), text(t, 2, 1), text(t, 2, 2)]).toEqual(["类", "款", "项"]);
    expect([0, 1, 2, 3, 4, 5].map((c) => text(t, 5, c))).toEqual(["204", "06", "01", "行政运行", "16726725.44", "16726725.44"]);
    expect([text(t, 24, 0), span(t, 24, 0), text(t, 24, 4)]).toEqual(["合计", [24, 0, 1, 4], "96282213.44"]);
    expect(layout.outsideLines.map((l) => l.text)).toContain("2026年部门收入预算总表");
  });

  it("Excel 2007 (上海市财政局 p8): amounts with thousands separators beside their codes", async () => {
    const { layout } = await layoutOf("上海市财政局25年预算.pdf", 8);
    const t = layout.tables[0]!;
    expect(layout.tables).toHaveLength(1);
    expect(shape(t)).toEqual([17, 9]);
    expect([0, 1, 2, 4, 5].map((c) => text(t, 6, c))).toEqual(["201", "06", "02", "28,544,130", "28,544,130"]);
    expect(text(t, 6, 3)).toMatch(/^一般行政管理事务/);
    expect(text(t, 16, 3)).toBe("死亡抚恤");
    expect(span(t, 1, 4)).toEqual([1, 4, 2, 1]); // 合计 spans two header rows
  });

  it("Excel 2010 (江苏省政协 2019 p2): row-spanning category labels", async () => {
    const { layout } = await layoutOf("江苏省政协办公厅2019年预算公开表.pdf", 2);
    const t = layout.tables[0]!;
    expect(shape(t)).toEqual([13, 3]);
    expect([text(t, 1, 0), span(t, 1, 0), text(t, 1, 2)]).toEqual(["收入总计", [1, 0, 1, 2], "13,377.11"]);
    expect([text(t, 2, 0), span(t, 2, 0)]).toEqual(["一般公共预算资金", [2, 0, 3, 1]]);
    expect(text(t, 3, 1)).toBe("公共财政拨款(补助)资金");
    expect([text(t, 7, 0), span(t, 7, 0), text(t, 10, 1), text(t, 10, 2)]).toEqual(["其他资金", [7, 0, 4, 1], "其他收入", "80.00"]);
    expect(layout.outsideLines.map((l) => l.text)).toEqual(["公开02表", "收入预算总表", expect.stringMatching(/^部门:江苏省政协办公厅\s+单位:万元$/)]);
  });

  it("Word 2007 fragments (省法院 2018 p11): three tables, the first continued from the previous page", async () => {
    const { layout } = await layoutOf("省法院2018年度部门预算公开.pdf", 11);
    expect(layout.tables.map(shape)).toEqual([
      [6, 4],
      [19, 3],
      [7, 3],
    ]);
    const [first, second] = layout.tables as [RawTable, RawTable];
    // no rule above the first row on this page: the table is closed anyway
    expect([text(first, 0, 0), span(first, 0, 0), text(first, 0, 2), span(first, 0, 2)]).toEqual(["项目名称", [0, 0, 2, 1], "支出用途", [0, 2, 1, 2]]);
    expect([text(first, 5, 0), text(first, 5, 1), text(first, 5, 3)]).toEqual(["收入合计", "33,172.15", "33,172.15"]);
    expect([text(second, 4, 0), text(second, 4, 1), text(second, 4, 2)]).toEqual(["2040501", "行政运行", "14,857.61"]);
    expect(layout.outsideLines.map((l) => l.text)).toContain("五、2018 年度江苏省高级人民法院财政拨款支出预算表");
  });

  it("Word 2007 (省法院 2018 p14): the 三公 table with a 3-level header", async () => {
    const { layout } = await layoutOf("省法院2018年度部门预算公开.pdf", 14);
    expect(layout.tables.map(shape)).toEqual([
      [9, 3],
      [4, 9],
      [2, 3],
      [15, 3],
    ]);
    const [cont, sangong] = layout.tables as [RawTable, RawTable];
    expect([text(cont, 0, 0), text(cont, 0, 2)]).toEqual(["30231", "266.80"]);
    expect(span(sangong, 0, 0)).toEqual([0, 0, 3, 1]);
    expect([text(sangong, 0, 1), span(sangong, 0, 1)]).toEqual(["“三公”经费", [0, 1, 1, 6]]);
    expect([text(sangong, 1, 3), span(sangong, 1, 3)]).toEqual(["公务用车购置及运行维护费", [1, 3, 1, 3]]);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((c) => text(sangong, 3, c))).toEqual(["2,558.26", "620.75", "170.00", "266.80", "", "266.80", "183.95", "271.26", "1,666.25"]);
  });

  it("Word 2010 (规划和自然资源局 决算 p17): 12 columns of 预算数/决算数 under 2-row headers", async () => {
    const { layout } = await layoutOf("上海市普陀区规划和自然资源局_2024_年度部门决算.pdf", 17);
    const t = layout.tables[0]!;
    expect(shape(t)).toEqual([5, 12]);
    expect(Array.from({ length: 12 }, (_, c) => text(t, 3, c))).toEqual(Array.from({ length: 6 }, () => ["预算数", "决算数"]).flat());
    expect([text(t, 4, 0), text(t, 4, 1), text(t, 4, 10), text(t, 4, 11)]).toEqual(["2.85", "0.39", "2.85", "0.39"]);
    expect(span(t, 1, 0)).toEqual([1, 0, 2, 2]);
  });

  it("Acrobat Distiller, /Rotate 90 (江苏省委办公厅 2019 p1): the two-sided 收支预算总表", async () => {
    const { layout, rotation } = await layoutOf("江苏省委办公厅2019年度部门预算公开表格.pdf", 1);
    expect(rotation).toBe(90);
    expect(layout.width).toBeGreaterThan(layout.height);
    const t = layout.tables[0]!;
    expect(shape(t)).toEqual([27, 6]);
    expect([text(t, 0, 0), span(t, 0, 0), text(t, 0, 2), span(t, 0, 2)]).toEqual(["收入", [0, 0, 1, 2], "支出", [0, 2, 1, 4]]);
    expect([text(t, 3, 0), text(t, 3, 1), text(t, 3, 3), text(t, 3, 4), text(t, 3, 5)]).toEqual(["一、财政拨款", "27,664.22", "22,395.50", "一、基本支出", "11,700.63"]);
    expect([text(t, 20, 2), text(t, 20, 3)]).toEqual(["十八、住房保障支出", "3,894.09"]);
    expect([text(t, 26, 0), text(t, 26, 1), text(t, 26, 2), span(t, 26, 2), text(t, 26, 5)]).toEqual(["收入合计", "27,664.22", "支出合计", [26, 2, 1, 3], "27,664.22"]);
  });

  it("WPS 文字 (社会工作部 决算 p13): two side-by-side code/name/amount blocks with wrapped names", async () => {
    const { layout } = await layoutOf("中共上海市普陀区委社会工作部_2024_年度部门决算.pdf", 13);
    const t = layout.tables[0]!;
    expect(shape(t)).toEqual([40, 6]);
    expect([text(t, 7, 0), text(t, 7, 1), text(t, 7, 2), text(t, 7, 3), text(t, 7, 5)]).toEqual(["30108", "机关事业单位基本养老保险缴费", "6.18", "30206", "0.00"]);
    expect([text(t, 28, 0), text(t, 28, 3), text(t, 28, 5)]).toEqual(["", "30299", "0.20"]);
    expect([text(t, 39, 0), span(t, 39, 0), text(t, 39, 2), text(t, 39, 5)]).toEqual(["人员经费合计", [39, 0, 1, 2], "95.36", "10.23"]);
  });

  it("WPS Office 专业版 (江苏省人大 2017 p20): two tables on one page, letter-spaced header cells", async () => {
    const { layout } = await layoutOf("江苏省人大办公厅2017年度预算公开.pdf", 20);
    expect(layout.tables.map(shape)).toEqual([
      [4, 9],
      [3, 6],
    ]);
    const [sangong, caigou] = layout.tables as [RawTable, RawTable];
    expect([text(sangong, 0, 1), span(sangong, 0, 1)]).toEqual(["“三公”经费", [0, 1, 1, 6]]);
    expect([text(sangong, 3, 0), text(sangong, 3, 4), text(sangong, 3, 8)]).toEqual(["2,542.60", "0", "403.75"]);
    expect([text(caigou, 0, 3), text(caigou, 1, 0), text(caigou, 1, 5)]).toEqual(["采购物品名称", "合计", "2,247.85"]);
    expect(layout.outsideLines.map((l) => l.text)).toContain("2017 年政府采购预算表");
  });

  // None of the 12 filings has an unruled table, so the stream path is checked on ruled pages with
  // their rulings removed: it must rebuild the same rows from text alignment alone.
  it("stream, rulings removed (社会工作部 决算 p13): same 40×6 grid, centred amounts beside wrapped names", async () => {
    const { layout } = await layoutOf("中共上海市普陀区委社会工作部_2024_年度部门决算.pdf", 13, true);
    expect(layout.tables).toHaveLength(1);
    const t = layout.tables[0]!;
    expect(t.method).toBe("stream");
    expect(shape(t)).toEqual([40, 6]);
    expect([text(t, 7, 0), text(t, 7, 1), text(t, 7, 2), text(t, 7, 3), text(t, 7, 5)]).toEqual(["30108", "机关事业单位基本养老保险缴费", "6.18", "30206", "0.00"]);
    expect([text(t, 0, 0), text(t, 0, 2)]).toEqual(["经济分类科目编码", "决算数"]);
    expect(layout.outsideLines.map((l) => l.text)).toEqual(["一般公共预算财政拨款基本支出决算表", "单位:万元", expect.stringMatching(/^注:/)]);
  });

  it("stream, rulings removed (江苏省委办公厅 2017 p5, A3): 13×3 with tall rows, 部门/单位 line kept outside", async () => {
    const { layout } = await layoutOf("江苏省委办公厅2017年预算公开表格.pdf", 5, true);
    expect(layout.tables.map((t) => [t.method, ...shape(t)])).toEqual([["stream", 13, 3]]);
    const t = layout.tables[0]!;
    expect([text(t, 0, 0), text(t, 0, 1), text(t, 0, 2)]).toEqual(["功能科目代码", "功能科目名称", "金额"]);
    expect([text(t, 1, 0), text(t, 1, 1), text(t, 1, 2)]).toEqual(["", "合计", "20,702.25"]);
    expect([text(t, 8, 0), text(t, 8, 1), text(t, 8, 2)]).toEqual(["2080504", "未归口管理的行政单位离退休", "2,000.39"]);
    expect(layout.outsideLines.map((l) => l.text)).toContain("部门:中国共产党江苏省委员会办公厅 单位:万元");
  });

  it("stream finds no table on prose or table-of-contents pages", async () => {
    for (const [file, pageNumber] of [
      ["上海市财政局25年预算.pdf", 2],
      ["省法院2018年度部门预算公开.pdf", 18],
      ["上海市普陀区规划和自然资源局_2024_年度部门决算.pdf", 20],
    ] as const) {
      const { layout } = await layoutOf(file, pageNumber);
      expect(layout.tables, `${file} p${pageNumber}`).toEqual([]);
      expect(layout.outsideLines.length).toBeGreaterThan(10);
    }
  });
});
