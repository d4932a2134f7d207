import { describe, expect, it } from "vitest";
import { assembleTable, type TableIdentity } from "../../parsers/tables/assembleTable.ts";
import { DEFAULT_TABLE_SETTINGS } from "../../parsers/tables/settings.ts";
import { splitAtTitleRows } from "../../parsers/tables/splitGrid.ts";
import { repairStreamGrid } from "../../parsers/tables/streamRepair.ts";
import { rawTable } from "./rawTables.ts";
import type { Table } from "../../parsers/model.ts";

const id = (over: Partial<TableIdentity> = {}): TableIdentity => ({ id: "t01", number: "表3", title: "部门支出总体情况表", kind: "expenditure_summary", unit: "万元", note: null, ...over });

function cells(t: Table): string[] {
  return t.rows.flatMap((r) => r.cells.map((c) => `${(c.label ?? r.label).join("|")} @ ${t.columns[c.column]!.path.join("/")} = ${c.value ?? c.text}`));
}

describe("assembleTable", () => {
  it("reads a 3-level header with 类/款/项 code columns, the ※ row, codes and totals", () => {
    const t = assembleTable(
      id(),
      [
        rawTable([
          ["科目编码", "<", "<", "科目名称", "支出预算", "<", "<"],
          ["类", "款", "项", "^", "合计", "基本支出", "项目支出"],
          ["※", "※", "※", "※", "1", "2", "3"],
          ["总计", "<", "<", "<", "1,057.99", "148.87", "909.11"],
          ["208", "", "", "社会保障和就业支出", "190.55", "148.87", "41.68"],
          ["208", "01", "99", "其他人力资源和社会保障管理\n事务支出", "142.70", "136.23", "6.47"],
        ]),
      ],
      DEFAULT_TABLE_SETTINGS,
    );
    expect(t.columns.map((c) => c.role)).toEqual(["code", "code", "code", "label", "value", "value", "value"]);
    expect(t.columns[5]!.path).toEqual(["支出预算", "基本支出"]);
    expect(t.columns[4]!.number).toBe("1");
    expect(t.rows.map((r) => r.label)).toEqual([["总计"], ["208", "社会保障和就业支出"], ["208 01 99", "其他人力资源和社会保障管理事务支出"]]);
    expect(t.rows[0]!.isTotal).toBe(true);
    expect(t.rows[2]!.code).toMatchObject({ code: "2080199", level: "项" });
    expect(t.rows[1]!.cells.map((c) => c.value)).toEqual(["190.55", "148.87", "41.68"]);
    expect(t.empty).toBe(false);
  });

  it("gives each side of a two-sided table its own row label and column path", () => {
    const t = assembleTable(
      id({ number: "表1", kind: "income_expenditure_summary" }),
      [
        rawTable([
          ["收入", "<", "支出", "<"],
          ["项目", "预算数", "功能分类", "预算数"],
          ["一、本年收入", "815.79", "201 一般公共服务支出", ""],
          ["收 入 总 计", "1,057.99", "支 出 总 计", "1,057.99"],
        ]),
      ],
      DEFAULT_TABLE_SETTINGS,
    );
    expect(cells(t)).toEqual(["一、本年收入 @ 收入/预算数 = 815.79", "收入总计 @ 收入/预算数 = 1057.99", "支出总计 @ 支出/预算数 = 1057.99"]);
    expect(t.columns.map((c) => c.side)).toEqual(["left", "left", "right", "right"]);
  });

  it("stitches a continuation page, dropping its repeated header, and maps columns by position", () => {
    const header = [["功能科目代码", "功能科目名称", "金额"]];
    const t = assembleTable(
      id({ number: "公开05表", kind: "fiscal_expenditure" }),
      [
        rawTable([...header, ["", "合计", "300.00"], ["201", "一般公共服务支出", "100.00"]], { page: 5 }),
        rawTable([...header, ["208", "社会保障和就业支出", "200.00"]], { page: 6, y0: 50 }),
      ],
      DEFAULT_TABLE_SETTINGS,
    );
    expect(t.pages).toEqual([5, 6]);
    expect(cells(t)).toEqual(["合计 @ 金额 = 300.00", "201|一般公共服务支出 @ 金额 = 100.00", "208|社会保障和就业支出 @ 金额 = 200.00"]);
    expect(t.rows[2]!.page).toBe(6);
    expect(t.remarks.join()).toMatch(/repeated header/);
  });

  it("a header cut at the foot of a page becomes the upper level of the next page's columns", () => {
    const t = assembleTable(
      id({ number: "四", kind: "fiscal_summary" }),
      [
        rawTable([["收入", "<", "支出", "<"]], { page: 10 }),
        rawTable([["项目名称", "金额", "项目名称", "金额"], ["一、一般公共预算", "33,172.15", "一、基本支出", "18,570.82"]], { page: 11 }),
      ],
      DEFAULT_TABLE_SETTINGS,
    );
    expect(cells(t)).toEqual(["一、一般公共预算 @ 收入/金额 = 33172.15", "一、基本支出 @ 支出/金额 = 18570.82"]);
  });

  it("an empty table (header and an empty 合计 row) is empty, a header row starting 合计 is a header", () => {
    const empty = assembleTable(id({ kind: "government_fund" }), [rawTable([["科目编码", "科目名称", "合计"], ["合计", "", ""]])], DEFAULT_TABLE_SETTINGS);
    expect(empty.empty).toBe(true);
    const oneRow = assembleTable(id(), [rawTable([["合计", "基本支出", "项目支出"], ["13,377.11", "6,522.75", "4,968.34"]])], DEFAULT_TABLE_SETTINGS);
    expect(oneRow.columns.map((c) => c.path)).toEqual([["合计"], ["基本支出"], ["项目支出"]]);
    expect(oneRow.rows[0]!.cells).toHaveLength(3);
  });

  it("绩效目标表: the form becomes key/value pairs, the indicator grid becomes labelled rows", () => {
    const t = assembleTable(
      id({ number: "项目支出绩效目标表", kind: "performance_project", unit: null }),
      [
        rawTable([["项目名称", "购买办公设备", "<"], ["项目资金(万元)", "1.50", "<"]]),
        rawTable([["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "电脑数量", "=3台"], ["^", "质量指标", "合格率", ">=95%"]], { y0: 150 }),
      ],
      DEFAULT_TABLE_SETTINGS,
    );
    expect(t.form).toEqual([{ key: "项目名称", value: "购买办公设备" }, { key: "项目资金(万元)", value: "1.50" }]);
    expect(cells(t)).toEqual(["产出指标|数量指标|电脑数量 @ 指标值 = =3台", "产出指标|质量指标|合格率 @ 指标值 = >=95%"]);
  });
});

describe("splitAtTitleRows", () => {
  it("cuts a grid holding two tables at the second table's full-width title row", () => {
    const parts = splitAtTitleRows(
      rawTable([
        ["收入合计", "100.00", "支出合计", "100.00"],
        ["五、2018年度财政拨款支出预算表", "<", "<", "<"],
        ["单位：万元", "<", "<", "<"],
        ["功能科目代码", "功能科目名称", "金额", "<"],
        ["", "合计", "100.00", "<"],
      ]),
    );
    expect(parts.map((p) => p.heading?.title ?? null)).toEqual([null, "2018年度财政拨款支出预算表"]);
    expect(parts[1]!.heading).toMatchObject({ number: "五", unit: "万元" });
    expect(parts.map((p) => p.grid.rowEdges.length - 1)).toEqual([1, 2]);
  });
});

describe("repairStreamGrid", () => {
  it("merges a wrapped name centred on its amounts and widens a centred upper header", () => {
    const raw = rawTable(
      [
        ["", "科目", "", "支出预算", ""],
        ["功能分类科目编码", "功能分类科目名称", "合计", "基本支出", "项目支出"],
        ["", "机关事业单位基本养老保险缴", "", "", ""],
        ["2080505", "", "3648725.57", "3648725.57", "0"],
        ["", "费支出", "", "", ""],
        ["2101101", "行政单位医疗", "2028048.37", "2028048.37", "0"],
      ],
      { method: "stream" },
    );
    // Centre 支出预算 over columns 2–4 and 科目 over columns 0–1, as printed.
    const top = raw.cells.find((c) => c.lines[0] === "支出预算")!;
    top.runs = [{ ...top.runs[0]!, x0: 50 + 3.5 * 60 - 10, x1: 50 + 3.5 * 60 + 10 }];
    const subject = raw.cells.find((c) => c.lines[0] === "科目")!;
    subject.runs = [{ ...subject.runs[0]!, x0: 50 + 60 - 5, x1: 50 + 60 + 5 }];
    const t = assembleTable(id(), [repairStreamGrid(raw, 2)], DEFAULT_TABLE_SETTINGS);
    expect(t.columns.map((c) => c.path)).toEqual([["科目", "功能分类科目编码"], ["科目", "功能分类科目名称"], ["支出预算", "合计"], ["支出预算", "基本支出"], ["支出预算", "项目支出"]]);
    expect(t.rows.map((r) => r.label)).toEqual([["2080505", "机关事业单位基本养老保险缴费支出"], ["2101101", "行政单位医疗"]]);
  });
});
