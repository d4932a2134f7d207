// Narrative extraction on sentences copied from the seed filing, and letter-spaced variants.
import { describe, expect, it } from "vitest";
import { extractNarrativeFacts } from "../../parsers/narrative/index.ts";

const P = (text: string, page = 1) => [{ page, text }];
const spaced = (s: string) => s.split("").join(" ");

describe("extractNarrativeFacts", () => {
  it("reads amount, share and year-on-year change with its percentage", () => {
    const f = extractNarrativeFacts(P("二、 关于某中心 2025 年\n收入预算情况说明\n某中心部门收入预算\n1,057.99 万元，其中：\n一般公共预算 155.34 万元，占 14.68%，比上年预算减少 0.42 万元，下降\n0.27%，主要原因是减少（退休）1 名人员。"));
    const gp = f.amounts.find((a) => a.subject === "一般公共预算")!;
    expect(gp.amount).toBe("155.34");
    expect(gp.share?.percent).toBe("14.68");
    expect(gp.shareBase?.amount).toBe("1057.99");
    expect(gp.change).toMatchObject({ direction: "decrease", amount: "0.42", percent: "0.27" });
    expect(gp.section.topic).toBe("income");
  });
  it("tolerates letter-spacing and 万元 broken across lines", () => {
    const f = extractNarrativeFacts(P(`三、关于支出预算情况说明\n${spaced("项目支出 4,968.34")} 万\n元，${spaced("占 85.93%")}`));
    const a = f.amounts.find((x) => x.subject === "项目支出")!;
    expect(a.amount).toBe("4968.34");
    expect(a.unit).toBe("万元");
    expect(a.share?.percent).toBe("85.93");
  });
  it("reads headcount with 增加/减少", () => {
    const f = extractNarrativeFacts(P("某中心编制数 10，实有人数\n9 人，其中：在职 8人，减少 1 人；退休 1 人，减少 1人；离休 0 人，减少 0人。"));
    expect(f.headcount[0]).toMatchObject({ establishment: 10, actual: 9, inService: { count: 8, change: -1 }, retired: { count: 1, change: -1 }, retiredCadre: { count: 0, change: 0 } });
  });
  it("reads 政府采购 parts and the (类)(款)(项) item of a stated figure", () => {
    const f = extractNarrativeFacts(P("(二) 政府采购情况\n2025 年，某管理服务中心政府采购预算 199.41 万元，其中：政府采购货物预算 93.24 万元，政府采购工程预算 0.00\n万元，政府采购服务预算 106.17 万元。\n1、社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单\n位基本养老保险缴费支出（项）：2025 年预算数为 12.65 万元，比上年预算减\n少 1.91 万元，下降 13.12%。"));
    expect(f.procurement[0]).toMatchObject({ total: "199.41", goods: "93.24", works: "0.00", services: "106.17" });
    const item = f.amounts.find((a) => a.amount === "12.65")!;
    expect(item.item?.names).toEqual(["社会保障和就业支出", "行政事业单位养老支出", "机关事业单位基本养老保险缴费支出"]);
    expect(item.role).toBe("current");
    expect(item.change).toMatchObject({ direction: "decrease", amount: "1.91", percent: "13.12" });
  });
  it("reads 决算 budget-vs-actual words and completion (ASCII punctuation as some producers print)", () => {
    const f = extractNarrativeFacts(P("五、一般公共预算财政拨款支出决算情况说明\n1、一般公共服务支出(类)社会工作事务(款)行政运行(项)。主要用于:行政单位人员支出。全年预算为 52.00 万元,支出决算为 51.32 万元,完成全年预算数的 98.69%。决算数小于全年预算数的主要原因:人员变动。"));
    expect(f.comparisons[0]).toMatchObject({ fullYear: "52.00", actual: "51.32", completion: { percent: "98.69", base: "full_year" }, word: "less" });
  });
  it("reads a two-amount relation in words", () => {
    const f = extractNarrativeFacts(P("从支出结构看,本年项目支出决算数 160.16 万元,大于基本支出决算数 323.03 万元。"));
    expect(f.relations[0]).toMatchObject({ word: "greater", left: { amount: "160.16" }, right: { amount: "323.03" } });
  });
});
