// A small builder for DisclosureDocuments in tests, and a faithful model of the seed filing's
// tables (its real numbers, from /work/shared/seed/000_c3a9804e6fe7f18a.txt).
import type { ClassificationCode, Column, DisclosureDocument, Row, Table, TableKind } from "../../parsers/model.ts";

export type RowSpec = { l: string | string[]; code?: string; v?: (string | null)[]; r?: string; rcode?: string; rv?: (string | null)[]; total?: boolean; page?: number };
export type TableSpec = {
  number: string; title: string; kind: TableKind; unit?: "元" | "万元"; page?: number;
  cols: string[][]; rightCols?: string[][]; rows: RowSpec[]; empty?: boolean; note?: string | null;
};

export function code(raw: string | undefined): ClassificationCode | undefined {
  if (!raw) return undefined;
  const digits = raw.replace(/\s/g, "");
  const level = digits.length === 3 ? "类" : digits.length === 5 ? "款" : "项";
  return { raw, code: digits, level, scheme: digits.startsWith("3") ? "economic" : "functional" };
}

export function table(id: string, s: TableSpec): Table {
  const page = s.page ?? 1;
  const two = s.rightCols !== undefined;
  const columns: Column[] = [];
  columns.push({ index: 0, path: ["项目"], role: "label", ...(two ? { side: "left" as const } : {}) });
  for (const p of s.cols) columns.push({ index: columns.length, path: p, role: "value", ...(two ? { side: "left" as const } : {}) });
  const rightLabel = columns.length;
  if (two) {
    columns.push({ index: rightLabel, path: ["项目"], role: "label", side: "right" });
    for (const p of s.rightCols!) columns.push({ index: columns.length, path: p, role: "value", side: "right" });
  }
  const rows: Row[] = s.rows.map((r, i) => {
    const label = typeof r.l === "string" ? (r.l === "" ? [] : [r.l]) : r.l;
    const cells: Row["cells"] = [];
    const box: [number, number, number, number] = [100, 100 + i * 20, 160, 115 + i * 20];
    (r.v ?? []).forEach((v, j) => {
      if (v !== null && v !== undefined) cells.push({ row: i, column: 1 + j, text: v, value: v.replace(/,/g, ""), page: r.page ?? page, box });
    });
    (r.rv ?? []).forEach((v, j) => {
      if (v !== null && v !== undefined) cells.push({ row: i, column: rightLabel + 1 + j, text: v, value: v.replace(/,/g, ""), page: r.page ?? page, box });
    });
    const c = code(r.code);
    const rc = code(r.rcode);
    const labelFull = c ? [r.code!, ...label] : label;
    const row: Row = { index: i, page: r.page ?? page, label: labelFull, isTotal: Boolean(r.total), cells };
    if (c) row.code = c;
    if (two) row.rightLabel = r.r ? (rc ? [r.rcode!, r.r] : [r.r]) : [];
    if (rc) row.rightCode = rc;
    return row;
  });
  return {
    id, number: s.number, title: s.title, kind: s.kind, unit: s.unit ?? "万元", pages: [page], method: "lattice",
    columns, rows, note: s.note ?? null, empty: s.empty ?? false, remarks: [],
  };
}

export function doc(tables: Table[], narrative: { page: number; text: string }[] = [], meta: Partial<DisclosureDocument["meta"]> = {}): DisclosureDocument {
  return {
    schemaVersion: 1,
    source: { fileName: "test.pdf", sha256: "0".repeat(64), bytes: 0, pageCount: 30 },
    meta: { docType: "budget", family: "unknown", tableOfContents: [], department: "乌鲁木齐市沙依巴克区退休人员社会化管理服务中心", year: 2025, ...meta },
    tables, narrative, warnings: [],
  };
}

const N = null;

/** The seed filing's tables 表1, 表2, 表3, 表5, 表6, 表9, 表10, 表11 with their printed numbers. */
export function seedTables(): Table[] {
  const t1 = table("t01", {
    number: "表1", title: "部门收支总体情况表", kind: "income_expenditure_summary", page: 3,
    cols: [["收入", "预算数"]], rightCols: [["支出", "预算数"]],
    rows: [
      { l: "一、本年收入", v: ["815.79"], r: "一般公共服务支出", rcode: "201" },
      { l: "1.一般公共预算拨款", v: ["190.55"], r: "外交支出", rcode: "202" },
      { l: "其中：一般财力", v: ["155.34"], r: "国防支出", rcode: "203" },
      { l: "上级一般公共预算安排转移支付", v: ["35.21"], r: "公共安全支出", rcode: "204" },
      { l: "2.政府性基金预算拨款", r: "教育支出", rcode: "205" },
      { l: "3.国有资本经营预算拨款", v: ["625.24"], r: "社会保障和就业支出", rcode: "208", rv: ["190.55"] },
      { l: "其中：国有资本经营收入", r: "社会保险基金支出", rcode: "209" },
      { l: "上级国有资本经营预算安排转移支付", v: ["625.24"], r: "卫生健康支出", rcode: "210" },
      { l: "二、上年结转结余", v: ["242.19"], r: "住房保障支出", rcode: "221" },
      { l: "1.财政拨款结转", v: ["242.19"], r: "国有资本经营预算支出", rcode: "223", rv: ["867.43"] },
      { l: "其中：一般公共预算拨款", r: "预备费", rcode: "227" },
      { l: "国有资本经营预算拨款", v: ["242.19"] },
      { l: "2.非财政拨款结转结余" },
      { l: "收 入 总 计", v: ["1,057.99"], r: "支 出 总 计", rv: ["1,057.99"], total: true },
    ],
  });
  const t2 = table("t02", {
    number: "表2", title: "部门收入总体情况表", kind: "income_summary", page: 4,
    cols: [["总计"], ["财政拨款（补助）", "财政拨款(补助)小计"], ["财政拨款（补助）", "一般公共预算"], ["财政拨款（补助）", "上级一般公共预算安排的转移支付"], ["财政拨款（补助）", "国有资本经营预算"], ["财政拨款（补助）", "上级国有资本经营预算安排的转移支付"], ["财政拨款结转"]],
    rows: [
      { l: "总计", v: ["1,057.99", "815.79", "155.34", "35.21", N, "625.24", "242.19"], total: true },
      { l: "社会保障和就业支出", code: "208", v: ["190.55", "190.55", "155.34", "35.21"] },
      { l: "人力资源和社会保障管理事务", code: "208 01", v: ["142.70", "142.70", "142.70"] },
      { l: "其他人力资源和社会保障管理事务支出", code: "208 01 99", v: ["142.70", "142.70", "142.70"] },
      { l: "行政事业单位养老支出", code: "208 05", v: ["12.65", "12.65", "12.65"] },
      { l: "机关事业单位基本养老保险缴费支出", code: "208 05 05", v: ["12.65", "12.65", "12.65"] },
      { l: "企业改革补助", code: "208 06", v: ["35.21", "35.21", N, "35.21"] },
      { l: "其他企业改革发展补助", code: "208 06 99", v: ["35.21", "35.21", N, "35.21"] },
      { l: "国有资本经营预算支出", code: "223", v: ["867.43", "625.24", N, N, N, "625.24", "242.19"] },
      { l: "解决历史遗留问题及改革成本支出", code: "223 01", v: ["867.43", "625.24", N, N, N, "625.24", "242.19"] },
      { l: "国有企业退休人员社会化管理补助支出", code: "223 01 05", v: ["867.43", "625.24", N, N, N, "625.24", "242.19"] },
    ],
  });
  const fnRows = (vals: Record<string, (string | null)[]>): RowSpec[] => [
    { l: "社会保障和就业支出", code: "208", v: vals["208"]! },
    { l: "人力资源和社会保障管理事务", code: "208 01", v: vals["20801"]! },
    { l: "其他人力资源和社会保障管理事务支出", code: "208 01 99", v: vals["20801"]! },
    { l: "行政事业单位养老支出", code: "208 05", v: vals["20805"]! },
    { l: "机关事业单位基本养老保险缴费支出", code: "208 05 05", v: vals["20805"]! },
    { l: "企业改革补助", code: "208 06", v: vals["20806"]! },
    { l: "其他企业改革发展补助", code: "208 06 99", v: vals["20806"]! },
  ];
  const t3 = table("t03", {
    number: "表3", title: "部门支出总体情况表", kind: "expenditure_summary", page: 6,
    cols: [["支出预算", "合计"], ["支出预算", "基本支出"], ["支出预算", "项目支出"]],
    rows: [
      { l: "总计", v: ["1,057.99", "148.87", "909.11"], total: true },
      ...fnRows({ "208": ["190.55", "148.87", "41.68"], "20801": ["142.70", "136.23", "6.47"], "20805": ["12.65", "12.65"], "20806": ["35.21", N, "35.21"] }),
      { l: "国有资本经营预算支出", code: "223", v: ["867.43", N, "867.43"] },
      { l: "解决历史遗留问题及改革成本支出", code: "223 01", v: ["867.43", N, "867.43"] },
      { l: "国有企业退休人员社会化管理补助支出", code: "223 01 05", v: ["867.43", N, "867.43"] },
    ],
  });
  const t5 = table("t05", {
    number: "表5", title: "一般公共预算支出情况表", kind: "general_budget_expenditure", page: 8,
    cols: [["一般公共预算支出", "合计"], ["一般公共预算支出", "基本支出"], ["一般公共预算支出", "项目支出"]],
    rows: [
      { l: "总计", v: ["190.55", "148.87", "41.68"], total: true },
      ...fnRows({ "208": ["190.55", "148.87", "41.68"], "20801": ["142.70", "136.23", "6.47"], "20805": ["12.65", "12.65"], "20806": ["35.21", N, "35.21"] }),
    ],
  });
  const e = (c: string, l: string, v: string, pub = false): RowSpec => ({ l, code: c, v: pub ? [v, N, v] : [v, v] });
  const t6 = table("t06", {
    number: "表6", title: "一般公共预算基本支出情况表", kind: "general_budget_basic", page: 9,
    cols: [["一般公共预算基本支出", "合计"], ["一般公共预算基本支出", "人员经费"], ["一般公共预算基本支出", "公用经费"]],
    rows: [
      { l: "总计", v: ["148.87", "122.68", "26.19"], total: true },
      e("301", "工资福利支出", "122.68"), e("301 01", "基本工资", "28.66"), e("301 02", "津贴补贴", "8.54"), e("301 03", "奖金", "29.91"),
      e("301 07", "绩效工资", "24.50"), e("301 08", "机关事业单位基本养老保险缴费", "12.65"), e("301 10", "职工基本医疗保险缴费", "5.68"),
      e("301 11", "公务员医疗补助缴费", "1.25"), e("301 12", "其他社会保障缴费", "0.71"), e("301 13", "住房公积金", "10.79"),
      e("302", "商品和服务支出", "26.19", true), e("302 01", "办公费", "0.96", true), e("302 05", "水费", "0.42", true), e("302 06", "电费", "1.26", true),
      e("302 07", "邮电费", "1.09", true), e("302 08", "取暖费", "13.53", true), e("302 11", "差旅费", "1.10", true), e("302 16", "培训费", "0.16", true),
      e("302 28", "工会经费", "0.62", true), e("302 29", "福利费", "5.70", true), e("302 31", "公务用车运行维护费", "1.35", true),
    ],
  });
  const t9 = table("t09", {
    number: "表9", title: "国有资本经营预算支出情况表", kind: "state_capital", page: 12,
    cols: [["国有资本经营预算支出", "合计"], ["国有资本经营预算支出", "项目支出"]],
    rows: [
      { l: "总计", v: ["625.24", "625.24"], total: true },
      { l: "国有资本经营预算支出", code: "223", v: ["625.24", "625.24"] },
      { l: "解决历史遗留问题及改革成本支出", code: "223 01", v: ["625.24", "625.24"] },
      { l: "国有企业退休人员社会化管理补助支出", code: "223 01 05", v: ["625.24", "625.24"] },
    ],
  });
  const t10 = table("t10", {
    number: "表10", title: "财政拨款“三公”经费支出情况表", kind: "three_public", page: 13,
    cols: [["合计"], ["资金来源", "一般公共预算"], ["资金来源", "政府性基金"], ["资金来源", "国有资本经营预算"]],
    rows: [
      { l: "合计", v: ["1.35", "1.35"], total: true },
      { l: "因公出国（境）费" },
      { l: "公务接待费" },
      { l: "公务用车购置及运行费（小计）", v: ["1.35", "1.35"] },
      { l: "其中：公务用车购置费" },
      { l: "公务用车运行费", v: ["1.35", "1.35"] },
    ],
  });
  const t11 = table("t11", {
    number: "表11", title: "上年结转结余情况明细表", kind: "carryover", page: 14,
    cols: [["合计"], ["财政拨款", "小计"], ["财政拨款", "项目支出"]],
    rows: [
      { l: "总计", v: ["242.19", "242.19", "242.19"], total: true },
      { l: "乌鲁木齐市沙依巴克区退休人员社会化管理服务中心", v: ["242.19", "242.19", "242.19"] },
      { l: "乌财企【2023】90 号-提前下达中央财政 2024 年国有企业退休人员社会化管理补助资金", v: ["242.19", "242.19", "242.19"] },
    ],
  });
  return [t1, t2, t3, t5, t6, t9, t10, t11];
}

/** Narrative paragraphs copied from the seed filing (line breaks as printed). */
export const SEED_NARRATIVE: { page: number; text: string }[] = [
  { page: 2, text: "二、 机构设置及人员情况\n乌鲁木齐市沙依巴克区退休人员社会化管理服务中心编制数 10，实有人数\n9 人，其中：在职 8人，减少 1 人；退休 1 人，减少 1人；离休 0 人，减少 0人。" },
  { page: 15, text: "一、 关于乌鲁木齐市沙依巴克区退休人员社会化管理服务中心 2025 年\n收支预算情况总体说明\n按照全口径预算的原则，乌鲁木齐市沙依巴克区退休人员社会化管理服务\n中心2025年所有收入和支出均纳入部门预算管理。收支总预算1,057.99万元。" },
  { page: 15, text: "二、 关于乌鲁木齐市沙依巴克区退休人员社会化管理服务中心 2025 年\n收入预算情况说明\n乌鲁木齐市沙依巴克区退休人员社会化管理服务中心部门收入预算\n1,057.99 万元，其中：\n一般公共预算 155.34 万元，占 14.68%，比上年预算减少 0.42 万元，下降\n0.27%，主要原因是减少（退休）1 名人员，人员工资、人员住房公积金减少。\n上级一般公共预算安排的转移支付资金 35.21 万元，占 3.33%，比上年预\n算增加 35.21 万元，增长 100.00%，主要原因是 2024 年未安排自治区财政补助\n资金。\n财政拨款结转 242.19 万元，占 22.89%，比上年预算减少 1,034.76 万元，\n下降 81.03%。" },
  { page: 16, text: "三、 关于乌鲁木齐市沙依巴克区退休人员社会化管理服务中心 2025 年\n支出预算情况说明\n乌鲁木齐市沙依巴克区退休人员社会化管理服务中心 2025 年支出预算\n1,057.99 万元，其中：\n基本支出148.87万元，占14.07%，比上年预算减少6.89万元，下降4.42%，\n主要原因是减少（退休）1名人员，人员工资、人员住房公积金减少。\n项目支出 909.11 万元，占 85.93%，比上年预算减少 993.08 万元，下降\n52.21%，主要原因是 2025 年对项目进行了调整，从而降低了支出。" },
  { page: 17, text: "五、 关于乌鲁木齐市沙依巴克区退休人员社会化管理服务中心 2025 年\n一般公共预算当年拨款情况说明\n（三）一般公共预算当年拨款具体使用情况\n1、社会保障和就业支出（类）人力资源和社会保障管理事务（款）其他\n人力资源和社会保障管理事务支出（项）：2025 年预算数为 142.70 万元，比上\n年预算增加 1.50 万元，增长 1.06%，主要原因是人员调资。" },
  { page: 18, text: "六、 关于乌鲁木齐市沙依巴克区退休人员社会化管理服务中心 2025 年\n一般公共预算基本支出情况说明\n乌鲁木齐市沙依巴克区退休人员社会化管理服务中心 2025 年一般公共预\n算基本支出 148.87 万元，其中：\n人员经费 122.68 万元，主要包括：基本工资。\n公用经费 26.19 万元，主要包括：办公费。" },
  { page: 20, text: "十、 关于乌鲁木齐市沙依巴克区退休人员社会化管理服务中心 2025 年\n财政拨款“三公”经费预算情况说明\n乌鲁木齐市沙依巴克区退休人员社会化管理服务中心2025年财政拨款“三\n公”经费数为 1.35 万元，其中：因公出国（境）费 0.00 万元，公务用车购置\n费 0.00 万元，公务用车运行费 1.35 万元，公务接待费 0.00 万元。\n2025年财政拨款“三公”经费预算比上年预算减少0.55万元，下降28.95%。" },
  { page: 21, text: "十二、 其他重要事项的情况说明\n(一) 单位运行经费情况\n乌鲁木齐市沙依巴克区退休人员社会化管理服务中心 2025 年的事业单位\n运行经费财政拨款预算 26.19 万元，比上年预算增加 7.15 万元，增长 37.55%。\n(二) 政府采购情况\n2025 年，乌鲁木齐市沙依巴克区退休人员社会化管理服务中心政府采购预\n算 199.41 万元，其中：政府采购货物预算 93.24 万元，政府采购工程预算 0.00\n万元，政府采购服务预算 106.17 万元。" },
];

export function seedDoc(): DisclosureDocument {
  return doc(seedTables(), SEED_NARRATIVE.map((p) => ({ ...p })));
}

/** Replace one printed cell value (by table number, row code or label, value-column index 0-based). */
export function setCell(d: DisclosureDocument, tableNo: string, rowMatch: string, valueCol: number, value: string, side: "left" | "right" = "left"): DisclosureDocument {
  const copy = structuredClone(d);
  const t = copy.tables.find((x) => x.number === tableNo)!;
  const values = t.columns.filter((c) => c.role === "value" && (c.side ?? "left") === side);
  const col = values[valueCol]!;
  const row = t.rows.find((r) => r.code?.raw === rowMatch || r.label.join("") === rowMatch || (r.rightLabel ?? []).join("") === rowMatch)!;
  const cell = row.cells.find((c) => c.column === col.index);
  if (cell) { cell.value = value; cell.text = value; } else row.cells.push({ row: row.index, column: col.index, text: value, value, page: row.page, box: [0, 0, 1, 1] });
  return copy;
}
