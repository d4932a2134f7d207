// The seed filing modelled faithfully reconciles (no errors; its own 0.01 gaps are info), and one
// mutated number at a time is flagged on the right table and row.
import { describe, expect, it } from "vitest";
import { checkDocument } from "../../reconcile/index.ts";
import { Flag } from "../../reconcile/flag.ts";
import { seedDoc, setCell } from "./builders.ts";

const errors = (fs: Flag[]) => fs.filter((f) => f.severity === "error");
const hit = (fs: Flag[], table: string | undefined, row: string, sev: ("error" | "warning")[] = ["error"]) =>
  fs.some((f) => sev.includes(f.severity as "error") && (table === undefined || f.table === table) && (f.row ?? []).join("").includes(row));

describe("seed filing model", () => {
  it("reconciles with zero errors; rounding gaps are info", () => {
    const flags = checkDocument(seedDoc());
    expect(errors(flags)).toEqual([]);
    // 表1 本年收入 815.79 + 上年结转 242.19 = 1,057.98 vs printed 1,057.99: rounding, reported as info.
    expect(flags.some((f) => f.severity === "info" && f.table === "表1" && f.difference === "0.01")).toBe(true);
    // The seed's 在职 −1 / 退休 −1 with "减少（退休）1 名人员" is a retirement that did not move to 退休.
    expect(flags.some((f) => f.rule === "headcount.retirement" && f.severity === "warning")).toBe(true);
  });

  it("every flag validates against the Flag contract and names rule, message and (for table flags) page", () => {
    const d = setCell(setCell(seedDoc(), "表3", "208 01 99", 0, "143.70"), "表6", "302 31", 0, "1.85");
    const flags = checkDocument(d);
    expect(flags.length).toBeGreaterThan(3);
    for (const f of flags) {
      expect(() => Flag.parse(f)).not.toThrow();
      if (f.table) expect(f.page).toBeGreaterThan(0);
    }
  });

  it("flags a 项 changed in 表3 on its 款 (hierarchy) and the item (vs 表2)", () => {
    const flags = checkDocument(setCell(seedDoc(), "表3", "208 01 99", 0, "143.70"));
    expect(hit(flags, "表3", "208 01")).toBe(true);
    const child = flags.find((f) => f.rule === "sum.children" && f.table === "表3");
    expect(child?.expected).toBe("143.70");
    expect(child?.actual).toBe("142.70");
    expect(hit(flags, "表3", "208 01 99", ["warning", "error"])).toBe(true);
  });

  it("flags 合计 ≠ 基本 + 项目 on the row", () => {
    const flags = checkDocument(setCell(seedDoc(), "表5", "208 05 05", 1, "11.65"));
    expect(flags.some((f) => f.rule === "sum.columns" && f.table === "表5" && (f.row ?? []).join("").includes("208 05 05") && f.severity === "error")).toBe(true);
  });

  it("flags a 302xx change in 表6 (302 = Σ 302xx) and 三公 运行费 vs 302 31", () => {
    const flags = checkDocument(setCell(seedDoc(), "表6", "302 31", 0, "1.85"));
    expect(hit(flags, "表6", "302")).toBe(true);
    expect(flags.some((f) => f.rule === "cross.three_public_vehicle" && f.table === "表10")).toBe(true);
  });

  it("flags 收入总计 ≠ 支出总计 and the total vs 表3", () => {
    const flags = checkDocument(setCell(seedDoc(), "表1", "支 出 总 计", 0, "1,067.99", "right"));
    expect(flags.some((f) => f.rule === "balance.two_sided" && f.severity === "error")).toBe(true);
  });

  it("flags 表11 total ≠ 表1 上年结转结余", () => {
    const flags = checkDocument(setCell(seedDoc(), "表11", "总计", 0, "252.19"));
    expect(flags.some((f) => f.rule === "cross.carryover" && f.table === "表11" && f.severity === "error")).toBe(true);
  });

  it("flags a narrative total stated as 0.3 万元", () => {
    const d = seedDoc();
    d.narrative[1] = { ...d.narrative[1]!, text: d.narrative[1]!.text.replace("1,057.99万元", "0.3万元") };
    const flags = checkDocument(d);
    const f = flags.find((x) => x.rule === "narrative.amount" && x.actual === "0.30");
    expect(f?.table).toBe("表1");
    expect(f?.expected).toBe("1057.99");
    expect(f?.severity).toBe("error");
  });

  it("flags a wrong share and a wrong year-on-year percentage", () => {
    const d = seedDoc();
    d.narrative[3] = { ...d.narrative[3]!, text: d.narrative[3]!.text.replace("占14.07%", "占14.15%").replace("下降\n52.21%", "下降\n55.21%") };
    const flags = checkDocument(d);
    expect(flags.some((f) => f.rule === "narrative.share" && f.actual === "14.15" && f.expected === "14.07")).toBe(true);
    expect(flags.some((f) => f.rule === "narrative.change" && f.actual === "55.21")).toBe(true);
  });

  it("flags 政府采购 parts that do not add up, and a 三公 subtotal that is off", () => {
    const d = seedDoc();
    d.narrative[7] = { ...d.narrative[7]!, text: d.narrative[7]!.text.replace("93.24", "94.24") };
    expect(checkDocument(d).some((f) => f.rule === "narrative.procurement" && f.severity === "error")).toBe(true);
    const flags = checkDocument(setCell(seedDoc(), "表10", "公务用车购置及运行费（小计）", 0, "1.85"));
    expect(hit(flags, "表10", "公务用车购置及运行费")).toBe(true);
  });

  it("completeness: kinds the seed template requires are reported missing; an empty table needs its note", () => {
    const d = seedDoc();
    d.meta.family = "seed11";
    const flags = checkDocument(d);
    // The model leaves out 表4, 表7 and 表8.
    expect(flags.filter((f) => f.rule === "completeness.missing_table").map((f) => f.kind).sort()).toEqual(["fiscal_summary", "general_budget_project", "government_fund"]);
    const e = seedDoc();
    const t9 = e.tables.find((t) => t.number === "表9")!;
    t9.empty = true;
    t9.rows = [];
    expect(checkDocument(e).some((f) => f.rule === "completeness.empty_without_note" && f.table === "表9")).toBe(true);
    t9.note = "本表无数据";
    expect(checkDocument(e).some((f) => f.rule === "completeness.empty_without_note")).toBe(false);
  });

  it("flags headcount that does not add up and staff above establishment", () => {
    const d = seedDoc();
    d.narrative[0] = { ...d.narrative[0]!, text: d.narrative[0]!.text.replace("实有人数\n9 人", "实有人数\n12 人").replace("编制数 10", "编制数 7") };
    const flags = checkDocument(d);
    expect(flags.some((f) => f.rule === "headcount.sum" && f.actual === "12" && f.expected === "9")).toBe(true);
    expect(flags.some((f) => f.rule === "headcount.establishment")).toBe(true);
  });

  it("across years: stated change vs last year's filing", () => {
    const prev = setCell(setCell(setCell(seedDoc(), "表3", "总计", 1, "150.00"), "表3", "208", 1, "150.00"), "表3", "208 01", 1, "136.23");
    const flags = checkDocument(seedDoc(), { previous: prev });
    // 基本支出 148.87 stated 减少 6.89 → last year 155.76, but last year's 表3 says 150.00.
    expect(flags.some((f) => f.rule === "years.change" && f.severity === "error")).toBe(true);
    const agreeing = setCell(setCell(setCell(seedDoc(), "表3", "总计", 1, "155.76"), "表3", "208", 1, "155.76"), "表3", "208 01", 1, "143.12");
    const ok = checkDocument(seedDoc(), { previous: agreeing });
    expect(ok.some((f) => f.rule === "years.change" && f.severity === "error" && f.message.includes("基本支出"))).toBe(false);
  });
});
