import { describe, expect, it } from "vitest";
import { parseAmount, decimalsOf } from "../../parsers/tables/amounts.ts";
import { parseCode, isCodeFragment } from "../../parsers/tables/codes.ts";
import { joinWrappedLines, normalizeLabel } from "../../parsers/text/normalizeLabel.ts";
import { kindOfTitle, looksLikeTableTitle } from "../../parsers/tables/kinds.ts";
import { readHeadingLine, isPageNumberLine } from "../../parsers/tables/headings.ts";

describe("parseAmount", () => {
  it.each([
    ["1,057.99", "1057.99"],
    ["87267272.44", "87267272.44"],
    ["10,302,736", "10302736"],
    ["0", "0"],
    ["0.00", "0.00"],
    ["-0.42", "-0.42"],
    ["－3.50", "-3.50"],
    ["(12.00)", "-12.00"],
    ["１，２３４．５６", "1234.56"],
    [" 91,016,775.35 ", "91016775.35"],
  ])("%s → %s", (printed, exact) => expect(parseAmount(printed)).toBe(exact));

  it.each(["", "合计", "1,05.99", "12.3.4", "2025年", "14.68%", "—", "1 2"])("rejects %s", (t) => expect(parseAmount(t)).toBeNull());

  it("counts printed decimals", () => {
    expect(decimalsOf("1057.99")).toBe(2);
    expect(decimalsOf("10302736")).toBe(0);
  });
});

describe("parseCode", () => {
  it("normalises the three layouts to one code with its level", () => {
    expect(parseCode(["208", "01", "99"])!.code).toMatchObject({ code: "2080199", level: "项", scheme: "functional" });
    expect(parseCode(["208 01 99"])!.code.code).toBe("2080199");
    expect(parseCode(["2080199"])!.code).toMatchObject({ code: "2080199", level: "项" });
    expect(parseCode(["20801"])!.code.level).toBe("款");
    expect(parseCode(["208 社会保障和就业支出"])).toMatchObject({ code: { code: "208", level: "类" }, rest: "社会保障和就业支出" });
    expect(parseCode(["302", "31"])!.code).toMatchObject({ code: "30231", scheme: "economic", level: "款" });
  });
  it("does not read amounts, years or ordinals as codes", () => {
    expect(parseCode(["2025年部门预算"])).toBeNull();
    expect(parseCode(["208.55"])).toBeNull();
    expect(parseCode(["1.一般公共预算拨款"])).toBeNull();
    expect(parseCode(["101 something"])).toBeNull();
    expect(isCodeFragment("01")).toBe(true);
    expect(isCodeFragment("1,057.99")).toBe(false);
  });
});

describe("labels", () => {
  it("removes justification spaces between ideographs, keeps Latin spacing", () => {
    expect(normalizeLabel("合   计")).toBe("合计");
    expect(normalizeLabel("收 入 总 计")).toBe("收入总计");
    expect(normalizeLabel("208 社会保障")).toBe("208社会保障");
    expect(normalizeLabel("208 01 99")).toBe("208 01 99");
  });
  it("joins wrapped cell lines", () => {
    expect(joinWrappedLines(["其他人力资源和社会保障管理", "事务支出"])).toBe("其他人力资源和社会保障管理事务支出");
    expect(joinWrappedLines(["财政拨款(补", "助)小计"])).toBe("财政拨款(补助)小计");
  });
});

describe("titles and kinds", () => {
  it.each([
    ["部门收支总体情况表", "income_expenditure_summary"],
    ["2026年部门财务收支预算总表", "income_expenditure_summary"],
    ["收入支出决算总表", "income_expenditure_summary"],
    ["收支预算总表", "income_expenditure_summary"],
    ["部门收入总体情况表", "income_summary"],
    ["收入决算表", "income_summary"],
    ["部门支出总体情况表", "expenditure_summary"],
    ["财政拨款收支预算总体情况表", "fiscal_summary"],
    ["财政拨款收入支出决算总表", "fiscal_summary"],
    ["一般公共预算支出情况表", "general_budget_expenditure"],
    ["一般公共预算财政拨款基本支出决算表", "general_budget_basic"],
    ["一般公共预算项目支出情况表", "general_budget_project"],
    ["政府性基金预算支出情况表", "government_fund"],
    ["国有资本经营预算财政拨款收入支出决算表", "state_capital"],
    ['财政拨款"三公"经费支出情况表', "three_public"],
    ["上年结转结余情况明细表", "carryover"],
    ["部门整体绩效目标表", "performance_overall"],
    ["财政拨款支出预算表(功能科目)", "fiscal_expenditure"],
    ["2018年度江苏省高级人民法院财政拨款基本支出预算表", "fiscal_basic"],
    ["一般公共预算机关运行经费支出预算表", "operating_costs"],
    ["2019年政府采购预算表", "procurement"],
    ["项目支出绩效目标表", "performance_project"],
  ])("%s → %s", (title, kind) => expect(kindOfTitle(title)).toBe(kind));

  it("reads heading lines", () => {
    expect(readHeadingLine("表 1")).toMatchObject({ number: "表1", matched: true });
    expect(readHeadingLine("公开01表")).toMatchObject({ number: "公开01表" });
    expect(readHeadingLine("4．2026年部门财政拨款收支预算总表")).toMatchObject({ number: "4", title: "2026年部门财政拨款收支预算总表" });
    expect(readHeadingLine("编制部门：乌鲁木齐市沙依巴克区退休人员社会化管理服务中心 单位：万元")).toMatchObject({
      department: "乌鲁木齐市沙依巴克区退休人员社会化管理服务中心",
      unit: "万元",
    });
    expect(readHeadingLine("部门：江苏省政协办公厅                 单位：万元")).toMatchObject({ department: "江苏省政协办公厅", unit: "万元" });
    expect(readHeadingLine("单位：元")).toMatchObject({ unit: "元" });
    expect(readHeadingLine("2025年一般公共预算支出预算 190.55 万元，比上年减少 0.42 万元。").matched).toBe(false);
    expect(looksLikeTableTitle("1. 2026年部门财务收支预算总表 ……………………… 3")).toBe(false);
    expect(isPageNumberLine("- 12 -")).toBe(true);
    expect(isPageNumberLine("第 3 页")).toBe(true);
  });
});
