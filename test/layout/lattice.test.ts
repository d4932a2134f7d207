import { describe, expect, it } from "vitest";
import { layoutPage } from "../../parsers/layout/layoutPage.ts";
import { mergeEdges, rulingsToEdges } from "../../parsers/layout/edges.ts";
import { DEFAULT_LAYOUT_SETTINGS } from "../../parsers/layout/settings.ts";
import type { RawTable } from "../../parsers/layout/rawTable.ts";
import { centred, page, run, ruledGrid } from "./synthetic.ts";

const cellText = (t: RawTable, row: number, col: number): string | undefined =>
  t.cells.find((c) => c.row <= row && row < c.row + c.rowSpan && c.col <= col && col < c.col + c.colSpan)?.lines.join("/");

const slotBox = (xs: number[], ys: number[], r: number, c: number) => ({ x0: xs[c]!, x1: xs[c + 1]!, y0: ys[r]!, y1: ys[r + 1]! });

/** Asserts every grid slot is covered by exactly one cell. */
function expectTiled(t: RawTable): void {
  const nRows = t.rowEdges.length - 1;
  const nCols = t.colEdges.length - 1;
  const count = Array.from({ length: nRows }, () => new Array<number>(nCols).fill(0));
  for (const c of t.cells) for (let r = c.row; r < c.row + c.rowSpan; r++) for (let k = c.col; k < c.col + c.colSpan; k++) count[r]![k]!++;
  expect(count.flat().every((n) => n === 1)).toBe(true);
}

describe("lattice", () => {
  it("reads a 3×3 grid", () => {
    const xs = [50, 150, 250, 350];
    const ys = [100, 120, 140, 160];
    const texts = [
      ["项目", "预算数", "备注"],
      ["一、本年收入", "815.79", ""],
      ["合计", "1,057.99", "无"],
    ];
    const runs = texts.flatMap((row, r) => row.filter((t) => t).map((t) => centred(t, slotBox(xs, ys, r, row.indexOf(t)))));
    const layout = layoutPage(page(runs, ruledGrid(xs, ys)));
    expect(layout.tables).toHaveLength(1);
    const t = layout.tables[0]!;
    expect(t.method).toBe("lattice");
    expect(t.rowEdges).toEqual(ys);
    expect(t.colEdges).toEqual(xs);
    expect(t.cells).toHaveLength(9);
    expectTiled(t);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) expect(cellText(t, r, c)).toBe(texts[r]![c]);
    expect(layout.outsideLines).toEqual([]);
  });

  it("gives merged header cells their row and column spans", () => {
    // | 项目 (2 rows) | 支出 (3 cols)              |
    // |              | 合计 | 基本支出 | 项目支出 |
    // | 201          | 10   | 6        | 4        |
    const xs = [40, 140, 220, 300, 380];
    const ys = [100, 120, 140, 160];
    const merges = [
      { row: 0, col: 0, rowSpan: 2, colSpan: 1 },
      { row: 0, col: 1, rowSpan: 1, colSpan: 3 },
    ];
    const runs = [
      centred("项目", { x0: 40, x1: 140, y0: 100, y1: 140 }),
      centred("支出", { x0: 140, x1: 380, y0: 100, y1: 120 }),
      centred("合计", slotBox(xs, ys, 1, 1)),
      centred("基本支出", slotBox(xs, ys, 1, 2)),
      centred("项目支出", slotBox(xs, ys, 1, 3)),
      centred("201", slotBox(xs, ys, 2, 0)),
      centred("10", slotBox(xs, ys, 2, 1)),
      centred("6", slotBox(xs, ys, 2, 2)),
      centred("4", slotBox(xs, ys, 2, 3)),
    ];
    const t = layoutPage(page(runs, ruledGrid(xs, ys, merges))).tables[0]!;
    expectTiled(t);
    expect(t.cells).toHaveLength(2 + 3 + 4);
    const head = t.cells.find((c) => c.row === 0 && c.col === 0)!;
    expect([head.rowSpan, head.colSpan, head.lines]).toEqual([2, 1, ["项目"]]);
    const spending = t.cells.find((c) => c.row === 0 && c.col === 1)!;
    expect([spending.rowSpan, spending.colSpan, spending.lines]).toEqual([1, 3, ["支出"]]);
    expect(cellText(t, 1, 2)).toBe("基本支出");
    expect(cellText(t, 2, 3)).toBe("4");
  });

  it("splits a run that straddles cell borders by character position", () => {
    // Three narrow code columns 类/款/项 then two amount columns; the producer wrote
    // "208 01 99" as one run, and two adjacent amounts as one run.
    const xs = [50, 70, 90, 110, 200, 290];
    const ys = [100, 120];
    const runs = [
      // 9 chars over 52..108 (≈6.2pt each): "208" 52–71, "01" 77–89, "99" 96–108
      run("208 01 99", 52, 105, { x1: 108 }),
      // 5pt per char from 158: "1,057.99" 158–198, spaces to 228, "23.00" 228–253 (border at 200)
      run("1,057.99      23.00", 158, 105),
    ];
    const t = layoutPage(page(runs, ruledGrid(xs, ys))).tables[0]!;
    expect([cellText(t, 0, 0), cellText(t, 0, 1), cellText(t, 0, 2)]).toEqual(["208", "01", "99"]);
    expect(cellText(t, 0, 3)).toBe("1,057.99");
    expect(cellText(t, 0, 4)).toBe("23.00");
    // The pieces keep boxes inside their cells.
    const c3 = t.cells.find((c) => c.col === 3)!;
    expect(c3.runs[0]!.x1).toBeLessThanOrEqual(200);
  });

  it("assigns a vertically centred amount to the row of its wrapped label, and 合计 below its numbers", () => {
    const xs = [50, 150, 250];
    const ys = [100, 140, 170];
    const runs = [
      // row 0: a 2-line label; the amount sits on the label's FIRST line (not centred)
      run("一般公共服务", 55, 105),
      run("支出", 55, 120),
      run("155.34", 200, 105),
      // row 1: the amounts are on top, 合计 lower in its cell
      run("合计", 60, 157),
      run("1,057.99", 200, 145),
    ];
    const t = layoutPage(page(runs, ruledGrid(xs, ys))).tables[0]!;
    const label = t.cells.find((c) => c.row === 0 && c.col === 0)!;
    expect(label.lines).toEqual(["一般公共服务", "支出"]);
    expect(cellText(t, 0, 1)).toBe("155.34");
    expect(cellText(t, 1, 0)).toBe("合计");
    expect(cellText(t, 1, 1)).toBe("1,057.99");
  });

  it("finds two tables on one page and keeps the text between them outside", () => {
    const xs = [50, 200, 300];
    const r1 = ruledGrid(xs, [100, 120, 140]);
    const r2 = ruledGrid(xs, [300, 320, 340, 360]);
    const runs = [
      run("表1", 50, 60),
      run("部门收支总体情况表", 100, 75),
      run("编制部门：某某局", 50, 88),
      run("单位：万元", 250, 88),
      centred("项目", { x0: 50, x1: 200, y0: 100, y1: 120 }),
      centred("金额", { x0: 200, x1: 300, y0: 100, y1: 120 }),
      run("注：本表无数据。", 50, 150),
      run("表2", 50, 280),
      centred("合计", { x0: 50, x1: 200, y0: 340, y1: 360 }),
      centred("8.00", { x0: 200, x1: 300, y0: 340, y1: 360 }),
    ];
    const layout = layoutPage(page(runs, [...r1, ...r2]));
    expect(layout.tables.map((t) => [t.rowEdges.length - 1, t.colEdges.length - 1])).toEqual([
      [2, 2],
      [3, 2],
    ]);
    expect(cellText(layout.tables[0]!, 0, 1)).toBe("金额");
    expect(cellText(layout.tables[1]!, 2, 0)).toBe("合计");
    expect(layout.outsideLines.map((l) => l.text)).toEqual([
      "表1",
      "部门收支总体情况表",
      "编制部门：某某局 单位：万元",
      "注：本表无数据。",
      "表2",
    ]);
  });

  it("merges Word-style ruling fragments and double strokes into one grid", () => {
    const xs = [50, 150, 250];
    const ys = [100, 120, 140];
    const fragments = ruledGrid(xs, ys).flatMap((r) => {
      const out = [];
      // cut every segment into 4pt pieces with 1pt gaps, and draw each a second time 0.6pt off
      for (let a = r.from; a < r.to; a += 5) {
        out.push({ ...r, from: a, to: Math.min(a + 4, r.to) });
        out.push({ ...r, at: r.at + 0.6, from: a, to: Math.min(a + 4, r.to) });
      }
      return out;
    });
    expect(fragments.length).toBeGreaterThan(200);
    const edges = mergeEdges(rulingsToEdges(fragments), DEFAULT_LAYOUT_SETTINGS);
    expect(edges).toHaveLength(6);
    const layout = layoutPage(page([centred("x", slotBox(xs, ys, 1, 1))], fragments));
    expect(layout.tables).toHaveLength(1);
    expect(layout.tables[0]!.cells).toHaveLength(4);
    expect(cellText(layout.tables[0]!, 1, 1)).toBe("x");
  });

  it("yields a table of empty cells for a grid-only page", () => {
    const layout = layoutPage(page([], ruledGrid([50, 100, 150, 200], [100, 120, 140])));
    expect(layout.tables).toHaveLength(1);
    expect(layout.tables[0]!.cells).toHaveLength(6);
    expect(layout.tables[0]!.cells.every((c) => c.lines.length === 0)).toBe(true);
  });

  it("ignores a lone rectangle (a boxed note) and a page frame around a grid", () => {
    const frame = ruledGrid([20, 575], [20, 822]);
    const box = ruledGrid([60, 300], [40, 70]);
    const grid = ruledGrid([50, 150, 250], [100, 120, 140]);
    const layout = layoutPage(page([run("说明", 70, 50), centred("a", slotBox([50, 150, 250], [100, 120, 140], 0, 0))], [...frame, ...box, ...grid]));
    expect(layout.tables).toHaveLength(1);
    expect(layout.tables[0]!.cells).toHaveLength(4);
    expect(cellText(layout.tables[0]!, 0, 0)).toBe("a");
    expect(layout.outsideLines.map((l) => l.text)).toEqual(["说明"]);
  });

  it("joins letter-spaced runs with a single space and adjacent runs without one", () => {
    const xs = [50, 250];
    const ys = [100, 120, 140];
    const runs = [
      run("合", 60, 105),
      run("计", 100, 105),
      run("财政拨款", 60, 125),
      run("(补助)", 100, 125),
      run("受理", 130, 105),
      run("、社区", 155, 105),
    ];
    const t = layoutPage(page(runs, ruledGrid(xs, ys))).tables[0]!;
    expect(cellText(t, 0, 0)).toBe("合 计 受理、社区");
    expect(cellText(t, 1, 0)).toBe("财政拨款(补助)");
  });

  it("closes a table continued from the previous page whose column rules start without a top rule", () => {
    const xs = [60, 190, 420, 540];
    const ys = [71, 87, 103];
    // the first row has no rule above it: drop the h segments at y=71
    const rulings = ruledGrid(xs, ys).filter((r) => !(r.orientation === "h" && r.at === 71));
    const runs = [run("30231", 65, 74), run("公务用车运行维护费", 195, 74), run("266.80", 500, 74), run("30239", 65, 90), run("其他交通费用", 195, 90), run("596.38", 500, 90)];
    const layout = layoutPage(page(runs, rulings));
    expect(layout.tables).toHaveLength(1);
    const t = layout.tables[0]!;
    expect(t.rowEdges).toEqual(ys);
    expect([cellText(t, 0, 0), cellText(t, 0, 1), cellText(t, 0, 2)]).toEqual(["30231", "公务用车运行维护费", "266.80"]);
    expect(layout.outsideLines).toEqual([]);
  });

  it("does not tie two stacked tables together through their free side ends", () => {
    const xs = [62, 190, 537];
    const layout = layoutPage(page([], [...ruledGrid(xs, [100, 120, 140]), ...ruledGrid(xs, [300, 320, 340])]));
    expect(layout.tables).toHaveLength(2);
  });

  it("keeps a header word whole when its last character overflows into the next cell", () => {
    const xs = [40, 135, 200, 300];
    const ys = [100, 120];
    // 8 Han chars at 12pt, 42.6–138.6: the last one's centre (132.6) is inside, but "码" reaches over 135;
    // make it really overflow: start at 50 → "码" spans 134–146, centre 140 (next cell).
    // The second run "合计1,057.99" (6 width units of 15pt, 170–260) is cut at the Han→digit change at 200.
    const runs = [run("功能分类科目编码", 50, 104, { fontSize: 12 }), run("合计1,057.99", 170, 104, { x1: 260 })];
    const t = layoutPage(page(runs, ruledGrid(xs, ys))).tables[0]!;
    expect([cellText(t, 0, 0), cellText(t, 0, 1), cellText(t, 0, 2)]).toEqual(["功能分类科目编码", "合计", "1,057.99"]);
  });
});
