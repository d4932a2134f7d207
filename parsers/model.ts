// The disclosure document model: what the parser produces and everything downstream consumes.
// Validated with zod at the boundary (CLI --format json, ingest before writing).
// Amounts are exact decimal strings ("1057.99", "-3.5", "0"): never binary floats.
import { z } from "zod";

// zod's default compiles each object schema into a function (new Function) the first time it
// validates. A process validates one document or a few (a CLI run, a Lambda invocation, a parse
// worker), and that compiling cost more than it saved: jitless validation is faster both at 30
// pages (~100 ms cold) and at 300 (~6%), measured with scripts/bench.ts. It also keeps every
// runtime code path of budgetlens free of string evaluation. zod's setting is process-wide.
z.config({ jitless: true });

/** Canonical table kinds, the same across template families (seed 表1–表11, Shanghai, Jiangsu, 决算). */
export const TABLE_KINDS = [
  "income_expenditure_summary", // 收支总体情况表 / 财务收支预算总表 / 收入支出决算总表 / 公开01表
  "income_summary", // 收入总体情况表 / 部门收入预算总表 / 收入决算表
  "expenditure_summary", // 支出总体情况表 / 部门支出预算总表 / 支出决算表
  "fiscal_summary", // 财政拨款收支总体情况表 / 财政拨款收支预算总表 / 财政拨款收入支出决算总表
  "general_budget_expenditure", // 一般公共预算支出情况表 / 一般公共预算财政拨款支出决算表
  "general_budget_basic", // 一般公共预算基本支出情况表 (经济分类)
  "general_budget_project", // 一般公共预算项目支出情况表
  "government_fund", // 政府性基金预算支出情况表
  "state_capital", // 国有资本经营预算支出情况表
  "three_public", // 财政拨款"三公"经费支出情况表
  "carryover", // 上年结转结余情况明细表
  "fiscal_expenditure", // Jiangsu 财政拨款支出预算表(功能科目): all 财政拨款 by functional class
  "fiscal_basic", // Jiangsu 财政拨款基本支出预算表(经济科目)
  "operating_costs", // 一般公共预算机关运行经费支出预算表
  "procurement", // 政府采购预算表
  "performance_overall", // 部门整体绩效目标表
  "performance_project", // 项目支出绩效目标表
  "other",
] as const;
export const TableKind = z.enum(TABLE_KINDS);
export type TableKind = z.infer<typeof TableKind>;

export const Unit = z.enum(["元", "万元"]);
export type Unit = z.infer<typeof Unit>;

/** Exact decimal as printed, separators removed: "1057.99", "-0.42", "10302736". */
export const DecimalString = z.string().regex(/^-?\d+(\.\d+)?$/);

/** [x0, y0, x1, y1] in PDF points, page upright, origin top-left, y downwards. */
export const Box = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export type Box = z.infer<typeof Box>;

export const CodeLevel = z.enum(["类", "款", "项"]);
export const ClassificationCode = z.object({
  /** As printed, e.g. "208 01 99" or "2080199". */
  raw: z.string(),
  /** Digits only: "2080199" (7) / "20801" (5) / "208" (3); economic codes "30101" / "301". */
  code: z.string().regex(/^\d{3}(\d{2}){0,2}$/),
  level: CodeLevel,
  scheme: z.enum(["functional", "economic"]),
});
export type ClassificationCode = z.infer<typeof ClassificationCode>;

export const Column = z.object({
  index: z.number().int().nonnegative(),
  /** Header path from the top header row to the leaf, spanning parents repeated, wrapped lines joined. */
  path: z.array(z.string()),
  role: z.enum(["code", "label", "value"]),
  /** For two-sided tables (收入 | 支出): which side this column belongs to. */
  side: z.enum(["left", "right"]).optional(),
  /** The "※ 1 2 3" numbering row's entry for this column, when printed. */
  number: z.string().optional(),
});
export type Column = z.infer<typeof Column>;

export const Cell = z.object({
  row: z.number().int().nonnegative(),
  column: z.number().int().nonnegative(),
  text: z.string(),
  /** Exact amount for numeric cells, null for text. */
  value: DecimalString.nullable(),
  page: z.number().int().positive(),
  box: Box,
  /** Only where the cell's row label differs from its row's (the right side of a two-sided table). */
  label: z.array(z.string()).optional(),
  code: ClassificationCode.optional(),
});
export type Cell = z.infer<typeof Cell>;

export const Row = z.object({
  index: z.number().int().nonnegative(),
  page: z.number().int().positive(),
  /** Label cells left to right as printed (code cells joined into one), wrapped lines joined. */
  label: z.array(z.string()),
  /** The column index (`Column.index`) each `label` entry was printed in, same length as `label`. */
  labelColumns: z.array(z.number().int().nonnegative()).optional(),
  code: ClassificationCode.optional(),
  /** For two-sided tables: the right side's label and code. */
  rightLabel: z.array(z.string()).optional(),
  rightLabelColumns: z.array(z.number().int().nonnegative()).optional(),
  rightCode: ClassificationCode.optional(),
  /** Total / subtotal rows (合计, 总计, 小计, 收入总计 …). */
  isTotal: z.boolean(),
  cells: z.array(Cell),
});
export type Row = z.infer<typeof Row>;

export const Table = z.object({
  /** Stable id within the document: "t01", "t02" … in reading order. */
  id: z.string(),
  /** Printed number: "表1", "公开01表", "1", or for performance tables the table name. */
  number: z.string(),
  title: z.string(),
  kind: TableKind,
  department: z.string().optional(),
  unit: Unit.nullable(),
  pages: z.array(z.number().int().positive()).min(1),
  method: z.enum(["lattice", "stream", "mixed"]),
  columns: z.array(Column),
  rows: z.array(Row),
  /** An empty table's printed note (本表无数据 …), or null. */
  note: z.string().nullable(),
  empty: z.boolean(),
  /** Parser remarks a reader should know (stitched pages, suspicious geometry). */
  remarks: z.array(z.string()),
  /** 绩效目标表: the key/value form above the indicator grid (项目名称, 主管部门, 项目资金 …). */
  form: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
});
export type Table = z.infer<typeof Table>;

export const NarrativeParagraph = z.object({ page: z.number().int().positive(), text: z.string() });

export const DocumentType = z.enum(["budget", "final_accounts", "unknown"]);
export const TemplateFamily = z.enum(["seed11", "shanghai", "jiangsu", "unknown"]);

export const ParseWarning = z.object({
  code: z.string(),
  message: z.string(),
  page: z.number().int().positive().optional(),
});

export const DisclosureDocument = z.object({
  schemaVersion: z.literal(1),
  source: z.object({
    fileName: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int().nonnegative(),
    pageCount: z.number().int().nonnegative(),
    producer: z.string().optional(),
    creator: z.string().optional(),
  }),
  meta: z.object({
    title: z.string().optional(),
    department: z.string().optional(),
    year: z.number().int().min(2000).max(2100).optional(),
    docType: DocumentType,
    family: TemplateFamily,
    /** Table names listed in the document's own 目录, when it has one. */
    tableOfContents: z.array(z.string()),
  }),
  tables: z.array(Table),
  /** Text outside tables, per page, in reading order (narrative, notes, glossary). */
  narrative: z.array(NarrativeParagraph),
  warnings: z.array(ParseWarning),
});
export type DisclosureDocument = z.infer<typeof DisclosureDocument>;

/** One line of `budgetlens parse --format cells` (DESIGN.md §3). */
export const CellRecord = z.object({
  table: z.string(),
  title: z.string(),
  kind: TableKind,
  page: z.number().int().positive(),
  row: z.array(z.string()),
  column: z.array(z.string()),
  value: z.number().nullable(),
  text: z.string(),
});
export type CellRecord = z.infer<typeof CellRecord>;
