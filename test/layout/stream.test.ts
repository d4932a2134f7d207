import { describe, expect, it } from "vitest";
import { layoutPage } from "../../parsers/layout/layoutPage.ts";
import { splitRunAtWideSpaces } from "../../parsers/layout/stream.ts";
import type { RawTable } from "../../parsers/layout/rawTable.ts";
import type { Ruling, TextRun } from "../../parsers/pdf/pageModel.ts";
import { charWeight } from "../../parsers/layout/assignText.ts";
import { page, run } from "./synthetic.ts";

const rowTexts = (t: RawTable): string[][] => {
  const nCols = t.colEdges.length - 1;
  return Array.from({ length: t.rowEdges.length - 1 }, (_, r) =>
    Array.from({ length: nCols }, (_, c) => t.cells.find((x) => x.row === r && x.col === c)?.lines.join("/") ?? "?"),
  );
};

/** A right-aligned run ending at x1. */
const right = (text: string, x1: number, y0: number): TextRun => {
  const w = [...text].reduce((s, c) => s + charWeight(c), 0) * 10;
  return run(text, x1 - w, y0);
};

/** An unruled budget table: label column at x=50, amounts right-aligned at 250/330/410, 16pt line pitch. */
function unruledTable(rows: [string, string, string, string][], y0: number, indent: number[] = []): TextRun[] {
  return rows.flatMap(([label, a, b, c], i) => {
    const y = y0 + i * 16;
    const out: TextRun[] = [];
    if (label) out.push(run(label, 50 + (indent[i] ?? 0) * 10, y));
    if (a) out.push(right(a, 250, y));
    if (b) out.push(right(b, 330, y));
    if (c) out.push(right(c, 410, y));
    return out;
  });
}

describe("stream (unruled tables)", () => {
  it("finds columns from whitespace and merges a wrapped label continuing the previous row", () => {
    const runs = [
      run("部门收支总体情况表", 150, 60),
      run("编制部门：某某局", 50, 80),
      run("单位：万元", 360, 80),
      ...unruledTable(
        [
          ["项目", "合计", "基本支出", "项目支出"],
          ["一般公共服务支出", "100.00", "60.00", "40.00"],
          ["人大事务", "50.00", "30.00", "20.00"],
          ["其他一般公共服务支出（项", "5.00", "", "5.00"],
          ["目）", "", "", ""],
          ["合计", "1,105.00", "90.00", "65.00"],
        ],
        100,
        [0, 0, 1, 0, 0, 0],
      ),
      run("注：本表按功能分类科目列示，数据均为预算数，单位为万元，下同。说明文字一行较长。", 50, 210),
    ];
    const layout = layoutPage(page(runs, []));
    expect(layout.tables).toHaveLength(1);
    const t = layout.tables[0]!;
    expect(t.method).toBe("stream");
    expect(rowTexts(t)).toEqual([
      ["项目", "合计", "基本支出", "项目支出"],
      ["一般公共服务支出", "100.00", "60.00", "40.00"],
      ["人大事务", "50.00", "30.00", "20.00"],
      ["其他一般公共服务支出（项/目）", "5.00", "", "5.00"],
      ["合计", "1,105.00", "90.00", "65.00"],
    ]);
    expect(layout.outsideLines.map((l) => l.text)).toEqual([
      "部门收支总体情况表",
      "编制部门：某某局 单位：万元",
      "注：本表按功能分类科目列示，数据均为预算数，单位为万元，下同。说明文字一行较长。",
    ]);
  });

  it("joins a label whose first line stands alone to the amounts on its second line", () => {
    const runs = unruledTable(
      [
        ["项目", "合计", "基本支出", "项目支出"],
        ["教育支出", "20.00", "", "20.00"],
        ["其他一般公共服务支出（项", "", "", ""],
        ["目）", "5.00", "", "5.00"],
        ["合计", "25.00", "", "25.00"],
      ],
      100,
    );
    const t = layoutPage(page(runs, [])).tables[0]!;
    expect(rowTexts(t).map((r) => r[0])).toEqual(["项目", "教育支出", "其他一般公共服务支出（项/目）", "合计"]);
    expect(rowTexts(t)[2]).toEqual(["其他一般公共服务支出（项/目）", "5.00", "", "5.00"]);
  });

  it("uses horizontal rules as row bands when a table has only horizontal ruling", () => {
    // A vertically centred amount beside a 3-line label: the rules decide the row, not the lines.
    const runs = [
      ...unruledTable([["项目", "合计", "基本支出", "项目支出"]], 102),
      run("一般公共", 50, 122),
      run("服务支出", 50, 138),
      run("（含人大）", 50, 154),
      right("100.00", 250, 138),
      right("60.00", 330, 138),
      right("40.00", 410, 138),
      ...unruledTable([["合计", "100.00", "60.00", "40.00"]], 174),
    ];
    const rules: Ruling[] = [100, 118, 170, 190].map((y) => ({ orientation: "h", at: y, from: 45, to: 415 }));
    const layout = layoutPage(page(runs, rules));
    expect(layout.tables).toHaveLength(1);
    const t = layout.tables[0]!;
    expect(t.method).toBe("stream");
    expect(rowTexts(t)).toEqual([
      ["项目", "合计", "基本支出", "项目支出"],
      ["一般公共/服务支出/（含人大）", "100.00", "60.00", "40.00"],
      ["合计", "100.00", "60.00", "40.00"],
    ]);
  });

  it("leaves prose and letter-spaced narrative alone", () => {
    const prose = [0, 1, 2, 3, 4].map((i) => run("二〇二五年部门收入预算总额为一千零五十七万元，比上年减少零点四二万元，主要原因是人员变动。", 50, 100 + i * 16));
    const spaced = [..."项目支出4,968.34万元"].map((ch, i) => run(ch, 50 + i * 14, 200));
    const layout = layoutPage(page([...prose, ...spaced], []));
    expect(layout.tables).toEqual([]);
    expect(layout.outsideLines).toHaveLength(6);
  });

  it("cuts a run at wide blanks only", () => {
    const r = run("1,057.99      23.00", 100, 100);
    expect(splitRunAtWideSpaces(r, 15).map((p) => p.text)).toEqual(["1,057.99", "23.00"]);
    expect(splitRunAtWideSpaces(run("合 计", 100, 100), 15).map((p) => p.text)).toEqual(["合 计"]);
  });

  it("keeps a vertically centred code and amount in the row of the wrapped label around them", () => {
    // 14pt row pitch; the 2-line label straddles the line with the code and amount (lines overlap in height).
    const runs = [
      run("科目编码", 50, 100),
      run("科目名称", 130, 100),
      right("决算数", 300, 100),
      run("30107", 50, 114),
      run("绩效工资", 130, 114),
      right("10.16", 300, 114),
      run("机关事业单位基本", 130, 126),
      run("30108", 50, 132),
      right("6.18", 300, 132),
      run("养老保险缴费", 130, 138),
      run("30109", 50, 152),
      run("职业年金缴费", 130, 152),
      right("4.64", 300, 152),
    ];
    const t = layoutPage(page(runs, [])).tables[0]!;
    expect(rowTexts(t)).toEqual([
      ["科目编码", "科目名称", "决算数"],
      ["30107", "绩效工资", "10.16"],
      ["30108", "机关事业单位基本/养老保险缴费", "6.18"],
      ["30109", "职业年金缴费", "4.64"],
    ]);
  });

  it("separates a 项 code from its name at a gap narrower than a column gap", () => {
    const runs = [0, 1, 2].flatMap((i) => [run("201", 50, 100 + 16 * i), run("06", 84, 100 + 16 * i), run(`0${i + 1}`, 116, 100 + 16 * i), run("行政运行", 133, 100 + 16 * i), right("84,861,719", 440, 100 + 16 * i)]);
    const t = layoutPage(page(runs, [])).tables[0]!;
    expect(rowTexts(t)[1]).toEqual(["201", "06", "02", "行政运行", "84,861,719"]);
  });
});
